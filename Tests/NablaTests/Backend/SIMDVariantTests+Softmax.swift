import Testing
@testable import NablaBackend
@testable import NablaCore

/// Softmax and log-softmax rows, forward and backward: each C variant against the portable path bit for bit,
/// and both against the reference backend's Double loops on rows longer than the differential table draws.
@Suite("Backend: softmax rows under each SIMD variant")
struct SoftmaxVariantTests {
    /// Row lengths that leave every tail of 16 lanes (and of AVX2's 8), GPT's vocabulary of 113, and a long row.
    static let lengths = [1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 100, 113, 1000]

    @Test("rows give the portable path's bits", arguments: SIMDVariantTests.variants)
    func rowBits(_ variant: SIMDVariant) {
        for n in Self.lengths {
            for log in [false, true] {
                let rows = 5
                let (x, g) = Self.inputs(rows: rows, n: n)
                let portable = Self.run(.baseline, x, g, rows: rows, n: n, log: log)
                let fast = Self.run(variant, x, g, rows: rows, n: n, log: log)
                for (name, (a, b)) in zip(["forward", "backward"], zip(portable, fast)) {
                    if let problem = SIMDVariantTests.bitMismatch(b, a) {
                        Issue.record("\(variant) \(log ? "logSoftmax" : "softmax") \(name) n \(n): \(problem)")
                    }
                }
            }
        }
    }

    @Test("rows split across cores give the bits of one pass", arguments: SIMDVariantTests.variants)
    func splitRows(_ variant: SIMDVariant) {
        let (rows, n) = (3000, 113)
        let (x, g) = Self.inputs(rows: rows, n: n)
        let whole = Self.run(variant, x, g, rows: rows, n: n, log: true)
        let portable = Self.run(.baseline, x, g, rows: rows, n: n, log: true)
        #expect(SIMDVariantTests.bitMismatch(whole[0], portable[0]) == nil)
        #expect(SIMDVariantTests.bitMismatch(whole[1], portable[1]) == nil)
    }

    @Test("rows of infinities and NaN follow the portable path", arguments: SIMDVariantTests.variants)
    func specialRows(_ variant: SIMDVariant) {
        let n = 19
        let rowsOfSpecials: [[Float]] = [
            [Float](repeating: -.infinity, count: n),
            [Float](repeating: .infinity, count: n),
            (0..<n).map { $0 == 17 ? .nan : Float($0) },
            (0..<n).map { $0 == 3 ? .infinity : Float($0) },
            (0..<n).map { $0 % 2 == 0 ? -0.0 : 0.0 },
            (0..<n).map { Float($0) * 40 - 300 },
        ]
        let x = rowsOfSpecials.flatMap { $0 }, g = (0..<x.count).map { Float($0 % 7) - 3 }
        for log in [false, true] {
            let portable = Self.run(.baseline, x, g, rows: rowsOfSpecials.count, n: n, log: log)
            let fast = Self.run(variant, x, g, rows: rowsOfSpecials.count, n: n, log: log)
            #expect(SIMDVariantTests.bitMismatch(fast[0], portable[0]) == nil, "\(variant) forward log \(log)")
            #expect(SIMDVariantTests.bitMismatch(fast[1], portable[1]) == nil, "\(variant) backward log \(log)")
        }
    }

    @Test("long rows and other axes agree with the reference backend", arguments: [SIMDVariant.baseline] + SIMDVariantTests.variants)
    func againstReference(_ variant: SIMDVariant) {
        for (outer, n, inner) in [(4, 113, 1), (3, 1000, 1), (2, 33, 5), (1, 17, 16)] {
            let count = outer * n * inner
            let (x, g) = Self.inputs(rows: 1, n: count)
            for log in [false, true] {
                var y = [Float](repeating: 0, count: count), dx = y, yRef = y, dxRef = y
                SIMDVariant.with(variant) {
                    Kernels.softmax(x, &y, outer: outer, n: n, inner: inner, log: log)
                    Kernels.softmaxBackward(y, g, &dx, outer: outer, n: n, inner: inner, log: log)
                }
                ReferenceBackend.softmax(x, &yRef, outer: outer, n: n, inner: inner, log: log)
                ReferenceBackend.softmaxBackward(yRef, g, &dxRef, outer: outer, n: n, inner: inner, log: log)
                let yError = zip(y, yRef).map { abs($0 - $1) / max(1, abs($1)) }.max()!
                let dxError = zip(dx, dxRef).map { abs($0 - $1) / max(1, abs($1)) }.max()!
                #expect(yError < 2e-6, "\(variant) [\(outer), \(n), \(inner)] log \(log) forward \(yError)")
                #expect(dxError < 1e-5, "\(variant) [\(outer), \(n), \(inner)] log \(log) backward \(dxError)")
            }
        }
    }

    // MARK: Runs

    /// Logits of scale 4 and an output gradient of scale 1 for `rows` rows of `n`.
    private static func inputs(rows: Int, n: Int) -> ([Float], [Float]) {
        var g = Generator(seed: UInt64(rows * 1000 + n))
        let x = InputSpec.normal([rows * n]).draw(&g).map { $0 * 4 }
        return (x, InputSpec.normal([rows * n]).draw(&g))
    }

    /// y, then dx from y and g, under `variant`.
    private static func run(_ variant: SIMDVariant, _ x: [Float], _ g: [Float], rows: Int, n: Int, log: Bool) -> [[Float]] {
        SIMDVariant.with(variant) {
            var y = [Float](repeating: 0, count: x.count), dx = y
            Kernels.softmax(x, &y, outer: rows, n: n, inner: 1, log: log)
            Kernels.softmaxBackward(y, g, &dx, outer: rows, n: n, inner: 1, log: log)
            return [y, dx]
        }
    }
}
