#include "nn/init.h"

#include <math.h>
#include <string.h>

const char *const lt_init_names[] = {"glorot_uniform", "glorot_normal", "he_normal",
                                     "lecun_normal", "zeros", NULL};

/* The standard deviation of a unit normal truncated to [-2, 2]. */
#define TRUNCATED_SD 0.87962566103423978

static void truncated_normal(float *w, size_t n, double sd, lt_rng *rng)
{
    for (size_t i = 0; i < n; i++) {
        double z;
        do
            z = lt_rng_gauss(rng);
        while (fabs(z) > 2.0);
        w[i] = (float)(z * sd);
    }
}

void lt_init_fill(lt_init init, float *w, size_t n, size_t fan_in, size_t fan_out, lt_rng *rng)
{
    double in = fan_in ? (double)fan_in : 1, avg = (double)(fan_in + fan_out) / 2;
    if (avg < 1)
        avg = 1;
    switch (init) {
    case LT_INIT_GLOROT_UNIFORM: {
        double limit = sqrt(3.0 / avg);
        for (size_t i = 0; i < n; i++)
            w[i] = (float)((2 * lt_rng_uniform(rng) - 1) * limit);
        break;
    }
    case LT_INIT_GLOROT_NORMAL: truncated_normal(w, n, sqrt(1.0 / avg) / TRUNCATED_SD, rng); break;
    case LT_INIT_HE_NORMAL: truncated_normal(w, n, sqrt(2.0 / in) / TRUNCATED_SD, rng); break;
    case LT_INIT_LECUN_NORMAL: truncated_normal(w, n, sqrt(1.0 / in) / TRUNCATED_SD, rng); break;
    case LT_INIT_ZEROS: memset(w, 0, n * sizeof *w); break;
    }
}
