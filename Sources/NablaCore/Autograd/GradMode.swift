#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
import NablaBackend
#endif

/// Per-thread switch that decides whether ops record the graph.
package enum GradMode {
    // A pthread key, so each thread (and each concurrently running test) has its own flag.
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Recording is on unless a `withNoGrad` scope on this thread turned it off.
    static var isEnabled: Bool {
        get { pthread_getspecific(key) == nil }
        set { pthread_setspecific(key, newValue ? nil : UnsafeRawPointer(bitPattern: 1)) }
    }
}

/// Runs `body` without recording the autograd graph, for inference and optimizer updates.
///
/// ```swift
/// let prediction = withNoGrad { model(x) }
/// ```
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    let previous = GradMode.isEnabled
    GradMode.isEnabled = false
    defer { GradMode.isEnabled = previous }
    return try body()
}

/// Whether operations on this thread currently record gradients.
public var isGradEnabled: Bool { GradMode.isEnabled }

extension Tensor {
    /// Wraps a kernel's result, recording `op` in the graph when grad mode is on and an input requires a gradient.
    @inline(__always)
    static func record(_ op: @autoclosure () -> Primitive, inputs: [Tensor], shape: [Int], storage: TensorStorage,
                       saveOutput: Bool = false) -> Tensor {
        guard GradMode.isEnabled, inputs.contains(where: { $0.node != nil }) else {
            return Tensor(shape: shape, storage: storage, node: nil)
        }
        let node = Node(op: op(), inputs: inputs)
        if saveOutput { node.savedOutput = storage }
        return Tensor(shape: shape, storage: storage, node: node)
    }

    /// Records a single-input op.
    @inline(__always)
    static func record(_ op: @autoclosure () -> Primitive, input: Tensor, shape: [Int], storage: TensorStorage,
                       saveOutput: Bool = false) -> Tensor {
        guard input.node != nil, GradMode.isEnabled else {
            return Tensor(shape: shape, storage: storage, node: nil)
        }
        let node = Node(op: op(), input: input)
        if saveOutput { node.savedOutput = storage }
        return Tensor(shape: shape, storage: storage, node: node)
    }

    /// Records a two-input op.
    @inline(__always)
    static func record(_ op: @autoclosure () -> Primitive, _ a: Tensor, _ b: Tensor, shape: [Int],
                       storage: TensorStorage) -> Tensor {
        guard a.node != nil || b.node != nil, GradMode.isEnabled else {
            return Tensor(shape: shape, storage: storage, node: nil)
        }
        return Tensor(shape: shape, storage: storage, node: Node(op: op(), a, b))
    }
}
