// Batch normalization (Kernels+Normalization.swift) for one variant, included after KernelBody.h, whose helpers and
// vector types it uses. Each kernel does channels [first, first + count) of an [batch, channels, spatial] buffer.
//
// The sums reproduce the Swift ones bit for bit: a run's sum is an eight-lane accumulator (Swift's SIMD8<Float>,
// also under AVX-512, where sixteen lanes would change the order), whose lanes are then added first to last, as
// SIMD8.sum() does, then the run's tail one value at a time; the runs' results are added in Double in run order.
// Runs are independent chains until that last addition, so NK_RUNS of them advance together, which the Swift loop,
// one run after another, leaves to the processor. The maps, y = x·a + b and dx, run at the variant's full width.
// Spatial size 1 (BatchNorm1d) has runs of one value: there the lanes hold neighbouring channels instead.

#pragma clang fp contract(off)

typedef float nk_v8 __attribute__((vector_size(32)));
typedef double vd __attribute__((vector_size(NK_LANES * 8)));

/// How many runs of a channel advance together in a sum.
#define NK_RUNS 4

static inline __attribute__((always_inline)) nk_v8 nk_load8(const float *p) {
    nk_v8 v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

/// The lanes added first to last, as SIMD8<Float>.sum() adds them (its initial −0 changes no value).
static inline __attribute__((always_inline)) float nk_sum8(nk_v8 v) {
    float total = v[0];
    for (int i = 1; i < 8; i++) total += v[i];
    return total;
}

// Double vectors go by address: under AVX2 a vector of eight is wider than a register, and passing it by value
// would raise an ABI warning, though these functions are always inlined.
static inline __attribute__((always_inline)) void nk_get_double(vd *v, const double *p, long lanes) {
    *v = (vd){0};
    __builtin_memcpy(v, p, (unsigned long)lanes * 8);
}

static inline __attribute__((always_inline)) void nk_put_double(double *p, const vd *v, long lanes) {
    __builtin_memcpy(p, v, (unsigned long)lanes * 8);
}

// MARK: - Sums of `runs` (at most NK_RUNS) runs of n values, `stride` apart

/// Kernels.rowSum of each run.
static inline __attribute__((always_inline)) void nk_row_sums(const float *x, long stride, long n, int runs, float *out) {
    nk_v8 acc[NK_RUNS];
    for (int r = 0; r < runs; r++) acc[r] = (nk_v8){0};
    long j = 0;
    for (; j + 8 <= n; j += 8) {
        for (int r = 0; r < runs; r++) acc[r] += nk_load8(x + r * stride + j);
    }
    for (int r = 0; r < runs; r++) {
        float total = nk_sum8(acc[r]);
        for (long i = j; i < n; i++) total += x[r * stride + i];
        out[r] = total;
    }
}

/// Kernels.squaredDeviation of each run: Σ (x − m)², the tail added in Double.
static inline __attribute__((always_inline)) void nk_squared_deviations(const float *x, long stride, long n, float m, int runs,
                                                                        double *out) {
    nk_v8 acc[NK_RUNS];
    for (int r = 0; r < runs; r++) acc[r] = (nk_v8){0};
    long j = 0;
    for (; j + 8 <= n; j += 8) {
        for (int r = 0; r < runs; r++) {
            nk_v8 d = nk_load8(x + r * stride + j) - m;
            acc[r] = d * d + acc[r];
        }
    }
    for (int r = 0; r < runs; r++) {
        double total = (double)nk_sum8(acc[r]);
        for (long i = j; i < n; i++) {
            float d = x[r * stride + i] - m;
            total += (double)(d * d);
        }
        out[r] = total;
    }
}

/// Kernels.rowSum of g and Kernels.centeredDot Σ g·(x − m) of each run, in one pass.
static inline __attribute__((always_inline)) void nk_gradient_sums_runs(const float *x, const float *g, long stride, long n, float m,
                                                                        int runs, float *sumG, double *sumGX) {
    nk_v8 accG[NK_RUNS], accGX[NK_RUNS];
    for (int r = 0; r < runs; r++) accG[r] = accGX[r] = (nk_v8){0};
    long j = 0;
    for (; j + 8 <= n; j += 8) {
        for (int r = 0; r < runs; r++) {
            nk_v8 gv = nk_load8(g + r * stride + j);
            accG[r] += gv;
            accGX[r] = gv * (nk_load8(x + r * stride + j) - m) + accGX[r];
        }
    }
    for (int r = 0; r < runs; r++) {
        float totalG = nk_sum8(accG[r]);
        double totalGX = (double)nk_sum8(accGX[r]);
        for (long i = j; i < n; i++) {
            long k = r * stride + i;
            totalG += g[k];
            totalGX += (double)(g[k] * (x[k] - m));
        }
        sumG[r] = totalG;
        sumGX[r] = totalGX;
    }
}

// MARK: - Statistics (Kernels.channelStatistics)

/// Mean and biased variance of one channel, whose run b starts at x + b·stride.
static inline void nk_channel_statistics(const float *x, long batch, long stride, long n, float *mean, float *variance) {
    double total = 0, squares = 0, deviations[NK_RUNS];
    float sums[NK_RUNS];
    long b = 0;
    for (; b + NK_RUNS <= batch; b += NK_RUNS) {
        nk_row_sums(x + b * stride, stride, n, NK_RUNS, sums);
        for (int r = 0; r < NK_RUNS; r++) total += (double)sums[r];
    }
    for (; b < batch; b++) {
        nk_row_sums(x + b * stride, stride, n, 1, sums);
        total += (double)sums[0];
    }
    double m = total / (double)(batch * n);
    float centre = (float)m;
    for (b = 0; b + NK_RUNS <= batch; b += NK_RUNS) {
        nk_squared_deviations(x + b * stride, stride, n, centre, NK_RUNS, deviations);
        for (int r = 0; r < NK_RUNS; r++) squares += deviations[r];
    }
    for (; b < batch; b++) {
        nk_squared_deviations(x + b * stride, stride, n, centre, 1, deviations);
        squares += deviations[0];
    }
    *mean = centre;
    *variance = (float)(squares / (double)(batch * n));
}

/// Spatial size 1: channels c…c+lanes−1 side by side. A run's sum is then +0 plus its one value (an empty SIMD8
/// sums to +0), and its squared deviation +0.0 plus (x − m)² in Double.
static inline __attribute__((always_inline)) void nk_statistics_across(const float *x, long batch, long channels, long c,
                                                                       long lanes, float *mean, float *variance) {
    vd total = {0}, squares = {0};
    for (long b = 0; b < batch; b++) total += __builtin_convertvector(0.0f + nk_get(x + b * channels + c, lanes), vd);
    vd m = total / (double)batch;
    vf centre = __builtin_convertvector(m, vf);
    for (long b = 0; b < batch; b++) {
        vf d = nk_get(x + b * channels + c, lanes) - centre;
        squares += 0.0 + __builtin_convertvector(d * d, vd);
    }
    nk_put(mean + c, centre, lanes);
    nk_put(variance + c, __builtin_convertvector(squares / (double)batch, vf), lanes);
}

void NK_NAME(nabla_bn_statistics)(const float *x, NablaChannelRange s, float *mean, float *variance) {
    long stride = s.channels * s.spatial;
    if (s.spatial == 1) {
        long c = s.first, end = s.first + s.count;
        for (; c + NK_LANES <= end; c += NK_LANES) nk_statistics_across(x, s.batch, s.channels, c, NK_LANES, mean, variance);
        if (c < end) nk_statistics_across(x, s.batch, s.channels, c, end - c, mean, variance);
        return;
    }
    for (long c = s.first; c < s.first + s.count; c++) {
        nk_channel_statistics(x + c * s.spatial, s.batch, stride, s.spatial, mean + c, variance + c);
    }
}

// MARK: - Affine map (Kernels.channelAffine)

static inline __attribute__((always_inline)) void nk_affine_across(const float *x, float *y, long batch, long channels, long c,
                                                                   long lanes, const float *scale, const float *shift) {
    vf a = nk_get(scale + c, lanes), b = nk_get(shift + c, lanes);
    for (long n = 0; n < batch; n++) {
        long at = n * channels + c;
        nk_put(y + at, nk_get(x + at, lanes) * a + b, lanes);
    }
}

void NK_NAME(nabla_bn_affine)(const float *x, float *y, NablaChannelRange s, const float *scale, const float *shift) {
    if (s.spatial == 1) {
        long c = s.first, end = s.first + s.count;
        for (; c + NK_LANES <= end; c += NK_LANES) nk_affine_across(x, y, s.batch, s.channels, c, NK_LANES, scale, shift);
        if (c < end) nk_affine_across(x, y, s.batch, s.channels, c, end - c, scale, shift);
        return;
    }
    for (long c = s.first; c < s.first + s.count; c++) {
        float a = scale[c], b = shift[c];
        for (long n = 0; n < s.batch; n++) {
            long start = (n * s.channels + c) * s.spatial, i = 0;
            for (; i + NK_LANES <= s.spatial; i += NK_LANES) nk_store(y + start + i, nk_load(x + start + i) * a + b);
            for (; i < s.spatial; i++) y[start + i] = x[start + i] * a + b;
        }
    }
}

// MARK: - Gradient sums (Kernels.batchNormGradientSums)

static inline void nk_channel_gradient_sums(const float *x, const float *g, long batch, long stride, long n, float m,
                                            double *sumG, double *sumGX) {
    double totalG = 0, totalGX = 0, partsGX[NK_RUNS];
    float partsG[NK_RUNS];
    long b = 0;
    for (; b + NK_RUNS <= batch; b += NK_RUNS) {
        nk_gradient_sums_runs(x + b * stride, g + b * stride, stride, n, m, NK_RUNS, partsG, partsGX);
        for (int r = 0; r < NK_RUNS; r++) {
            totalG += (double)partsG[r];
            totalGX += partsGX[r];
        }
    }
    for (; b < batch; b++) {
        nk_gradient_sums_runs(x + b * stride, g + b * stride, stride, n, m, 1, partsG, partsGX);
        totalG += (double)partsG[0];
        totalGX += partsGX[0];
    }
    *sumG = totalG;
    *sumGX = totalGX;
}

static inline __attribute__((always_inline)) void nk_gradient_sums_across(const float *x, const float *g, long batch, long channels,
                                                                          long c, long lanes, const float *mean, double *sumG,
                                                                          double *sumGX) {
    vf m = nk_get(mean + c, lanes);
    vd totalG = {0}, totalGX = {0};
    for (long b = 0; b < batch; b++) {
        long at = b * channels + c;
        vf gv = nk_get(g + at, lanes);
        totalG += __builtin_convertvector(0.0f + gv, vd);
        totalGX += 0.0 + __builtin_convertvector(gv * (nk_get(x + at, lanes) - m), vd);
    }
    nk_put_double(sumG + c, &totalG, lanes);
    nk_put_double(sumGX + c, &totalGX, lanes);
}

void NK_NAME(nabla_bn_gradient_sums)(const float *x, const float *g, NablaChannelRange s, const float *mean, double *sumG,
                                     double *sumGX) {
    long stride = s.channels * s.spatial;
    if (s.spatial == 1) {
        long c = s.first, end = s.first + s.count;
        for (; c + NK_LANES <= end; c += NK_LANES) nk_gradient_sums_across(x, g, s.batch, s.channels, c, NK_LANES, mean, sumG, sumGX);
        if (c < end) nk_gradient_sums_across(x, g, s.batch, s.channels, c, end - c, mean, sumG, sumGX);
        return;
    }
    for (long c = s.first; c < s.first + s.count; c++) {
        long at = c * s.spatial;
        nk_channel_gradient_sums(x + at, g + at, s.batch, stride, s.spatial, mean[c], sumG + c, sumGX + c);
    }
}

// MARK: - Input gradient (Kernels.batchNormInputGradient)

/// dx = k·(g − meanG − (x − m)·r·meanGX) with k = weight·r, meanG = Σg / count and meanGX = Σg·(x − m)·r / count.
static inline __attribute__((always_inline)) void nk_input_gradient_across(const float *x, const float *g, float *dx, long batch,
                                                                           long channels, long c, long lanes,
                                                                           const NablaInputGradientOperands *o) {
    vf m = nk_get(o->mean + c, lanes), r = nk_get(o->invStd + c, lanes), k = nk_get(o->weight + c, lanes) * r;
    vd sumG, sumGX;
    nk_get_double(&sumG, o->sumG + c, lanes);
    nk_get_double(&sumGX, o->sumGX + c, lanes);
    vf meanG = __builtin_convertvector(sumG / o->count, vf);
    vf meanGX = __builtin_convertvector(sumGX * __builtin_convertvector(r, vd) / o->count, vf);
    for (long n = 0; n < batch; n++) {
        long at = n * channels + c;
        nk_put(dx + at, k * (nk_get(g + at, lanes) - meanG - (nk_get(x + at, lanes) - m) * r * meanGX), lanes);
    }
}

void NK_NAME(nabla_bn_input_gradient)(const float *x, const float *g, NablaChannelRange s, const NablaInputGradientOperands *o,
                                      float *dx) {
    if (s.spatial == 1) {
        long c = s.first, end = s.first + s.count;
        for (; c + NK_LANES <= end; c += NK_LANES) nk_input_gradient_across(x, g, dx, s.batch, s.channels, c, NK_LANES, o);
        if (c < end) nk_input_gradient_across(x, g, dx, s.batch, s.channels, c, end - c, o);
        return;
    }
    for (long c = s.first; c < s.first + s.count; c++) {
        float m = o->mean[c], r = o->invStd[c], k = o->weight[c] * r;
        float meanG = (float)(o->sumG[c] / o->count), meanGX = (float)(o->sumGX[c] * (double)r / o->count);
        for (long n = 0; n < s.batch; n++) {
            long start = (n * s.channels + c) * s.spatial, i = 0;
            for (; i + NK_LANES <= s.spatial; i += NK_LANES) {
                vf gv = nk_load(g + start + i), xv = nk_load(x + start + i);
                nk_store(dx + start + i, k * (gv - meanG - (xv - m) * r * meanGX));
            }
            for (; i < s.spatial; i++) dx[start + i] = k * (g[start + i] - meanG - (x[start + i] - m) * r * meanGX);
        }
    }
}
