/* vae: a variational autoencoder (Kingma and Welling 2014; Geron's Hands-on
 * ML ch. 17) on the network engine: the encoder's layers, two dense heads
 * for the mean and log-variance of the codings and the sampling layer
 * (nn/vae_latent.h), then the decoder's layers back to the input's shape,
 * trained on reconstruction + kl_weight * KL (nn/vae_train.h gives both
 * scales).
 *
 * It trains on the train split, validates on valid after each epoch,
 * reports loss, reconstruction_loss and kl_loss per epoch (and val_), and
 * at the end the ELBO in nats per sample and the rounded accuracy of the
 * evaluated splits; it saves its weights to models/<stage>.npz and passes on
 * its outputs (vae_output.c): the codings' means, samples from the prior,
 * reconstructions, the latent grid and an interpolation, each computed only
 * when a stage reads it. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "core/ctx.h"
#include "core/dist.h"
#include "nn/layer.h"
#include "nn/loss.h"
#include "nn/optim.h"
#include "nn/parallel.h"
#include "nn/vae_shares.h"
#include "stages/autoencoder.h"
#include "stages/vae.h"

#define BLAS_THREADED_BATCH 128

static const lt_output outputs_table[] = {
    [VAE_OUTPUT_CODINGS] = {"codings", LT_DATASET,
                            "the means of the codings of every split (z1, z2, ...), labels kept"},
    [VAE_OUTPUT_SAMPLES] = {"samples", LT_DATASET,
                            "n_samples images decoded from codings drawn from N(0, I)"},
    [VAE_OUTPUT_RECONSTRUCTION] = {"reconstruction", LT_DATASET,
                                   "every split's rows decoded from their codings' means"},
    [VAE_OUTPUT_LATENT_GRID] = {"latent_grid", LT_DATASET,
                                "latent_dim 2 only: grid_size^2 images decoded at the normal "
                                "quantiles (k + 0.5) / grid_size of each axis, row by row from "
                                "the top left; per-row value z1"},
    [VAE_OUTPUT_INTERPOLATION] = {"interpolation", LT_DATASET,
                                  "interpolation_steps images decoded along the line between "
                                  "two rows' codings; per-row value the position in [0, 1]"},
};

#define CFG struct vae_config
static const lt_param params[] = {
    LT_SPECS(CFG, encoder, LT_REQUIRED, lt_layer_kinds,
             "the encoder's layers, from the input to the hidden representation the mean "
             "and log-variance heads read"),
    LT_SPECS(CFG, decoder, LT_REQUIRED, lt_layer_kinds,
             "the decoder's layers, from the codings z to an output of the input's shape"),
    LT_INT(CFG, latent_dim, 2, 1, 1 << 20, 0, "size of the codings z"),
    LT_CHOICE(CFG, loss, "binary_crossentropy", lt_loss_names,
              "reconstruction loss: binary_crossentropy (outputs in [0, 1]) or mse"),
    LT_CHOICE(CFG, reduction, "mean", lt_vae_reduction_names,
              "mean: per-value mean loss + KL / values per sample (Keras, Geron); sum: "
              "nats per sample, loss summed over a sample's values + KL"),
    LT_REAL(CFG, kl_weight, 1, 0, 1e300, 0, "weight of the KL term (beta of a beta-VAE)"),
    LT_SPECS(CFG, optimizer, LT_SINGLE, lt_optim_kinds,
             "the optimiser and its settings, e.g. {nadam: {learning_rate: 0.001}} "
             "(default rmsprop, as Keras's compile)"),
    LT_INT(CFG, epochs, 1, 1, 1000000, 0, "passes over the training split"),
    LT_INT(CFG, batch_size, 32, 1, 1 << 20, 0, "samples per gradient step"),
    LT_BOOL(CFG, shuffle, true, "draw a new order of the training rows every epoch"),
    LT_SEED(CFG, seed, "seed of the initial weights, the shuffling and every eps drawn"),
    LT_INT(CFG, n_samples, 30, 1, 1 << 20, 0, "images the samples output decodes from N(0, I)"),
    LT_INT(CFG, grid_size, 15, 2, 100, 0,
           "the latent_grid output decodes grid_size x grid_size codings"),
    LT_VECTOR(CFG, interpolate, LT_NULLABLE,
              "the interpolation output runs between the codings of these two rows of the "
              "valid split (train when there is none); default [0, 1]"),
    LT_INT(CFG, interpolation_steps, 8, 2, 1000, 0, "images along the interpolation"),
};
#undef CFG

/* The layer specs of encoder, latent layer and decoder in one array. */
static lt_spec *joined_specs(const struct vae_config *cfg, struct lt_vae_latent_config *lc)
{
    size_t ne = cfg->encoder.n, nd = cfg->decoder.n;
    lt_spec *s = malloc((ne + nd + 1) * sizeof *s);
    if (!s)
        return NULL;
    lc->latent_dim = cfg->latent_dim;
    memcpy(s, cfg->encoder.items, ne * sizeof *s);
    s[ne] = (lt_spec){.def = &lt_layer_vae_latent.spec, .config = lc};
    memcpy(s + ne + 1, cfg->decoder.items, nd * sizeof *s);
    return s;
}

