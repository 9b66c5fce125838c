#include "nn/metric.h"

#include <math.h>

static double rounded_accuracy(const float *p, const float *t, size_t count)
{
    size_t hits = 0;
    for (size_t i = 0; i < count; i++) {
        /* binary_accuracy(round(t), round(p)) thresholds the rounded
         * prediction at 0.5, so it counts as 1 exactly when rint(p) >= 1. */
        float want = rintf(t[i]), got = rintf(p[i]) > 0.5f ? 1.0f : 0.0f;
        hits += want == got;
    }
    return (double)hits;
}

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
