import NablaBackend

/// An n-dimensional, row-major array of Float32 values that can record the operations
/// applied to it for reverse-mode automatic differentiation.
///
/// ```swift
/// let x = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4], requiresGrad: true)
/// let y = (x * x).sum()
/// y.backward()
/// print(x.grad!)   // tensor([[2, 4], [6, 8]])
/// ```
///
/// A `Tensor` is an immutable value. Trainable, mutable state lives in `Parameter`.
public struct Tensor: @unchecked Sendable {
    /// The size of each dimension, outermost first.
    public let shape: [Int]
    /// The buffer holding `count` contiguous elements in row-major order.
    public let storage: TensorStorage
    /// The autograd record of how this tensor was produced; `nil` for detached tensors.
    package let node: Node?

    init(shape: [Int], storage: TensorStorage, node: Node?) {
        self.shape = shape
        self.storage = storage
        self.node = node
    }

    /// Wraps `storage` without copying.
    public init(shape: [Int], storage: TensorStorage) {
        precondition(Shape.count(shape) == storage.count,
                     "Tensor: shape \(shape) holds \(Shape.count(shape)) elements, storage has \(storage.count)")
        self.init(shape: shape, storage: storage, node: nil)
    }

    /// Creates a tensor from row-major `scalars`.
    public init(shape: [Int], scalars: [Float], requiresGrad: Bool = false) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        precondition(Shape.count(shape) == scalars.count,
                     "Tensor: shape \(shape) needs \(Shape.count(shape)) scalars, got \(scalars.count)")
        self.init(shape: shape, storage: TensorStorage.copying(scalars), node: requiresGrad ? Node.leaf() : nil)
    }

    /// A 1-D tensor.
    public init(_ scalars: [Float], requiresGrad: Bool = false) {
        self.init(shape: [scalars.count], scalars: scalars, requiresGrad: requiresGrad)
    }

    /// A 2-D tensor from nested rows; every row must have the same length.
    public init(_ rows: [[Float]], requiresGrad: Bool = false) {
        let cols = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == cols }, "Tensor: rows have different lengths")
        self.init(shape: [rows.count, cols], scalars: rows.flatMap { $0 }, requiresGrad: requiresGrad)
    }

    /// A 0-d (scalar) tensor.
    public init(_ value: Float, requiresGrad: Bool = false) {
        self.init(shape: [], scalars: [value], requiresGrad: requiresGrad)
    }

    /// The number of dimensions.
    public var rank: Int { shape.count }
    /// The number of elements.
    public var count: Int { storage.count }
    /// The elements in row-major order.
    public var scalars: [Float] { storage.array }
    /// The single element of a one-element tensor.
    public var item: Float {
        precondition(count == 1, "item: tensor of shape \(shape) has \(count) elements, expected 1")
        return storage.pointer[0]
    }

    /// Reads one element; `indices` may be negative to count from the end.
    public subscript(_ indices: Int...) -> Float {
        storage.pointer[Shape.flatIndex(indices, in: shape)]
    }

    /// Whether gradients flow back to this tensor.
    public var requiresGrad: Bool { node != nil }

    /// The same values, cut from the graph: no gradient flows through the result.
    public func detached() -> Tensor { Tensor(shape: shape, storage: storage, node: nil) }

    /// The same values as a leaf that requires (or not) a gradient.
    public func requiringGrad(_ flag: Bool = true) -> Tensor {
        Tensor(shape: shape, storage: storage, node: flag ? Node.leaf() : nil)
    }

    /// Calls `body` with the elements, read-only.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.pointer, count: count))
    }
}