/* A shape error at layer I's place: "encoder[2]" or "decoder[0]". */
/* Layer I (of encoder, latent layer, decoder) fails: D holds the reason
 * the network recorded, or WHY (NULL: none) the stage's own. */
static int fail_layer(lt_ctx *ctx, const struct vae_config *cfg, size_t i, lt_diag *d,
                      const char *why)
{
    bool enc = i < cfg->encoder.n;
    if (i == cfg->encoder.n) { /* the latent layer between them, which the file does not list */
        const char *text = why ? why : d && d->n ? d->items[0].message : "cannot take its input";
        int rc = lt_fail_param(ctx, LT_EINPUT, "latent_dim", "the latent layer: %s", text);
        if (d)
            lt_diag_clear(d);
        return rc;
    }
    size_t k = enc ? i : i - cfg->encoder.n - 1;
    const lt_spec *s = enc ? &cfg->encoder.items[k] : &cfg->decoder.items[k];
    char name[32], what[64];
    snprintf(name, sizeof name, "%s[%zu]", enc ? "encoder" : "decoder", k);
    snprintf(what, sizeof what, "%s %s", name, s->def->name);
    if (why)
        return lt_fail_item(ctx, LT_EINPUT, name, s->line, s->col, "%s: %s", what, why);
    return lt_ctx_take_item(ctx, d, LT_EINPUT, enc ? "encoder" : "decoder", k, s->line, s->col, what);
}

/* Infers every shape from IN; the decoder's output must be IN when known. */
static int check_shapes(lt_ctx *ctx, const struct vae_config *cfg, const lt_nn_shape *in)
{
    struct lt_vae_latent_config lc;
    size_t n = cfg->encoder.n + cfg->decoder.n + 1, bad = 0;
    lt_spec *specs = joined_specs(cfg, &lc);
    lt_nn_shape *shapes = malloc((n + 1) * sizeof *shapes);
    char err[512];
    lt_diag d = {.limit = 1};
    int rc = LT_OK;
    if (!specs || !shapes)
        rc = lt_fail(ctx, LT_ERUNTIME, "out of memory");
    else if (lt_net_infer(specs, n, in, shapes, &bad, &d) != 0)
        rc = fail_layer(ctx, cfg, bad, &d, NULL);
    else if (lt_nn_shape_known(in) && lt_nn_shape_known(&shapes[n]) &&
             !lt_nn_shape_equal(&shapes[n], in)) {
        char a[64], b[64];
        snprintf(err, sizeof err,
                 "the decoder's output %s differs from the input's shape %s; a variational "
                 "autoencoder must reproduce its input",
                 lt_nn_shape_text(&shapes[n], a, sizeof a), lt_nn_shape_text(in, b, sizeof b));
        rc = fail_layer(ctx, cfg, n - 1, NULL, err);
    }
    free(specs);
    free(shapes);
    return rc;
}

