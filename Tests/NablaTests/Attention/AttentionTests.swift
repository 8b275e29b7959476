import Testing
@testable import NablaBackend
@testable import NablaCore
@testable import NablaLibrary
import Nabla

/// Behaviour of `scaledDotProductAttention` beyond the golden values: the causal limit against an
/// explicit mask, what the forward pass keeps, dropout, and fully masked rows.
@Suite struct AttentionTests {
    static func operands(_ b: Int, _ h: Int, _ tq: Int, _ tk: Int, _ d: Int, seed: UInt64 = 1) -> [Tensor] {
        var g = Generator(seed: seed)
        return [[b, h, tq, d], [b, h, tk, d], [b, h, tk, d]].map { Tensor.normal($0, generator: &g, requiresGrad: true) }
    }

    /// softmax(q·kᵀ·scale + mask)·v composed from primitives.
    static func composed(_ q: Tensor, _ k: Tensor, _ v: Tensor, additive: Tensor?) -> Tensor {
        var scores = q.matmul(k, transB: true) * (1 / Float(q.shape[3]).squareRoot())
        if let additive { scores = scores + additive }
        return scores.softmax(axis: -1).matmul(v)
    }

    @Test func causalIsTheBottomRightMask() {
        for (tq, tk) in [(4, 4), (2, 5), (1, 3)] {
            let t = Self.operands(2, 2, tq, tk, 3)
            let allowed = Tensor(shape: [tq, tk], scalars: (0..<tq * tk).map { Float($0 % tk <= $0 / tk + tk - tq ? 1 : 0) })
            let fused = scaledDotProductAttention(query: t[0], key: t[1], value: t[2], isCausal: true)
            let masked = scaledDotProductAttention(query: t[0], key: t[1], value: t[2], mask: .allowed(allowed))
            let additive = Tensor(shape: [tq, tk], scalars: allowed.scalars.map { $0 == 1 ? 0 : -Float.infinity })
            let reference = Self.composed(t[0], t[1], t[2], additive: additive)
            #expect(allClose(fused.scalars, masked.scalars.map(Double.init), rtol: 1e-6), "\(tq)×\(tk)")
            #expect(allClose(fused.scalars, reference.scalars.map(Double.init), rtol: 1e-5), "\(tq)×\(tk)")
        }
    }

    @Test func keepsNothingWithoutAGradient() {
        let t = Self.operands(1, 2, 3, 3, 4)
        let plain = t.map { $0.detached() }
        let out = scaledDotProductAttention(query: plain[0], key: plain[1], value: plain[2])
        let noGrad = withNoGrad { scaledDotProductAttention(query: t[0], key: t[1], value: t[2]) }
        let recorded = scaledDotProductAttention(query: t[0], key: t[1], value: t[2])
        #expect(out.node == nil && noGrad.node == nil)
        guard case .attention(let saved) = recorded.node?.op else {
            Issue.record("no attention node recorded")
            return
        }
        #expect(saved.weights.count == 2 * 3 * 3 && saved.dropout == nil)
        #expect(out.scalars == recorded.scalars && noGrad.scalars == recorded.scalars)
    }

