/* dense: y = act(x W + b) on the last axis, Keras's Dense.
 *
 * The kernel W is [inputs, units] row-major (Keras's layout) followed by
 * the bias b [units]. Like Keras, a dense layer on a [t, f] input acts on
 * each of the t rows of f values (what time_distributed(dense) does): the
 * batch is then n * t rows for the matrix products. */
#include <cblas.h>
#include <stdio.h>
#include <string.h>

#include "nn/activation.h"
#include "nn/init.h"
#include "nn/kernels.h"
#include "nn/layer.h"

struct dense_config {
    int units;
    int activation;
    bool use_bias;
    int kernel_initializer;
};

#define CFG struct dense_config
static const lt_param params[] = {
    {.name = "units", .help = "output values per input row", .offset = LT_FIELD(CFG, units, int),
     .type = LT_P_INT, .flags = LT_REQUIRED, .min = 1, .max = 1 << 24},
    LT_CHOICE(CFG, activation, "linear", lt_act_names, "activation applied to x W + b"),
    LT_BOOL(CFG, use_bias, true, "add a bias vector (initialised to zero)"),
    LT_CHOICE(CFG, kernel_initializer, "glorot_uniform", lt_init_names,
              "how the kernel's weights are drawn"),
};
#undef CFG

static int infer(const void *config, const lt_nn_shape *in, lt_nn_shape *out, char *err,
                 size_t err_size)
{
    const struct dense_config *c = config;
    (void)err;
    (void)err_size;
    if (in->rank == LT_NN_UNKNOWN) {
        *out = lt_nn_shape_unknown();
        return 0;
    }
    *out = *in;
    out->dim[in->rank - 1] = c->units;
    return 0;
}

static size_t fan_in(const lt_layer *l)
{
    return (size_t)l->in.dim[l->in.rank - 1];
}

static int plan(lt_layer *l)
{
    const struct dense_config *c = l->config;
    size_t units = (size_t)c->units;
    l->n_weights = fan_in(l) * units + (c->use_bias ? units : 0);
    return 0;
}

static void init(lt_layer *l, lt_rng *rng)
{
    const struct dense_config *c = l->config;
    size_t units = (size_t)c->units, inputs = fan_in(l);
    lt_init_fill(c->kernel_initializer, l->w, inputs * units, inputs, units, rng);
    if (c->use_bias)
        memset(l->w + inputs * units, 0, units * sizeof *l->w);
}

static void forward(lt_layer *l, const float *x, float *y, size_t n, bool train)
{
    (void)train;
    const struct dense_config *c = l->config;
    int units = c->units, inputs = (int)fan_in(l);
    int rows = (int)(n * (l->in_size / (size_t)inputs));
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, units, inputs, 1.0f, x, inputs,
                l->w, units, 0.0f, y, units);
    if (c->use_bias)
        lt_act_forward_bias(c->activation, y, l->w + (size_t)inputs * (size_t)units,
                            (size_t)rows, (size_t)units);
    else
        lt_act_forward(c->activation, y, (size_t)rows, (size_t)units);
}

static void backward(lt_layer *l, const float *x, const float *y, float *dy, float *dx,
                     size_t n)
{
    const struct dense_config *c = l->config;
    int units = c->units, inputs = (int)fan_in(l);
    int rows = (int)(n * (l->in_size / (size_t)inputs));
    lt_act_backward(c->activation, y, dy, (size_t)rows, (size_t)units);
    /* dy now holds dL/dz for z = x W + b. The input gradient goes first:
     * with sgd_rate set, W changes below. */
    if (dx)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, inputs, units, 1.0f, dy,
                    units, l->w, units, 0.0f, dx, inputs);
    /* Either W -= rate x' dz in place, or g = x' dz. */
    bool fused = l->sgd_rate > 0;
    float *kernel = fused ? l->w : l->g;
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, inputs, units, rows,
                fused ? -l->sgd_rate : 1.0f, x, inputs, dy, units, fused ? 1.0f : 0.0f, kernel,
                units);
    if (c->use_bias) {
        float *bias = kernel + (size_t)inputs * (size_t)units;
        lt_column_sums(dy, (size_t)rows, (size_t)units, fused ? -l->sgd_rate : 1.0f, !fused,
                       bias);
    }
}

static bool affine(const void *config)
{
    const struct dense_config *c = config;
    return c->activation == LT_ACT_LINEAR;
}

const lt_layer_kind lt_layer_dense = {
    .spec = {.name = "dense",
             .summary = "fully connected layer on the last axis: act(x W + b)",
             .params = params,
             .n_params = LT_COUNT(params),
             .config_size = sizeof(struct dense_config)},
    .infer = infer,
    .plan = plan,
    .init = init,
    .forward = forward,
    .backward = backward,
    .affine = affine,
    .fuses_sgd = true,
};
