#include "nn/metric.h"

#include <math.h>

#include "nn/vmath.h"

/* Rounds half to even, as tf.round (and rintf in the default rounding
 * mode) does, with adds the compiler can vectorise: adding 1.5 * 2^23
 * leaves no fraction bits. Values beyond 2^22 are integers already. */
static inline float round_even(float x)
{
    const float magic = 12582912.0f;
    float r = (x + magic) - magic;
    return lt_selectf(fabsf(x) < 4194304.0f, r, x);
}

LT_SIMD_CLONES
static double rounded_accuracy(const float *p, const float *t, size_t count)
{
    double total = 0;
    /* Counted in unsigned chunks, which vectorise, well below 2^32 each. */
    for (size_t start = 0; start < count; start += 1u << 20) {
        size_t n = count - start < (1u << 20) ? count - start : 1u << 20;
        const float *pc = p + start, *tc = t + start;
        unsigned hits = 0;
        for (size_t i = 0; i < n; i++) {
            /* binary_accuracy(round(t), round(p)) thresholds the rounded
             * prediction at 0.5: it counts as 1 when it rounds to 1 or more. */
            float want = round_even(tc[i]);
            float got = lt_selectf(round_even(pc[i]) > 0.5f, 1.0f, 0.0f);
            hits += want == got;
        }
        total += hits;
    }
    return total;
}

LT_SIMD_CLONES
static double squared_error(const float *p, const float *t, size_t count)
{
    double sum = 0;
    for (size_t i = 0; i < count; i++) {
        float e = p[i] - t[i];
        sum += (double)(e * e);
    }
    return sum;
}

const lt_metric_kind lt_metric_rounded_accuracy = {
    .spec = {.name = "rounded_accuracy",
             .summary = "share of values whose rounded prediction equals the rounded target"},
    .sum = rounded_accuracy,
};

const lt_metric_kind lt_metric_mse = {
    .spec = {.name = "mse", .summary = "mean squared error"},
    .sum = squared_error,
};

const lt_spec_def *const lt_metric_kinds[] = {&lt_metric_rounded_accuracy.spec,
                                              &lt_metric_mse.spec, NULL};
