/// Batched matrix multiply over broadcast batch dimensions, one GEMM call per batch entry
/// (or a single call when B has no batch and A's rows can be stacked).
extension Kernels {
    package static func matmul(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ s: MatmulShape) {
        let lda = s.transA ? s.m : s.k
        let ldb = s.transB ? s.k : s.n
        let batchCount = Shape.count(s.batch)
        // B shared by every batch entry and A stacked row-major: one tall GEMM.
        if !s.transA && s.bBatchStrides.allSatisfy({ $0 == 0 }) && isContiguous(s.aBatchStrides.map { $0 / Swift.max(s.aMatrix, 1) }, s.batch) {
            BLAS.sgemm(transA: false, transB: s.transB, m: batchCount * s.m, n: s.n, k: s.k, alpha: 1,
                       a: a, lda: lda, b: b, ldb: ldb, beta: 0, c: c, ldc: s.n)
            return
        }
        var index = [Int](repeating: 0, count: s.batch.count)
        for entry in 0..<batchCount {
            var offA = 0, offB = 0
            for d in 0..<s.batch.count {
                offA += index[d] * s.aBatchStrides[d]
                offB += index[d] * s.bBatchStrides[d]
            }
            BLAS.sgemm(transA: s.transA, transB: s.transB, m: s.m, n: s.n, k: s.k, alpha: 1,
                       a: a + offA, lda: lda, b: b + offB, ldb: ldb, beta: 0, c: c + entry * s.m * s.n, ldc: s.n)
            var d = s.batch.count - 1
            while d >= 0 {
                index[d] += 1
                if index[d] < s.batch[d] { break }
                index[d] = 0
                d -= 1
            }
        }
    }
}
