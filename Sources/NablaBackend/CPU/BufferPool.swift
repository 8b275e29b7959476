import Foundation

/// A caching allocator for large float buffers: free lists by size class, so that the buffers
/// of one training step are reused by the next instead of being unmapped and faulted in again.
///
/// Buffers under `minPooledCount` floats go straight to `malloc`, which is fast for them. At most
/// `maxCachedBytes` are kept idle; beyond that, released buffers are freed.
package enum BufferPool {
    /// Below this many floats (64 KiB) a buffer is not pooled.
    package static let minPooledCount = 1 << 14
    /// The most memory kept in free lists.
    static let maxCachedBytes = 256 << 20

    nonisolated(unsafe) private static var freeLists: [Int: [UnsafeMutablePointer<Float>]] = [:]
    nonisolated(unsafe) private static var cachedBytes = 0
    private static let lock = NSLock()

    /// The capacity actually allocated for `count` floats: up to 1/8 more, so near sizes share a list.
    static func sizeClass(_ count: Int) -> Int {
        let shift = Swift.max(0, (Int.bitWidth - count.leadingZeroBitCount) - 4)
        return ((count + (1 << shift) - 1) >> shift) << shift
    }

    /// A buffer of at least `count` floats, uninitialized.
    package static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        guard count >= minPooledCount else { return .allocate(capacity: Swift.max(count, 1)) }
        let size = sizeClass(count)
        lock.lock()
        if let reused = freeLists[size]?.popLast() {
            cachedBytes -= size * MemoryLayout<Float>.stride
            lock.unlock()
            return reused
        }
        lock.unlock()
        return .allocate(capacity: size)
    }

    /// Returns a buffer that `allocate(count)` gave out.
    package static func release(_ pointer: UnsafeMutablePointer<Float>, _ count: Int) {
        guard count >= minPooledCount else { return pointer.deallocate() }
        let size = sizeClass(count)
        let bytes = size * MemoryLayout<Float>.stride
        lock.lock()
        if cachedBytes + bytes <= maxCachedBytes {
            cachedBytes += bytes
            freeLists[size, default: []].append(pointer)
            lock.unlock()
            return
        }
        lock.unlock()
        pointer.deallocate()
    }

    /// Runs `body` with a scratch buffer of `count` floats from the pool (uninitialized).
    static func withScratch<R>(_ count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        let pointer = allocate(count)
        defer { release(pointer, count) }
        return try body(pointer)
    }
}
