import Foundation

/// Scaled dot-product attention one query row at a time, in Double: scores, softmax, weighted sum of
/// values. The backward pass recomputes the weights from q, k and the mask rather than trusting the saved ones.
extension ReferenceBackend {
    package static func attentionForward(_ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ v: UnsafePointer<Float>,
                                         out: UnsafeMutablePointer<Float>, buffers: AttentionBuffers, _ s: AttentionShape) {
        for p in 0..<s.pairs {
            for i in 0..<s.queries {
                let weights = attentionRow(q, k, mask: buffers.mask, pair: p, query: i, s)
                let row = p * s.scoreCount + i * s.keys
                for j in 0..<s.keys { buffers.weights?[row + j] = Float(weights[j]) }
                for c in 0..<s.valueDim {
                    var total = 0.0
                    for j in 0..<s.keys {
                        let kept = weights[j] * Double(buffers.dropout?[row + j] ?? 1)
                        total += kept * Double(v[(p * s.keys + j) * s.valueDim + c])
                    }
                    out[(p * s.queries + i) * s.valueDim + c] = Float(total)
                }
            }
        }
    }

    package static func attentionBackward(_ gradOut: UnsafePointer<Float>, _ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>,
                                          _ v: UnsafePointer<Float>, buffers: AttentionBuffers, grads: AttentionGradients,
                                          _ s: AttentionShape) {
        var dq = [Double](repeating: 0, count: s.pairs * s.queries * s.headDim)
        var dk = [Double](repeating: 0, count: s.pairs * s.keys * s.headDim)
        var dv = [Double](repeating: 0, count: s.pairs * s.keys * s.valueDim)
        for p in 0..<s.pairs {
            for i in 0..<s.queries {
                let weights = attentionRow(q, k, mask: buffers.mask, pair: p, query: i, s)
                let row = p * s.scoreCount + i * s.keys
                let g = (0..<s.valueDim).map { Double(gradOut[(p * s.queries + i) * s.valueDim + $0]) }
                // dP_j = (g · v_j)·dropout_j; dv_j += P_j·dropout_j·g; dS_j = P_j·(dP_j − Σ P·dP)
                var dWeights = [Double](repeating: 0, count: s.keys)
                for j in 0..<s.keys {
                    let drop = Double(buffers.dropout?[row + j] ?? 1)
                    let vRow = (p * s.keys + j) * s.valueDim
                    dWeights[j] = (0..<s.valueDim).reduce(0.0) { $0 + g[$1] * Double(v[vRow + $1]) } * drop
                    for c in 0..<s.valueDim { dv[vRow + c] += weights[j] * drop * g[c] }
                }
                let mean = (0..<s.keys).reduce(0.0) { $0 + weights[$1] * dWeights[$1] }
                for j in 0..<s.keys {
                    let dScore = weights[j] * (dWeights[j] - mean)
                    grads.dMask?[row + j] = Float(dScore)
                    for d in 0..<s.headDim {
                        dq[(p * s.queries + i) * s.headDim + d] += dScore * Double(s.scale) * Double(k[(p * s.keys + j) * s.headDim + d])
                        dk[(p * s.keys + j) * s.headDim + d] += dScore * Double(s.scale) * Double(q[(p * s.queries + i) * s.headDim + d])
                    }
                }
            }
        }
        Self.store(dq, grads.dq)
        Self.store(dk, grads.dk)
        Self.store(dv, grads.dv)
    }

    /// The softmax weights of query row i of pair p over all keys: 0 beyond its key limit, and all 0
    /// when every score it may see is −∞.
    private static func attentionRow(_ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, mask: UnsafePointer<Float>?,
                                     pair p: Int, query i: Int, _ s: AttentionShape) -> [Double] {
        let limit = s.keyLimit(i)
        var scores = [Double](repeating: -.infinity, count: s.keys)
        for j in 0..<limit {
            var dot = 0.0
            for d in 0..<s.headDim {
                dot += Double(q[(p * s.queries + i) * s.headDim + d]) * Double(k[(p * s.keys + j) * s.headDim + d])
            }
            scores[j] = dot * Double(s.scale) + Double(mask.map { $0[s.maskRow(pair: p, query: i) + j * s.maskStrides![3]] } ?? 0)
        }
        let top = scores.max() ?? -.infinity
        guard top > -.infinity else { return [Double](repeating: 0, count: s.keys) }
        let exps = scores.map { Foundation.exp($0 - top) }
        let total = exps.reduce(0, +)
        return exps.map { $0 / total }
    }
}
