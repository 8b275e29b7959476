// The kernels of KernelBody.h and OptimBody.h for AVX2 with FMA, eight lanes.
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define NK_LANES 8
#define NK_NAME(name) name##_avx2
#include "KernelBody.h"
#include "OptimBody.h"
#pragma clang attribute pop
#endif
