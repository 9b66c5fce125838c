/* The autoencoder stage: the lecture's linear autoencoder against PyTorch
 * (tests/reference/make_linear_ae.py) from the same initial weights, its
 * outputs, weights reuse, determinism, divergence and shape errors. Configs
 * are written in YAML and bound through the stage's own parameter table. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ctx.h"
#include "core/params.h"
#include "core/yaml_doc.h"
#include "nn/net.h"
#include "core/model.h"
#include "testmat.h"
#include "testnn.h"
#include "testrun.h"
#include "testutil.h"

extern const lt_stage_def autoencoder_stage;

const char *lt_test_root = ".";
static lt_json *ref;

#define LINEAR "encoder: [{dense: {units: 2}}]\ndecoder: [{dense: {units: 3}}]\n" \
               "optimizer: {sgd: {learning_rate: 1.5}}\n"

/* The stage's config bound from YAML (owned; release with free_config). */
static void *bind_config(const char *yaml)
{
    lt_diag d = {0};
    lt_node *root = lt_yaml_parse("ae.yaml", yaml, strlen(yaml), &d);
    void *cfg = calloc(1, autoencoder_stage.config_size);
    lt_bind_site site = {.file = "ae.yaml", .stage = "ae", .kind = "autoencoder", .basedir = "."};
    if (!root || !cfg ||
        lt_params_bind(autoencoder_stage.params, autoencoder_stage.n_params, cfg, root, &site, &d)) {
        lt_diag_print(&d, stderr);
        exit(1);
    }
    lt_node_free(root);
    lt_diag_clear(&d);
    return cfg;
}

static void free_config(void *cfg)
{
    lt_params_release(autoencoder_stage.params, autoencoder_stage.n_params, cfg);
    free(cfg);
}

struct run {
    lt_ctx *ctx;
    lt_data *out; /* the codings */
    lt_data *rec; /* the reconstruction, when asked for */
    int rc;
};

/* Runs the stage on IN, as the runner does when some stage reads its
 * reconstruction output (RECONSTRUCTION) or none does. */
static struct run run_reading(const char *yaml, const lt_data *in, bool reconstruction)
{
    struct run r = {lt_ctx_new_test(), NULL, NULL, LT_OK};
    CU_ASSERT_PTR_NOT_NULL_FATAL(r.ctx);
    CU_ASSERT_STRING_EQUAL(autoencoder_stage.outputs[1].name, "reconstruction");
    r.ctx->wanted = reconstruction ? 3u : 1u;
    void *cfg = bind_config(yaml);
    r.rc = autoencoder_stage.check(r.ctx, cfg);
    lt_value input = {.data = (lt_data *)in}, outs[LT_MAX_OUTPUTS] = {{0}};
    if (r.rc == LT_OK)
        r.rc = autoencoder_stage.run(r.ctx, cfg, &input, 1, outs);
    r.out = outs[0].data;
    r.rec = outs[1].data;
    if (!reconstruction)
        CU_ASSERT_PTR_NULL(r.rec);
    free_config(cfg);
    return r;
}

static struct run run_yaml(const char *yaml, const lt_data *in) { return run_reading(yaml, in, false); }

static void release(struct run *r)
{
    lt_data_free(&r->out);
    lt_data_free(&r->rec);
    lt_ctx_free_test(r->ctx);
}

static lt_data *lecture_data(void)
{
    return lt_test_data(lt_test_mat(lt_json_get(ref, "data")), NULL);
}

static double metric(struct run *r, const char *name, size_t i)
{
    return lt_ctx_test_metric(r->ctx, name, i);
}

/* The linear network's 17 weights (encoder 3 -> 2, decoder 2 -> 3, each a
 * kernel then a bias) as the arrays of an autoencoder's saved model. */
static const struct {
    const char *name;
    size_t rows, cols, at;
} linear_arrays[] = {
    {"encoder.0.dense.kernel", 3, 2, 0},
    {"encoder.0.dense.bias", 2, 0, 6},
    {"decoder.0.dense.kernel", 2, 3, 8},
    {"decoder.0.dense.bias", 3, 0, 14},
};

