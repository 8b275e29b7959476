import Foundation
import NablaBackend

/// A contiguous, heap-allocated Float32 buffer shared by tensors that view the same data.
///
/// Tensors are values; the storage is the one reference type underneath them. Only the
/// optimizer (through `Parameter`) and kernels that create a fresh output write into it.
/// Large buffers come from `BufferPool`, so a training step reuses the last step's memory.
public final class TensorStorage: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int

    /// Uninitialized storage for `count` floats; the caller must write every element.
    public init(uninitializedCount count: Int) {
        self.count = count
        self.pointer = BufferPool.allocate(count)
    }

    public convenience init(repeating value: Float, count: Int) {
        self.init(uninitializedCount: count)
        pointer.initialize(repeating: value, count: count)
    }

    public convenience init(_ values: [Float]) {
        self.init(uninitializedCount: values.count)
        values.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { pointer.initialize(from: base, count: values.count) }
        }
    }

    deinit { BufferPool.release(pointer, count) }

    public var buffer: UnsafeMutableBufferPointer<Float> { .init(start: pointer, count: count) }
    public var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}
