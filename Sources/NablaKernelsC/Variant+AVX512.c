// The kernels of KernelBody.h, OptimBody.h, SoftmaxBody.h and NormBody.h for AVX-512 (F, VL, BW, DQ), sixteen lanes.
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma"))), apply_to = function)
#define NK_LANES 16
#define NK_NAME(name) name##_avx512
#include "KernelBody.h"
#include "OptimBody.h"
#include "SoftmaxBody.h"
#include "NormBody.h"
#pragma clang attribute pop
#endif
