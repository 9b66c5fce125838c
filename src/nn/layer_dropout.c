/* dropout: while training, each value is zeroed with probability `rate`
 * and the kept ones are scaled by 1 / (1 - rate), so the expected output
 * equals the input (Keras's inverted dropout); the identity at inference.
 *
 * The mask comes from the network's training-time stream (l->rng): one
 * 32-bit draw per value, kept when it is at least rate * 2^32. The cache
 * keeps each value's factor (0 or 1 / (1 - rate)) for backward, which
 * applies the same factors to the gradient. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "nn/layer.h"

struct dropout_config {
    double rate;
};

static const lt_param params[] = {
    LT_REAL(struct dropout_config, rate, 0, 0, 1, LT_REQUIRED | LT_MAX_OPEN,
            "fraction of the values zeroed while training"),
};

static int plan(lt_layer *l)
{
    l->cache_size = l->in_size;
    return 0;
}

/* The 32-bit draws below which a value is dropped: rate * 2^32. */
static uint64_t drop_threshold(double rate)
{
    return (uint64_t)llround(rate * 4294967296.0);
}

static void forward(lt_layer *l, const float *x, float *y, size_t n, bool train)
{
    const struct dropout_config *c = l->config;
    size_t count = n * l->in_size;
    if (!train) {
        memcpy(y, x, count * sizeof *y);
        return;
    }
    uint64_t threshold = drop_threshold(c->rate);
    /* Indexed by the comparison rather than branched on, which would
     * mispredict half the time at rate 0.5. */
    const float choice[2] = {0.0f, (float)(1.0 / (1.0 - c->rate))};
    float *factor = l->cache;
    /* The stream's words in bulk, the same ones one call each would draw. */
    uint32_t words[256];
    for (size_t at = 0; at < count; at += sizeof words / sizeof *words) {
        size_t len =
            count - at < sizeof words / sizeof *words ? count - at : sizeof words / sizeof *words;
        lt_rng_fill32(l->rng, words, len);
        for (size_t i = 0; i < len; i++) {
            factor[at + i] = choice[words[i] >= threshold];
            y[at + i] = x[at + i] * factor[at + i];
        }
    }
}

/* Follows a training forward pass, whose factors are in the cache. */
static void backward(lt_layer *l, const float *x, const float *y, float *dy, float *dx,
                     size_t n)
{
    (void)x;
    (void)y;
    if (!dx)
        return;
    const float *factor = l->cache;
    size_t count = n * l->in_size;
    for (size_t i = 0; i < count; i++)
        dx[i] = dy[i] * factor[i];
}

const lt_layer_kind lt_layer_dropout = {
    .spec = {.name = "dropout",
             .summary = "zeroes a fraction `rate` of the values while training and scales the "
                        "rest by 1 / (1 - rate); the identity at inference",
             .params = params,
             .n_params = LT_COUNT(params),
             .config_size = sizeof(struct dropout_config)},
    .infer = lt_layer_same_shape,
    .plan = plan,
    .forward = forward,
    .backward = backward,
};
