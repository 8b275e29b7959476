import Foundation
@testable import NablaCore

/// `size` ranks of a job as threads of this process: what synchronised layers need of a
/// `ProcessGroup`, without MPI. `member(rank)` is rank `rank`'s view; every exchange waits for all.
final class ThreadGroup: @unchecked Sendable {
    let size: Int
    private let condition = NSCondition()
    private var slots: [[Double]?]
    private var arrived = 0, generation = 0
    private var lastResult: [[Double]] = []

    init(size: Int) {
        self.size = size
        slots = Array(repeating: nil, count: size)
    }

    /// Rank `rank` of the group, with its gradient weight.
    func member(_ rank: Int, gradientWeight: Double = 1) -> Member { Member(group: self, rank: rank, gradientWeight: gradientWeight) }

    fileprivate func exchange(rank: Int, _ values: [Double]) -> [[Double]] {
        condition.lock()
        defer { condition.unlock() }
        let mine = generation
        slots[rank] = values
        arrived += 1
        if arrived == size {
            lastResult = slots.map { $0! }
            slots = Array(repeating: nil, count: size)
            arrived = 0
            generation += 1
            condition.broadcast()
        } else {
            while generation == mine { condition.wait() }
        }
        return lastResult
    }

    /// Runs `body(rank)` for every rank at once, each on a thread of its own, and waits for all.
    func run<T>(_ body: @escaping @Sendable (Int) -> T) -> [T] {
        let results = Results<T>(count: size)
        let done = DispatchGroup()
        for rank in 0..<size {
            done.enter()
            let thread = Thread {
                results.set(rank, body(rank))
                done.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        done.wait()
        return results.values.map { $0! }
    }

    final class Member: CollectiveGroup {
        let group: ThreadGroup, rank: Int
        var gradientWeight: Double
        var size: Int { group.size }

        init(group: ThreadGroup, rank: Int, gradientWeight: Double) {
            (self.group, self.rank, self.gradientWeight) = (group, rank, gradientWeight)
        }

        func exchange(_ values: [Double]) -> [[Double]]? { group.exchange(rank: rank, values) }
    }

    private final class Results<T>: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var values: [T?]
        init(count: Int) { values = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ value: T) { lock.withLock { values[index] = value } }
    }
}

/// A job of one process: every exchange returns this process's values.
final class SoloGroup: CollectiveGroup {
    let size = 1
    var gradientWeight = 1.0
    private(set) var exchanges = 0
    func exchange(_ values: [Double]) -> [[Double]]? {
        exchanges += 1
        return [values]
    }
}
