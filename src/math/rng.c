/* MT19937 and numpy's legacy distributions on top of it. See rng.h. */
#include "math/rng.h"

#include <math.h>

/* MT19937 constants (Matsumoto & Nishimura, 1998). */
enum { MT_N = LT_RNG_STATE_LEN, MT_M = 397 };
#define MT_MATRIX_A 0x9908b0dfu
#define MT_UPPER 0x80000000u
#define MT_LOWER 0x7fffffffu

void lt_rng_seed(lt_rng *r, uint32_t seed)
{
    /* init_genrand: the only path numpy's legacy seeding takes for a scalar. */
    r->key[0] = seed;
    for (uint32_t i = 1; i < MT_N; i++) {
        uint32_t prev = r->key[i - 1];
        r->key[i] = 1812433253u * (prev ^ (prev >> 30)) + i;
    }
    r->pos = MT_N;
    r->has_gauss = false;
    r->gauss = 0.0;
}

static inline uint32_t twist(uint32_t hi_word, uint32_t lo_word, uint32_t far)
{
    uint32_t y = (hi_word & MT_UPPER) | (lo_word & MT_LOWER);
    return far ^ (y >> 1) ^ ((y & 1u) ? MT_MATRIX_A : 0u);
}

static void refill(lt_rng *r)
{
    uint32_t *k = r->key;
    int i = 0;
    for (; i < MT_N - MT_M; i++)
        k[i] = twist(k[i], k[i + 1], k[i + MT_M]);
    for (; i < MT_N - 1; i++)
        k[i] = twist(k[i], k[i + 1], k[i + MT_M - MT_N]);
    k[MT_N - 1] = twist(k[MT_N - 1], k[0], k[MT_M - 1]);
    r->pos = 0;
}

static inline uint32_t temper(uint32_t y)
{
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

uint32_t lt_rng_next32(lt_rng *r)
{
    if (r->pos >= MT_N)
        refill(r);
    return temper(r->key[r->pos++]);
}

void lt_rng_fill32(lt_rng *r, uint32_t *out, size_t n)
{
    while (n) {
        if (r->pos >= MT_N)
            refill(r);
        size_t left = (size_t)(MT_N - r->pos), take = left < n ? left : n;
        /* One pass over the words the state already holds: it vectorises. */
        const uint32_t *key = r->key + r->pos;
        for (size_t i = 0; i < take; i++)
            out[i] = temper(key[i]);
        r->pos += (int)take;
        out += take;
        n -= take;
    }
}

uint64_t lt_rng_next64(lt_rng *r)
{
    uint64_t hi = lt_rng_next32(r);
    uint64_t lo = lt_rng_next32(r);
    return hi << 32 | lo;
}

double lt_rng_uniform(lt_rng *r)
{
    /* 27 high bits of the first output and 26 of the second: 53 bits. */
    uint32_t a = lt_rng_next32(r) >> 5;
    uint32_t b = lt_rng_next32(r) >> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
}

double lt_rng_gauss(lt_rng *r)
{
    if (r->has_gauss) {
        r->has_gauss = false;
        double cached = r->gauss;
        r->gauss = 0.0;
        return cached;
    }
    double x1, x2, r2;
    do {
        x1 = 2.0 * lt_rng_uniform(r) - 1.0;
        x2 = 2.0 * lt_rng_uniform(r) - 1.0;
        r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 == 0.0);
    /* The expression is numpy's, operation for operation, so results agree
     * to the bit (given the same libm log and sqrt). */
    double f = sqrt(-2.0 * log(r2) / r2);
    r->gauss = f * x1;
    r->has_gauss = true;
    return f * x2;
}

void lt_rng_rand(lt_rng *r, double *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = lt_rng_uniform(r);
}

void lt_rng_randn(lt_rng *r, double *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = lt_rng_gauss(r);
}

uint64_t lt_rng_interval(lt_rng *r, uint64_t max)
{
    if (max == 0)
        return 0;
    /* The smallest all-ones mask covering max: rejection then keeps more
     * than half of the draws. */
    uint64_t mask = max;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    mask |= mask >> 32;
    uint64_t v;
    if (max <= UINT32_MAX) {
        do
            v = lt_rng_next32(r) & mask;
        while (v > max);
    } else {
        do
            v = lt_rng_next64(r) & mask;
        while (v > max);
    }
    return v;
}

int64_t lt_rng_randint(lt_rng *r, int64_t low, int64_t high)
{
    /* numpy draws an offset in [0, high - 1 - low] with the same masked
     * rejection as random_interval; the span is computed unsigned so that
     * the full int64 range does not overflow. */
    uint64_t span = (uint64_t)high - (uint64_t)low - 1u;
    return (int64_t)((uint64_t)low + lt_rng_interval(r, span));
}

void lt_rng_shuffle(lt_rng *r, size_t *a, size_t n)
{
    for (size_t i = n; i-- > 1;) {
        size_t j = (size_t)lt_rng_interval(r, i);
        size_t tmp = a[i];
        a[i] = a[j];
        a[j] = tmp;
    }
}

void lt_rng_permutation(lt_rng *r, size_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = i;
    lt_rng_shuffle(r, out, n);
}