    /// With value = identity, the output is the dropped weights themselves: each 0 or weight/(1 − p).
    @Test func dropoutZeroesAndRescalesWeights() {
        let (t, p): (Int, Float) = (40, 0.25)
        var g = Generator(seed: 2)
        let q = Tensor.normal([1, 2, t, 8], generator: &g), k = Tensor.normal([1, 2, t, 8], generator: &g)
        let identity = Tensor(shape: [1, 2, t, t], scalars: (0..<2 * t * t).map { Float($0 % t == ($0 / t) % t ? 1 : 0) })
        Random.seed(5)
        let dropped = scaledDotProductAttention(query: q, key: k, value: identity, dropout: p).scalars
        Random.seed(5)
        let again = scaledDotProductAttention(query: q, key: k, value: identity, dropout: p).scalars
        let weights = scaledDotProductAttention(query: q, key: k, value: identity).scalars
        var zeroed = 0
        for (got, w) in zip(dropped, weights) {
            if got == 0 { zeroed += 1 } else { #expect(Swift.abs(got - w / (1 - p)) <= 1e-6 + 1e-5 * w) }
        }
        #expect(dropped == again)
        let fraction = Double(zeroed) / Double(weights.count)
        #expect(Swift.abs(fraction - Double(p)) < 0.03, "zeroed \(fraction), wanted about \(p)")
    }

    @Test func dropoutGradientAgreesWithFiniteDifferences() {
        let t = Self.operands(1, 2, 4, 5, 3, seed: 8)
        let result = gradcheck({ x in
            Random.seed(9)
            return scaledDotProductAttention(query: x[0], key: x[1], value: x[2], isCausal: true, dropout: 0.4)
        }, inputs: t, atol: 2e-3)
        #expect(result.passed, "\(result)")
    }

    @Test func aFullyMaskedRowGivesZerosAndNoGradient() {
        let t = Self.operands(1, 1, 2, 3, 2)
        let allowed = Tensor([[0, 0, 0], [1, 0, 1]])
        let out = scaledDotProductAttention(query: t[0], key: t[1], value: t[2], mask: .allowed(allowed))
        #expect(Array(out.scalars[0..<2]) == [0, 0] && out.scalars[2...].allSatisfy(\.isFinite))
        let (dq, dk, _) = { () -> (Tensor, Tensor, Tensor) in
            let g = gradients(of: out.sum(), withRespectTo: t)
            return (g[0], g[1], g[2])
        }()
        #expect(Array(dq.scalars[0..<2]) == [0, 0] && dk.scalars.allSatisfy(\.isFinite))
        // Causal with more queries than keys: the first rows see no key at all.
        let wide = Self.operands(1, 1, 4, 2, 2)
        let causal = scaledDotProductAttention(query: wide[0], key: wide[1], value: wide[2], isCausal: true)
        #expect(Array(causal.scalars[0..<4]) == [0, 0, 0, 0] && causal.scalars[4...].allSatisfy { $0 != 0 })
    }

    /// Packed projections [B, T, 3·H·D] give what splitting, transposing and the plain call give, gradient included.
    @Test func packedEqualsSplitAndTransposed() {
        var g = Generator(seed: 12)
        let (b, t, h, d) = (2, 5, 3, 4)
        let qkv = Tensor.normal([b, t, 3 * h * d], generator: &g, requiresGrad: true)
        let padding = Tensor(shape: [b, 1, 1, t], scalars: [0, 0, 0, -.infinity, 0, 0, -.infinity, 0, 0, 0])
        for (mask, causal): (AttentionMask?, Bool) in [(nil, false), (nil, true), (.additive(padding), true)] {
            let packed = scaledDotProductAttention(packed: qkv, heads: h, mask: mask, isCausal: causal)
            let parts = (0..<3).map { qkv.narrow(axis: 2, start: $0 * h * d, length: h * d).reshape([b, t, h, d]).permute([0, 2, 1, 3]) }
            let split = scaledDotProductAttention(query: parts[0], key: parts[1], value: parts[2], mask: mask, isCausal: causal)
                .permute([0, 2, 1, 3]).reshape([b, t, h * d])
            #expect(packed.shape == [b, t, h * d])
            #expect(allClose(packed.scalars, split.scalars.map(Double.init), rtol: 1e-6, atol: 1e-7))
            let weights = Tensor.normal(packed.shape, generator: &g)
            let want = gradients(of: (split * weights).sum(), withRespectTo: [qkv])[0]
            let got = gradients(of: (packed * weights).sum(), withRespectTo: [qkv])[0]
            #expect(allClose(got.scalars, want.scalars.map(Double.init), rtol: 1e-5, atol: 1e-6))
        }
        let result = gradcheck({ scaledDotProductAttention(packed: $0[0], heads: 2, isCausal: true) },
                               inputs: [Tensor.normal([1, 4, 12], generator: &g)], atol: 2e-3)
        #expect(result.passed, "\(result)")
    }

    @Test func theGPTSizeRunsOnEveryBackendAlike() {
        let t = Self.operands(12, 4, 64, 64, 32, seed: 4)
        let cpu = scaledDotProductAttention(query: t[0], key: t[1], value: t[2], isCausal: true)
        let reference = Self.composed(t[0], t[1], t[2], additive: Tensor(shape: [64, 64], scalars: (0..<4096).map {
            $0 % 64 <= $0 / 64 ? 0 : -Float.infinity
        }))
        #expect(cpu.shape == [12, 4, 64, 32])
        #expect(allClose(cpu.scalars, reference.scalars.map(Double.init), rtol: 1e-4, atol: 1e-5))
    }
}
