/* autoencoder: a network trained to reproduce its input through a narrow
 * code, Keras's Sequential([encoder, decoder]) fitted with fit(X, X).
 *
 * The layer lists, loss, optimiser and training settings come from the
 * pipeline file; shapes are checked before anything runs (as far as they
 * can be without the data) and again with the data's shape before any
 * weight is allocated. The stage trains on the train split, validates on
 * the valid split after each epoch, saves its weights in its model
 * (models/<stage>.npz, ae_model.c), and passes on the codings of every
 * split and, when a stage reads it (input: STAGE.reconstruction), their
 * reconstructions: one network trained once for both.
 *
 * Matrix products of batch-sized operands take tens of microseconds, less
 * than OpenBLAS needs to wake and join its threads: with batches under
 * BLAS_THREADED_BATCH the stage runs OpenBLAS on one thread (and restores
 * the runner's setting when it returns). The run's threads then share the
 * work instead, with OpenBLAS on one thread inside each: a dense network's
 * batches by rows, each thread its share through the whole network
 * (nn/shares.h; the numbers then depend on --threads, deterministically),
 * other layers' blocks of samples (nn/parallel.h: the convolutions), which
 * give the same numbers on any --threads.
 *
 * A second input is data to apply the trained network to instead: its
 * codings and reconstructions go downstream (a denoising autoencoder's
 * reconstructions of noisy images, say, with the clean images to train on
 * as the first input). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "core/ctx.h"
#include "core/dist.h"
#include "nn/eval.h"
#include "nn/layer.h"
#include "nn/loss.h"
#include "nn/metric.h"
#include "nn/optim.h"
#include "nn/parallel.h"
#include "core/model.h"
#include "stages/autoencoder.h"

#define BLAS_THREADED_BATCH 128

static const lt_output outputs_table[] = {
    [AE_OUTPUT_CODINGS] = {"codings", LT_DATASET,
                           "the encoder's output for every split (of the second input when there is one)"},
    [AE_OUTPUT_RECONSTRUCTION] = {"reconstruction", LT_DATASET,
                                  "the decoder's output for the same rows; per-row value: the row's "
                                  "mean squared reconstruction error"},
};

#define CFG struct autoencoder_config
static const lt_param params[] = {
    LT_SPECS(CFG, encoder, LT_REQUIRED, lt_layer_kinds,
             "the encoder's layers, from the input to the codings, e.g. "
             "[flatten, {dense: {units: 30, activation: selu}}]"),
    LT_SPECS(CFG, decoder, LT_REQUIRED, lt_layer_kinds,
             "the decoder's layers, from the codings to an output of the input's shape"),
    LT_CHOICE(CFG, loss, "mse", lt_loss_names,
              "training loss: mse, or binary_crossentropy for outputs in [0, 1]"),
    LT_SPECS(CFG, optimizer, LT_SINGLE, lt_optim_kinds,
             "the optimiser and its settings, e.g. {sgd: {learning_rate: 1.5}} "
             "(default rmsprop, as Keras's compile)"),
    LT_SPECS(CFG, metrics, 0, lt_metric_kinds,
             "metrics reported next to the loss, e.g. [rounded_accuracy]"),
    LT_INT(CFG, epochs, 1, 0, 1000000, 0,
           "passes over the training split; 0 uses the loaded weights as they are"),
    LT_INT(CFG, batch_size, 32, 1, 1 << 20, 0, "samples per gradient step"),
    LT_BOOL(CFG, shuffle, true, "draw a new order of the training rows every epoch"),
    LT_SEED(CFG, seed, "seed of the initial weights, the shuffling and training-time noise"),
    LT_INT(CFG, patience, 0, 0, 1000000, 0,
           "stop after this many epochs without a lower validation loss (training "
           "loss when there is no valid split); 0 never stops early"),
    LT_BOOL(CFG, restore_best, false,
            "end with the weights of the epoch with the lowest monitored loss"),
    LT_PATH(CFG, weights, NULL, LT_NULLABLE,
            "weights to start training from instead of random ones: the "
            "models/<stage>.npz an earlier run of the same network saved (from: applies "
            "one without training)"),
};
#undef CFG

void ae_layer_name(const struct autoencoder_config *cfg, size_t i, char *buf, size_t size)
{
    if (i < cfg->encoder.n)
        snprintf(buf, size, "encoder[%zu]", i);
    else
        snprintf(buf, size, "decoder[%zu]", i - cfg->encoder.n);
}

static const lt_spec *layer_spec(const struct autoencoder_config *cfg, size_t i)
{
    return i < cfg->encoder.n ? &cfg->encoder.items[i] : &cfg->decoder.items[i - cfg->encoder.n];
}

/* Layer I's name and kind for messages ("encoder[2] dense"). */
static void layer_what(const struct autoencoder_config *cfg, size_t i, char *buf, size_t size)
{
    char name[32];
    ae_layer_name(cfg, i, name, sizeof name);
    snprintf(buf, size, "%s %s", name, layer_spec(cfg, i)->def->name);
}