static int check(lt_ctx *ctx, const void *config)
{
    const struct vae_config *cfg = config;
    if (cfg->encoder.n == 0 || cfg->decoder.n == 0)
        return lt_fail(ctx, LT_EINPUT, "the %s has no layers; give at least one",
                       cfg->encoder.n == 0 ? "encoder" : "decoder");
    if (lt_ctx_wants(ctx, VAE_OUTPUT_LATENT_GRID) && cfg->latent_dim != 2)
        return lt_fail(ctx, LT_EINPUT,
                       "latent_grid is read, but a latent grid draws a 2-D latent space and "
                       "latent_dim is %d",
                       cfg->latent_dim);
    if (cfg->interpolate.n != 0 && cfg->interpolate.n != 2)
        return lt_fail(ctx, LT_EINPUT, "interpolate takes two row numbers, got %zu values",
                       cfg->interpolate.n);
    for (size_t k = 0; k < cfg->interpolate.n; k++) {
        double v = cfg->interpolate.v[k];
        if (v < 0 || v != floor(v) || v > 1e9)
            return lt_fail(ctx, LT_EINPUT, "interpolate: %g is not a row number", v);
    }
    lt_nn_shape unknown = lt_nn_shape_unknown();
    return check_shapes(ctx, cfg, &unknown);
}

static int build_model(lt_ctx *ctx, const struct vae_config *cfg, const lt_nn_shape *in,
                       size_t batch, uint32_t seed, vae_model *m)
{
    int rc = check_shapes(ctx, cfg, in);
    if (rc != LT_OK)
        return rc;
    size_t n = cfg->encoder.n + cfg->decoder.n + 1, bad = 0;
    m->latent = cfg->encoder.n;
    if (!(m->specs = joined_specs(cfg, &m->latent_config)))
        return lt_fail(ctx, LT_ERUNTIME, "out of memory");
    lt_diag d = {.limit = 1};
    rc = lt_net_build(&m->net, m->specs, n, in, batch, seed, &bad, &d);
    if (rc == LT_NET_ESHAPE)
        return fail_layer(ctx, cfg, bad, &d, NULL);
    if (rc != LT_NET_OK)
        return lt_fail(ctx, LT_ERUNTIME, "out of memory for the network's buffers");
    return LT_OK;
}

static void free_model(vae_model *m)
{
    lt_net_free(&m->net);
    free(m->specs);
    m->specs = NULL;
}

static lt_vae_config train_config(const struct vae_config *cfg, const vae_model *m)
{
    return (lt_vae_config){.epochs = cfg->epochs, .shuffle = cfg->shuffle, .loss = cfg->loss,
                           .reduction = cfg->reduction, .kl_weight = cfg->kl_weight,
                           .latent = m->latent};
}

/* Reports NAME (the last epoch's value) and history.NAME. */
static void report_series(lt_ctx *ctx, const char *prefix, const char *name,
                          const lt_vae_losses *v, size_t offset, int epochs)
{
    double *series = malloc((epochs > 0 ? (size_t)epochs : 1) * sizeof *series);
    for (int e = 0; series && e < epochs; e++)
        series[e] = *(const double *)((const char *)&v[e] + offset);
    char key[160];
    snprintf(key, sizeof key, "history.%s%s", prefix, name);
    lt_report_vec(ctx, key, series, (size_t)epochs); /* NULL: out of memory, the run fails */
    if (series && epochs > 0)
        lt_report_num(ctx, key + strlen("history."), series[epochs - 1]);
    free(series);
}

static void report_history(lt_ctx *ctx, const lt_vae_history *h)
{
    static const struct {
        const char *name;
        size_t offset;
    } parts[] = {{"loss", offsetof(lt_vae_losses, loss)},
                 {"reconstruction_loss", offsetof(lt_vae_losses, reconstruction)},
                 {"kl_loss", offsetof(lt_vae_losses, kl)}};
    lt_report_int(ctx, "epochs_run", h->epochs);
    for (size_t k = 0; k < 3; k++)
        report_series(ctx, "", parts[k].name, h->train, parts[k].offset, h->epochs);
    for (size_t k = 0; h->has_valid && k < 3; k++)
        report_series(ctx, "val_", parts[k].name, h->valid, parts[k].offset, h->epochs);
}

/* The end-of-training evaluation of split S (PREFIX "val_" or "test_"). */
static void report_eval(lt_ctx *ctx, const struct vae_config *cfg, vae_model *m,
                        const char *prefix, const float *x, size_t n, bool losses)
{
    lt_vae_config tc = train_config(cfg, m);
    lt_vae_eval ev;
    lt_vae_evaluate(&m->net, &tc, x, n, &ev);
    char key[128];
    if (losses) {
        snprintf(key, sizeof key, "%sloss", prefix);
        lt_report_num(ctx, key, ev.losses.loss);
        snprintf(key, sizeof key, "%sreconstruction_loss", prefix);
        lt_report_num(ctx, key, ev.losses.reconstruction);
        snprintf(key, sizeof key, "%skl_loss", prefix);
        lt_report_num(ctx, key, ev.losses.kl);
    }
    snprintf(key, sizeof key, "%selbo_nats", prefix);
    lt_report_num(ctx, key, ev.elbo_nats);
    if (cfg->loss == LT_LOSS_BINARY_CROSSENTROPY) {
        snprintf(key, sizeof key, "%srounded_accuracy", prefix);
        lt_report_num(ctx, key, ev.rounded_accuracy);
    }
}

