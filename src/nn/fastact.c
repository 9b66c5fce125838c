#include "nn/fastact.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* On x86-64 GCC and Clang also build AVX2 and AVX-512 copies of each kernel
 * (8 and 16 floats a step instead of SSE2's 4), the widest the processor
 * runs chosen when the program loads. Every copy does the same operations
 * in the same order (no contractions: -ffp-contract=off), so they give the
 * same bits. */
#if defined(__x86_64__) && defined(__GNUC__) && defined(__linux__)
#define WIDE_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define WIDE_CLONES
#endif

static inline int32_t bits_of(float x)
{
    int32_t b;
    memcpy(&b, &x, sizeof b);
    return b;
}

static inline float float_of(int32_t b)
{
    float x;
    memcpy(&x, &b, sizeof x);
    return x;
}

/* e^x, for |x| clamped to 87 (so 2^k stays a normal float). The clamp
 * compares bit patterns: an integer select vectorises where a float
 * comparison (which may trap) would keep the loop scalar. */
static inline float exp_clamped(float x)
{
    const int32_t limit = 0x42ae0000, inf = 0x7f800000; /* 87.0f, infinity */
    int32_t b = bits_of(x), mag = b & 0x7fffffff;
    mag = mag > limit && mag <= inf ? limit : mag; /* NaN passes through */
    x = float_of((b & (int32_t)0x80000000) | mag);

    /* Adding 1.5 * 2^23 rounds x log2(e) to the nearest integer k. */
    const float shifter = 12582912.0f;
    float k = (x * 1.44269504088896341f + shifter) - shifter;
    /* r = x - k ln2, with ln2 split in two so k * hi is exact. */
    float r = x - k * 0.693359375f;
    r = r + k * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    /* 2^k from its exponent bits; the shift is unsigned so a NaN's garbage k
     * (NaN passes through, as p is NaN too) is not undefined behaviour. */
    return p * float_of((int32_t)((uint32_t)((int32_t)k + 127) << 23));
}

WIDE_CLONES void lt_fast_sigmoid(float *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        v[i] = 1.0f / (1.0f + exp_clamped(-v[i]));
}

WIDE_CLONES void lt_fast_tanh(float *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float x = v[i], a = fabsf(x);
        /* Large |x|: (1 - e^-2a) / (1 + e^-2a). Below 0.625 that loses
         * relative accuracy, and a + a^3 P(a^2) takes over. */
        float e = exp_clamped(-2.0f * a);
        float large = (1.0f - e) / (1.0f + e);
        float z = a * a;
        float q = -5.70498872745e-3f;
        q = q * z + 2.06390887954e-2f;
        q = q * z - 5.37397155531e-2f;
        q = q * z + 1.33314422036e-1f;
        q = q * z - 3.33332819422e-1f;
        float small = a + a * z * q;
        int32_t pick_small = -(int32_t)(bits_of(a) < 0x3f200000); /* a < 0.625f */
        float t = float_of((bits_of(small) & pick_small) | (bits_of(large) & ~pick_small));
        v[i] = copysignf(t, x);
    }
}

void lt_act_row(lt_act act, float *v, size_t n)
{
    switch (act) {
    case LT_ACT_SIGMOID: lt_fast_sigmoid(v, n); break;
    case LT_ACT_TANH: lt_fast_tanh(v, n); break;
    default: lt_act_forward(act, v, 1, n); break;
    }
}

void lt_act_gates(lt_act act, float *v, size_t gates, size_t u)
{
    if (act != LT_ACT_SOFTMAX) {
        lt_act_row(act, v, gates * u);
        return;
    }
    for (size_t k = 0; k < gates; k++)
        lt_act_row(act, v + k * u, u);
}
