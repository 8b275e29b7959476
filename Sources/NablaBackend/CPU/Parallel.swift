import Dispatch
import Foundation

/// Data-parallel loops over index ranges for the CPU kernels.
public enum Parallel {
    /// Number of threads Nabla's kernels use in this process (at least 1): see `ThreadBudget`.
    public static var coreCount: Int { cachedCoreCount }

    private static let cachedCoreCount = ThreadBudget.threads(cores: max(1, ProcessInfo.processInfo.activeProcessorCount),
                                                              environment: ProcessInfo.processInfo.environment)

    /// Calls `body` on disjoint, contiguous ranges that together cover `0..<count`.
    ///
    /// Runs serially on the calling thread (one call with `0..<count`) when `count < 2 * minChunk`
    /// or there is a single core; otherwise splits the range into chunks of at least `minChunk`
    /// elements and runs them concurrently, returning when all are done. The closure may write
    /// to disjoint parts of shared buffers.
    ///
    ///     Parallel.forEachChunk(count: n, minChunk: 4096) { range in
    ///         for i in range { y[i] = x[i] * 2 }
    ///     }
    public static func forEachChunk(count: Int, minChunk: Int, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let chunkFloor = max(1, minChunk)
        guard coreCount > 1, count >= 2 * chunkFloor else {
            body(0..<count)
            return
        }
        // A few chunks per core balance the load when another process holds one of the cores.
        let chunks = min(count / chunkFloor, coreCount * 4)
        withoutActuallyEscaping(body) { escapable in
            let task = UncheckedSendable(escapable)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                task.value(count * chunk / chunks ..< count * (chunk + 1) / chunks)
            }
        }
    }
}

extension Parallel {
    /// Splits `0..<count` into `parts` contiguous ranges of near-equal size and calls
    /// `body(part, range)` for each, concurrently; returns when all are done. Unlike
    /// `forEachChunk`, the caller knows the parts in advance (to give each its own accumulator).
    ///
    ///     Parallel.forEachPart(count: 10, parts: 2) { part, range in partial[part] = sum(range) }
    public static func forEachPart(count: Int, parts: Int, _ body: (Int, Range<Int>) -> Void) {
        let parts = max(1, min(parts, count))
        guard parts > 1 else {
            if count > 0 { body(0, 0..<count) }
            return
        }
        withoutActuallyEscaping(body) { escapable in
            let task = UncheckedSendable(escapable)
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                task.value(part, count * part / parts ..< count * (part + 1) / parts)
            }
        }
    }
}

/// Hands a value to `concurrentPerform`'s workers. The callers guarantee the safety the compiler
/// cannot see: workers touch disjoint memory and all finish before the call returns.
package struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
