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
                        total += kept * Double(v[element(s.value, p, j, c, s)])
                    }
                    out[element(s.output, p, i, c, s)] = Float(total)
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
                let g = (0..<s.valueDim).map { Double(gradOut[element(s.output, p, i, $0, s)]) }
                // dP_j = (g · v_j)·dropout_j; dv_j += P_j·dropout_j·g; dS_j = P_j·(dP_j − Σ P·dP)
                var dWeights = [Double](repeating: 0, count: s.keys)
                for j in 0..<s.keys {
                    let drop = Double(buffers.dropout?[row + j] ?? 1)
                    let vRow = (p * s.keys + j) * s.valueDim
                    dWeights[j] = (0..<s.valueDim).reduce(0.0) { $0 + g[$1] * Double(v[element(s.value, p, j, $1, s)]) } * drop
                    for c in 0..<s.valueDim { dv[vRow + c] += weights[j] * drop * g[c] }
                }
                let mean = (0..<s.keys).reduce(0.0) { $0 + weights[$1] * dWeights[$1] }
                for j in 0..<s.keys {
                    let dScore = weights[j] * (dWeights[j] - mean)
                    grads.dMask?[row + j] = Float(dScore)
                    for d in 0..<s.headDim {
                        dq[(p * s.queries + i) * s.headDim + d] += dScore * Double(s.scale) * Double(k[element(s.key, p, j, d, s)])
                        dk[(p * s.keys + j) * s.headDim + d] += dScore * Double(s.scale) * Double(q[element(s.query, p, i, d, s)])
                    }
                }
            }
        }
        store(dq, grads.dq, s.query, rows: s.queries, width: s.headDim, s)
        store(dk, grads.dk, s.key, rows: s.keys, width: s.headDim, s)
        store(dv, grads.dv, s.value, rows: s.keys, width: s.valueDim, s)
    }

    /// The position of row `row`, column `column` of pair p's matrix in an operand laid out as `layout`.
    private static func element(_ layout: AttentionOperandLayout, _ p: Int, _ row: Int, _ column: Int, _ s: AttentionShape) -> Int {
        layout.start(pair: p, heads: s.heads) + row * layout.rowStride + column
    }

    /// Rounds `values`, [pairs, rows, width] in order, into `target` laid out as `layout`, when it is given.
    private static func store(_ values: [Double], _ target: UnsafeMutablePointer<Float>?, _ layout: AttentionOperandLayout,
                              rows: Int, width: Int, _ s: AttentionShape) {
        guard let target else { return }
        for p in 0..<s.pairs {
            for r in 0..<rows {
                for c in 0..<width { target[element(layout, p, r, c, s)] = Float(values[(p * rows + r) * width + c]) }
            }
        }
    }

    /// The softmax weights of query row i of pair p over all keys: 0 beyond its key limit, and all 0
    /// when every score it may see is −∞.
    private static func attentionRow(_ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, mask: UnsafePointer<Float>?,
                                     pair p: Int, query i: Int, _ s: AttentionShape) -> [Double] {
        let limit = s.keyLimit(i)
        var scores = [Double](repeating: -.infinity, count: s.keys)
        for j in 0..<limit {
            var dot = 0.0
            for d in 0..<s.headDim { dot += Double(q[element(s.query, p, i, d, s)]) * Double(k[element(s.key, p, j, d, s)]) }
            scores[j] = dot * Double(s.scale) + Double(mask.map { $0[s.maskRow(pair: p, query: i) + j * s.maskStrides![3]] } ?? 0)
        }
        let top = scores.max() ?? -.infinity
        guard top > -.infinity else { return [Double](repeating: 0, count: s.keys) }
        let exps = scores.map { Foundation.exp($0 - top) }
        let total = exps.reduce(0, +)
        return exps.map { $0 / total }
    }
}
