import Foundation
import NablaBackend

/// Where a storage's elements live, fixed when it is made.
public struct TensorStorageHeader {
    /// The first element: in the storage object itself (small buffers), or in a buffer from `BufferPool`.
    fileprivate let pointer: UnsafeMutablePointer<Float>
    /// How many elements the storage holds.
    public let count: Int
    /// Whether `pointer` came from `BufferPool` and goes back there when the storage is freed.
    fileprivate let pooled: Bool
}

/// A contiguous Float32 buffer shared by tensors that view the same data.
///
/// Tensors are values; the storage is the one reference type underneath them. Only the
/// optimizer (through `Parameter`) and kernels that create a fresh output write into it.
/// A small buffer lives inside the storage object, so that making one costs a single allocation:
/// at a small op's size a second allocation costs more than the kernel. Large buffers come from
/// `BufferPool`, so a training step reuses the last step's memory.
///
/// ```swift
/// let storage = TensorStorage.uninitialized(count: 4)
/// storage.pointer.initialize(repeating: 0.5, count: 4)
/// let t = Tensor(shape: [2, 2], storage: storage)
/// ```
public final class TensorStorage: ManagedBuffer<TensorStorageHeader, Float> {
    /// Uninitialized storage for `count` floats; the caller must write every element.
    public static func uninitialized(count: Int) -> TensorStorage {
        precondition(count >= 0, "TensorStorage: negative element count \(count)")
        let pooled = count >= BufferPool.minPooledCount
        let object = create(minimumCapacity: pooled ? 0 : count) { object in
            let pointer = pooled ? BufferPool.allocate(count) : object.withUnsafeMutablePointerToElements { $0 }
            return TensorStorageHeader(pointer: pointer, count: count, pooled: pooled)
        }
        return unsafeDowncast(object, to: TensorStorage.self)
    }

    /// `count` copies of `value`.
    public static func repeating(_ value: Float, count: Int) -> TensorStorage {
        let storage = uninitialized(count: count)
        storage.pointer.initialize(repeating: value, count: count)
        return storage
    }

    /// A copy of `values`.
    public static func copying(_ values: [Float]) -> TensorStorage {
        let storage = uninitialized(count: values.count)
        values.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { storage.pointer.initialize(from: base, count: values.count) }
        }
        return storage
    }

    deinit {
        let header = fixedHeader
        if header.pooled { BufferPool.release(header.pointer, header.count) }
    }

    /// The header, read through its address: `header` itself is a stored `var` of `ManagedBuffer`, and
    /// reading it costs a run-time exclusivity check, though nothing writes it after `uninitialized(count:)`.
    private var fixedHeader: TensorStorageHeader {
        @inline(__always) get { withUnsafeMutablePointerToHeader { $0.pointee } }
    }

    /// The first of `count` contiguous elements, valid while this storage lives.
    public var pointer: UnsafeMutablePointer<Float> {
        @inline(__always) get { fixedHeader.pointer }
    }

    /// The number of elements.
    public var count: Int {
        @inline(__always) get { fixedHeader.count }
    }

    /// The elements as a buffer, valid while this storage lives.
    public var buffer: UnsafeMutableBufferPointer<Float> { .init(start: pointer, count: count) }
    /// A copy of the elements.
    public var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}