/* The shape error the network recorded in D, at layer I's place. */
static int fail_layer(lt_ctx *ctx, const struct autoencoder_config *cfg, size_t i, lt_diag *d)
{
    const lt_spec *s = layer_spec(cfg, i);
    char what[64];
    layer_what(cfg, i, what, sizeof what);
    bool enc = i < cfg->encoder.n;
    return lt_ctx_take_item(ctx, d, LT_EINPUT, enc ? "encoder" : "decoder",
                            enc ? i : i - cfg->encoder.n, s->line, s->col, what);
}

/* The layer specs of encoder and decoder in one array (owned; the items
 * are shallow copies of the config's), or NULL when out of memory. */
static lt_spec *joined_specs(const struct autoencoder_config *cfg)
{
    size_t n = cfg->encoder.n + cfg->decoder.n;
    lt_spec *s = malloc((n ? n : 1) * sizeof *s);
    if (!s)
        return NULL;
    memcpy(s, cfg->encoder.items, cfg->encoder.n * sizeof *s);
    memcpy(s + cfg->encoder.n, cfg->decoder.items, cfg->decoder.n * sizeof *s);
    return s;
}

/* Infers every layer's shape from IN; reports the first layer that cannot
 * take its input. */
static int check_shapes(lt_ctx *ctx, const struct autoencoder_config *cfg, const lt_nn_shape *in)
{
    size_t n = cfg->encoder.n + cfg->decoder.n, bad = 0;
    lt_spec *specs = joined_specs(cfg);
    lt_nn_shape *shapes = malloc((n + 1) * sizeof *shapes);
    lt_diag d = {.limit = 1};
    int rc = LT_OK;
    if (!specs || !shapes)
        rc = lt_fail(ctx, LT_ERUNTIME, "out of memory");
    else if (lt_net_infer(specs, n, in, shapes, &bad, &d) != 0)
        rc = fail_layer(ctx, cfg, bad, &d);
    free(specs);
    free(shapes);
    return rc;
}

static int check(lt_ctx *ctx, const void *config)
{
    const struct autoencoder_config *cfg = config;
    if (cfg->encoder.n == 0 || cfg->decoder.n == 0)
        return lt_fail(ctx, LT_EINPUT, "the %s has no layers; give at least one",
                       cfg->encoder.n == 0 ? "encoder" : "decoder");
    if (cfg->epochs == 0 && !cfg->weights)
        return lt_fail(ctx, LT_EINPUT,
                       "epochs is 0 and no weights are given: nothing to train and nothing "
                       "to load");
    if (cfg->metrics.n > AE_MAX_METRICS)
        return lt_fail(ctx, LT_EINPUT, "%zu metrics are listed; at most %d are supported",
                       cfg->metrics.n, AE_MAX_METRICS);
    for (size_t i = 0; i < cfg->metrics.n; i++)
        for (size_t j = 0; j < i; j++)
            if (cfg->metrics.items[i].def == cfg->metrics.items[j].def)
                return lt_fail(ctx, LT_EINPUT, "metrics lists %s twice",
                               cfg->metrics.items[i].def->name);
    lt_nn_shape unknown = lt_nn_shape_unknown();
    return check_shapes(ctx, cfg, &unknown);
}

