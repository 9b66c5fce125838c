/* corrupt: a noise layer (gaussian_noise or dropout) applied to a dataset
 * in training mode, the lecture's `noise(X_valid, training=True)`: the
 * noisy inputs a denoising autoencoder is shown cleaning up.
 *
 * The stage runs the network engine's own layer, so the corruption is the
 * one the autoencoder trains with. Its noise comes from one stream seeded
 * with `seed`, drawn split after split (train, valid, test) and row after
 * row, so a run is repeatable. The output keeps the input's metadata and
 * labels; with `split` set it holds that split only. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "latent/stage.h"
#include "nn/layer.h"
#include "nn/net.h"

enum { CORRUPT_ALL = LT_N_SPLITS };
static const char *const split_choices[] = {"train", "valid", "test", "all", NULL};

/* The layers that make sense applied on their own: those with no weights
 * that act only while training. */
static const lt_spec_def *const noise_kinds[] = {
    &lt_layer_gaussian_noise.spec,
    &lt_layer_dropout.spec,
    NULL,
};

struct corrupt_config {
    lt_specs layer;
    int split;
    int64_t seed;
};

#define CFG struct corrupt_config
static const lt_param params[] = {
    LT_SPECS(CFG, layer, LT_REQUIRED | LT_SINGLE, noise_kinds,
             "the corruption, as a layer applied in training mode: "
             "{gaussian_noise: {stddev: 0.2}} or {dropout: {rate: 0.5}}"),
    LT_CHOICE(CFG, split, "all", split_choices,
              "the split to corrupt and pass on (all: every split)"),
    LT_SEED(CFG, seed, "seed of the noise"),
};
#undef CFG

/* Rows per pass through the layer: bounds the network's buffers. */
#define PASS_ROWS 256

/* Writes the n rows x (float32 or float64, per m) corrupted into y. */
static void corrupt_rows(lt_net *net, const lt_mat *m, float *y, float *buf)
{
    size_t width = m->cols;
    for (size_t start = 0; start < m->rows; start += PASS_ROWS) {
        size_t rows = m->rows - start < PASS_ROWS ? m->rows - start : PASS_ROWS;
        const float *x;
        if (m->f) {
            x = m->f + start * width;
        } else {
            for (size_t i = 0; i < rows * width; i++)
                buf[i] = (float)m->v[start * width + i];
            x = buf;
        }
        const float *out = lt_net_forward(net, x, rows, 1, true);
        memcpy(y + start * width, out, rows * width * sizeof *y);
    }
}

/* The root mean square of y - x over a split, what the corruption changed. */
static double rms_change(const lt_mat *m, const float *y)
{
    size_t n = m->rows * m->cols;
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)y[i] - (m->f ? (double)m->f[i] : m->v[i]);
        sum += d * d;
    }
    return n ? sqrt(sum / (double)n) : 0;
}

static int run(lt_ctx *ctx, const void *config, const lt_value *inputs, int n_inputs,
               lt_value *outputs)
{
    (void)n_inputs;
    const struct corrupt_config *cfg = config;
    const lt_data *d = inputs[0].data;
    if (cfg->split != CORRUPT_ALL && !d->split[cfg->split].x)
        return lt_fail(ctx, LT_EINPUT, "split '%s' is absent from the input",
                       lt_split_name(cfg->split));
    if (d->n_features == 0 || d->n_features > 0x7fffffff)
        return lt_fail(ctx, LT_EINPUT, "the input has %zu features; expected 1 to 2^31 - 1",
                       d->n_features);
    uint32_t seed = cfg->seed < 0 ? lt_ctx_seed(ctx) : (uint32_t)cfg->seed;
    lt_nn_shape shape = lt_nn_shape_1d((int)d->n_features);
    lt_net net;
    size_t bad;
    /* A noise layer takes any shape: only memory can fail. */
    if (lt_net_build(&net, cfg->layer.items, 1, &shape, PASS_ROWS, seed, &bad, NULL) != LT_NET_OK)
        return lt_fail(ctx, LT_ERUNTIME, "out of memory for the noise layer");
    float *buf = malloc(PASS_ROWS * d->n_features * sizeof *buf);
    lt_data *o = lt_data_new();
    if (!buf || !o || lt_data_copy_meta(o, d) != 0)
        goto oom;
    for (int s = 0; s < LT_N_SPLITS; s++) {
        const lt_mat *x = d->split[s].x;
        if (!x || (cfg->split != CORRUPT_ALL && cfg->split != s))
            continue;
        if (!(o->split[s].x = lt_mat_new_f32(x->rows, x->cols)))
            goto oom;
        corrupt_rows(&net, x, o->split[s].x->f, buf);
        char key[64];
        snprintf(key, sizeof key, "%s_rms_change", lt_split_name(s));
        lt_report_num(ctx, key, rms_change(x, o->split[s].x->f));
    }
    if (lt_data_copy_rowinfo(o, d) != 0)
        goto oom;
    free(buf);
    lt_net_free(&net);
    outputs[0].data = o;
    return LT_OK;
oom:
    free(buf);
    lt_data_free(&o);
    lt_net_free(&net);
    return lt_fail(ctx, LT_ERUNTIME, "out of memory for the corrupted data");
}

static const lt_output outputs_table[] = {
    {"data", LT_DATASET, "the corrupted splits"},
};

static const lt_metric corrupt_metrics[] = {
    {"{split}_rms_change", "root mean square change the noise made to the split"},
};

const lt_stage_def corrupt_stage = {
    .abi = LT_ABI_VERSION,
    .name = "corrupt",
    .summary = "applies a noise layer (gaussian_noise or dropout) in training mode to the "
               "data, as noise(X, training=True)",
    .params = params,
    .n_params = LT_COUNT(params),
    .config_size = sizeof(struct corrupt_config),
    .min_inputs = 1,
    .max_inputs = 1,
    .outputs = outputs_table,
    .n_outputs = LT_COUNT(outputs_table),
    .accepts_f32 = true,
    .run = run,
    .metrics = corrupt_metrics,
    .n_metrics = LT_COUNT(corrupt_metrics),
};
