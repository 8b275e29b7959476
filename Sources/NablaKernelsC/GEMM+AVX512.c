// Single-precision GEMM for AVX-512: row-major C = alpha·op(A)·op(B) + beta·C.
//
// op(B) is packed into panels of 32 columns (zero-padded), row after row, one block of depth `kb` at a
// time; A is read in place. The micro-kernel keeps up to 8×32 of C in sixteen zmm accumulators and per step
// of k loads two vectors of B and broadcasts one value of A per row. Every element of C is one chain of
// fused multiply-adds over p = 0, 1, …, k − 1 within each depth block, blocks added in order, so its bits
// depend only on its row of A, its column of B, k, alpha and beta: not on m, n, the tile it falls in, how a
// caller splits the product, or whether B was packed beforehand.
#include "NablaKernelsC.h"

enum {
    NG_NR = 32,    // columns of a packed panel and of the micro-tile
    NG_MR = 8,     // rows of the micro-tile
    NG_KC = 256,   // deepest block: a 256×32 panel of B (32 KiB) stays in L1 across the rows of an A block
    NG_MC = 192,   // rows of A per block, kept in L2 across the panels of B
    NG_NC = 4096,  // columns of B packed at once by the unpacked entry
};

/// The depth of every block but the last: k split into equal blocks of at most NG_KC.
static long ng_block_depth(long k) {
    if (k <= 0) return 1;
    long blocks = (k + NG_KC - 1) / NG_KC;
    return (k + blocks - 1) / blocks;
}

static long ng_round_up(long n) { return (n + NG_NR - 1) / NG_NR * NG_NR; }

long nabla_sgemm_packed_count(long k, long n) { return k * ng_round_up(n) + 16; }

long nabla_sgemm_work_count(long k, long n) {
    long cols = ng_round_up(n);
    return ng_block_depth(k) * (cols < NG_NC ? cols : NG_NC) + 16;
}

#if defined(__x86_64__)
#include <immintrin.h>
#include <stdint.h>

#pragma clang attribute push(__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma"))), apply_to = function)

static float *ng_align(float *p) { return (float *)(((uintptr_t)p + 63) & ~(uintptr_t)63); }

static __mmask16 ng_mask(long lanes) {
    if (lanes >= 16) return (__mmask16)0xFFFF;
    return lanes <= 0 ? (__mmask16)0 : (__mmask16)((1u << lanes) - 1);
}

// MARK: - Packing op(B)

/// Rows p0 ..< p0 + kb of op(B) = B (row-major k×n), columns j0 ..< j0 + cols, as kb rows of 32.
static void ng_pack_rows(const float *b, long ldb, long p0, long kb, long j0, long cols, float *panel) {
    __mmask16 low = ng_mask(cols), high = ng_mask(cols - 16);
    for (long p = 0; p < kb; p++) {
        const float *source = b + (p0 + p) * ldb + j0;
        _mm512_store_ps(panel + p * NG_NR, _mm512_maskz_loadu_ps(low, source));
        _mm512_store_ps(panel + p * NG_NR + 16, _mm512_maskz_loadu_ps(high, source + 16));
    }
}

/// Transposes the 16×16 block in r: afterwards r[q] holds what was column q.
static inline __attribute__((always_inline)) void ng_transpose16(__m512 r[16]) {
    __m512 t[16], u[16];
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    // In each 128-bit lane L, u[4g + c] holds column 4L + c of rows 4g ..< 4g + 4.
    for (int g = 0; g < 16; g += 4) {
        __m512d t0 = _mm512_castps_pd(t[g]), t1 = _mm512_castps_pd(t[g + 1]);
        __m512d t2 = _mm512_castps_pd(t[g + 2]), t3 = _mm512_castps_pd(t[g + 3]);
        u[g] = _mm512_castpd_ps(_mm512_unpacklo_pd(t0, t2));
        u[g + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(t0, t2));
        u[g + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(t1, t3));
        u[g + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(t1, t3));
    }
    // Column 4L + c gathers lane L of u[c], u[4 + c], u[8 + c], u[12 + c]: a 4×4 transpose of lanes.
    for (int c = 0; c < 4; c++) {
        __m512 v0 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0x44), v1 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0xEE);
        __m512 v2 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0x44), v3 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0xEE);
        r[c] = _mm512_shuffle_f32x4(v0, v2, 0x88);
        r[4 + c] = _mm512_shuffle_f32x4(v0, v2, 0xDD);
        r[8 + c] = _mm512_shuffle_f32x4(v1, v3, 0x88);
        r[12 + c] = _mm512_shuffle_f32x4(v1, v3, 0xDD);
    }
}

