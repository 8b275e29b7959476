// The SGD, AdaGrad and RMSProp updates of one variant, included by Variant+AVX2.c and Variant+AVX512.c right after
// KernelBody.h, whose vector types and helpers (nk_get, nk_put) they use. Each ports its loop in Kernels+Optim.swift
// operation for operation, in the same order and without fused multiply-adds, so a variant gives the same bits as
// the portable path. A flag the Swift loop tests per element is tested once per lane group; the constants are copied
// first, so that the compiler sees that no store changes them and may hoist those tests out of the loop.

#pragma clang fp contract(off)

// MARK: - SGD (Kernels.sgdStep)

static inline __attribute__((always_inline)) void nk_sgd_lanes(float *p, const float *g, float *buf, long lanes,
                                                               const NablaSGDConstants *c) {
    vf x = nk_get(p, lanes), grad = nk_get(g, lanes);
    vf d = c->decays ? grad + c->weightDecay * x : grad;
    vf direction = d;
    if (buf) {
        // PyTorch seeds the buffer with the (decayed) gradient itself on the first step; it is not read then.
        vf b = c->firstStep ? d : nk_get(buf, lanes) * c->momentum + c->keep * d;
        nk_put(buf, b, lanes);
        direction = c->nesterov ? d + c->momentum * b : b;
    }
    nk_put(p, x + c->negativeLearningRate * direction, lanes);
}

void NK_NAME(nabla_sgd)(float *p, const float *g, float *momentumBuffer, long n, const NablaSGDConstants *constants) {
    const NablaSGDConstants k = *constants, *c = &k;
    long i = 0;
    for (; i + NK_LANES <= n; i += NK_LANES) nk_sgd_lanes(p + i, g + i, momentumBuffer ? momentumBuffer + i : 0, NK_LANES, c);
    if (i < n) nk_sgd_lanes(p + i, g + i, momentumBuffer ? momentumBuffer + i : 0, n - i, c);
}

// MARK: - AdaGrad (Kernels.adaGradStep)

static inline __attribute__((always_inline)) void nk_adagrad_lanes(float *p, const float *g, float *sum, long lanes,
                                                                   const NablaAdaGradConstants *c) {
    vf x = nk_get(p, lanes), grad = nk_get(g, lanes);
    vf d = c->decays ? grad + c->weightDecay * x : grad;
    vf s = nk_get(sum, lanes) + d * d;
    nk_put(sum, s, lanes);
    nk_put(p, x + c->negativeLearningRate * d / (__builtin_elementwise_sqrt(s) + c->eps), lanes);
}

void NK_NAME(nabla_adagrad)(float *p, const float *g, float *sum, long n, const NablaAdaGradConstants *constants) {
    const NablaAdaGradConstants k = *constants, *c = &k;
    long i = 0;
    for (; i + NK_LANES <= n; i += NK_LANES) nk_adagrad_lanes(p + i, g + i, sum + i, NK_LANES, c);
    if (i < n) nk_adagrad_lanes(p + i, g + i, sum + i, n - i, c);
}

// MARK: - RMSProp (Kernels.rmsPropStep)

static inline __attribute__((always_inline)) void nk_rmsprop_lanes(float *p, const float *g, float *squareAvg,
                                                                   float *gradAvg, float *buf, long lanes,
                                                                   const NablaRMSPropConstants *c, int nearStart) {
    vf x = nk_get(p, lanes), grad = nk_get(g, lanes);
    vf d = c->decays ? grad + c->weightDecay * x : grad;
    vf v = nk_get(squareAvg, lanes) * c->alpha + c->oneMinusAlpha * d * d;
    nk_put(squareAvg, v, lanes);
    vf avg;
    if (gradAvg) {
        vf m0 = nk_get(gradAvg, lanes);
        // lerpLikeTorch(m0, d, weight: 1 − alpha): the form depends only on the weight.
        vf m = nearStart ? m0 + c->oneMinusAlpha * (d - m0) : d - (d - m0) * (1.0f - c->oneMinusAlpha);
        nk_put(gradAvg, m, lanes);
        avg = __builtin_elementwise_sqrt(v - m * m);
    } else {
        avg = __builtin_elementwise_sqrt(v);
    }
    avg = avg + c->eps;
    if (buf) {
        vf b = nk_get(buf, lanes) * c->momentum + d / avg;
        nk_put(buf, b, lanes);
        nk_put(p, x + c->negativeLearningRate * b, lanes);
    } else {
        nk_put(p, x + c->negativeLearningRate * d / avg, lanes);
    }
}

void NK_NAME(nabla_rmsprop)(float *p, const float *g, float *squareAvg, float *gradAvg, float *momentumBuffer, long n,
                            const NablaRMSPropConstants *constants) {
    const NablaRMSPropConstants k = *constants, *c = &k;
    int nearStart = __builtin_fabsf(c->oneMinusAlpha) < 0.5f;
    long i = 0;
    for (; i + NK_LANES <= n; i += NK_LANES) {
        nk_rmsprop_lanes(p + i, g + i, squareAvg + i, gradAvg ? gradAvg + i : 0, momentumBuffer ? momentumBuffer + i : 0,
                         NK_LANES, c, nearStart);
    }
    if (i < n) {
        nk_rmsprop_lanes(p + i, g + i, squareAvg + i, gradAvg ? gradAvg + i : 0, momentumBuffer ? momentumBuffer + i : 0,
                         n - i, c, nearStart);
    }
}
