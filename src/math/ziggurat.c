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
 * values for 128 strips. */
#include "math/ziggurat.h"

#include <math.h>

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

/* Uniform on (0, 1), never 0, for the logarithms. */
static double open_uniform(lt_rng *r)
{
    return ((double)lt_rng_next32(r) + 0.5) / 4294967296.0;
}

/* A value beyond R from the tail exp(-x^2/2), x > R (Marsaglia, 1964). */
static double tail(lt_rng *r)
{
    double x, y;
    do {
        x = -log(open_uniform(r)) / R;
        y = -log(open_uniform(r));
    } while (y + y < x * x);
    return R + x;
}

static float draw(const lt_ziggurat *z, lt_rng *r)
{
    for (;;) {
        uint32_t u = lt_rng_next32(r);
        unsigned strip = u & (LT_ZIGGURAT_STRIPS - 1);
        /* +1 or -1 from bit 7, without a branch (a coin flip mispredicts). */
        float sign = (float)(1 - (int)((u >> 6) & 2));
        uint32_t j = u >> 8;
        float x = (float)j * z->w[strip];
        if (j < z->k[strip])
            return sign * x;
        if (strip == 0)
            return sign * (float)tail(r);
        /* In the wedge between the strip above's edge and this one's. */
        double y = z->f[strip] + open_uniform(r) * (z->f[strip - 1] - z->f[strip]);
        if (y < exp(-0.5 * (double)x * (double)x))
            return sign * x;
    }
}

void lt_ziggurat_fill(const lt_ziggurat *z, lt_rng *r, float *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = draw(z, r);
}