/* Float32 views of every split of D in xs (the copies made are left in
 * owned, to free()). */
static int float_views(lt_ctx *ctx, const lt_data *d, const float **xs, float **owned)
{
    for (int s = 0; s < LT_N_SPLITS; s++)
        if (d->split[s].x && !(xs[s] = ae_f32(d->split[s].x, &owned[s])))
            return lt_fail(ctx, LT_ERUNTIME, "out of memory converting the input to float32");
    return LT_OK;
}

/* Data parallel over MPI ranks (D in row blocks): every rank trains on all
 * rows, each taking its share of every batch, so each gets the float
 * rows of every split (ALL, owned) from its block's (XS). */
static int gather_views(lt_ctx *ctx, const lt_data *d, const float *const *xs, float **all)
{
    for (int s = 0; s < LT_N_SPLITS; s++) {
        size_t total;
        if (d->split[s].x &&
            lt_dist_allgather_f32(xs[s], d->split[s].x->rows, d->split[s].x->cols, &all[s], &total) != 0)
            return lt_fail(ctx, LT_ERUNTIME, "out of memory gathering the rows to every rank");
    }
    return LT_OK;
}

/* Noise layers draw from the network's one stream as they go, so ranks
 * training on different shares of a batch would draw differently. */
static int check_spread(lt_ctx *ctx, const ae_model *m)
{
    for (size_t i = 0; i < m->net.n_layers; i++) {
        const char *kind = m->specs[i].def->name;
        if (!strcmp(kind, "dropout") || !strcmp(kind, "gaussian_noise"))
            return lt_fail(ctx, LT_EINPUT, "a %s layer cannot train on several MPI ranks (each "
                           "rank would draw its own noise); run it without mpirun", kind);
    }
    return LT_OK;
}
/* Builds the model for the data's shape; reports shape errors at the
 * layer's place, and a decoder whose output differs from the input. */
static int build_model(lt_ctx *ctx, const struct autoencoder_config *cfg, const lt_nn_shape *in,
                       size_t batch, uint32_t seed, ae_model *m)
{
    size_t n = cfg->encoder.n + cfg->decoder.n, bad = 0;
    m->n_encoder = cfg->encoder.n;
    if (!(m->specs = joined_specs(cfg)))
        return lt_fail(ctx, LT_ERUNTIME, "out of memory");
    lt_diag d = {.limit = 1};
    int rc = lt_net_build(&m->net, m->specs, n, in, batch, seed, &bad, &d);
    if (rc == LT_NET_ESHAPE)
        return fail_layer(ctx, cfg, bad, &d);
    if (rc != LT_NET_OK)
        return lt_fail(ctx, LT_ERUNTIME, "out of memory for the network's buffers");
    const lt_nn_shape *out = &m->net.layers[n - 1].out;
    if (!lt_nn_shape_equal(out, in)) {
        char a[64], b[64], what[64], name[32];
        layer_what(cfg, n - 1, what, sizeof what);
        ae_layer_name(cfg, n - 1, name, sizeof name);
        const lt_spec *s = layer_spec(cfg, n - 1);
        return lt_fail_item(ctx, LT_EINPUT, name, s->line, s->col,
                            "%s: the decoder's output %s differs from the input's shape %s; an "
                            "autoencoder must reproduce its input",
                            what, lt_nn_shape_text(out, a, sizeof a), lt_nn_shape_text(in, b, sizeof b));
    }
    return LT_OK;
}

static void free_model(ae_model *m)
{
    lt_net_free(&m->net);
    free(m->specs);
    m->specs = NULL;
}

/* Starting weights from the saved model at PATH (an autoencoder's .npz). */
static int load_weights(lt_ctx *ctx, const char *path, ae_model *m)
{
    char err[1024];
    lt_model *saved = lt_model_read(path, err, sizeof err);
    if (!saved)
        return lt_fail(ctx, LT_EINPUT, "weights: %s", err);
    const char *kind = lt_model_text(saved, LT_MODEL_KIND_KEY);
    int rc = strcmp(kind, "autoencoder") == 0
                 ? ae_load_model(ctx, saved, m)
                 : lt_fail(ctx, LT_EINPUT, "weights: %s: the model was saved by a %s stage, not "
                           "an autoencoder", path, kind);
    lt_model_free(saved);
    return rc;
}