static int train(lt_ctx *ctx, const struct vae_config *cfg, vae_model *m, const float *x,
                 size_t n, const float *vx, size_t vn, bool spread)
{
    const lt_spec *spec = cfg->optimizer.n == 1 ? &cfg->optimizer.items[0] : lt_optim_default();
    lt_optim opt;
    if (lt_optim_init(&opt, spec, m->net.n_weights))
        return lt_fail(ctx, LT_ERUNTIME, "out of memory for the optimiser's state");
    static const char *const names[] = {"reconstruction_loss", "kl_loss"};
    size_t batches = (n + m->net.batch - 1) / m->net.batch;
    lt_progress progress;
    lt_progress_init(&progress, ctx, cfg->epochs, batches, names, 2);
    lt_vae_config tc = train_config(cfg, m);
    if (spread) {
        tc.sum = lt_dist_sum;
        tc.rank = lt_dist_rank();
        tc.size = lt_dist_size();
    }
    /* A dense VAE shares each batch's rows among the threads
     * (nn/vae_shares.h) at any batch size, with one-thread products. */
    bool shared = !spread && lt_ctx_threads(ctx) > 1 && lt_vae_shares_fit(&m->net, tc.latent);
    lt_nn_threads before = shared ? lt_nn_own_threads(lt_ctx_threads(ctx)) : (lt_nn_threads){0};
    lt_vae_history h;
    int rc = lt_vae_train(&m->net, &opt, &tc, x, n, vx, vn, &progress, &h);
    if (shared)
        lt_nn_restore_threads(before);
    lt_optim_free(&opt);
    if (rc != LT_VAE_ENOMEM)
        report_history(ctx, &h);
    if (rc == LT_VAE_ENOMEM)
        rc = lt_fail(ctx, LT_ERUNTIME, "out of memory for the training buffers");
    else if (rc == LT_VAE_NONFINITE)
        rc = lt_fail(ctx, LT_ERUNTIME,
                     "training diverged: the loss is %s at epoch %d, batch %zu of %zu "
                     "(learning rate %g too high?)",
                     isnan(h.bad_loss) ? "nan" : "infinite", h.bad_epoch, h.bad_batch, batches,
                     lt_optim_learning_rate(spec));
    lt_vae_history_free(&h);
    return rc;
}

/* What the VAE fitted, as models/<stage>.npz: one array per layer with
 * weights, named by its place ("encoder.1.dense.weights", "heads.weights"
 * for the mean and log_var heads, "decoder.0.dense.weights"), each layer's
 * weights in the engine's own order, as float64 (which holds every float32
 * exactly). */
/* "encoder.1.dense.weights" for layer I of M. */
static void layer_name(const vae_model *m, size_t i, char *buf, size_t size)
{
    if (i == m->latent)
        snprintf(buf, size, "heads.weights");
    else
        snprintf(buf, size, "%s.%zu.%s.weights", i < m->latent ? "encoder" : "decoder",
                 i < m->latent ? i : i - m->latent - 1, m->net.layers[i].kind->spec.name);
}

/* `from:`: the saved weights into M's layers (each array's length checked
 * against the layer's; the runner has checked the kind and features). */
static int load_model(lt_ctx *ctx, const lt_model *saved, vae_model *m)
{
    for (size_t i = 0; i < m->net.n_layers; i++) {
        lt_layer *l = &m->net.layers[i];
        if (l->n_weights == 0)
            continue;
        char name[128];
        layer_name(m, i, name, sizeof name);
        const double *w = lt_model_vec(ctx, saved, name, l->n_weights);
        if (!w)
            return LT_EINPUT;
        for (size_t k = 0; k < l->n_weights; k++)
            l->w[k] = (float)w[k];
    }
    return LT_OK;
}

