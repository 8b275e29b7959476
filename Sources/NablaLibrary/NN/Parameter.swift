import NablaCore
import NablaBackend

/// A trainable tensor: shared, mutable training state that modules and optimizers both reach.
///
/// `value` is a leaf that requires a gradient; `backward()` accumulates into `grad`, and an
/// optimizer writes the updated values back in place.
public final class Parameter: @unchecked Sendable {
    /// The current value, a leaf of the autograd graph.
    public private(set) var value: Tensor

    public init(_ value: Tensor) {
        self.value = value.detached().requiringGrad()
    }

    /// The gradient accumulated since the last `zeroGrad()`, or `nil`.
    public var grad: Tensor? {
        get { value.grad }
        set { value.node?.grad = newValue?.detached() }
    }

    public var shape: [Int] { value.shape }
    public var count: Int { value.count }

    /// Clears the accumulated gradient.
    public func zeroGrad() { value.zeroGrad() }

    /// Replaces the value (same shape), keeping this parameter's identity for optimizers.
    public func assign(_ newValue: Tensor) {
        precondition(newValue.shape == value.shape, "Parameter.assign: shape \(newValue.shape) differs from \(value.shape)")
        newValue.withUnsafeBufferPointer { src in
            value.storage.pointer.update(from: src.baseAddress!, count: src.count)
        }
    }

    /// Writes into the value's buffer in place (for optimizers; runs outside the graph).
    public func update(_ body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        body(value.storage.buffer)
    }
}

/// A tensor that belongs to a module's state but is not trained, such as BatchNorm's running
/// statistics. It is saved in checkpoints next to the parameters.
public final class Buffer: @unchecked Sendable {
    public var value: Tensor

    public init(_ value: Tensor) { self.value = value.detached() }

    /// Copies `newValue` in (same shape).
    public func assign(_ newValue: Tensor) {
        precondition(newValue.shape == value.shape, "Buffer.assign: shape \(newValue.shape) differs from \(value.shape)")
        value = Tensor(shape: newValue.shape, scalars: newValue.scalars)
    }
}

extension Array where Element == Parameter {
    /// The parameters with repeats of the same object dropped, first occurrences kept in order.
    public var uniqued: [Parameter] {
        var seen = Set<ObjectIdentifier>()
        return filter { seen.insert(ObjectIdentifier($0)).inserted }
    }
}