static int train(lt_ctx *ctx, const struct autoencoder_config *cfg, ae_model *m,
                 const float *x, size_t n, const float *vx, size_t vn, bool spread, lt_history *h)
{
    const lt_spec *spec = cfg->optimizer.n == 1 ? &cfg->optimizer.items[0] : lt_optim_default();
    lt_optim opt;
    if (lt_optim_init(&opt, spec, m->net.n_weights))
        return lt_fail(ctx, LT_ERUNTIME, "out of memory for the optimiser's state");
    const char *names[AE_MAX_METRICS];
    size_t n_metrics = cfg->metrics.n;
    for (size_t k = 0; k < n_metrics; k++)
        names[k] = cfg->metrics.items[k].def->name;
    lt_train_config tc = {.epochs = cfg->epochs, .shuffle = cfg->shuffle,
                          .patience = cfg->patience, .restore_best = cfg->restore_best,
                          .loss = cfg->loss, .metrics = cfg->metrics.items,
                          .n_metrics = n_metrics};
    if (spread) {
        tc.sum = lt_dist_sum;
        tc.rank = lt_dist_rank();
        tc.size = lt_dist_size();
    }
    size_t batches = (n + m->net.batch - 1) / m->net.batch;
    lt_progress progress;
    lt_progress_init(&progress, ctx, cfg->epochs, batches, names, n_metrics);
    int rc = lt_train(&m->net, &opt, &tc, x, n, vx, vn, &progress, h);
    lt_optim_free(&opt);
    if (rc == LT_TRAIN_ENOMEM)
        return lt_fail(ctx, LT_ERUNTIME, "out of memory for the training buffers");
    if (rc == LT_TRAIN_NONFINITE) {
        ae_report_history(ctx, cfg, h);
        return lt_fail(ctx, LT_ERUNTIME,
                       "training diverged: the loss is %s at epoch %d, batch %zu of %zu "
                       "(learning rate %g too high?)",
                       isnan(h->bad_loss) ? "nan" : "infinite", h->bad_epoch, h->bad_batch,
                       batches, lt_optim_learning_rate(spec));
    }
    return LT_OK;
}

/* Reports PREFIX loss and PREFIX metrics of the model on the n rows x. */
static void report_eval(lt_ctx *ctx, const struct autoencoder_config *cfg, ae_model *m,
                        const char *prefix, const float *x, size_t n)
{
    double loss, metrics[AE_MAX_METRICS];
    size_t n_metrics = cfg->metrics.n;
    lt_nn_evaluate(&m->net, cfg->loss, cfg->metrics.items, n_metrics, x, x, n, &loss, metrics);
    char key[128];
    snprintf(key, sizeof key, "%sloss", prefix);
    lt_report_num(ctx, key, loss);
    for (size_t k = 0; k < n_metrics; k++) {
        snprintf(key, sizeof key, "%s%s", prefix, cfg->metrics.items[k].def->name);
        lt_report_num(ctx, key, metrics[k]);
    }
}

static int run_model(lt_ctx *ctx, const struct autoencoder_config *cfg, const lt_data *d,
                     const lt_data *applied, lt_value *outputs);

static int run(lt_ctx *ctx, const void *config, const lt_value *inputs, int n_inputs,
               lt_value *outputs)
{
    const struct autoencoder_config *cfg = config;
    bool own = cfg->batch_size < BLAS_THREADED_BATCH;
    lt_nn_threads before = own ? lt_nn_own_threads(lt_ctx_threads(ctx)) : (lt_nn_threads){0};
    int rc = run_model(ctx, cfg, inputs[0].data, n_inputs > 1 ? inputs[1].data : inputs[0].data, outputs);
    if (own)
        lt_nn_restore_threads(before);
    return rc;
}

