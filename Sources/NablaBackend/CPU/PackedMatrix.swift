import NablaKernelsC

/// The right operand op(B) of many products `C = alpha·op(A)·op(B) + beta·C`, prepared once: packed for the
/// AVX-512 GEMM when that runs the products (`NativeGEMM`), so that a call no longer repacks B, or else kept
/// as a view of B that each product hands to `BLAS.sgemm`. Either way a product gives the bits `BLAS.sgemm`
/// gives for the same arguments. B must stay valid and unchanged while the view is in use.
///
/// The LSTM multiplies h_{t−1} by the same W_hhᵀ at every time step:
///
///     let recurrent = PackedMatrix(weightHHT, transposed: false, rows: hidden, columns: 4 * hidden, ldb: 4 * hidden)
///     for t in 1..<steps {
///         recurrent.multiply(m: batch, alpha: 1, a: hPrev, lda: hidden, beta: 1, c: gates, ldc: 4 * hidden)
///     }
package final class PackedMatrix: @unchecked Sendable {
    /// k: the rows of op(B).
    package let rows: Int
    /// n: the columns of op(B).
    package let columns: Int
    private let source: UnsafePointer<Float>
    private let transposed: Bool
    private let ldb: Int
    private let variant: SIMDVariant
    /// op(B) in the AVX-512 kernel's panels, or nil when products go through `BLAS.sgemm`.
    private let packed: UnsafeMutablePointer<Float>?
    private let packedCount: Int

    /// Prepares op(B), `rows`×`columns`, stored as `BLAS.sgemm` reads B with `transB: transposed` and `ldb`,
    /// for products under `variant` (read on the calling thread, as kernels do before they split work).
    package init(_ b: UnsafePointer<Float>, transposed: Bool, rows: Int, columns: Int, ldb: Int,
                 variant: SIMDVariant = .current) {
        precondition(rows >= 0 && columns >= 0, "PackedMatrix: negative size \(rows)×\(columns)")
        precondition((transposed ? columns : rows) <= 1 || ldb >= (transposed ? rows : columns),
                     "PackedMatrix: ldb \(ldb) is less than the row length of B (\(rows)×\(columns), transposed \(transposed))")
        (self.rows, self.columns, source, self.transposed, self.ldb, self.variant) = (rows, columns, b, transposed, ldb, variant)
        guard BLAS.runsNative(variant, m: 1, n: columns, k: rows) else {
            (packed, packedCount) = (nil, 0)
            return
        }
        #if arch(x86_64)
        packedCount = nabla_sgemm_packed_count(rows, columns)
        let buffer = BufferPool.allocate(packedCount)
        nabla_sgemm_pack_b_avx512(transposed ? 1 : 0, rows, columns, b, ldb, buffer)
        packed = buffer
        #else
        preconditionFailure("PackedMatrix: the AVX-512 GEMM exists only on x86-64")
        #endif
    }

    deinit {
        if let packed { BufferPool.release(packed, packedCount) }
    }

    /// Whether products use the packed panels (the AVX-512 GEMM) rather than `BLAS.sgemm`.
    package var isPacked: Bool { packed != nil }

    /// Row-major `C = alpha·op(A)·op(B) + beta·C` with op(A) `m`×`rows`, as `BLAS.sgemm` computes it; C is
    /// not read when `beta` is 0. Large products are split among the cores as `BLAS.sgemm` splits them.
    package func multiply(transA: Bool = false, m: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                          beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard let packed else {
            return BLAS.sgemm(transA: transA, transB: transposed, m: m, n: columns, k: rows, alpha: alpha, a: a, lda: lda,
                              b: source, ldb: ldb, beta: beta, c: c, ldc: ldc, variant: variant)
        }
        precondition(m >= 0, "PackedMatrix.multiply: negative m=\(m)")
        guard m > 0, columns > 0 else { return }
        BLAS.checkStrides(transA: transA, transB: transposed, m: m, n: columns, k: rows, lda: lda, ldb: ldb, ldc: ldc)
        let (n, k) = (columns, rows)
        guard Parallel.coreCount > 1, m * n * k >= BLAS.splitFrom, !BLAS.callerThreadsActive else {
            return Self.product(transA, m, n, k, alpha, a, lda, packed, beta, c, ldc)
        }
        Parallel.forEachPart(count: m, parts: Parallel.coreCount) { _, r in
            Self.product(transA, r.count, n, k, alpha, a + r.lowerBound * (transA ? 1 : lda), lda, packed, beta,
                         c + r.lowerBound * ldc, ldc)
        }
    }

    private static func product(_ transA: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float, _ a: UnsafePointer<Float>,
                                _ lda: Int, _ packed: UnsafePointer<Float>, _ beta: Float, _ c: UnsafeMutablePointer<Float>,
                                _ ldc: Int) {
        #if arch(x86_64)
        nabla_sgemm_packed_avx512(transA ? 1 : 0, m, n, k, alpha, a, lda, packed, beta, c, ldc)
        #endif
    }
}