static void save_model(lt_ctx *ctx, const vae_model *m)
{
    lt_model *o = lt_ctx_model_out(ctx);
    size_t most = 0;
    for (size_t i = 0; i < m->net.n_layers; i++)
        most = m->net.layers[i].n_weights > most ? m->net.layers[i].n_weights : most;
    double *buf = malloc(most * sizeof *buf + 1);
    if (!buf) {
        lt_model_put_vec(o, "heads.weights", NULL, 1); /* marks the model incomplete */
        return;
    }
    for (size_t i = 0; i < m->net.n_layers; i++) {
        const lt_layer *l = &m->net.layers[i];
        if (l->n_weights == 0)
            continue;
        for (size_t k = 0; k < l->n_weights; k++)
            buf[k] = l->w[k];
        char name[128];
        layer_name(m, i, name, sizeof name);
        lt_model_put_vec(o, name, buf, l->n_weights);
    }
    free(buf);
}

/* Noise layers draw from the network's one stream as they go, so ranks
 * training on different shares of a batch would draw differently. */
static int check_spread(lt_ctx *ctx, const vae_model *m)
{
    for (size_t i = 0; i < m->net.n_layers; i++) {
        const char *kind = m->specs[i].def->name;
        if (!strcmp(kind, "dropout") || !strcmp(kind, "gaussian_noise"))
            return lt_fail(ctx, LT_EINPUT, "a %s layer cannot train on several MPI ranks (each "
                           "rank would draw its own noise); run it without mpirun", kind);
    }
    return LT_OK;
}

/* Data parallel over MPI ranks (D in row blocks): every rank gets the
 * float rows of every split (ALL, owned) from its block's (XS), trains on
 * its share of every batch and evaluates every row, as the autoencoder. */
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

static int run_model(lt_ctx *ctx, const struct vae_config *cfg, const lt_data *d,
                     lt_value *outputs)
{
    /* Rows over every rank when they are spread over several. */
    bool spread = d->row_blocks;
    size_t rows[LT_N_SPLITS];
    for (int s = 0; s < LT_N_SPLITS; s++)
        rows[s] = spread && d->split[s].x ? lt_dist_rows(d, d->split[s].x) : lt_data_rows(d, s);
    size_t n = rows[LT_TRAIN], vn = rows[LT_VALID], tn = rows[LT_TEST];
    if (n == 0)
        return lt_fail(ctx, LT_EINPUT, "the input has no training rows");
    if (d->n_features > 0x7fffffff)
        return lt_fail(ctx, LT_EINPUT, "%zu features are more than a layer can take",
                       d->n_features);
    uint32_t seed = cfg->seed < 0 ? lt_ctx_seed(ctx) : (uint32_t)cfg->seed;
    lt_nn_shape in = ae_input_shape(d);
    vae_model m = {0};
    float *owned[LT_N_SPLITS] = {0}, *all_rows[LT_N_SPLITS] = {0};
    const float *xs[LT_N_SPLITS] = {0}, *local_xs[LT_N_SPLITS] = {0};
    size_t most = (size_t)cfg->n_samples;
    for (int s = 0; s < LT_N_SPLITS; s++)
        most = rows[s] > most ? rows[s] : most;
    size_t batch = (size_t)cfg->batch_size < most ? (size_t)cfg->batch_size : most;
    int rc = build_model(ctx, cfg, &in, batch, seed, &m);
    for (int s = 0; rc == LT_OK && s < LT_N_SPLITS; s++)
        if (d->split[s].x && !(xs[s] = ae_f32(d->split[s].x, &owned[s])))
            rc = lt_fail(ctx, LT_ERUNTIME, "out of memory converting the input to float32");
    if (spread)
        rc = lt_dist_check(ctx, d, rc == LT_OK ? check_spread(ctx, &m) : rc);
    if (rc == LT_OK && spread)
        rc = gather_views(ctx, d, xs, all_rows);
    /* Training, evaluation and the image sets see every row; the codings
     * and reconstructions are this rank's. */
    memcpy(local_xs, xs, sizeof xs);
    for (int s = 0; spread && s < LT_N_SPLITS; s++)
        xs[s] = all_rows[s];
    if (rc == LT_OK) {
        lt_report_int(ctx, "params", (long long)m.net.n_weights);
        lt_report_int(ctx, "latent_dim", cfg->latent_dim);
        /* A saved model (from:) is applied as it is: nothing is trained. */
        const lt_model *saved = lt_ctx_model_in(ctx);
        rc = saved ? load_model(ctx, saved, &m) : train(ctx, cfg, &m, xs[LT_TRAIN], n, xs[LT_VALID], vn, spread);
    }
    if (rc == LT_OK) {
        report_eval(ctx, cfg, &m, "", xs[LT_TRAIN], n, false);
        if (vn)
            report_eval(ctx, cfg, &m, "val_", xs[LT_VALID], vn, false);
        if (tn)
            report_eval(ctx, cfg, &m, "test_", xs[LT_TEST], tn, true);
        if (!lt_ctx_model_in(ctx))
            save_model(ctx, &m);
    }
    for (int k = 0; rc == LT_OK && k < VAE_N_OUTPUTS; k++)
        if (lt_ctx_wants(ctx, k))
            rc = vae_make_output(ctx, cfg, &m, k, d, rows, local_xs, xs, &outputs[k].data);
    for (int s = 0; s < LT_N_SPLITS; s++) {
        free(owned[s]);
        free(all_rows[s]);
    }
    free_model(&m);
    return rc;
}

