import Testing
@testable import NablaBackend
@testable import NablaCore

/// Each C variant (AVX2, AVX-512) that this CPU runs against the portable Swift path, which defines the ops.
/// The variants port the Swift kernels operation for operation without fused multiply-adds, so the tolerance
/// is 0 ulps: the same bits, NaN for NaN. On CPUs without the variants only the selection checks run.
@Suite("Backend: SIMD variants against the portable path")
struct SIMDVariantTests {
    /// The C variants this CPU runs; baseline alone (against itself) where it runs none, so that each test has a case.
    static let variants: [SIMDVariant] = {
        let native = SIMDVariant.supported.filter { $0 != .baseline }
        return native.isEmpty ? [.baseline] : native
    }()
    /// Lengths that leave every tail length of 8 and 16 lanes, and one split across cores.
    static let lengths = [1, 3, 8, 15, 16, 17, 31, 100, 70_003]
    static let specials: [Float] = [0, -0.0, .infinity, -.infinity, .nan, Float.leastNormalMagnitude / 4, -Float.leastNormalMagnitude / 3, 88.9, -88.9, 104.5, -110, 9.5, -9.5,
                                    0.6249, 0.625, 7.9, -7.95, 20, -20, .greatestFiniteMagnitude, -.greatestFiniteMagnitude]

    @Test("unary functions give the portable path's bits", arguments: variants)
    func unaryBits(_ variant: SIMDVariant) {
        check(variant, Elementwise.ReLU())
        check(variant, Elementwise.Tanh())
        check(variant, Elementwise.Sigmoid())
        check(variant, Elementwise.GELU())
        check(variant, Elementwise.SiLU())
    }

    @Test("Adam and AdamW give the portable path's bits", arguments: variants)
    func adamBits(_ variant: SIMDVariant) {
        let steps = [
            AdamStep(oneMinusBeta1: 0.1, beta2: 0.999, oneMinusBeta2: 0.001, biasCorrection2Sqrt: 0.05, eps: 1e-8,
                     negativeStepSize: -0.01, weightDecay: nil, shrink: nil),
            AdamStep(oneMinusBeta1: 0.6, beta2: 0.99, oneMinusBeta2: 0.01, biasCorrection2Sqrt: 0.3, eps: 1e-6,
                     negativeStepSize: -0.02, weightDecay: 0.1, shrink: nil),
            AdamStep(oneMinusBeta1: 0.1, beta2: 0.999, oneMinusBeta2: 0.001, biasCorrection2Sqrt: 0.05, eps: 1e-8,
                     negativeStepSize: -0.01, weightDecay: nil, shrink: 0.999),
        ]
        for n in Self.lengths {
            for (number, step) in steps.enumerated() {
                for amsgrad in [false, true] {
                    let (portable, fast) = (adamRun(.baseline, step, n, amsgrad), adamRun(variant, step, n, amsgrad))
                    for (name, (a, b)) in zip(["p", "m", "v", "vmax"], zip(portable, fast)) {
                        if let problem = Self.bitMismatch(b, a) {
                            Issue.record("\(variant) Adam \(number) amsgrad \(amsgrad) n \(n) \(name): \(problem)")
                        }
                    }
                }
            }
        }
    }

    @Test("the LSTM cell gives the portable path's bits", arguments: variants)
    func lstmCellBits(_ variant: SIMDVariant) {
        for hidden in [1, 5, 16, 37, 128] {
            let portable = cellRun(nil, hidden), fast = cellRun(NativeKernels.of(variant), hidden)
            for (index, (a, b)) in zip(portable, fast).enumerated() {
                if let problem = Self.bitMismatch(b, a) { Issue.record("\(variant) LSTM cell H \(hidden) buffer \(index): \(problem)") }
            }
        }
    }

    @Test("NABLA_SIMD chooses among the supported variants, the fastest by default")
    func selection() throws {
        #expect(SIMDVariant.supported.first == .baseline)
        #expect(SIMDVariant.supported.contains(SIMDVariant.selected))
        #expect(try SIMDVariant.resolve(environment: "") == SIMDVariant.supported.last)
        #expect(try SIMDVariant.resolve(environment: " Baseline ") == .baseline)
        #expect(throws: SIMDVariantError.self) { try SIMDVariant.resolve(environment: "neon") }
        for variant in SIMDVariant.supported {
            #expect(SIMDVariant.with(variant) { SIMDVariant.current } == variant)
            #expect((NativeKernels.of(variant) == nil) == (variant == .baseline))
        }
    }

    // MARK: Runs

