/* The ziggurat method; see ziggurat.h.
 *
 * The area under f(x) = exp(-x^2/2), x >= 0, is covered by 127 rectangles
 * stacked on a base strip, all of the same area V. Strip 0 is the base: a
 * rectangle [0, R] x [0, f(R)] plus the tail beyond R, drawn as one
 * rectangle of width V / f(R). Strip i >= 1 spans [0, x_i] horizontally and
 * [f(x_i), f(x_{i-1})] vertically, with x_0 = 0 at the top (f = 1) and
 * x_127 = R at the bottom. A point drawn uniformly in a strip at position
 * x < x_{i-1} (the right edge of the strip above) lies under the curve and
 * is returned at once; otherwise it is tested against the curve, or for
 * the base strip sampled from the tail. R and V are Marsaglia and Tsang's
 * values for 128 strips.
 *
 * A fill takes the stream's words in bulk and runs the first test on 16
 * (or 8) at a time, as long as they pass; a word that does not is drawn
 * the slow way, one at a time, and the words go on from where it stopped:
 * the same values, from the same words, as drawing one by one. */
#include "math/ziggurat.h"

#include <math.h>
#include <stdbool.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#define R 3.442619855899
#define V 9.91256303526217e-3
#define POSITIONS 16777216.0 /* 2^24 positions along a strip */

void lt_ziggurat_init(lt_ziggurat *z)
{
    double edge[LT_ZIGGURAT_STRIPS]; /* edge[i] = x_i */
    edge[LT_ZIGGURAT_STRIPS - 1] = R;
    for (int i = LT_ZIGGURAT_STRIPS - 2; i >= 1; i--) {
        double below = edge[i + 1];
        edge[i] = sqrt(-2.0 * log(V / below + exp(-0.5 * below * below)));
    }
    edge[0] = 0;
    double base_width = V / exp(-0.5 * R * R);
    z->k[0] = (uint32_t)(R / base_width * POSITIONS);
    z->w[0] = (float)(base_width / POSITIONS);
    z->f[0] = 1.0f;
    for (int i = 1; i < LT_ZIGGURAT_STRIPS; i++) {
        z->k[i] = (uint32_t)(edge[i - 1] / edge[i] * POSITIONS);
        z->w[i] = (float)(edge[i] / POSITIONS);
        z->f[i] = (float)exp(-0.5 * edge[i] * edge[i]);
    }
}

/* The stream's words, drawn ahead in bulk (lt_rng_fill32) into u[at, len)
 * and then straight from R: the order is the stream's either way. */
struct words {
    lt_rng *r;
    size_t at, len;
    uint32_t u[256];
};

static uint32_t next_word(struct words *w)
{
    return w->at < w->len ? w->u[w->at++] : lt_rng_next32(w->r);
}

/* Uniform on (0, 1), never 0, for the logarithms. */
static double open_uniform(struct words *w)
{
    return ((double)next_word(w) + 0.5) / 4294967296.0;
}

/* A value beyond R from the tail exp(-x^2/2), x > R (Marsaglia, 1964). */
static double tail(struct words *w)
{
    double x, y;
    do {
        x = -log(open_uniform(w)) / R;
        y = -log(open_uniform(w));
    } while (y + y < x * x);
    return R + x;
}

/* The value of word U where it lies under the curve at once (*under set),
 * as draw's first step computes it. */
static inline float fast_value(const lt_ziggurat *z, uint32_t u, bool *under)
{
    unsigned strip = u & (LT_ZIGGURAT_STRIPS - 1);
    /* +1 or -1 from bit 7, without a branch (a coin flip mispredicts). */
    float sign = (float)(1 - (int)((u >> 6) & 2));
    uint32_t j = u >> 8;
    *under = j < z->k[strip];
    return sign * ((float)j * z->w[strip]);
}

static float draw(const lt_ziggurat *z, struct words *w)
{
    for (;;) {
        uint32_t u = next_word(w);
        bool under;
        float v = fast_value(z, u, &under);
        if (under)
            return v;
        /* V is the signed value: sign * x, with x = |V| exactly. */
        unsigned strip = u & (LT_ZIGGURAT_STRIPS - 1);
        if (strip == 0)
            return copysignf((float)tail(w), v);
        /* In the wedge between the strip above's edge and this one's. */
        double x = fabsf(v);
        double y = z->f[strip] + open_uniform(w) * (z->f[strip - 1] - z->f[strip]);
        if (y < exp(-0.5 * x * x))
            return v;
    }
}

/* OUT[0, m) from the words U[0, m) for as long as each lies under the
 * curve at once (98.8% of them): returns how many did. */
static size_t fast_run_plain(const lt_ziggurat *z, const uint32_t *u, size_t m, float *out)
{
    size_t t = 0;
    for (bool under = true; t < m; t++) {
        out[t] = fast_value(z, u[t], &under);
        if (!under)
            break;
    }
    return t;
}

#if defined(__x86_64__)

/* The same 16 or 8 words at a time: the strips' table entries looked up
 * for each word, the sign (bit 7) moved to the float's sign bit, which is
 * what multiplying by -1 does, and the run cut at the first word not under
 * the curve. */

/* Entry STRIP of a 128-entry table T held in 8 registers: four 32-entry
 * permutes, then bits 5 and 6 of the strip choose among them (gathers
 * from memory take several times as long). */
