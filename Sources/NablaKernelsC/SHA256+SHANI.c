// The SHA-256 compression function (FIPS 180-4) on the x86 SHA extensions, for NablaLibrary's SHA256, whose
// Swift loop stays the portable path. Four rounds per step: the message words of a group of four come from
// sha256msg1/sha256msg2, and sha256rnds2 runs two rounds on the state held as (A, B, E, F) and (C, D, G, H).
#include "NablaKernelsC.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

int nabla_sha256_hardware_supported(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int ssse3 = (c >> 9) & 1, sse41 = (c >> 19) & 1;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    int sha = (b >> 29) & 1;
    return ssse3 && sse41 && sha;
}

static const unsigned nk_sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

__attribute__((target("sha,sse4.1,ssse3")))
void nabla_sha256_blocks_hardware(unsigned *state, const unsigned char *blocks, long count) {
    // Big-endian words: reverse the bytes of each 32-bit lane.
    const __m128i byteSwap = _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
    // state[0…3] = A B C D and state[4…7] = E F G H, lane 0 first; the instructions want F E B A and H G D C.
    __m128i abcd = _mm_loadu_si128((const __m128i *)state), efgh = _mm_loadu_si128((const __m128i *)(state + 4));
    __m128i badc = _mm_shuffle_epi32(abcd, 0xB1), hgfe = _mm_shuffle_epi32(efgh, 0x1B);
    __m128i abef = _mm_alignr_epi8(badc, hgfe, 8);   // lanes F E B A
    __m128i cdgh = _mm_blend_epi16(hgfe, badc, 0xF0); // lanes H G D C
    for (long block = 0; block < count; block++) {
        const unsigned char *bytes = blocks + block * 64;
        __m128i savedABEF = abef, savedCDGH = cdgh;
        // words[g % 4] holds message words 4g … 4g + 3 of group g.
        __m128i words[4];
        for (int group = 0; group < 16; group++) {
            __m128i *current = &words[group & 3];
            if (group < 4) {
                *current = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(bytes + 16 * group)), byteSwap);
            } else {
                // W[t] = σ1(W[t−2]) + W[t−7] + σ0(W[t−15]) + W[t−16], four at a time.
                __m128i older = words[group & 3], old = words[(group + 1) & 3];
                __m128i previous2 = words[(group + 2) & 3], previous = words[(group + 3) & 3];
                __m128i partial = _mm_add_epi32(_mm_sha256msg1_epu32(older, old), _mm_alignr_epi8(previous, previous2, 4));
                *current = _mm_sha256msg2_epu32(partial, previous);
            }
            __m128i sum = _mm_add_epi32(*current, _mm_loadu_si128((const __m128i *)(nk_sha256_k + 4 * group)));
            cdgh = _mm_sha256rnds2_epu32(cdgh, abef, sum);
            abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(sum, 0x0E));
        }
        abef = _mm_add_epi32(abef, savedABEF);
        cdgh = _mm_add_epi32(cdgh, savedCDGH);
    }
    __m128i abfe = _mm_shuffle_epi32(abef, 0x1B), ghcd = _mm_shuffle_epi32(cdgh, 0xB1);
    _mm_storeu_si128((__m128i *)state, _mm_blend_epi16(abfe, ghcd, 0xF0));
    _mm_storeu_si128((__m128i *)(state + 4), _mm_alignr_epi8(ghcd, abfe, 8));
}
#else
int nabla_sha256_hardware_supported(void) { return 0; }
#endif