    /// Forward and backward of `f` on normal values plus `specials`, under `variant` and under the portable path.
    private func check<F: UnaryFunction>(_ variant: SIMDVariant, _ f: F) {
        for n in Self.lengths {
            var g = Generator(seed: UInt64(n))
            var x = InputSpec.normal([n]).draw(&g).map { $0 * 4 }
            for (i, s) in Self.specials.enumerated() where i < n { x[i * n / Self.specials.count] = s }
            let grad = InputSpec.normal([n]).draw(&g)
            let results = [SIMDVariant.baseline, variant].map { v in
                SIMDVariant.with(v) { () -> ([Float], [Float]) in
                    var y = [Float](repeating: 0, count: n), dx = y
                    Kernels.unary(f, x, &y, n)
                    Kernels.unaryBackward(f, x: x, y: y, g: grad, dx: &dx, n)
                    return (y, dx)
                }
            }
            if let problem = Self.bitMismatch(results[1].0, results[0].0) { Issue.record("\(variant) \(F.name) forward n \(n): \(problem)") }
            if let problem = Self.bitMismatch(results[1].1, results[0].1) { Issue.record("\(variant) \(F.name) backward n \(n): \(problem)") }
        }
    }

    /// p, m, v and the AMSGrad maximum after three Adam steps on `n` parameters.
    private func adamRun(_ variant: SIMDVariant, _ step: AdamStep, _ n: Int, _ amsgrad: Bool) -> [[Float]] {
        var g = Generator(seed: 11)
        var p = InputSpec.normal([n]).draw(&g), m = [Float](repeating: 0, count: n), v = m, vmax = m
        for _ in 0..<3 {
            let grad = InputSpec.normal([n]).draw(&g)
            SIMDVariant.with(variant) {
                vmax.withUnsafeMutableBufferPointer { vmax in
                    Kernels.adamStep(&p, grad, expAvg: &m, expAvgSq: &v, maxExpAvgSq: amsgrad ? vmax.baseAddress : nil, count: n, step)
                }
            }
        }
        return [p, m, v, vmax]
    }

    /// Gates, c, h, h's copy and tanh c after one cell forward, then dc and the gate gradients after one backward.
    private func cellRun(_ native: NativeKernels?, _ hidden: Int) -> [[Float]] {
        var g = Generator(seed: UInt64(hidden))
        func draw(_ count: Int, scale: Float = 3) -> [Float] { InputSpec.normal([count]).draw(&g).map { $0 * scale } }
        var gates = draw(4 * hidden), h = [Float](repeating: 0, count: hidden), hCopy = h, c = h, tanhC = h
        let bias = draw(4 * hidden), cPrev = draw(hidden), gradH = draw(hidden, scale: 1), dhLater = draw(hidden, scale: 1)
        var dc = draw(hidden, scale: 1), dGates = [Float](repeating: 0, count: 4 * hidden)
        gates.withUnsafeMutableBufferPointer { gates in
            h.withUnsafeMutableBufferPointer { h in hCopy.withUnsafeMutableBufferPointer { hCopy in
                c.withUnsafeMutableBufferPointer { c in tanhC.withUnsafeMutableBufferPointer { tanhC in
                    let targets = LSTMCell.Targets(h: h.baseAddress!, hCopy: hCopy.baseAddress!, c: c.baseAddress!, tanhC: tanhC.baseAddress!)
                    cPrev.withUnsafeBufferPointer { cPrev in
                        LSTMCell.forward(gates: gates.baseAddress!, bias: bias, cPrev: cPrev.baseAddress!, targets, hidden, native: native)
                        let saved = LSTMCell.Saved(gates: gates.baseAddress!, cPrev: cPrev.baseAddress!, tanhC: tanhC.baseAddress!)
                        LSTMCell.backward(saved, gradH: gradH, dhLater: dhLater, dc: &dc, dGates: &dGates, hidden, native: native)
                    }
                } }
            } }
        }
        return [gates, h, hCopy, c, tanhC, dc, dGates]
    }

    /// The first element whose bits differ (NaN matches any NaN), described, or nil.
    static func bitMismatch(_ fast: [Float], _ portable: [Float]) -> String? {
        guard fast.count == portable.count else { return "\(fast.count) values against \(portable.count)" }
        let same = { (a: Float, b: Float) in a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN) }
        guard let i = fast.indices.first(where: { !same(fast[$0], portable[$0]) }) else { return nil }
        return "element \(i): variant \(fast[i]), portable \(portable[i])"
    }
}

/// The differential rows whose kernels have C paths (matrix products included, which run on the AVX-512 GEMM
/// under avx512, and batch norm), and every optimizer row (each update has a C path), against the reference backend
/// under each variant, with the rows' own tolerances (the same as for the portable path).
extension DifferentialTests {
    static let simdRows = DifferentialTable.rows.filter { row in
        ["unary.relu", "unary.tanh", "unary.sigmoid", "lstm.", "matmul.", "conv2d.", "attention.", "softmax.", "logSoftmax.",
         "batchNorm."].contains { row.name.hasPrefix($0) }
    }

    @Test("forward and backward agree under each SIMD variant", arguments: simdRows, SIMDVariantTests.variants)
    func primitiveAgreesUnderVariant(_ row: PrimitiveRow, _ variant: SIMDVariant) {
        SIMDVariant.with(variant) { Self.compare(row) }
    }

    @Test("optimizer updates agree under each SIMD variant", arguments: OptimizerRow.all, SIMDVariantTests.variants)
    func optimizerAgreesUnderVariant(_ row: OptimizerRow, _ variant: SIMDVariant) {
        SIMDVariant.with(variant) { optimizerAgrees(row) }
    }
}
