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

    /// A bias's gradient, Σ over rows of a [rows, columns] buffer into [columns], is split by columns when large;
    /// each column must still be the in-order Float sum over its rows, whatever the split.
    @Test("bias gradients split by columns give the in-order sums' bits", arguments: [(4096, 16), (768, 512), (300, 257), (2, 70_001)])
    func rowSumsSplitByColumns(_ size: (rows: Int, columns: Int)) {
        var g = Generator(seed: UInt64(size.rows))
        let src = InputSpec.normal([size.rows * size.columns]).draw(&g)
        var expected = [Float](repeating: 0.5, count: size.columns), got = expected
        for r in 0..<size.rows {
            for j in 0..<size.columns { expected[j] += src[r * size.columns + j] }
        }
        Kernels.sumBroadcast(src, shape: [size.rows, size.columns], into: &got, strides: [0, 1])
        #expect(SIMDVariantTests.bitMismatch(got, expected) == nil, "\(size)")
    }
}

