import Foundation
import Testing
@testable import NablaBackend

/// Products on several threads at once: one on OpenBLAS's own threads (which raises the library's thread
/// count while it runs) must not change the bits of small products that other threads make meanwhile.
@Suite struct BLASThreadTests {
    @Test(.enabled(if: !BLAS.isBuiltin, "the library's threads are OpenBLAS's"))
    func smallProductsStayExactWhileALargeOneRunsOnTheLibrarysThreads() {
        // m·n·k ≥ BLAS.ownThreadsFrom: the large product goes to OpenBLAS's threads; the small one, 7 columns
        // wide (under NativeGEMM.minColumns), goes to OpenBLAS on the calling thread.
        let (big, m, n, k) = (520, 96, 7, 300)
        var g = SystemRandomNumberGenerator()
        let a = (0..<(big * big)).map { _ in Float.random(in: -1...1, using: &g) }
        let sa = (0..<(m * k)).map { _ in Float.random(in: -1...1, using: &g) }
        let sb = (0..<(k * n)).map { _ in Float.random(in: -1...1, using: &g) }
        @Sendable func small() -> [Float] {
            var c = [Float](repeating: 0, count: m * n)
            BLAS.sgemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: sa, lda: k, b: sb, ldb: n, beta: 0, c: &c, ldc: n)
            return c
        }
        let expected = small()
        let done = Flag(), mismatches = Counter(), runs = Counter()
        let workers = (0..<2).map { _ in
            Thread {
                while !done.isSet {
                    if small() != expected { mismatches.add() }
                    runs.add()
                }
            }
        }
        workers.forEach { $0.start() }
        var c = [Float](repeating: 0, count: big * big)
        for _ in 0..<12 {
            BLAS.sgemm(transA: false, transB: false, m: big, n: big, k: big, alpha: 1, a: a, lda: big, b: a, ldb: big, beta: 0,
                       c: &c, ldc: big)
        }
        done.set()
        while workers.contains(where: { !$0.isFinished }) { usleep(1_000) }
        #expect(runs.value > 0)
        #expect(mismatches.value == 0, "\(mismatches.value) of \(runs.value) small products changed")
    }

    final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var flag = false
        var isSet: Bool { lock.withLock { flag } }
        func set() { lock.withLock { flag = true } }
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        var value: Int { lock.withLock { count } }
        func add() { lock.withLock { count += 1 } }
    }
}
