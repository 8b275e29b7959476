import NablaCore
import NablaBackend

/// y = x·Wᵀ + b over the last dimension, as `torch.nn.Linear` (weight [out, in]).
///
/// ```swift
/// let fc = Linear(784, 10)
/// let logits = fc(x)   // x: [N, 784] → [N, 10]
/// ```
public final class Linear: Module, WeightInitializable {
    public let weight: Parameter
    public let bias: Parameter?
    public let inFeatures: Int, outFeatures: Int

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, weightInit: Initializer = .torchDefault) {
        precondition(inFeatures > 0 && outFeatures > 0, "Linear: feature counts must be positive, got \(inFeatures)→\(outFeatures)")
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        weight = Parameter(weightInit.tensor([outFeatures, inFeatures]))
        self.bias = bias ? Parameter(Initializer.torchDefaultBias(fanIn: inFeatures).tensor([outFeatures])) : nil
        super.init()
    }

    /// A layer over existing parameters: weight [out, in] and bias [out]. Sharing another module's
    /// parameter ties the two, as PyTorch's `head.weight = wte.weight`; `parameters` lists it once and the
    /// state dict under both names.
    ///
    /// ```swift
    /// let embedding = Embedding(vocabulary, 128)
    /// let head = Linear(weight: embedding.weight, bias: nil)   // logits = x·Eᵀ, [B, T, 128] → [B, T, vocabulary]
    /// ```
    public init(weight: Parameter, bias: Parameter?) {
        precondition(weight.shape.count == 2 && weight.shape.allSatisfy { $0 > 0 }, "Linear: weight \(weight.shape) should be [out, in]")
        (outFeatures, inFeatures) = (weight.shape[0], weight.shape[1])
        if let bias { precondition(bias.shape == [outFeatures], "Linear: bias \(bias.shape) should be [\(outFeatures)] for weight \(weight.shape)") }
        (self.weight, self.bias) = (weight, bias)
        super.init()
    }

    override public var typeName: String { "Linear(\(inFeatures)→\(outFeatures))" }

    override public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        guard let last = input.last, last == inFeatures else {
            throw ShapeError("\(typeName): expected input [..., \(inFeatures)], got \(input)")
        }
        return input.dropLast() + [outFeatures]
    }

    override public func forward(_ input: Tensor) -> Tensor {
        let y = input.matmul(weight.value, transB: true)
        guard let bias else { return y }
        return y + bias.value
    }

    public func reinitialize(weight initializer: Initializer, generator: inout Generator) {
        weight.assign(initializer.tensor(weight.shape, generator: &generator))
        bias?.assign(.zeros([outFeatures]))
    }
}