/// The same block of op(B) = Bᵀ, B stored n×k: 16×16 squares of B transposed in registers.
static void ng_pack_columns(const float *b, long ldb, long p0, long kb, long j0, long cols, float *panel) {
    for (long half = 0; half < 2; half++) {
        long width = cols - 16 * half;
        for (long q0 = 0; q0 < kb; q0 += 16) {
            long depth = kb - q0 < 16 ? kb - q0 : 16;
            __mmask16 along = ng_mask(depth);
            __m512 r[16];
            for (long j = 0; j < 16; j++) {
                const float *source = b + (j0 + 16 * half + j) * ldb + p0 + q0;
                r[j] = j < width ? _mm512_maskz_loadu_ps(along, source) : _mm512_setzero_ps();
            }
            ng_transpose16(r);
            for (long q = 0; q < depth; q++) _mm512_store_ps(panel + (q0 + q) * NG_NR + 16 * half, r[q]);
        }
    }
}

/// Rows p0 ..< p0 + kb and columns j0 ..< j0 + n of op(B), as panels of kb×32 one after another.
static void ng_pack_block(int transB, const float *b, long ldb, long p0, long kb, long j0, long n, float *packed) {
    for (long j = 0; j < n; j += NG_NR) {
        long cols = n - j < NG_NR ? n - j : NG_NR;
        float *panel = packed + j * kb;
        if (transB) ng_pack_columns(b, ldb, p0, kb, j0 + j, cols, panel);
        else ng_pack_rows(b, ldb, p0, kb, j0 + j, cols, panel);
    }
}

void nabla_sgemm_pack_b_avx512(int transB, long k, long n, const float *b, long ldb, float *packed) {
    float *base = ng_align(packed);
    long depth = ng_block_depth(k), cols = ng_round_up(n);
    for (long p0 = 0; p0 < k; p0 += depth) {
        long kb = k - p0 < depth ? k - p0 : depth;
        ng_pack_block(transB, b, ldb, p0, kb, 0, n, base + p0 * cols);
    }
}

// MARK: - Micro-kernel

/// C[rows, 32·halves] (the columns past `low`/`high` masked off) = alpha·A·panel + beta·C over depth kb, where
/// A(r, p) is a[r·lda + p] or, transposed, a[p·lda + r]. rows, halves and trans are constants at every call.
static inline __attribute__((always_inline)) void ng_tile(int trans, int rows, int halves, long kb, const float *a, long lda,
                                                          const float *panel, float *c, long ldc, float alpha, float beta,
                                                          __mmask16 low, __mmask16 high) {
    __m512 acc[NG_MR][2];
    for (int r = 0; r < rows; r++) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
    for (long p = 0; p < kb; p++) {
        __m512 b0 = _mm512_load_ps(panel + p * NG_NR);
        __m512 b1 = halves == 2 ? _mm512_load_ps(panel + p * NG_NR + 16) : b0;
        for (int r = 0; r < rows; r++) {
            __m512 x = _mm512_set1_ps(trans ? a[p * lda + r] : a[r * lda + p]);
            acc[r][0] = _mm512_fmadd_ps(x, b0, acc[r][0]);
            if (halves == 2) acc[r][1] = _mm512_fmadd_ps(x, b1, acc[r][1]);
        }
    }
    __m512 scale = _mm512_set1_ps(alpha), keep = _mm512_set1_ps(beta);
    for (int r = 0; r < rows; r++) {
        float *row = c + r * ldc;
        for (int h = 0; h < halves; h++) {
            __mmask16 mask = h == 0 ? low : high;
            __m512 v = _mm512_mul_ps(acc[r][h], scale);
            // beta 0: C is written, never read, so NaN there does not leak.
            if (beta != 0.0f) v = _mm512_fmadd_ps(keep, _mm512_maskz_loadu_ps(mask, row + 16 * h), v);
            _mm512_mask_storeu_ps(row + 16 * h, mask, v);
        }
    }
}

#define NG_TILE_ROWS(name, trans, halves)                                                                          \
    static void name(int rows, long kb, const float *a, long lda, const float *panel, float *c, long ldc,             \
                     float alpha, float beta, __mmask16 low, __mmask16 high) {                                      \
        switch (rows) {                                                                                            \
        case 8: ng_tile(trans, 8, halves, kb, a, lda, panel, c, ldc, alpha, beta, low, high); break;                 \
        case 7: ng_tile(trans, 7, halves, kb, a, lda, panel, c, ldc, alpha, beta, low, high); break;                 \
        case 6: ng_tile(trans, 6, halves, kb, a, lda, panel, c, ldc, alpha, beta, low, high); break;                 \
        case 5: ng_tile(trans, 5, halves, kb, a, lda, panel, c, ldc, alpha, beta, low, high); break;                 \
        case 4: ng_tile(trans, 4, halves, kb, a, lda, panel, c, ldc, alpha, beta, low, high); break;                 \
        case 3: ng_tile(trans, 3, halves, kb, a, lda, panel, c, ldc, alpha, beta, low, high); break;                 \
        case 2: ng_tile(trans, 2, halves, kb, a, lda, panel, c, ldc, alpha, beta, low, high); break;                 \
        case 1: ng_tile(trans, 1, halves, kb, a, lda, panel, c, ldc, alpha, beta, low, high); break;                 \
        /* The callers pass 1 to 8 rows; any other count is a bug in this file. */                                     \
        default: __builtin_trap();                                                                                 \
        }                                                                                                          \
    }

