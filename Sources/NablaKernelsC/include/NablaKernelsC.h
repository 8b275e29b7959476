#ifndef NABLA_KERNELS_C_H
#define NABLA_KERNELS_C_H

/// Nabla's CPU fast paths in C, each compiled for AVX2+FMA and for AVX-512 through per-function
/// target attributes, so that the package needs no compiler flags. The Swift kernels stay the portable
/// path and the definition of every op; these are called only for a variant the CPU supports, which the
/// Swift side checks once at start-up (`nabla_simd_cpu_supports`).

/// 1 when the CPU runs the variant `level` (1: AVX2 with FMA; 2: AVX-512 F, VL, BW and DQ), else 0.
int nabla_simd_cpu_supports(int level);

/// The constants of one Adam or AdamW step, as Swift's `AdamStep` holds them; `coupled`, `shrinks`
/// and `amsgrad` are 0 or 1.
typedef struct {
    float oneMinusBeta1, beta2, oneMinusBeta2, biasCorrection2Sqrt, eps, negativeStepSize;
    float weightDecay, shrink;
    int coupled, shrinks;
} NablaAdamConstants;

/// The constants of one SGD step, as Swift's `SGDStep` holds them (`weightDecay` 0 where it is nil); `decays`,
/// `nesterov` and `firstStep` are 0 or 1. Without a momentum buffer only the learning rate and the decay apply.
typedef struct {
    float negativeLearningRate, weightDecay, momentum, keep;
    int decays, nesterov, firstStep;
} NablaSGDConstants;

/// The constants of one AdaGrad step, as Swift's `AdaGradStep` holds them (`weightDecay` 0 where it is nil);
/// `decays` is 0 or 1.
typedef struct {
    float negativeLearningRate, weightDecay, eps;
    int decays;
} NablaAdaGradConstants;

/// The constants of one RMSProp step, as Swift's `RMSPropStep` holds them (`weightDecay` 0 where it is nil);
/// `decays` is 0 or 1. Centering and momentum follow from whether their buffers are given.
typedef struct {
    float alpha, oneMinusAlpha, eps, negativeLearningRate, momentum, weightDecay;
    int decays;
} NablaRMSPropConstants;

/// Channels [first, first + count) of an [batch, channels, spatial] buffer, as batch normalization reads it:
/// channel c is `batch` runs of `spatial` contiguous values, `channels · spatial` apart.
typedef struct {
    long batch, channels, spatial, first, count;
} NablaChannelRange;

/// What the batch-norm input gradient reads per channel c: the batch mean, 1/√(var + eps), the weight, Σg and
/// Σg·(x − mean) (in Double), and `count`, the number of values the sums cover.
typedef struct {
    const float *mean, *invStd, *weight;
    const double *sumG, *sumGX;
    double count;
} NablaInputGradientOperands;

