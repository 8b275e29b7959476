import Foundation

/// Scaled dot-product attention, one (batch, head) pair per task: the pairs are split across the cores,
/// and each pair's products are GEMMs on its own thread (q·kᵀ, weights·v and, backward, the four
/// gradient products), with the softmax row by row in between over each row's key limit only, so a
/// causal mask costs no mask tensor. Scratch comes from the buffer pool, once per worker.
extension Kernels {
    /// Pairs with fewer multiply-adds than this run together on one thread.
    static let attentionGrain = 1 << 15

    /// Runs `body(pairs, scratch)` over ranges of pairs in parallel, each with its own scratch of
    /// `scratchCount` floats and every GEMM on the calling thread.
    private static func forEachPairRange(_ s: AttentionShape, scratchCount: Int,
                                         _ body: (Range<Int>, UnsafeMutablePointer<Float>) -> Void) {
        let work = Swift.max(1, s.scoreCount * (s.headDim + s.valueDim))
        BLAS.withCallerThreads {
            Parallel.forEachChunk(count: s.pairs, minChunk: Swift.max(1, attentionGrain / work)) { pairs in
                BufferPool.withScratch(Swift.max(1, scratchCount)) { scratch in body(pairs, scratch) }
            }
        }
    }

    package static func attentionForward(_ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ v: UnsafePointer<Float>,
                                         out: UnsafeMutablePointer<Float>, buffers: AttentionBuffers, _ s: AttentionShape) {
        let (tq, tk, d, dv) = (s.queries, s.keys, s.headDim, s.valueDim)
        forEachPairRange(s, scratchCount: 2 * s.scoreCount) { pairs, scratch in
            for p in pairs {
                let weights = buffers.weights.map { $0 + p * s.scoreCount } ?? scratch
                let (qp, kp, vp) = (q + s.query.start(pair: p, heads: s.heads), k + s.key.start(pair: p, heads: s.heads),
                                    v + s.value.start(pair: p, heads: s.heads))
                BLAS.sgemm(transA: false, transB: true, m: tq, n: tk, k: d, alpha: s.scale, a: qp, lda: s.query.rowStride,
                           b: kp, ldb: s.key.rowStride, beta: 0, c: weights, ldc: tk)
                for i in 0..<tq {
                    let mask = buffers.mask.map { $0 + s.maskRow(pair: p, query: i) }
                    softmaxRow(weights + i * tk, limit: s.keyLimit(i), count: tk, mask: mask, maskStride: s.maskStrides?[3] ?? 0)
                }
                var kept = UnsafePointer(weights)
                if let dropout = buffers.dropout {
                    let dropped = scratch + s.scoreCount
                    multiply(weights, dropout + p * s.scoreCount, into: dropped, count: s.scoreCount)
                    kept = UnsafePointer(dropped)
                }
                BLAS.sgemm(transA: false, transB: false, m: tq, n: dv, k: tk, alpha: 1, a: kept, lda: tk, b: vp, ldb: s.value.rowStride,
                           beta: 0, c: out + s.output.start(pair: p, heads: s.heads), ldc: s.output.rowStride)
            }
        }
    }