/* Writes M (a model being filled) to PATH with the metadata a reader needs. */
static void write_model(lt_model *m, const char *path)
{
    char err[512];
    lt_model_put_int(m, LT_MODEL_FORMAT_KEY, LT_MODEL_FORMAT);
    lt_model_put_str(m, LT_MODEL_KIND_KEY, "autoencoder");
    CU_ASSERT_EQUAL(lt_model_write(m, path, err, sizeof err), 0);
}

/* Writes the reference's initial weights as a saved model at PATH. */
static void write_initial_weights(const char *path)
{
    const lt_json *w = lt_json_get(lt_json_get(ref, "trajectory"), "initial");
    CU_ASSERT_EQUAL_FATAL(lt_json_size(w), 17);
    double v[17];
    for (size_t i = 0; i < 17; i++)
        v[i] = (float)lt_json_number(lt_json_value_at(w, i));
    lt_model *m = lt_model_new();
    for (size_t k = 0; k < 4; k++)
        if (linear_arrays[k].cols)
            lt_model_put_mat(m, linear_arrays[k].name, v + linear_arrays[k].at,
                             linear_arrays[k].rows, linear_arrays[k].cols);
        else
            lt_model_put_vec(m, linear_arrays[k].name, v + linear_arrays[k].at,
                             linear_arrays[k].rows);
    write_model(m, path);
    lt_model_free(m);
}

