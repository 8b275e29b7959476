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

#if defined(__x86_64__)
#define NABLA_DECLARE_VARIANT(suffix)                                                                              \
    void nabla_adam_##suffix(float *p, const float *g, float *expAvg, float *expAvgSq, float *maxExpAvgSq, long n,  \
                             const NablaAdamConstants *c);                                                         \
    void nabla_relu_forward_##suffix(const float *x, float *y, long n);                                            \
    void nabla_relu_backward_##suffix(const float *x, const float *g, float *dx, long n);                          \
    void nabla_tanh_forward_##suffix(const float *x, float *y, long n);                                            \
    void nabla_tanh_backward_##suffix(const float *y, const float *g, float *dx, long n);                          \
    void nabla_sigmoid_forward_##suffix(const float *x, float *y, long n);                                         \
    void nabla_sigmoid_backward_##suffix(const float *y, const float *g, float *dx, long n);                       \
    void nabla_lstm_forward_##suffix(float *gates, const float *bias, const float *cPrev, float *h, float *hCopy,   \
                                     float *c, float *tanhC, long hidden);                                         \
    void nabla_lstm_backward_##suffix(const float *gates, const float *cPrev, const float *tanhC,                  \
                                      const float *gradH, const float *dhLater, float *dc, float *dGates,          \
                                      long hidden);

NABLA_DECLARE_VARIANT(avx2)
NABLA_DECLARE_VARIANT(avx512)
#undef NABLA_DECLARE_VARIANT
#endif

#endif