static int run_model(lt_ctx *ctx, const struct autoencoder_config *cfg, const lt_data *d,
                     const lt_data *applied, lt_value *outputs)
{
    /* Rows over every rank when they are spread over several. */
    bool spread = d->row_blocks;
    size_t n = spread ? lt_dist_rows(d, d->split[LT_TRAIN].x) : lt_data_rows(d, LT_TRAIN);
    size_t vn = spread && d->split[LT_VALID].x ? lt_dist_rows(d, d->split[LT_VALID].x)
                                               : lt_data_rows(d, LT_VALID);
    if (n == 0)
        return lt_fail(ctx, LT_EINPUT, "the input has no training rows");
    if (d->n_features > 0x7fffffff)
        return lt_fail(ctx, LT_EINPUT, "%zu features are more than a layer can take",
                       d->n_features);
    uint32_t seed = cfg->seed < 0 ? lt_ctx_seed(ctx) : (uint32_t)cfg->seed;
    lt_nn_shape in = ae_input_shape(d);
    lt_nn_shape applied_in = ae_input_shape(applied);
    if (!lt_nn_shape_equal(&applied_in, &in)) {
        char a[64], b[64];
        return lt_fail(ctx, LT_EINPUT,
                       "the second input's rows have shape %s but the network is trained on "
                       "rows of shape %s; it can only be applied to data like its training data",
                       lt_nn_shape_text(&applied_in, a, sizeof a),
                       lt_nn_shape_text(&in, b, sizeof b));
    }
    ae_model m = {0};
    lt_history h = {0};
    float *owned[LT_N_SPLITS] = {0}, *applied_owned[LT_N_SPLITS] = {0};
    float *all_rows[LT_N_SPLITS] = {0};
    const float *xs[LT_N_SPLITS] = {0}, *applied_xs[LT_N_SPLITS] = {0};
    /* Buffers for more rows than any split has would never be used. */
    size_t most = 1;
    for (int s = 0; s < LT_N_SPLITS; s++) {
        size_t rows = spread && d->split[s].x ? lt_dist_rows(d, d->split[s].x) : lt_data_rows(d, s);
        most = rows > most ? rows : most;
        most = lt_data_rows(applied, s) > most ? lt_data_rows(applied, s) : most;
    }
    size_t batch = (size_t)cfg->batch_size < most ? (size_t)cfg->batch_size : most;
    int rc = build_model(ctx, cfg, &in, batch, seed, &m);
    if (rc == LT_OK)
        rc = float_views(ctx, d, xs, owned);
    if (rc == LT_OK && applied != d)
        rc = float_views(ctx, applied, applied_xs, applied_owned);
    /* A saved model (from:) is applied as it is: nothing is trained. */
    const lt_model *saved = lt_ctx_model_in(ctx);
    int epochs = saved ? 0 : cfg->epochs;
    if (spread)
        rc = lt_dist_check(ctx, d, rc == LT_OK ? check_spread(ctx, &m) : rc);
    if (rc == LT_OK && spread)
        rc = gather_views(ctx, d, xs, all_rows);
    /* Training and evaluation see every row; the output is this rank's. */
    const float *local_xs[LT_N_SPLITS];
    memcpy(local_xs, xs, sizeof xs);
    for (int s = 0; spread && s < LT_N_SPLITS; s++)
        xs[s] = all_rows[s];
    if (rc == LT_OK && saved)
        rc = ae_load_model(ctx, saved, &m);
    else if (rc == LT_OK && cfg->weights)
        rc = load_weights(ctx, cfg->weights, &m);
    if (rc == LT_OK) {
        if (!lt_ctx_quiet(ctx))
            ae_print_summary(ctx, cfg, &m);
        ae_report_params(ctx, &m);
    }
    if (rc == LT_OK && epochs > 0)
        rc = train(ctx, cfg, &m, xs[LT_TRAIN], n, xs[LT_VALID], vn, spread, &h);
    if (rc == LT_OK && epochs > 0) {
        ae_report_history(ctx, cfg, &h);
        rc = ae_plot_history(ctx, cfg, &h);
    } else if (rc == LT_OK) {
        /* Loaded weights, no training: evaluate them instead. */
        report_eval(ctx, cfg, &m, "", xs[LT_TRAIN], n);
        if (vn)
            report_eval(ctx, cfg, &m, "val_", xs[LT_VALID], vn);
    }
    if (rc == LT_OK && lt_data_rows(d, LT_TEST))
        report_eval(ctx, cfg, &m, "test_", xs[LT_TEST], lt_data_rows(d, LT_TEST));
    if (rc == LT_OK && ae_is_linear(&m))
        rc = ae_report_linear(ctx, &m, xs[LT_TRAIN], n);
    if (rc == LT_OK && !saved)
        ae_save_model(ctx, &m);
    const float *const *applied_rows = applied != d ? applied_xs : local_xs;
    if (rc == LT_OK)
        rc = ae_make_output(ctx, &m, true, applied, applied_rows, &outputs[AE_OUTPUT_CODINGS].data);
    if (rc == LT_OK && lt_ctx_wants(ctx, AE_OUTPUT_RECONSTRUCTION))
        rc = ae_make_output(ctx, &m, false, applied, applied_rows, &outputs[AE_OUTPUT_RECONSTRUCTION].data);
    lt_history_free(&h);
    for (int s = 0; s < LT_N_SPLITS; s++) {
        free(owned[s]);
        free(applied_owned[s]);
        free(all_rows[s]);
    }
    free_model(&m);
    return rc;
}

