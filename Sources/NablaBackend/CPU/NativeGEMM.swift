import NablaKernelsC

/// The AVX-512 single-precision GEMM of NablaKernelsC (GEMM+AVX512.c), which `BLAS.sgemm` runs in place of
/// the system BLAS when the SIMD variant is `.avx512` and the product is one it was measured to win. On the
/// AMD EPYC (Zen 5) VM it was measured on, against OpenBLAS held to its Haswell (AVX2) kernels, one thread
/// each, it ran products from 8×8×8 to 2048³ 1.1 to 3 times as fast (the MLP, LSTM and GPT steps' shapes
/// about twice); it lost only on products a few columns wide (300×2×300 at 0.8 times), where most of its
/// 32-column tile is padding. From 512³ on (`BLAS.ownThreadsFrom`) products stay with OpenBLAS on its own
/// threads: in `compare.py`'s in-process alternation of 1024³ products, Nabla's two halves on this kernel
/// gave 174 and 143 GFLOP/s where OpenBLAS on its own threads gave 217 and 192 (its idle threads, spinning
/// after each call, take cycles from the kernel's), and the training steps' products are all smaller.
/// `NABLA_SIMD=baseline` or `avx2`, and `NABLA_BLAS=builtin`, leave the products to OpenBLAS and to the Swift
/// kernel as before.
///
/// Each element of C is one fixed chain of fused multiply-adds over k, so a product gives the same bits
/// however `BLAS.sgemm` splits it among threads and whether or not B was packed beforehand (`PackedMatrix`).
enum NativeGEMM {
    /// Products narrower than this stay with the system BLAS.
    static let minColumns = 8

    /// Whether `variant` runs a product m×k by k×n here rather than in the system BLAS.
    static func handles(_ variant: SIMDVariant, m: Int, n: Int, k: Int) -> Bool {
        switch variant {
        case .baseline, .avx2: false
        case .avx512: n >= minColumns && m > 0 && k > 0 && m * n * k < BLAS.ownThreadsFrom
        }
    }

    /// Row-major `C = alpha·op(A)·op(B) + beta·C` on the calling thread, with the contract of `BLAS.sgemm`;
    /// only for a CPU that runs `.avx512`.
    static func sgemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        #if arch(x86_64)
        BufferPool.withScratch(nabla_sgemm_work_count(k, n)) { work in
            nabla_sgemm_avx512(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, work)
        }
        #else
        preconditionFailure("NativeGEMM: the AVX-512 GEMM exists only on x86-64")
        #endif
    }
}
