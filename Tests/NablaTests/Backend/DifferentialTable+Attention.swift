@testable import NablaBackend
@testable import NablaCore
import Nabla

extension DifferentialTable {
    /// Scaled dot-product attention with and without causal limits, additive (with gradient) or 0/1
    /// masks broadcast from several shapes, dropout (the same draws on both backends: the body seeds
    /// them), Tq ≠ Tk and Dv ≠ D; and one size large enough to split the (batch, head) pairs across cores.
    static let attention: [PrimitiveRow] = [
        PrimitiveRow("attention.sdpa", .summed, count: 12) { g in
            let (b, h, tq, tk, d, dv) = (g.int(1...2), g.int(1...3), g.int(1...6), g.int(1...6), g.int(1...5), g.int(1...5))
            let (causal, maskKind, dropout) = (g.bool(), g.nextInt(below: 3), g.bool() ? Float(0.3) : 0)
            let scores = [b, h, tq, tk]
            let maskShape = Array(scores.dropFirst(g.int(0...2))).map { g.nextInt(below: 3) == 0 ? 1 : $0 }
            var specs: [InputSpec] = [.normal([b, h, tq, d]), .normal([b, h, tk, d]), .normal([b, h, tk, dv])]
            if maskKind == 1 { specs.append(.normal(maskShape)) }
            if maskKind == 2 { specs.append(.mask(maskShape)) }
            let options = "causal \(causal) mask \(["none", "additive", "allowed"][maskKind]) \(maskShape) dropout \(dropout)"
            return Variant(specs, options) { t in
                let mask: AttentionMask? = maskKind == 1 ? .additive(t[3]) : maskKind == 2 ? .allowed(t[3]) : nil
                Random.seed(11)
                return scaledDotProductAttention(query: t[0], key: t[1], value: t[2], mask: mask, isCausal: causal, dropout: dropout)
            }
        },
        PrimitiveRow("attention.packed", .summed, count: 6) { g in
            let (b, t, h, d, causal) = (g.int(1...2), g.int(1...6), g.int(1...3), g.int(1...4), g.bool())
            let padding = g.bool() ? [b, 1, 1, t] : nil
            let specs: [InputSpec] = [.normal([b, t, 3 * h * d])] + (padding.map { [.mask($0)] } ?? [])
            return Variant(specs, "heads \(h) causal \(causal) padding \(padding != nil)") { x in
                Random.seed(12)
                return scaledDotProductAttention(packed: x[0], heads: h, mask: x.count > 1 ? .allowed(x[1]) : nil, isCausal: causal,
                                                 dropout: causal ? 0.2 : 0)
            }
        },
        PrimitiveRow("attention.sdpa.large", .longSums, count: 2) { g in
            let (b, h, t, d) = (g.int(3...4), 4, g.int(30...40), 16)
            return Variant([.normal([b, h, t, d]), .normal([b, h, t, d]), .normal([b, h, t, d])], "causal") { x in
                scaledDotProductAttention(query: x[0], key: x[1], value: x[2], isCausal: true)
            }
        },
    ]
}
