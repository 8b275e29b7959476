import Testing
@testable import NablaBackend
@testable import NablaCore

/// SGD, AdaGrad and RMSProp under each C variant against the portable path, bit for bit, in every combination of
/// their options, over three steps each, so that a momentum buffer's seeding step and the steps after it both run.
/// Parameters and gradients carry zeros of both signs, infinities, NaN and a subnormal at a few places, where a decay
/// that is added though nil, or a buffer that is read on its seeding step, would show.
extension SIMDVariantTests {
    static let optimizerSteps = 3
    static let optimizerSpecials: [Float] = [0, -0.0, .infinity, -.infinity, .nan, Float.leastNormalMagnitude / 4]

    @Test("SGD, with and without momentum, Nesterov and decay, gives the portable path's bits", arguments: variants)
    func sgdBits(_ variant: SIMDVariant) {
        // No buffer; momentum with dampening; Nesterov (no dampening), as (momentum, keep, nesterov).
        let kinds: [(Float, Float, Bool)?] = [nil, (0.9, 0.7, false), (0.8, 1, true)]
        for n in Self.lengths {
            for decay in [nil, 0.05] as [Float?] {
                for (number, kind) in kinds.enumerated() {
                    // NaN in the new buffer: the seeding step must not read it.
                    let results = [SIMDVariant.baseline, variant].map { v in
                        optimizerRun(v, n, state: kind == nil ? [] : [.nan]) { step, p, g, state in
                            let c = SGDStep(negativeLearningRate: -0.1 / Float(step + 1), weightDecay: decay, momentum: kind?.0 ?? 0,
                                            keep: kind?.1 ?? 1, nesterov: kind?.2 ?? false, firstStep: step == 0)
                            Kernels.sgdStep(p, g, momentumBuffer: state.first, count: n, c)
                        }
                    }
                    expectSameBits(results, "\(variant) SGD kind \(number) decay \(String(describing: decay)) n \(n)", ["p", "buffer"])
                }
            }
        }
    }

    @Test("AdaGrad, with and without decay, gives the portable path's bits", arguments: variants)
    func adaGradBits(_ variant: SIMDVariant) {
        for n in Self.lengths {
            for decay in [nil, 0.02] as [Float?] {
                for initial in [0, 0.1] as [Float] {
                    let results = [SIMDVariant.baseline, variant].map { v in
                        optimizerRun(v, n, state: [initial]) { step, p, g, state in
                            let c = AdaGradStep(negativeLearningRate: -0.1 / (1 + 0.01 * Float(step)), weightDecay: decay, eps: 1e-10)
                            Kernels.adaGradStep(p, g, sum: state[0], count: n, c)
                        }
                    }
                    expectSameBits(results, "\(variant) AdaGrad decay \(String(describing: decay)) initial \(initial) n \(n)", ["p", "sum"])
                }
            }
        }
    }

    @Test("RMSProp, plain, centered, with momentum and decay, gives the portable path's bits", arguments: variants)
    func rmsPropBits(_ variant: SIMDVariant) {
        // 1 − alpha below 0.5 and above it take lerpLikeTorch's two forms.
        for n in Self.lengths {
            for (alpha, oneMinusAlpha) in [(0.99, 0.01), (0.3, 0.7)] as [(Float, Float)] {
                for decay in [nil, 0.01] as [Float?] {
                    for centered in [false, true] {
                        for momentum in [nil, 0.5] as [Float?] {
                            let c = RMSPropStep(alpha: alpha, oneMinusAlpha: oneMinusAlpha, eps: 1e-8, negativeLearningRate: -0.01,
                                                momentum: momentum ?? 0, weightDecay: decay)
                            let results = [SIMDVariant.baseline, variant].map { v in
                                optimizerRun(v, n, state: [0, 0, 0]) { _, p, g, state in
                                    Kernels.rmsPropStep(p, g, squareAvg: state[0], gradAvg: centered ? state[1] : nil,
                                                        momentumBuffer: momentum == nil ? nil : state[2], count: n, c)
                                }
                            }
                            let name = "\(variant) RMSProp alpha \(alpha) decay \(String(describing: decay)) centered \(centered) "
                                + "momentum \(String(describing: momentum)) n \(n)"
                            expectSameBits(results, name, ["p", "square avg", "grad avg", "buffer"])
                        }
                    }
                }
            }
        }
    }

    // MARK: Runs

    /// p and the state buffers (one per value of `state`, filled with it) after `optimizerSteps` updates of `n`
    /// parameters under `variant`; `update` gets the step's number, p, the gradient and the buffers.
    private func optimizerRun(_ variant: SIMDVariant, _ n: Int, state initial: [Float],
                              _ update: (Int, UnsafeMutablePointer<Float>, UnsafePointer<Float>, [UnsafeMutablePointer<Float>]) -> Void)
        -> [[Float]] {
        var g = Generator(seed: UInt64(n) + 23)
        var p = withSpecials(InputSpec.normal([n]).draw(&g), at: 0)
        let state = initial.map { value in
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: n)
            buffer.initialize(repeating: value, count: n)
            return buffer
        }
        defer { state.forEach { $0.deallocate() } }
        for step in 0..<Self.optimizerSteps {
            let grad = withSpecials(InputSpec.normal([n]).draw(&g), at: 1 + step)
            SIMDVariant.with(variant) {
                p.withUnsafeMutableBufferPointer { p in
                    grad.withUnsafeBufferPointer { grad in update(step, p.baseAddress!, grad.baseAddress!, state) }
                }
            }
        }
        return [p] + state.map { Array(UnsafeBufferPointer(start: $0, count: n)) }
    }

    /// `values` with `optimizerSpecials` spread over it from `offset` on, where there are enough values that the
    /// rest stays ordinary.
    private func withSpecials(_ values: [Float], at offset: Int) -> [Float] {
        var values = values
        guard values.count >= 15 else { return values }
        let count = Self.optimizerSpecials.count
        for (i, special) in Self.optimizerSpecials.enumerated() { values[(i * values.count / count + offset) % values.count] = special }
        return values
    }

    /// Records the first buffer of `results[1]` (the variant's) whose bits differ from `results[0]`'s (the portable path's).
    private func expectSameBits(_ results: [[[Float]]], _ name: String, _ buffers: [String]) {
        for (buffer, (portable, fast)) in zip(buffers, zip(results[0], results[1])) {
            if let problem = Self.bitMismatch(fast, portable) { Issue.record("\(name) \(buffer): \(problem)") }
        }
    }
}
