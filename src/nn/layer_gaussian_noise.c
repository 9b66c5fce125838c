/* gaussian_noise: y = x + stddev * N(0, 1) while training, y = x at
 * inference, Keras's GaussianNoise (a regulariser, and the corruption of a
 * denoising autoencoder).
 *
 * The noise comes from the network's training-time stream (l->rng), so a
 * run is repeatable for a given seed. The layer has no weights and keeps
 * nothing for backward: the noise is additive, so dL/dx = dL/dy. Its
 * state is the ziggurat's tables, for fast normal draws. */
#include <stdlib.h>
#include <string.h>

#include "math/ziggurat.h"
#include "nn/layer.h"

struct gaussian_noise_config {
    double stddev;
};

static const lt_param params[] = {
    LT_REAL(struct gaussian_noise_config, stddev, 0, 0, 1e300, LT_REQUIRED,
            "standard deviation of the noise added to every value while training"),
};

static int plan(lt_layer *l)
{
    lt_ziggurat *z = malloc(sizeof *z);
    if (!z)
        return -1;
    lt_ziggurat_init(z);
    l->state = z;
    return 0;
}

static void release(lt_layer *l)
{
    free(l->state);
    l->state = NULL;
}

static void forward(lt_layer *l, const float *x, float *y, size_t n, bool train)
{
    const struct gaussian_noise_config *c = l->config;
    size_t count = n * l->in_size;
    if (!train || c->stddev == 0) {
        memcpy(y, x, count * sizeof *y);
        return;
    }
    lt_ziggurat_fill(l->state, l->rng, y, count);
    float s = (float)c->stddev;
    for (size_t i = 0; i < count; i++)
        y[i] = x[i] + s * y[i];
}

static void backward(lt_layer *l, const float *x, const float *y, float *dy, float *dx,
                     size_t n)
{
    (void)x;
    (void)y;
    if (dx)
        memcpy(dx, dy, n * l->in_size * sizeof *dx);
}

const lt_layer_kind lt_layer_gaussian_noise = {
    .spec = {.name = "gaussian_noise",
             .summary = "adds zero-mean normal noise while training; the identity at inference",
             .params = params,
             .n_params = LT_COUNT(params),
             .config_size = sizeof(struct gaussian_noise_config)},
    .infer = lt_layer_same_shape,
    .plan = plan,
    .forward = forward,
    .backward = backward,
    .release = release,
};
