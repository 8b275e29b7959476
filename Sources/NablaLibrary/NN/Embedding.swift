import NablaCore
import NablaBackend

/// A lookup table of `count` vectors of size `dimension`, as `torch.nn.Embedding` (init N(0, 1)).
///
/// ```swift
/// let embed = Embedding(1000, 32)
/// let vectors = embed(Tensor([[3, 14, 15]]))   // [1, 3] → [1, 3, 32]
/// ```
public final class Embedding: Module {
    public let weight: Parameter
    public let count: Int, dimension: Int

    public init(_ count: Int, _ dimension: Int) {
        precondition(count > 0 && dimension > 0, "Embedding: sizes must be positive")
        self.count = count
        self.dimension = dimension
        weight = Parameter(Initializer.normal(mean: 0, std: 1).tensor([count, dimension]))
        super.init()
    }

    /// A table over an existing parameter [count, dimension], shared with the module that owns it (tying).
    public init(weight: Parameter) {
        precondition(weight.shape.count == 2 && weight.shape.allSatisfy { $0 > 0 }, "Embedding: weight \(weight.shape) should be [count, dim]")
        (count, dimension) = (weight.shape[0], weight.shape[1])
        self.weight = weight
        super.init()
    }

    override public var typeName: String { "Embedding(\(count), \(dimension))" }

    override public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] { input + [dimension] }

    /// `input` holds integral indices in `0..<count`, of any shape.
    override public func forward(_ input: Tensor) -> Tensor {
        weight.value.indexSelect(axis: 0, index: input.flatten()).reshape(input.shape + [dimension])
    }
}