__attribute__((target("avx512f"))) static inline __m512i
lookup128(const __m512i t[8], __m512i strip, __mmask16 bit5, __mmask16 bit6)
{
    __m512i a = _mm512_permutex2var_epi32(t[0], strip, t[1]);
    __m512i b = _mm512_permutex2var_epi32(t[2], strip, t[3]);
    __m512i c = _mm512_permutex2var_epi32(t[4], strip, t[5]);
    __m512i d = _mm512_permutex2var_epi32(t[6], strip, t[7]);
    return _mm512_mask_blend_epi32(bit6, _mm512_mask_blend_epi32(bit5, a, b),
                                   _mm512_mask_blend_epi32(bit5, c, d));
}

__attribute__((target("avx512f"))) static size_t
fast_run_avx512(const lt_ziggurat *z, const uint32_t *u, size_t m, float *out)
{
    __m512i k[8], w[8];
    for (int i = 0; i < 8; i++) {
        k[i] = _mm512_loadu_si512(z->k + 16 * i);
        w[i] = _mm512_castps_si512(_mm512_loadu_ps(z->w + 16 * i));
    }
    const __m512i strips = _mm512_set1_epi32(LT_ZIGGURAT_STRIPS - 1);
    const __m512i sign_bit = _mm512_set1_epi32((int)0x80000000u);
    size_t t = 0;
    for (; t + 16 <= m; t += 16) {
        __m512i v = _mm512_loadu_si512(u + t), strip = _mm512_and_si512(v, strips);
        __mmask16 bit5 = _mm512_test_epi32_mask(v, _mm512_set1_epi32(32));
        __mmask16 bit6 = _mm512_test_epi32_mask(v, _mm512_set1_epi32(64));
        __m512i j = _mm512_srli_epi32(v, 8);
        __mmask16 under = _mm512_cmplt_epu32_mask(j, lookup128(k, strip, bit5, bit6));
        __m512 width = _mm512_castsi512_ps(lookup128(w, strip, bit5, bit6));
        __m512 x = _mm512_mul_ps(_mm512_cvtepi32_ps(j), width);
        __m512i sign = _mm512_and_si512(_mm512_slli_epi32(v, 24), sign_bit);
        _mm512_storeu_ps(out + t,
                         _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(x), sign)));
        if (under != 0xffff)
            return t + (size_t)__builtin_ctz(~(unsigned)under);
    }
    return t + fast_run_plain(z, u + t, m - t, out + t);
}

__attribute__((target("avx2"))) static size_t fast_run_avx2(const lt_ziggurat *z, const uint32_t *u,
                                                            size_t m, float *out)
{
    size_t t = 0;
    const __m256i strips = _mm256_set1_epi32(LT_ZIGGURAT_STRIPS - 1);
    const __m256i sign_bit = _mm256_set1_epi32((int)0x80000000u);
    for (; t + 8 <= m; t += 8) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(u + t));
        __m256i strip = _mm256_and_si256(v, strips), j = _mm256_srli_epi32(v, 8);
        /* j < 2^24 and k <= 2^24: a signed comparison is the unsigned one. */
        __m256i k = _mm256_i32gather_epi32((const int *)z->k, strip, 4);
        unsigned under =
            (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpgt_epi32(k, j)));
        __m256 x = _mm256_mul_ps(_mm256_cvtepi32_ps(j), _mm256_i32gather_ps(z->w, strip, 4));
        __m256i sign = _mm256_and_si256(_mm256_slli_epi32(v, 24), sign_bit);
        _mm256_storeu_ps(out + t,
                         _mm256_castsi256_ps(_mm256_xor_si256(_mm256_castps_si256(x), sign)));
        if (under != 0xff)
            return t + (size_t)__builtin_ctz(~under);
    }
    return t + fast_run_plain(z, u + t, m - t, out + t);
}

static size_t fast_run(const lt_ziggurat *z, const uint32_t *u, size_t m, float *out)
{
    if (__builtin_cpu_supports("avx512f"))
        return fast_run_avx512(z, u, m, out);
    if (__builtin_cpu_supports("avx2"))
        return fast_run_avx2(z, u, m, out);
    return fast_run_plain(z, u, m, out);
}

#else

static size_t fast_run(const lt_ziggurat *z, const uint32_t *u, size_t m, float *out)
{
    return fast_run_plain(z, u, m, out);
}

#endif

void lt_ziggurat_fill(const lt_ziggurat *z, lt_rng *r, float *out, size_t n)
{
    struct words w = {.r = r};
    for (size_t i = 0; i < n;) {
        /* Every value takes one word at least: never more drawn ahead than
         * values still to make, so none the one-by-one draws would not. */
        if (w.at == w.len) {
            w.len = n - i < sizeof w.u / sizeof *w.u ? n - i : sizeof w.u / sizeof *w.u;
            w.at = 0;
            lt_rng_fill32(r, w.u, w.len);
        }
        /* As many words as values at most are left, by the same count. */
        size_t m = w.len - w.at, done = fast_run(z, w.u + w.at, m, out + i);
        w.at += done;
        i += done;
        /* The word at w.at (if any is left) takes the slow way. */
        if (done < m)
            out[i++] = draw(z, &w);
    }
}
