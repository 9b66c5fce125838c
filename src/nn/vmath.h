/* exp and log for float32 loops that the compiler can vectorise.
 *
 * libm's expf and logf are calls the compiler cannot vectorise, and in the
 * elementwise parts of a training step (sigmoid, selu, the cross-entropy)
 * they cost more than the matrix products. These versions are branch-free
 * (selects only) and use no libm, so a loop over them becomes SIMD code:
 *   lt_expf  range reduction e^x = 2^n e^r with |r| <= ln2 / 2 (Cody and
 *            Waite's two-part ln 2), Cephes's degree-6 polynomial for e^r,
 *            and 2^n built in the exponent bits; within 2 ulp of expf. The
 *            argument is clamped to [-87.3, 88.3], so the result never
 *            overflows to infinity nor goes subnormal; NaN stays NaN.
 *   lt_logf  x = m 2^e with m in [sqrt(1/2), sqrt 2), Cephes's polynomial
 *            for log(m); within 2 ulp of logf for normal positive x. 0
 *            gives -inf, negative x and NaN give NaN, +inf gives +inf;
 *            subnormal x are not supported (the callers never pass them).
 * Both follow IEEE rounding with no contraction (the build's
 * -ffp-contract=off), so results are the same on every run.
 *
 * Choices between two values go through lt_selectf, a bit mask rather than
 * a branch: under the default -ftrapping-math the compiler will not turn a
 * branch with arithmetic in an arm into a vector select (that would
 * evaluate the arm speculatively), and it sinks arithmetic into arms on
 * its own; with a mask there is no arm. */
#ifndef LATENT_NN_VMATH_H
#define LATENT_NN_VMATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

static inline uint32_t lt_f2u(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static inline float lt_u2f(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* For the hot elementwise loops: the compiler also builds AVX2 and
 * AVX-512 versions and the loader picks the widest the CPU runs. The
 * loops have no reductions across lanes and no contractions, so every
 * version gives the same bits. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define LT_SIMD_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define LT_SIMD_CLONES
#endif

/* c ? a : b, both already computed, without a branch. */
static inline float lt_selectf(int c, float a, float b)
{
    uint32_t mask = (uint32_t)0 - (uint32_t)(c != 0);
    return lt_u2f((lt_f2u(a) & mask) | (lt_f2u(b) & ~mask));
}

static inline float lt_expf(float x)
{
    const float magic = 12582912.0f; /* 1.5 * 2^23: adding it rounds to an integer */
    x = lt_selectf(x > 88.3f, 88.3f, x);
    x = lt_selectf(x < -87.3f, -87.3f, x);
    float t = x * 1.44269504088896341f + magic;
    float n = t - magic;
    /* ln 2 in two parts: n * 0.693359375 is exact for |n| < 2^14. */
    float r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * (r * r) + r + 1.0f;
    /* The low bits of t hold n + 2^22 (magic's 1.5 * 2^23 is 2^23 + 2^22). */
    int32_t k = (int32_t)(lt_f2u(t) - lt_f2u(magic));
    return p * lt_u2f((uint32_t)(k + 127) << 23);
}

static inline float lt_logf(float x)
{
    uint32_t u = lt_f2u(x);
    int32_t e = (int32_t)(u >> 23) - 126;
    float m = lt_u2f((u & 0x007fffffu) | 0x3f000000u); /* in [0.5, 1) */
    int small = m < 0.707106781186547524f;
    e -= small;
    float f = lt_selectf(small, m + m - 1.0f, m - 1.0f);
    float z = f * f;
    float p = 7.0376836292e-2f;
    p = p * f - 1.1514610310e-1f;
    p = p * f + 1.1676998740e-1f;
    p = p * f - 1.2420140846e-1f;
    p = p * f + 1.4249322787e-1f;
    p = p * f - 1.6668057665e-1f;
    p = p * f + 2.0000714765e-1f;
    p = p * f - 2.4999993993e-1f;
    p = p * f + 3.3333331174e-1f;
    float fe = (float)e;
    float y = f * (z * p);
    y = y + fe * -2.12194440e-4f;
    y = y - 0.5f * z;
    float r = f + y;
    r = r + fe * 0.693359375f;
    r = lt_selectf(x > 0, r, lt_selectf(x == 0, -INFINITY, NAN));
    return lt_selectf(x == INFINITY, x, r);
}

#endif