static const lt_metric autoencoder_metrics[] = {
    {"params", "trainable weights and biases of the whole network"},
    {"layer_params", "trainable parameters of each layer, in order"},
    {"encoder_params", "trainable parameters of the encoder"},
    {"decoder_params", "trainable parameters of the decoder"},
    {"codings_shape", "the shape of the encoder's output (the codings)"},
    {"epochs_run", "epochs trained (fewer than epochs when stopped early)"},
    {"best_epoch", "the epoch with the lowest monitored loss (val_loss with a valid split, else loss)"},
    {"final_epoch", "the epoch whose weights the model keeps (best_epoch with restore_best)"},
    {"stopped_early", "whether patience ended the training"},
    {"history.loss", "the training loss of every epoch (a list: history.loss[0] is epoch 1)"},
    {"history.val_loss", "the valid split's loss of every epoch (with a valid split)"},
    {"history.{metrics}", "each metric on the training batches, every epoch"},
    {"history.val_{metrics}", "each metric on the valid split, every epoch (with a valid split)"},
    {"loss", "the loss on the train split with the kept weights"},
    {"val_loss", "the loss on the valid split with the kept weights (with a valid split)"},
    {"test_loss", "the loss on the test split (with a test split)"},
    {"{metrics}", "each metric on the train split with the kept weights"},
    {"val_{metrics}", "each metric on the valid split (with a valid split)"},
    {"test_{metrics}", "each metric on the test split (with a test split)"},
    {"weights", "the file the trained weights were written to"},
    {"history_plot", "the learning-curve figure's file"},
    {"subspace_angle_to_pca", "linear autoencoders: the largest principal angle (degrees) between the codings' subspace and PCA's"},
    {"reconstruction_mse", "linear autoencoders: mean squared reconstruction error on train"},
    {"pca_reconstruction_mse", "linear autoencoders: PCA's reconstruction error with as many components"},
    {"{split}_reconstruction_error", "the split's mean per-row squared reconstruction error (when the "
                                     "reconstruction output is read)"},
};

const lt_stage_def autoencoder_stage = {
    .abi = LT_ABI_VERSION,
    .name = "autoencoder",
    .summary = "a network trained to reproduce its input through a narrow code: the codings "
               "and reconstructions of every split, or of a second input's",
    .params = params,
    .n_params = LT_COUNT(params),
    .config_size = sizeof(struct autoencoder_config),
    .min_inputs = 1,
    .max_inputs = 2,
    .outputs = outputs_table,
    .n_outputs = LT_COUNT(outputs_table),
    .accepts_f32 = true,
    .fits = true,
    .distributed = true,
    .check = check,
    .run = run,
    .metrics = autoencoder_metrics,
    .n_metrics = LT_COUNT(autoencoder_metrics),
};