static int run(lt_ctx *ctx, const void *config, const lt_value *inputs, int n_inputs,
               lt_value *outputs)
{
    (void)n_inputs;
    const struct vae_config *cfg = config;
    /* As the autoencoder: small batches run OpenBLAS on one thread. */
    bool own = cfg->batch_size < BLAS_THREADED_BATCH;
    lt_nn_threads before = own ? lt_nn_own_threads(lt_ctx_threads(ctx)) : (lt_nn_threads){0};
    int rc = run_model(ctx, cfg, inputs[0].data, outputs);
    if (own)
        lt_nn_restore_threads(before);
    return rc;
}

static const lt_metric vae_metrics[] = {
    {"params", "trainable weights and biases of the whole network"},
    {"latent_dim", "size of the codings"},
    {"epochs_run", "epochs trained"},
    {"history.loss", "the training loss of every epoch (running mean over its batches)"},
    {"history.reconstruction_loss", "its reconstruction part, every epoch"},
    {"history.kl_loss", "its KL part (unweighted, in the loss's scale), every epoch"},
    {"history.val_loss", "the valid split's loss after every epoch (with a valid split)"},
    {"history.val_reconstruction_loss", "its reconstruction part, every epoch"},
    {"history.val_kl_loss", "its KL part, every epoch"},
    {"loss", "the last epoch's training loss: reconstruction_loss + kl_weight * kl_loss"},
    {"reconstruction_loss", "the last epoch's reconstruction part"},
    {"kl_loss", "the last epoch's KL part"},
    {"val_loss", "the valid split's loss after the last epoch"},
    {"val_reconstruction_loss", "its reconstruction part"},
    {"val_kl_loss", "its KL part"},
    {"test_loss", "the test split's loss after training (with a test split)"},
    {"test_reconstruction_loss", "its reconstruction part"},
    {"test_kl_loss", "its KL part"},
    {"elbo_nats", "the ELBO on the train split, nats per sample (a lower bound of log p(x))"},
    {"val_elbo_nats", "the ELBO on the valid split, nats per sample"},
    {"test_elbo_nats", "the ELBO on the test split, nats per sample"},
    {"rounded_accuracy", "binary_crossentropy: share of train values with round(t) == round(p)"},
    {"val_rounded_accuracy", "the same on the valid split"},
    {"test_rounded_accuracy", "the same on the test split"},
};

const lt_stage_def vae_stage = {
    .abi = LT_ABI_VERSION,
    .name = "vae",
    .summary = "a variational autoencoder: codings drawn as mean + exp(log_var / 2) eps, "
               "trained on reconstruction + kl_weight * KL: the codings' means, samples, "
               "reconstructions, a latent grid and an interpolation",
    .params = params,
    .n_params = LT_COUNT(params),
    .metrics = vae_metrics,
    .n_metrics = LT_COUNT(vae_metrics),
    .config_size = sizeof(struct vae_config),
    .min_inputs = 1,
    .max_inputs = 1,
    .outputs = outputs_table,
    .n_outputs = LT_COUNT(outputs_table),
    .fits = true,
    .accepts_f32 = true,
    .distributed = true,
    .check = check,
    .run = run,
};
