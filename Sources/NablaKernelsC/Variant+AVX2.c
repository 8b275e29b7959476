// The kernels of KernelBody.h, OptimBody.h, SoftmaxBody.h and NormBody.h for AVX2 with FMA, eight lanes.
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define NK_LANES 8
#define NK_NAME(name) name##_avx2
#include "KernelBody.h"
#include "OptimBody.h"
#include "SoftmaxBody.h"
#include "NormBody.h"
#pragma clang attribute pop
#endif
