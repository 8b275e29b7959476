import Dispatch
import Foundation

/// Data-parallel loops over index ranges for the CPU kernels.
public enum Parallel {
    /// The threads Nabla's kernels and BLAS run on at once (at least 1): `NABLA_THREADS` when it
    /// holds a valid count, otherwise the cores available to this process.
    public static var coreCount: Int { cachedCoreCount }

    /// The cores available to this process (at least 1).
    public static let hardwareCount = max(1, ProcessInfo.processInfo.activeProcessorCount)

    private static let cachedCoreCount = (try? threads(environment: ProcessInfo.processInfo.environment["NABLA_THREADS"])) ?? nil ?? hardwareCount

    /// The most threads `NABLA_THREADS` may ask for.
    public static let maxThreads = 1024

    /// The thread count a value of `NABLA_THREADS` asks for: `nil` when unset or empty; throws a
    /// one-line `ThreadCountError` for anything but a whole number from 1 to `maxThreads`.
    ///
    /// ```swift
    /// try Parallel.threads(environment: "4")    // 4
    /// try Parallel.threads(environment: "four") // throws "NABLA_THREADS=four: expected …"
    /// ```
    public static func threads(environment value: String?) throws -> Int? {
        guard let value, !value.isEmpty else { return nil }
        guard let count = Int(value.trimmingCharacters(in: .whitespaces)), (1...maxThreads).contains(count) else {
            throw ThreadCountError(value: value)
        }
        return count
    }

    /// Calls `body(i)` for every `i` in `0..<iterations`, concurrently on at most `coreCount` threads.
    static func perform(iterations: Int, _ body: @Sendable (Int) -> Void) {
        let workers = min(iterations, coreCount)
        guard workers < iterations, coreCount < hardwareCount else {
            DispatchQueue.concurrentPerform(iterations: iterations, execute: body)   // GCD caps it at the cores
            return
        }
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for index in stride(from: worker, to: iterations, by: workers) { body(index) }
        }
    }

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
            perform(iterations: chunks) { chunk in
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
            perform(iterations: parts) { part in
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

/// A value of `NABLA_THREADS` that is not a thread count; its description is one line.
public struct ThreadCountError: Error, CustomStringConvertible, Equatable {
    /// The value given.
    public let value: String
    public var description: String {
        "NABLA_THREADS=\(value): expected a whole number of threads from 1 to \(Parallel.maxThreads), or unset for one per core (\(Parallel.hardwareCount))"
    }
}