NG_TILE_ROWS(ng_tile_n2, 0, 2)
NG_TILE_ROWS(ng_tile_n1, 0, 1)
NG_TILE_ROWS(ng_tile_t2, 1, 2)
NG_TILE_ROWS(ng_tile_t1, 1, 1)

// MARK: - Blocks

/// C[m, n] = alpha·op(A)[m, kb]·block + beta·C, the block packed as panels of kb×32: for each block of NG_MC rows
/// of A, each panel of B meets every row tile of the block while it sits in L1.
static void ng_macro(int transA, long m, long n, long kb, const float *a, long lda, const float *block, float *c, long ldc,
                     float alpha, float beta) {
    for (long i0 = 0; i0 < m; i0 += NG_MC) {
        long mb = m - i0 < NG_MC ? m - i0 : NG_MC;
        for (long j = 0; j < n; j += NG_NR) {
            long cols = n - j < NG_NR ? n - j : NG_NR;
            __mmask16 low = ng_mask(cols), high = ng_mask(cols - 16);
            const float *panel = block + j * kb;
            for (long i = i0; i < i0 + mb; i += NG_MR) {
                int rows = (int)(i0 + mb - i < NG_MR ? i0 + mb - i : NG_MR);
                const float *ai = transA ? a + i : a + i * lda;
                float *ci = c + i * ldc + j;
                if (transA) {
                    if (cols > 16) ng_tile_t2(rows, kb, ai, lda, panel, ci, ldc, alpha, beta, low, high);
                    else ng_tile_t1(rows, kb, ai, lda, panel, ci, ldc, alpha, beta, low, high);
                } else {
                    if (cols > 16) ng_tile_n2(rows, kb, ai, lda, panel, ci, ldc, alpha, beta, low, high);
                    else ng_tile_n1(rows, kb, ai, lda, panel, ci, ldc, alpha, beta, low, high);
                }
            }
        }
    }
}

/// C = beta·C, zeros (not 0·C) when beta is 0: what BLAS does for alpha 0.
static void ng_scale(long m, long n, float beta, float *c, long ldc) {
    __m512 keep = _mm512_set1_ps(beta);
    for (long i = 0; i < m; i++) {
        for (long j = 0; j < n; j += 16) {
            __mmask16 mask = ng_mask(n - j);
            __m512 v = beta == 0.0f ? _mm512_setzero_ps() : _mm512_mul_ps(keep, _mm512_maskz_loadu_ps(mask, c + i * ldc + j));
            _mm512_mask_storeu_ps(c + i * ldc + j, mask, v);
        }
    }
}

/// The column at which op(A) starts its depth block p0.
static const float *ng_a_at(int transA, const float *a, long lda, long p0) { return transA ? a + p0 * lda : a + p0; }

void nabla_sgemm_packed_avx512(int transA, long m, long n, long k, float alpha, const float *a, long lda,
                               const float *packed, float beta, float *c, long ldc) {
    if (alpha == 0.0f || k == 0) {
        ng_scale(m, n, beta, c, ldc);
        return;
    }
    const float *base = ng_align((float *)(uintptr_t)packed);
    long depth = ng_block_depth(k), cols = ng_round_up(n);
    for (long p0 = 0; p0 < k; p0 += depth) {
        long kb = k - p0 < depth ? k - p0 : depth;
        ng_macro(transA, m, n, kb, ng_a_at(transA, a, lda, p0), lda, base + p0 * cols, c, ldc, alpha, p0 == 0 ? beta : 1.0f);
    }
}

void nabla_sgemm_avx512(int transA, int transB, long m, long n, long k, float alpha, const float *a, long lda,
                        const float *b, long ldb, float beta, float *c, long ldc, float *work) {
    if (alpha == 0.0f || k == 0) {
        ng_scale(m, n, beta, c, ldc);
        return;
    }
    float *block = ng_align(work);
    long depth = ng_block_depth(k);
    for (long j0 = 0; j0 < n; j0 += NG_NC) {
        long nb = n - j0 < NG_NC ? n - j0 : NG_NC;
        for (long p0 = 0; p0 < k; p0 += depth) {
            long kb = k - p0 < depth ? k - p0 : depth;
            ng_pack_block(transB, b, ldb, p0, kb, j0, nb, block);
            ng_macro(transA, m, nb, kb, ng_a_at(transA, a, lda, p0), lda, block, c + j0, ldc, alpha, p0 == 0 ? beta : 1.0f);
        }
    }
}

#pragma clang attribute pop
#endif