// Each variant (suffix avx2 or avx512) declares the kernels below; the batch-norm ones (NormBody.h) do the channels
// of a NablaChannelRange, indexing every per-channel array by channel, and give the bits of Kernels+Normalization.swift:
/// `nabla_bn_statistics_*`: mean[c] and biased variance[c] of each channel, as Kernels.channelStatistics.
/// `nabla_bn_affine_*`: y = x·scale[c] + shift[c], as Kernels.channelAffine.
/// `nabla_bn_gradient_sums_*`: sumG[c] = Σ g and sumGX[c] = Σ g·(x − mean[c]) in Double, as Kernels.batchNormGradientSums.
/// `nabla_bn_input_gradient_*`: dx from the sums in `o`, as Kernels.batchNormInputGradient.
#if defined(__x86_64__)
#define NABLA_DECLARE_VARIANT(suffix)                                                                              \
    void nabla_adam_##suffix(float *p, const float *g, float *expAvg, float *expAvgSq, float *maxExpAvgSq, long n,  \
                             const NablaAdamConstants *c);                                                         \
    void nabla_sgd_##suffix(float *p, const float *g, float *momentumBuffer, long n, const NablaSGDConstants *c);  \
    void nabla_adagrad_##suffix(float *p, const float *g, float *sum, long n, const NablaAdaGradConstants *c);     \
    void nabla_rmsprop_##suffix(float *p, const float *g, float *squareAvg, float *gradAvg, float *momentumBuffer, \
                                long n, const NablaRMSPropConstants *c);                                           \
    void nabla_relu_forward_##suffix(const float *x, float *y, long n);                                            \
    void nabla_relu_backward_##suffix(const float *x, const float *g, float *dx, long n);                          \
    void nabla_tanh_forward_##suffix(const float *x, float *y, long n);                                            \
    void nabla_tanh_backward_##suffix(const float *y, const float *g, float *dx, long n);                          \
    void nabla_sigmoid_forward_##suffix(const float *x, float *y, long n);                                         \
    void nabla_sigmoid_backward_##suffix(const float *y, const float *g, float *dx, long n);                       \
    void nabla_gelu_forward_##suffix(const float *x, float *y, long n);                                            \
    void nabla_gelu_backward_##suffix(const float *x, const float *g, float *dx, long n);                          \
    void nabla_silu_forward_##suffix(const float *x, float *y, long n);                                            \
    void nabla_silu_backward_##suffix(const float *x, const float *g, float *dx, long n);                          \
    void nabla_lstm_forward_##suffix(float *gates, const float *bias, const float *cPrev, float *h, float *hCopy,   \
                                     float *c, float *tanhC, long hidden);                                         \
    void nabla_lstm_backward_##suffix(const float *gates, const float *cPrev, const float *tanhC,                  \
                                      const float *gradH, const float *dhLater, float *dc, float *dGates,          \
                                      long hidden);                                                                  \
    void nabla_softmax_rows_##suffix(const float *x, float *y, long rows, long n, int log);                         \
    void nabla_softmax_backward_rows_##suffix(const float *y, const float *g, float *dx, long rows, long n, int log); \
    void nabla_bn_statistics_##suffix(const float *x, NablaChannelRange s, float *mean, float *variance);            \
    void nabla_bn_affine_##suffix(const float *x, float *y, NablaChannelRange s, const float *scale,                 \
                                  const float *shift);                                                               \
    void nabla_bn_gradient_sums_##suffix(const float *x, const float *g, NablaChannelRange s, const float *mean,      \
                                         double *sumG, double *sumGX);                                               \
    void nabla_bn_input_gradient_##suffix(const float *x, const float *g, NablaChannelRange s,                       \
                                          const NablaInputGradientOperands *o, float *dx);

NABLA_DECLARE_VARIANT(avx2)
NABLA_DECLARE_VARIANT(avx512)
#undef NABLA_DECLARE_VARIANT
#endif

/// 1 when the CPU has the SHA extensions (with SSSE3 and SSE4.1) that `nabla_sha256_blocks_hardware` runs on, else 0.
int nabla_sha256_hardware_supported(void);
#if defined(__x86_64__)
/// Runs the SHA-256 compression function over `count` consecutive 64-byte blocks, updating the eight words of
/// `state` (A…H) in place, on the SHA extensions; only where `nabla_sha256_hardware_supported()` is 1.
void nabla_sha256_blocks_hardware(unsigned *state, const unsigned char *blocks, long count);
#endif

/// Single-precision GEMM for AVX-512 (GEMM+AVX512.c), row-major: C = alpha·op(A)·op(B) + beta·C with op(A) m×k,
/// op(B) k×n; `trans` flags are 0 or 1 and each `ld` is the row stride of the matrix as stored. beta 0 writes C
/// without reading it. Each element of C is one fixed chain of fused multiply-adds, so its bits do not depend on
/// m, n, how the product is split, or on whether B was packed beforehand.

/// Floats that op(B), k×n, takes packed for `nabla_sgemm_packed_avx512` (with room to align it to 64 bytes).
long nabla_sgemm_packed_count(long k, long n);
/// Floats of scratch that `nabla_sgemm_avx512` needs for a product of depth k and width n.
long nabla_sgemm_work_count(long k, long n);

#if defined(__x86_64__)
/// Packs op(B), k×n, into `packed` (`nabla_sgemm_packed_count(k, n)` floats), for any number of products.
void nabla_sgemm_pack_b_avx512(int transB, long k, long n, const float *b, long ldb, float *packed);
/// C = alpha·op(A)·op(B) + beta·C with op(B) as `nabla_sgemm_pack_b_avx512` packed it for the same k and n.
void nabla_sgemm_packed_avx512(int transA, long m, long n, long k, float alpha, const float *a, long lda,
                               const float *packed, float beta, float *c, long ldc);
/// C = alpha·op(A)·op(B) + beta·C, packing B block by block into `work` (`nabla_sgemm_work_count(k, n)` floats).
void nabla_sgemm_avx512(int transA, int transB, long m, long n, long k, float alpha, const float *a, long lda,
                        const float *b, long ldb, float beta, float *c, long ldc, float *work);
#endif

#endif