    package static func attentionBackward(_ gradOut: UnsafePointer<Float>, _ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>,
                                          _ v: UnsafePointer<Float>, buffers: AttentionBuffers, grads: AttentionGradients,
                                          _ s: AttentionShape) {
        guard let savedWeights = buffers.weights else { preconditionFailure("attentionBackward: the forward pass kept no weights") }
        let (tq, tk, d, dv) = (s.queries, s.keys, s.headDim, s.valueDim)
        forEachPairRange(s, scratchCount: 2 * s.scoreCount) { pairs, scratch in
            let (dScores, dropped) = (scratch, scratch + s.scoreCount)
            for p in pairs {
                let weights = UnsafePointer(savedWeights + p * s.scoreCount)
                let (g, ldg) = (gradOut + s.output.start(pair: p, heads: s.heads), s.output.rowStride)
                let (qStart, kStart, vStart) = (s.query.start(pair: p, heads: s.heads), s.key.start(pair: p, heads: s.heads),
                                                s.value.start(pair: p, heads: s.heads))
                let drop = buffers.dropout.map { $0 + p * s.scoreCount }
                if let dV = grads.dv {
                    // dv = dropout(P)ᵀ·g
                    var kept = weights
                    if let drop {
                        multiply(weights, drop, into: dropped, count: s.scoreCount)
                        kept = UnsafePointer(dropped)
                    }
                    BLAS.sgemm(transA: true, transB: false, m: tk, n: dv, k: tq, alpha: 1, a: kept, lda: tk, b: g, ldb: ldg,
                               beta: 0, c: dV + vStart, ldc: s.value.rowStride)
                }
                guard grads.dq != nil || grads.dk != nil || grads.dMask != nil else { continue }
                // dP = (g·vᵀ)·dropout, then dS = P·(dP − Σ P·dP) row by row
                BLAS.sgemm(transA: false, transB: true, m: tq, n: tk, k: dv, alpha: 1, a: g, lda: ldg, b: v + vStart,
                           ldb: s.value.rowStride, beta: 0, c: dScores, ldc: tk)
                if let drop { multiply(dScores, drop, into: dScores, count: s.scoreCount) }
                for i in 0..<tq { softmaxBackwardRow(weights + i * tk, dScores + i * tk, limit: s.keyLimit(i), count: tk) }
                grads.dMask.map { ($0 + p * s.scoreCount).update(from: dScores, count: s.scoreCount) }
                if let dQ = grads.dq {
                    BLAS.sgemm(transA: false, transB: false, m: tq, n: d, k: tk, alpha: s.scale, a: dScores, lda: tk,
                               b: k + kStart, ldb: s.key.rowStride, beta: 0, c: dQ + qStart, ldc: s.query.rowStride)
                }
                if let dK = grads.dk {
                    BLAS.sgemm(transA: true, transB: false, m: tk, n: d, k: tq, alpha: s.scale, a: dScores, lda: tk,
                               b: q + qStart, ldb: s.query.rowStride, beta: 0, c: dK + kStart, ldc: s.key.rowStride)
                }
            }
        }
    }

    /// Adds the mask to the first `limit` scores and turns them into softmax weights in place; the rest
    /// of the row, and the whole row when every visible score is −∞, become 0.
    @inline(__always)
    private static func softmaxRow(_ row: UnsafeMutablePointer<Float>, limit: Int, count: Int, mask: UnsafePointer<Float>?,
                                   maskStride: Int) {
        if let mask { for j in 0..<limit { row[j] += mask[j * maskStride] } }
        var top = -Float.infinity
        for j in 0..<limit { top = Swift.max(top, row[j]) }
        guard top > -.infinity || top.isNaN else { return row.update(repeating: 0, count: count) }
        for j in 0..<limit { row[j] -= top }
        VectorMath.exp(row, row, limit)
        let inverse = 1 / rowSum(row, limit)
        for j in 0..<limit { row[j] *= inverse }
        (row + limit).update(repeating: 0, count: count - limit)
    }

    /// dS = P·(dP − Σ P·dP) over the first `limit` entries, in place on `dP`; 0 beyond.
    @inline(__always)
    private static func softmaxBackwardRow(_ weights: UnsafePointer<Float>, _ dP: UnsafeMutablePointer<Float>, limit: Int, count: Int) {
        var dot: Float = 0
        for j in 0..<limit { dot += weights[j] * dP[j] }
        for j in 0..<limit { dP[j] = weights[j] * (dP[j] - dot) }
        (dP + limit).update(repeating: 0, count: count - limit)
    }

    @inline(__always)
    private static func multiply(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into c: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { c[i] = a[i] * b[i] }
    }
}