/* The 17 weights a run of the linear network saved in its model. */
static void saved_weights(struct run *r, const char *path, double *w)
{
    write_model(lt_ctx_model_out(r->ctx), path);
    char err[512];
    lt_model *m = lt_model_read(path, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    for (size_t k = 0; k < 4; k++) {
        size_t rows = linear_arrays[k].rows, cols = linear_arrays[k].cols;
        const double *v = lt_model_get(r->ctx, m, linear_arrays[k].name, &rows, &cols);
        CU_ASSERT_PTR_NOT_NULL_FATAL(v);
        memcpy(w + linear_arrays[k].at, v, rows * (cols ? cols : 1) * sizeof *w);
    }
    lt_model_free(m);
}

static void test_linear_against_torch(void)
{
    const lt_json *tr = lt_json_get(ref, "trajectory");
    char path[] = "/tmp/latent-ae-init-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    write_initial_weights(path);
    char yaml[512];
    snprintf(yaml, sizeof yaml, LINEAR "epochs: 20\nshuffle: false\nweights: %s\n", path);
    lt_data *d = lecture_data();
    struct run r = run_yaml(yaml, d);
    CU_ASSERT_EQUAL_FATAL(r.rc, LT_OK);
    double losses[20];
    for (size_t e = 0; e < 20; e++)
        losses[e] = metric(&r, "history.loss", e);
    NEAR("20 epochs of SGD 1.5: loss per epoch vs torch",
         lt_test_maxdiff(losses, 20, lt_json_get(tr, "losses")), 1e-6);

    /* The trained weights, read back from the stage's saved model. */
    char *file = lt_path_join(r.ctx->test_dir, "test.npz");
    double w[17];
    saved_weights(&r, file, w);
    NEAR("final weights vs torch", lt_test_maxdiff(w, 17, lt_json_get(tr, "final")), 1e-5);
    NEAR("reconstruction mse vs torch",
         fabs(metric(&r, "reconstruction_mse", 0) - lt_json_number(lt_json_get(tr, "mse"))), 1e-7);
    NEAR("angle to the PCA plane vs torch (degrees)",
         fabs(metric(&r, "subspace_angle_to_pca", 0) - lt_json_number(lt_json_get(tr, "angle"))), 1e-3);
    NEAR("PCA's mse (float32 data) vs numpy",
         fabs(metric(&r, "pca_reconstruction_mse", 0) -
              lt_json_number(lt_json_get(ref, "pca_reconstruction_mse"))) / 0.0034, 1e-6);
    free(file);
    release(&r);
    lt_data_free(&d);
    remove(path);
}

static void test_codings_and_reuse(void)
{
    lt_data *d = lecture_data();
    struct run a = run_yaml(LINEAR "epochs: 5\nseed: 7\n", d);
    struct run b = run_yaml(LINEAR "epochs: 5\nseed: 7\n", d);
    struct run c = run_yaml(LINEAR "epochs: 5\nseed: 8\n", d);
    CU_ASSERT_FATAL(a.rc == LT_OK && b.rc == LT_OK && c.rc == LT_OK);
    const lt_mat *za = a.out->split[LT_TRAIN].x, *zb = b.out->split[LT_TRAIN].x;
    CU_ASSERT_FATAL(za->f != NULL && za->rows == 60 && za->cols == 2);
    CU_ASSERT_EQUAL(a.out->n_features, 2);
    CU_ASSERT_STRING_EQUAL(a.out->feature_names[1], "z2");
    CU_ASSERT(memcmp(za->f, zb->f, 120 * sizeof(float)) == 0);
    CU_ASSERT(memcmp(za->f, c.out->split[LT_TRAIN].x->f, 120 * sizeof(float)) != 0);
    CU_ASSERT_EQUAL(metric(&a, "params", 0), 17);
    CU_ASSERT_EQUAL(metric(&a, "layer_params", 1), 9);

    /* The model run a saved, loaded without training, gives its codings. */
    char *file = lt_path_join(a.ctx->test_dir, "test.npz"), yaml[512];
    double unused[17];
    saved_weights(&a, file, unused);
    snprintf(yaml, sizeof yaml, LINEAR "epochs: 0\nweights: %s\n", file);
    struct run again = run_yaml(yaml, d);
    CU_ASSERT_EQUAL_FATAL(again.rc, LT_OK);
    CU_ASSERT(memcmp(za->f, again.out->split[LT_TRAIN].x->f, 120 * sizeof(float)) == 0);
    CU_ASSERT_DOUBLE_EQUAL(metric(&again, "loss", 0), metric(&a, "reconstruction_mse", 0), 1e-9);
    free(file);

    /* The reconstruction output, when read, is the decoder's output from
     * the same training: the codings are those of a run that reads none.
     * Its per-row value is the row's squared error, whose mean over train
     * is the linear model's reconstruction_mse. Without a reader, neither
     * the output nor its error metric is computed. */
    struct run rec = run_reading(LINEAR "epochs: 5\nseed: 7\n", d, true);
    struct run plain = run_reading(LINEAR "epochs: 5\nseed: 7\n", d, false);
    CU_ASSERT_EQUAL_FATAL(rec.rc, LT_OK);
    CU_ASSERT_EQUAL_FATAL(plain.rc, LT_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rec.rec);
    CU_ASSERT_EQUAL(rec.rec->split[LT_TRAIN].x->cols, 3);
    CU_ASSERT_EQUAL(rec.rec->n_features, 3);
    CU_ASSERT(memcmp(rec.out->split[LT_TRAIN].x->f, plain.out->split[LT_TRAIN].x->f, 120 * sizeof(float)) == 0);
    const lt_split *rs = &rec.rec->split[LT_TRAIN];
    const lt_mat *x = d->split[LT_TRAIN].x;
    CU_ASSERT_PTR_NOT_NULL_FATAL(rs->t);
    double row0 = 0, mean = 0;
    for (size_t j = 0; j < 3; j++) {
        double e = (double)rs->x->f[j] - x->v[j];
        row0 += e * e / 3;
    }
    for (size_t i = 0; i < rs->x->rows; i++)
        mean += rs->t[i] / (double)rs->x->rows;
    NEAR("row 0's reconstruction error vs its squared difference", fabs(rs->t[0] - row0), 1e-6 * (1 + row0));
    NEAR("train_reconstruction_error vs the mean per-row error",
         fabs(metric(&rec, "train_reconstruction_error", 0) - mean), 1e-12);
    NEAR("train_reconstruction_error vs reconstruction_mse (linear model)",
         fabs(metric(&rec, "train_reconstruction_error", 0) - metric(&rec, "reconstruction_mse", 0)),
         1e-6 * metric(&rec, "reconstruction_mse", 0));
    CU_ASSERT(isnan(metric(&plain, "train_reconstruction_error", 0)));
    release(&plain);
    release(&a);
    release(&b);
    release(&c);
    release(&again);
    release(&rec);
    lt_data_free(&d);
}

/* A small labelled image set: 4 x 4 "images" in [0, 1], three splits. */
static lt_data *image_data(void)
{
    lt_data *d = lt_data_new();
    lt_rng rng;
    lt_rng_seed(&rng, 3);
    size_t rows[3] = {40, 12, 8};
    for (int s = 0; s < 3; s++) {
        d->split[s].x = lt_mat_new_f32(rows[s], 16);
        d->split[s].y = malloc(rows[s] * sizeof(int));
        for (size_t i = 0; i < rows[s] * 16; i++)
            d->split[s].x->f[i] = (float)lt_rng_uniform(&rng);
        for (size_t i = 0; i < rows[s]; i++)
            d->split[s].y[i] = (int)(i % 2);
    }
    d->n_features = 16;
    d->image_rows = d->image_cols = 4;
    d->n_classes = 2;
    return d;
}

static void test_images(void)
{
    lt_data *d = image_data();
    const char *net = "encoder: [flatten, {dense: {units: 3, activation: selu}}]\n"
                      "decoder: [{dense: {units: 16, activation: sigmoid}}, {reshape: {shape: [4, 4]}}]\n"
                      "loss: binary_crossentropy\nmetrics: [rounded_accuracy, mse]\n"
                      "optimizer: {adam: {learning_rate: 0.01}}\nepochs: 4\nbatch_size: 8\n";
    struct run r = run_reading(net, d, true);
    CU_ASSERT_EQUAL_FATAL(r.rc, LT_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r.rec);
    for (int s = 0; s < 3; s++) {
        CU_ASSERT_EQUAL(r.rec->split[s].x->rows, d->split[s].x->rows);
        CU_ASSERT_EQUAL(r.rec->split[s].x->cols, 16);
        CU_ASSERT_EQUAL(r.rec->split[s].y[1], 1);
        CU_ASSERT_EQUAL(r.out->split[s].x->cols, 3);
    }
    CU_ASSERT_EQUAL(r.rec->image_rows, 4);
    CU_ASSERT_EQUAL(r.out->image_rows, 0);
    CU_ASSERT(isfinite(metric(&r, "valid_reconstruction_error", 0)));
    /* Validation each epoch, metrics next to the loss, test at the end. */
    CU_ASSERT(isfinite(metric(&r, "history.val_loss", 3)));
    CU_ASSERT(metric(&r, "val_rounded_accuracy", 0) > 0.4);
    CU_ASSERT(isfinite(metric(&r, "test_mse", 0)));
    CU_ASSERT(isnan(metric(&r, "subspace_angle_to_pca", 0))); /* not a linear model */
    CU_ASSERT_EQUAL(metric(&r, "params", 0), 16 * 3 + 3 + 3 * 16 + 16);
    /* The codings' shape is a list, as numpy's .shape reads, not "[3]". */
    const lt_json *shape = lt_json_get(lt_ctx_test_metrics(r.ctx), "codings_shape");
    CU_ASSERT(lt_json_is_array(shape));
    CU_ASSERT_EQUAL(lt_json_len(shape), 1);
    CU_ASSERT_EQUAL(metric(&r, "codings_shape", 0), 3);
    release(&r);
    lt_data_free(&d);
}

static void test_early_stopping(void)
{
    /* Full-batch descent at rate 1.0 on the lecture's data reaches a first
     * low near epoch 94, then climbs for a few dozen epochs (the rate is
     * near the edge of stability there) before it settles: patience 20
     * stops the run during the climb, and restore_best goes back to the
     * low. */
    lt_data *d = lecture_data();
    struct run r = run_yaml("encoder: [{dense: {units: 2}}]\ndecoder: [{dense: {units: 3}}]\n"
                            "optimizer: {sgd: {learning_rate: 1.0}}\nbatch_size: 60\n"
                            "epochs: 100000\npatience: 20\nrestore_best: true\n", d);
    CU_ASSERT_EQUAL_FATAL(r.rc, LT_OK);
    double run_epochs = metric(&r, "epochs_run", 0), best = metric(&r, "best_epoch", 0);
    printf("\n    stopped after %g epochs, best %g", run_epochs, best);
    CU_ASSERT(run_epochs < 100000);
    CU_ASSERT_EQUAL(metric(&r, "stopped_early", 0), 1);
    CU_ASSERT_EQUAL(run_epochs, best + 20);
    CU_ASSERT_EQUAL(metric(&r, "final_epoch", 0), best);
    CU_ASSERT_EQUAL(metric(&r, "loss", 0), metric(&r, "history.loss", (size_t)best - 1));
    release(&r);
    lt_data_free(&d);
}

static void test_divergence(void)
{
    lt_data *d = lecture_data();
    struct run r = run_yaml("encoder: [{dense: {units: 2}}]\ndecoder: [{dense: {units: 3}}]\n"
                            "optimizer: {sgd: {learning_rate: 1000}}\nepochs: 20\n", d);
    CU_ASSERT_EQUAL(r.rc, LT_ERUNTIME);
    const char *e = lt_ctx_error(r.ctx);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    printf("\n    %s", e);
    CU_ASSERT_PTR_NOT_NULL(strstr(e, "training diverged: the loss is"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e, "(learning rate 1000 too high?)"));
    CU_ASSERT_PTR_NULL(r.out);
    release(&r);
    lt_data_free(&d);
}

static void test_shape_errors(void)
{
    lt_data *d = lecture_data();
    struct run r = run_yaml("encoder: [flatten, {dense: {units: 2}}]\n"
                            "decoder:\n  - {dense: {units: 4}}\n  - {reshape: {shape: [2, 3]}}\n", d);
    CU_ASSERT_EQUAL(r.rc, LT_EINPUT);
    CU_ASSERT_STRING_EQUAL(lt_ctx_error(r.ctx), "(test):4:6: stage 'test': decoder[1] reshape: cannot "
                                                "reshape input [4] (4 values) to [2, 3] (6 values)");
    release(&r);
    /* Only the data tell that the output does not match the input. */
    r = run_yaml("encoder: [{dense: {units: 2}}]\ndecoder: [{dense: {units: 4}}]\n", d);
    CU_ASSERT_EQUAL(r.rc, LT_EINPUT);
    CU_ASSERT_STRING_EQUAL(lt_ctx_error(r.ctx), "(test):2:12: stage 'test': decoder[0] dense: the "
                                                "decoder's output [4] differs from the input's shape [3]; "
                                                "an autoencoder must reproduce its input");
    release(&r);
    lt_data_free(&d);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    ref = lt_test_reference("linear_ae.json");
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("autoencoder", NULL, NULL);
    CU_add_test(s, "the lecture's linear AE vs torch", test_linear_against_torch);
    CU_add_test(s, "codings, determinism, weights reuse", test_codings_and_reuse);
    CU_add_test(s, "images: reconstructions, splits, metrics", test_images);
    CU_add_test(s, "early stopping restores the best epoch", test_early_stopping);
    CU_add_test(s, "a diverging run stops with a clear error", test_divergence);
    CU_add_test(s, "shape errors point at the layer", test_shape_errors);
    int rc = lt_test_run();
    lt_json_free(ref);
    return rc;
}
