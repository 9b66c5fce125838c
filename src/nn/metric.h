/* Metrics reported next to the loss while training (Keras's `metrics=`).
 * Each kind is an item users list by name: `metrics: [rounded_accuracy]`.
 *
 *   rounded_accuracy  share of values where round(t) == round(p) (the
 *                     lecture's: binary_accuracy of the rounded target,
 *                     rounding half to even as tf.round does)
 *   mse               mean of (p - t)^2
 * A metric is the mean over every value seen, so batch sums add up to the
 * epoch's value exactly as Keras's running mean weights batches by size. */
#ifndef LATENT_NN_METRIC_H
#define LATENT_NN_METRIC_H

#include <stddef.h>

#include "latent/stage.h"

typedef struct lt_metric_kind {
    lt_spec_def spec; /* first: an lt_spec's def leads back here */
    /* The sum of the metric's terms over COUNT predictions p and targets t. */
    double (*sum)(const float *p, const float *t, size_t count);
} lt_metric_kind;

extern const lt_metric_kind lt_metric_rounded_accuracy, lt_metric_mse;

/* Every metric kind, NULL-terminated: the kinds of an LT_SPECS parameter. */
extern const lt_spec_def *const lt_metric_kinds[];

static inline const lt_metric_kind *lt_metric_of(const lt_spec *s)
{
    return (const lt_metric_kind *)s->def;
}

#endif
