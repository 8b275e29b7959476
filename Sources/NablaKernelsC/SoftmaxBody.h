// Softmax and log-softmax rows, forward and backward (the inner = 1 loops of Kernels+Softmax.swift), included by
// the variant files after KernelBody.h. Rows run sixteen lanes per step in every variant, and the sums and maxima
// fold as Swift's Lanes16 folds them, so AVX2 (two registers) and AVX-512 (one) give the portable path's bits.
#include <math.h>

#pragma clang fp contract(off)
// The sixteen-lane helpers below are static and always inlined, so no call passes a 64-byte vector across an ABI
// boundary; under AVX2 clang still warns that such a by-value vector would change the ABI.
#pragma clang diagnostic ignored "-Wpsabi"

typedef float nk_v16 __attribute__((vector_size(64)));
typedef int nk_i16 __attribute__((vector_size(64)));
typedef float nk_v8 __attribute__((vector_size(32)));
typedef int nk_i8 __attribute__((vector_size(32)));
typedef float nk_v4 __attribute__((vector_size(16)));
typedef int nk_i4 __attribute__((vector_size(16)));
typedef float nk_v2 __attribute__((vector_size(8)));

static inline __attribute__((always_inline)) nk_v16 nk16_load(const float *p) {
    nk_v16 v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

/// The first `count` values from p (fewer than 16), the other lanes `fill`.
static inline __attribute__((always_inline)) nk_v16 nk16_load_part(const float *p, long count, float fill) {
    nk_v16 v = (nk_v16){0} + fill;
    __builtin_memcpy(&v, p, (unsigned long)count * 4);
    return v;
}

static inline __attribute__((always_inline)) void nk16_store(float *p, nk_v16 v) { __builtin_memcpy(p, &v, sizeof v); }

static inline __attribute__((always_inline)) void nk16_store_part(float *p, nk_v16 v, long count) {
    __builtin_memcpy(p, &v, (unsigned long)count * 4);
}

/// Lanes from `count` on set to 0.
static inline __attribute__((always_inline)) nk_v16 nk16_keep(nk_v16 v, long count) {
    nk_v16 kept = {0};
    __builtin_memcpy(&kept, &v, (unsigned long)count * 4);
    return kept;
}

/// Lane by lane b where b ≥ a, else a (Lanes16.keepingLarger).
static inline __attribute__((always_inline)) nk_v16 nk16_larger(nk_v16 a, nk_v16 b) {
    nk_i16 mask = b >= a;
    return (nk_v16)((mask & (nk_i16)b) | (~mask & (nk_i16)a));
}

/// e^x lane by lane, NK_LANES at a time.
static inline __attribute__((always_inline)) nk_v16 nk16_exp(nk_v16 x) {
    float in[16], out[16];
    __builtin_memcpy(in, &x, sizeof in);
    for (int k = 0; k < 16; k += NK_LANES) nk_store(out + k, nk_exp(nk_load(in + k)));
    nk_v16 result;
    __builtin_memcpy(&result, out, sizeof result);
    return result;
}

/// Lanes16.sum(): halves, quarters, pairs, then one plus one.
static inline __attribute__((always_inline)) float nk16_sum(nk_v16 v) {
    nk_v8 eight = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7) + __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
    nk_v4 four = __builtin_shufflevector(eight, eight, 0, 1, 2, 3) + __builtin_shufflevector(eight, eight, 4, 5, 6, 7);
    nk_v2 two = __builtin_shufflevector(four, four, 0, 1) + __builtin_shufflevector(four, four, 2, 3);
    return two[0] + two[1];
}

/// Lanes16.max(): the same tree with `nk16_larger`'s rule.
static inline __attribute__((always_inline)) float nk16_max(nk_v16 v) {
    nk_v8 lo8 = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7), hi8 = __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
    nk_i8 mask8 = hi8 >= lo8;
    nk_v8 eight = (nk_v8)((mask8 & (nk_i8)hi8) | (~mask8 & (nk_i8)lo8));
    nk_v4 lo4 = __builtin_shufflevector(eight, eight, 0, 1, 2, 3), hi4 = __builtin_shufflevector(eight, eight, 4, 5, 6, 7);
    nk_i4 mask4 = hi4 >= lo4;
    nk_v4 four = (nk_v4)((mask4 & (nk_i4)hi4) | (~mask4 & (nk_i4)lo4));
    float a = four[0], b = four[1], c = four[2], d = four[3];
    float first = c >= a ? c : a, second = d >= b ? d : b;
    return second >= first ? second : first;
}

void NK_NAME(nabla_softmax_rows)(const float *x, float *y, long rows, long n, int log) {
    long whole = n & ~15L, rest = n - whole;
    for (long r = 0; r < rows; r++, x += n, y += n) {
        nk_v16 peaks = (nk_v16){0} + -__builtin_inff();
        for (long j = 0; j < whole; j += 16) peaks = nk16_larger(peaks, nk16_load(x + j));
        if (rest > 0) peaks = nk16_larger(peaks, nk16_load_part(x + whole, rest, -__builtin_inff()));
        float m = nk16_max(peaks);
        if (!__builtin_isfinite(m)) m = 0;
        nk_v16 totals = {0};
        for (long j = 0; j < whole; j += 16) {
            nk_v16 e = nk16_exp(nk16_load(x + j) - m);
            if (!log) nk16_store(y + j, e);
            totals = totals + e;
        }
        if (rest > 0) {
            nk_v16 e = nk16_keep(nk16_exp(nk16_load_part(x + whole, rest, 0) - m), rest);
            if (!log) nk16_store_part(y + whole, e, rest);
            totals = totals + e;
        }
        float total = nk16_sum(totals);
        if (log) {
            float logTotal = logf(total);
            for (long j = 0; j < whole; j += 16) nk16_store(y + j, (nk16_load(x + j) - m) - logTotal);
            if (rest > 0) nk16_store_part(y + whole, (nk16_load_part(x + whole, rest, 0) - m) - logTotal, rest);
        } else {
            float inverse = 1.0f / total;
            for (long j = 0; j < whole; j += 16) nk16_store(y + j, nk16_load(y + j) * inverse);
            if (rest > 0) nk16_store_part(y + whole, nk16_load_part(y + whole, rest, 0) * inverse, rest);
        }
    }
}

static inline __attribute__((always_inline)) nk_v16 nk16_softmax_gradient(nk_v16 ys, nk_v16 gs, float s, int log) {
    return log ? gs - nk16_exp(ys) * s : ys * (gs - s);
}

void NK_NAME(nabla_softmax_backward_rows)(const float *y, const float *g, float *dx, long rows, long n, int log) {
    long whole = n & ~15L, rest = n - whole;
    for (long r = 0; r < rows; r++, y += n, g += n, dx += n) {
        nk_v16 totals = {0};
        for (long j = 0; j < whole; j += 16) totals = totals + (log ? nk16_load(g + j) : nk16_load(g + j) * nk16_load(y + j));
        if (rest > 0) {
            nk_v16 gs = nk16_load_part(g + whole, rest, 0);
            totals = totals + (log ? gs : gs * nk16_load_part(y + whole, rest, 0));
        }
        float s = nk16_sum(totals);
        for (long j = 0; j < whole; j += 16) nk16_store(dx + j, nk16_softmax_gradient(nk16_load(y + j), nk16_load(g + j), s, log));
        if (rest > 0) {
            nk_v16 ys = nk16_load_part(y + whole, rest, 0), gs = nk16_load_part(g + whole, rest, 0);
            nk16_store_part(dx + whole, nk16_softmax_gradient(ys, gs, s, log), rest);
        }
    }
}
