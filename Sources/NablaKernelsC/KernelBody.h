// The body of one variant, included by Variant+AVX2.c and Variant+AVX512.c with NK_LANES and NK_NAME set.
// Each kernel ports its Swift counterpart operation for operation, in the same order and without fused
// multiply-adds (contraction is off below), so a variant gives the same bits as the portable path; only the
// vector width differs. Constants are the Swift ones, rounded to float the same way.
#include "NablaKernelsC.h"

#pragma clang fp contract(off)

typedef float vf __attribute__((vector_size(NK_LANES * 4)));
typedef int vi __attribute__((vector_size(NK_LANES * 4)));

static inline __attribute__((always_inline)) vf nk_load(const float *p) {
    vf v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

static inline __attribute__((always_inline)) void nk_store(float *p, vf v) { __builtin_memcpy(p, &v, sizeof v); }

/// `lanes` values from p, the rest zero.
static inline __attribute__((always_inline)) vf nk_load_part(const float *p, long lanes) {
    vf v = {0};
    __builtin_memcpy(&v, p, (unsigned long)lanes * 4);
    return v;
}

static inline __attribute__((always_inline)) void nk_store_part(float *p, vf v, long lanes) {
    __builtin_memcpy(p, &v, (unsigned long)lanes * 4);
}

static inline __attribute__((always_inline)) vf nk_splat(float s) { return (vf){0} + s; }

/// mask ? a : b, lane by lane; a mask lane is all ones or all zeros, as comparisons give.
static inline __attribute__((always_inline)) vf nk_select(vi mask, vf a, vf b) {
    return (vf)((mask & (vi)a) | (~mask & (vi)b));
}

// MARK: - Math (SIMDMath in VectorMath.swift)

/// e^x = 2^n · e^r, Cephes' degree-7 fit, as SIMDMath.exp.
static inline __attribute__((always_inline)) vf nk_exp(vf input) {
    const float magic = 12582912.0f;
    vf x = nk_select(input > 88.8f, nk_splat(88.8f), input);
    x = nk_select(x < -104.0f, nk_splat(-104.0f), x);
    vf shifted = x * 1.44269504088896341f + magic;
    vf n = shifted - magic;
    vf r = (x - n * 0.693359375f) - n * -2.12194440e-4f;
    vf p = 1.9875691500e-4f * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    vf y = p * (r * r) + r + 1.0f;
    vi exponent = (vi)shifted - (vi)nk_splat(magic);
    vi half = exponent >> 1;
    vf scale1 = (vf)((half + 127) << 23);
    vf scale2 = (vf)((exponent - half + 127) << 23);
    return y * scale1 * scale2;
}

/// tanh |x| from an odd polynomial below 0.625, else 1 − 2 / (e^{2|x|} + 1); then the sign of x.
static inline __attribute__((always_inline)) vf nk_tanh(vf x) {
    vi signBit = (vi)x & (int)0x80000000u;
    vf magnitude = (vf)((vi)x & 0x7fffffff);
    vf z = magnitude * magnitude;
    vf p = -5.70498872745e-3f * z + 2.06390887954e-2f;
    p = p * z - 5.37397155531e-2f;
    p = p * z + 1.33314422036e-1f;
    p = p * z - 3.33332819422e-1f;
    vf polynomial = p * z * magnitude + magnitude;
    vf clamped = nk_select(magnitude > 10.0f, nk_splat(10.0f), magnitude);
    vf large = 1.0f - 2.0f / (nk_exp(clamped + clamped) + 1.0f);
    return (vf)((vi)nk_select(magnitude < 0.625f, polynomial, large) | signBit);
}

static inline __attribute__((always_inline)) vf nk_sigmoid(vf x) { return 1.0f / (1.0f + nk_exp(0.0f - x)); }

/// Eigen's rational tanh with x clamped to ±7.905, Estrin's scheme, as SIMDMath.tanhRational.
static inline __attribute__((always_inline)) vf nk_tanh_rational(vf input) {
    const float bound = 7.90531110763549805f;
    vf x = nk_select(input > bound, nk_splat(bound), input);
    x = nk_select(x < -bound, nk_splat(-bound), x);
    vf z = x * x, z2 = z * z, z4 = z2 * z2;
    vf p01 = z * 6.37261928875436e-04f + 4.89352455891786e-03f;
    vf p23 = z * 5.12229709037114e-08f + 1.48572235717979e-05f;
    vf p45 = z * 2.00018790482477e-13f - 8.60467152213735e-11f;
    vf p = z4 * (z2 * -2.76076847742355e-16f + p45) + (z2 * p23 + p01);
    vf q = z2 * (z * 1.19825839466702e-06f + 1.18534705686654e-04f) + (z * 2.26843463243900e-03f + 4.89352518554385e-03f);
    return x * p / q;
}

static inline __attribute__((always_inline)) vf nk_sigmoid_rational(vf x) {
    return nk_tanh_rational(x * 0.5f) * 0.5f + 0.5f;
}

/// Φ(x) = erfc(−x/√2) / 2 through SIMDMath.normalCDF's fitted polynomial, as SIMDMath.normalCDF.
static inline __attribute__((always_inline)) vf nk_normal_cdf(vf x) {
    vf z = (vf)((vi)x & 0x7fffffff) * 0.707106781186547524f;
    vf t = 1.0f / (z * 0.5f + 1.0f);
    vf p = t * 1.457714182e-01f - 6.856501159e-01f;
    p = p * t + 1.168762993e+00f;
    p = p * t - 7.133378682e-01f;
    p = p * t - 6.509811775e-02f;
    p = p * t - 7.451664938e-03f;
    p = p * t + 3.782474979e-02f;
    p = p * t + 3.859055114e-01f;
    p = p * t + 9.987261432e-01f;
    p = p * t - 1.265453001e+00f;
    vf tail = t * nk_exp(p - z * z) * 0.5f;
    return nk_select(x > 0.0f, 1.0f - tail, tail);
}

/// d/dx x·Φ(x) = Φ(x) + x·φ(x), as SIMDMath.geluDerivative.
static inline __attribute__((always_inline)) vf nk_gelu_derivative(vf x) {
    return nk_normal_cdf(x) + x * nk_exp(x * x * -0.5f) * 0.398942280401432678f;
}

// MARK: - Unary maps

#define NK_MAP1(name, expression)                                                                                  \
    void NK_NAME(name)(const float *xs, float *ys, long n) {                                                      \
        long i = 0;                                                                                                \
        for (; i + NK_LANES <= n; i += NK_LANES) {                                                                 \
            vf x = nk_load(xs + i);                                                                                \
            nk_store(ys + i, (expression));                                                                        \
        }                                                                                                          \
        if (i < n) {                                                                                               \
            vf x = nk_load_part(xs + i, n - i);                                                                    \
            nk_store_part(ys + i, (expression), n - i);                                                            \
        }                                                                                                          \
    }

#define NK_MAP2(name, expression)                                                                                  \
    void NK_NAME(name)(const float *as, const float *gs, float *out, long n) {                                    \
        long i = 0;                                                                                                \
        for (; i + NK_LANES <= n; i += NK_LANES) {                                                                 \
            vf a = nk_load(as + i), g = nk_load(gs + i);                                                           \
            nk_store(out + i, (expression));                                                                       \
        }                                                                                                          \
        if (i < n) {                                                                                               \
            vf a = nk_load_part(as + i, n - i), g = nk_load_part(gs + i, n - i);                                   \
            nk_store_part(out + i, (expression), n - i);                                                           \
        }                                                                                                          \
    }

NK_MAP1(nabla_relu_forward, nk_select(x > 0.0f, x, nk_splat(0.0f)))
NK_MAP2(nabla_relu_backward, nk_select(a > 0.0f, g, nk_splat(0.0f)))
NK_MAP1(nabla_tanh_forward, nk_tanh(x))
// d tanh = 1 − y², σ′ = σ(1 − σ), both read from the output a = y.
NK_MAP2(nabla_tanh_backward, g * (1.0f - a * a))
NK_MAP1(nabla_sigmoid_forward, nk_sigmoid(x))
NK_MAP2(nabla_sigmoid_backward, g * a * (1.0f - a))
// GELU and SiLU read the input a = x (VectorMath.gelu, VectorMath.silu and their backward loops).
NK_MAP1(nabla_gelu_forward, x * nk_normal_cdf(x))
NK_MAP2(nabla_gelu_backward, g * nk_gelu_derivative(a))
NK_MAP1(nabla_silu_forward, x * nk_sigmoid(x))
NK_MAP2(nabla_silu_backward, g * nk_sigmoid(a) * (a * (1.0f - nk_sigmoid(a)) + 1.0f))

// MARK: - Adam and AdamW (Kernels.adamStep)

static inline __attribute__((always_inline)) void nk_adam_lanes(float *p, const float *g, float *e1, float *e2, float *emax,
                                                                long lanes, const NablaAdamConstants *c, int nearStart) {
    int whole = lanes == NK_LANES;
    vf x = whole ? nk_load(p) : nk_load_part(p, lanes);
    vf grad = whole ? nk_load(g) : nk_load_part(g, lanes);
    vf m0 = whole ? nk_load(e1) : nk_load_part(e1, lanes);
    vf v0 = whole ? nk_load(e2) : nk_load_part(e2, lanes);
    if (c->shrinks) x = x * c->shrink;
    vf d = c->coupled ? grad + c->weightDecay * x : grad;
    // PyTorch's lerp: the form depends only on the weight.
    vf m = nearStart ? m0 + c->oneMinusBeta1 * (d - m0) : d - (d - m0) * (1.0f - c->oneMinusBeta1);
    vf v = v0 * c->beta2 + c->oneMinusBeta2 * d * d;
    if (whole) { nk_store(e1, m); nk_store(e2, v); } else { nk_store_part(e1, m, lanes); nk_store_part(e2, v, lanes); }
    if (emax) {
        vf previous = whole ? nk_load(emax) : nk_load_part(emax, lanes);
        v = nk_select(v >= previous, v, previous);  // Swift.max(previous, v)
        if (whole) nk_store(emax, v); else nk_store_part(emax, v, lanes);
    }
    vf denom = __builtin_elementwise_sqrt(v) / c->biasCorrection2Sqrt + c->eps;
    vf result = x + c->negativeStepSize * m / denom;
    if (whole) nk_store(p, result); else nk_store_part(p, result, lanes);
}

void NK_NAME(nabla_adam)(float *p, const float *g, float *expAvg, float *expAvgSq, float *maxExpAvgSq, long n,
                         const NablaAdamConstants *c) {
    int nearStart = __builtin_fabsf(c->oneMinusBeta1) < 0.5f;
    long i = 0;
    for (; i + NK_LANES <= n; i += NK_LANES) {
        nk_adam_lanes(p + i, g + i, expAvg + i, expAvgSq + i, maxExpAvgSq ? maxExpAvgSq + i : 0, NK_LANES, c, nearStart);
    }
    if (i < n) nk_adam_lanes(p + i, g + i, expAvg + i, expAvgSq + i, maxExpAvgSq ? maxExpAvgSq + i : 0, n - i, c, nearStart);
}

// MARK: - LSTM cell (LSTMCell in Kernels+LSTMCell.swift)

static inline __attribute__((always_inline)) vf nk_get(const float *p, long lanes) {
    return lanes == NK_LANES ? nk_load(p) : nk_load_part(p, lanes);
}

static inline __attribute__((always_inline)) void nk_put(float *p, vf v, long lanes) {
    if (lanes == NK_LANES) nk_store(p, v); else nk_store_part(p, v, lanes);
}

static inline __attribute__((always_inline)) void nk_lstm_forward_lanes(float *gates, const float *bias, const float *cPrev,
                                                                        float *h, float *hCopy, float *c, float *tanhC,
                                                                        long hidden, long j, long lanes) {
    vf i = nk_sigmoid_rational(nk_get(gates + j, lanes) + nk_get(bias + j, lanes));
    vf f = nk_sigmoid_rational(nk_get(gates + hidden + j, lanes) + nk_get(bias + hidden + j, lanes));
    vf g = nk_tanh_rational(nk_get(gates + 2 * hidden + j, lanes) + nk_get(bias + 2 * hidden + j, lanes));
    vf o = nk_sigmoid_rational(nk_get(gates + 3 * hidden + j, lanes) + nk_get(bias + 3 * hidden + j, lanes));
    vf cell = f * nk_get(cPrev + j, lanes) + i * g;
    vf t = nk_tanh_rational(cell);
    vf out = o * t;
    nk_put(gates + j, i, lanes);
    nk_put(gates + hidden + j, f, lanes);
    nk_put(gates + 2 * hidden + j, g, lanes);
    nk_put(gates + 3 * hidden + j, o, lanes);
    nk_put(c + j, cell, lanes);
    nk_put(tanhC + j, t, lanes);
    nk_put(h + j, out, lanes);
    if (hCopy) nk_put(hCopy + j, out, lanes);
}

void NK_NAME(nabla_lstm_forward)(float *gates, const float *bias, const float *cPrev, float *h, float *hCopy, float *c,
                                 float *tanhC, long hidden) {
    long j = 0;
    for (; j + NK_LANES <= hidden; j += NK_LANES) nk_lstm_forward_lanes(gates, bias, cPrev, h, hCopy, c, tanhC, hidden, j, NK_LANES);
    if (j < hidden) nk_lstm_forward_lanes(gates, bias, cPrev, h, hCopy, c, tanhC, hidden, j, hidden - j);
}

static inline __attribute__((always_inline)) void nk_lstm_backward_lanes(const float *gates, const float *cPrev,
                                                                         const float *tanhC, const float *gradH,
                                                                         const float *dhLater, float *dc, float *dGates,
                                                                         long hidden, long j, long lanes) {
    vf i = nk_get(gates + j, lanes), f = nk_get(gates + hidden + j, lanes);
    vf g = nk_get(gates + 2 * hidden + j, lanes), o = nk_get(gates + 3 * hidden + j, lanes);
    vf t = nk_get(tanhC + j, lanes);
    vf dh = nk_get(gradH + j, lanes) + nk_get(dhLater + j, lanes);
    vf dcT = (dh * o) * (1.0f - t * t) + nk_get(dc + j, lanes);
    vf di = (dcT * g) * (i - i * i);
    vf df = (dcT * nk_get(cPrev + j, lanes)) * (f - f * f);
    vf dg = (dcT * i) * (1.0f - g * g);
    vf dOut = (dh * t) * (o - o * o);
    nk_put(dc + j, dcT * f, lanes);
    nk_put(dGates + j, di, lanes);
    nk_put(dGates + hidden + j, df, lanes);
    nk_put(dGates + 2 * hidden + j, dg, lanes);
    nk_put(dGates + 3 * hidden + j, dOut, lanes);
}

void NK_NAME(nabla_lstm_backward)(const float *gates, const float *cPrev, const float *tanhC, const float *gradH,
                                  const float *dhLater, float *dc, float *dGates, long hidden) {
    long j = 0;
    for (; j + NK_LANES <= hidden; j += NK_LANES) {
        nk_lstm_backward_lanes(gates, cPrev, tanhC, gradH, dhLater, dc, dGates, hidden, j, NK_LANES);
    }
    if (j < hidden) nk_lstm_backward_lanes(gates, cPrev, tanhC, gradH, dhLater, dc, dGates, hidden, j, hidden - j);
}
