import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
@testable import NablaRuns
import Nabla

@Suite("Parallel")
struct ParallelTests {
    @Test("chunks cover the range exactly once",
          arguments: [(0, 10), (1, 10), (19, 10), (20, 10), (1000, 7), (100_000, 1)])
    func chunksCoverRange(_ setup: (count: Int, minChunk: Int)) {
        var hits = [Int](repeating: 0, count: setup.count)
        hits.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress
            Parallel.forEachChunk(count: setup.count, minChunk: setup.minChunk) { range in
                for i in range { base![i] += 1 }
            }
        }
        #expect(hits.allSatisfy { $0 == 1 })
    }

    @Test("small counts run as one serial call")
    func smallCountsStaySerial() {
        var calls: [Range<Int>] = []
        Parallel.forEachChunk(count: 19, minChunk: 10) { calls.append($0) }
        #expect(calls == [0..<19])
        #expect(Parallel.coreCount >= 1)
    }
}
