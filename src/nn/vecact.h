/* The fast sigmoid and tanh (nn/fastact.h) on 16 floats at a time, in GCC's
 * and Clang's generic vectors, for loops that apply several of them per
 * element (a recurrent cell's gates) and for fastact's own loops.
 *
 * Left to the auto-vectoriser, a loop over a recurrent layer's 100 or 30
 * units ends in a scalar epilogue (4 or 14 values), which perf showed at
 * two fifths of the tanh kernel's time. A generic vector of 16 lanes
 * compiles to one AVX-512 register, two AVX2 ones or four SSE2 ones,
 * whichever the enclosing function's target has; tails go through a padded
 * vector (lt_vf_load_part, lt_vf_store_part). Every lane runs the same
 * operations in the same order, without contractions (the build's
 * -ffp-contract=off), so the bits do not depend on the vector width, nor
 * on whether a value came in a whole vector or a tail; they are also the
 * bits of the scalar loops these replaced.
 *
 * The helpers take and give vectors through pointers: a 64-byte vector
 * passed or returned by value would change the calling convention with
 * the processor's features (GCC's -Wpsabi), and they are always inlined
 * into a loop of the caller's target anyway. */
#ifndef LATENT_NN_VECACT_H
#define LATENT_NN_VECACT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum { LT_VF_LANES = 16 };

typedef float lt_vf __attribute__((vector_size(LT_VF_LANES * sizeof(float))));
typedef int32_t lt_vi __attribute__((vector_size(LT_VF_LANES * sizeof(int32_t))));
typedef uint32_t lt_vu __attribute__((vector_size(LT_VF_LANES * sizeof(uint32_t))));

#define LT_VF_INLINE static inline __attribute__((always_inline))

/* For the loops over these vectors: on x86-64 GCC and Clang build an
 * AVX-512, an AVX2 and a plain (SSE2) copy of the function, the widest the
 * processor runs chosen when the program loads. */
#if defined(__x86_64__) && defined(__GNUC__) && defined(__linux__)
#define LT_VF_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define LT_VF_CLONES
#endif

LT_VF_INLINE void lt_vf_load(lt_vf *v, const float *p)
{
    memcpy(v, p, sizeof *v);
}

LT_VF_INLINE void lt_vf_store(float *p, const lt_vf *v)
{
    memcpy(p, v, sizeof *v);
}

/* The first n < 16 values at p, the other lanes zero. */
LT_VF_INLINE void lt_vf_load_part(lt_vf *v, const float *p, size_t n)
{
    *v = (lt_vf){0};
    memcpy(v, p, n * sizeof *p);
}

LT_VF_INLINE void lt_vf_store_part(float *p, const lt_vf *v, size_t n)
{
    memcpy(p, v, n * sizeof *p);
}

/* Lanes of integer vector A where MASK is all ones, of B where it is zero
 * (a macro: a function could not return the vector, as above). */
#define LT_VI_SELECT(mask, a, b) (((mask) & (a)) | (~(mask) & (b)))

/* All ones where a < b, else zero, for lanes a and b in [0, 2^31): the
 * sign of a - b, spread by an arithmetic shift. A vector comparison would
 * say the same, but GCC 12 builds some of those lane by lane in scalar
 * code (on AVX-512F, which has no instruction that turns its comparison
 * masks into vectors, and in AVX2's halves of 16 lanes), and the shift
 * it never does. */
#define LT_VI_LESS(a, b) (((a) - (b)) >> 31)

/* v = e^v, for |v| clamped to 87 (so 2^k stays a normal float). The clamp
 * compares bit patterns, as integers. */
LT_VF_INLINE void lt_vf_exp_clamped(lt_vf *v)
{
    const int32_t limit = 0x42ae0000, inf = 0x7f800000; /* 87.0f, infinity */
    lt_vi b = (lt_vi)*v, mag = b & 0x7fffffff;
    /* mag > limit and mag > inf (NaN, which passes through) as masks. */
    lt_vi over = LT_VI_LESS(limit, mag), nan = LT_VI_LESS(inf, mag);
    lt_vi clamped = LT_VI_SELECT(over, limit, mag);
    mag = LT_VI_SELECT(nan, mag, clamped);
    lt_vf x = (lt_vf)((b & (int32_t)0x80000000) | mag);

    /* Adding 1.5 * 2^23 rounds x log2(e) to the nearest integer k. */
    const float shifter = 12582912.0f;
    lt_vf k = (x * 1.44269504088896341f + shifter) - shifter;
    /* r = x - k ln2, with ln2 split in two so k * hi is exact; then e^r
     * from Cephes's degree-7 polynomial. */
    lt_vf r = x - k * 0.693359375f;
    r = r + k * 2.12194440e-4f;
    lt_vf p = r * 1.9875691500e-4f + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    /* k is a whole number, so converting it truncates nothing; a NaN's
     * lane converts to the integer indefinite, and p is NaN there too. The
     * shift is unsigned, so that garbage shifts without undefined
     * behaviour. */
    lt_vu e = (lt_vu)(__builtin_convertvector(k, lt_vi) + 127);
    *v = p * (lt_vf)(e << 23);
}

/* v = 1 / (1 + e^-v): lt_fast_sigmoid's lanes. */
LT_VF_INLINE void lt_vf_sigmoid(lt_vf *v)
{
    lt_vf e = -*v;
    lt_vf_exp_clamped(&e);
    *v = 1.0f / (1.0f + e);
}

/* v = tanh(v): lt_fast_tanh's lanes. */
LT_VF_INLINE void lt_vf_tanh(lt_vf *v)
{
    lt_vi bits = (lt_vi)*v, sign = bits & (int32_t)0x80000000;
    lt_vi abits = bits & 0x7fffffff;
    lt_vf a = (lt_vf)abits;
    /* Large |x|: (1 - e^-2a) / (1 + e^-2a). Below 0.625 that loses
     * relative accuracy, and a + a^3 P(a^2) takes over. */
    lt_vf e = -2.0f * a;
    lt_vf_exp_clamped(&e);
    lt_vf large = (1.0f - e) / (1.0f + e);
    lt_vf z = a * a;
    lt_vf q = z * -5.70498872745e-3f + 2.06390887954e-2f;
    q = q * z - 5.37397155531e-2f;
    q = q * z + 1.33314422036e-1f;
    q = q * z - 3.33332819422e-1f;
    lt_vf small = a + a * z * q;
    lt_vi pick_small = LT_VI_LESS(abits, 0x3f200000); /* a < 0.625f */
    lt_vi t = LT_VI_SELECT(pick_small, (lt_vi)small, (lt_vi)large);
    *v = (lt_vf)((t & 0x7fffffff) | sign); /* copysignf(t, x) */
}

#endif
