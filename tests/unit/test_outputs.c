/* Named stage outputs through the whole runner: the lecture's stacked
 * autoencoder pipeline (pipelines/stacked_ae_short.yaml, shrunk by --set
 * overrides) trains its one network once for both the codings and the
 * reconstructions; an optional output nobody reads is not computed; the
 * resolved configuration names the outputs read. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "util/fsutil.h"
#include "core/pipeline.h"
#include "core/run.h"
#include "testutil.h"

extern const lt_stage_def autoencoder_stage;

const char *lt_test_root = ".";

/* The autoencoder, counting its runs and what each was asked for. */
static lt_stage_def counting_ae;
static int ae_runs;
static bool ae_wanted_reconstruction;

static int counting_run(lt_ctx *ctx, const void *config, const lt_value *inputs, int n_inputs,
                        lt_value *outputs)
{
    ae_runs++;
    ae_wanted_reconstruction = lt_ctx_wants(ctx, 1);
    return autoencoder_stage.run(ctx, config, inputs, n_inputs, outputs);
}

/* stacked_ae_short.yaml on 300 training images for one epoch, with the
 * extra overrides SETS (NULL-terminated). Owned; NULL when it does not
 * load. */
static lt_pipeline *load_short(const char *const *extra)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/pipelines/stacked_ae_short.yaml", lt_test_root);
    char *sets[8] = {"fashion.train_rows=300", "ae.epochs=1", "pca30.n_components=5"};
    size_t n = 3;
    for (size_t i = 0; extra && extra[i] && n < 8; i++)
        sets[n++] = (char *)extra[i];
    lt_load_opts opts = {.sets = sets, .n_sets = n, .point = -1};
    lt_diag diag = {0};
    lt_pipeline *p = lt_pipeline_load(path, &opts, &diag);
    if (!p)
        lt_diag_print(&diag, stderr);
    lt_diag_clear(&diag);
    return p;
}

static long stage_of(const lt_pipeline *p, const char *name)
{
    for (size_t i = 0; i < p->n_stages; i++)
        if (strcmp(p->stages[i].name, name) == 0)
            return (long)i;
    return -1;
}

/* Runs P with its autoencoder counted; returns the metrics (owned). */
static lt_json *run_counted(lt_pipeline *p)
{
    long ae = stage_of(p, "ae");
    CU_ASSERT_FATAL(ae >= 0);
    counting_ae = autoencoder_stage;
    counting_ae.run = counting_run;
    p->stages[ae].def = &counting_ae;
    ae_runs = 0;
    char tmpl[] = "/tmp/latent-outputs-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmpl));
    char *dir = lt_path_join(tmpl, "run");
    lt_run_opts opts = {.out_dir = dir, .threads = 1, .quiet = true, .no_cache = true};
    lt_json *metrics = NULL;
    CU_ASSERT_EQUAL(lt_run(p, &opts, &metrics), LT_OK);
    lt_remove_tree(tmpl);
    free(dir);
    return metrics;
}

static double metric(const lt_json *m, const char *stage, const char *name)
{
    const lt_json *v = lt_json_get(lt_json_get(m, stage), name);
    if (lt_json_is_array(v))
        v = lt_json_at(v, 0);
    return lt_json_number(v);
}

static void test_trains_once(void)
{
    lt_pipeline *p = load_short(NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    /* One network: no other autoencoder stage in the file. */
    size_t networks = 0;
    for (size_t i = 0; i < p->n_stages; i++)
        networks += p->stages[i].def == &autoencoder_stage;
    CU_ASSERT_EQUAL(networks, 1);
    lt_json *m = run_counted(p);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(ae_runs, 1);
    CU_ASSERT(ae_wanted_reconstruction);
    /* Both readers got their value: the codings' classifier and the figure
     * of reconstructions, whose error is the network's own. */
    CU_ASSERT(metric(m, "codings_lr", "train_accuracy") > 0.3);
    double image_mse = metric(m, "reconstructions", "image_mse");
    CU_ASSERT(image_mse > 0 && image_mse < 0.2);
    double valid_error = metric(m, "ae", "valid_reconstruction_error");
    CU_ASSERT(valid_error > 0 && valid_error < 0.2);
    lt_json_free(m);
    lt_pipeline_free(p);
}

static void test_unread_output_not_computed(void)
{
    /* With the figure fed from the PCA's reconstruction, nothing reads the
     * autoencoder's: it is neither asked for nor computed (no error metric),
     * while the PCA's is. */
    const char *sets[] = {"reconstructions.input=[fashion, pca30.reconstruction]", NULL};
    lt_pipeline *p = load_short(sets);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    lt_json *m = run_counted(p);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(ae_runs, 1);
    CU_ASSERT(!ae_wanted_reconstruction);
    CU_ASSERT(isnan(metric(m, "ae", "valid_reconstruction_error")));
    CU_ASSERT(isfinite(metric(m, "ae", "val_loss")));
    CU_ASSERT(metric(m, "reconstructions", "image_mse") > 0);
    lt_json_free(m);
    lt_pipeline_free(p);
}

static void test_resolved_inputs(void)
{
    lt_pipeline *p = load_short(NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    long ae = stage_of(p, "ae"), pca = stage_of(p, "pca30"), fig = stage_of(p, "reconstructions");
    CU_ASSERT_FATAL(ae >= 0 && pca >= 0 && fig >= 0);
    /* codings and codings_lr read the codings, the figure the reconstruction. */
    CU_ASSERT_EQUAL(p->stages[ae].n_readers[0], 2);
    CU_ASSERT_EQUAL(p->stages[ae].n_readers[1], 1);
    CU_ASSERT_EQUAL(lt_stage_wanted(&p->stages[ae]), 3u);
    CU_ASSERT_EQUAL(lt_stage_wanted(&p->stages[pca]), 1u);
    CU_ASSERT_EQUAL(p->stages[fig].input_output[1], 1);
    lt_json *r = lt_pipeline_resolved(p);
    const lt_json *in = lt_json_get(lt_json_get(lt_json_get(r, "stages"), "reconstructions"), "input");
    CU_ASSERT_STRING_EQUAL(lt_json_string(lt_json_at(in, 0)), "fashion");
    CU_ASSERT_STRING_EQUAL(lt_json_string(lt_json_at(in, 1)), "ae.reconstruction");
    lt_json_free(r);
    lt_pipeline_free(p);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("named outputs", NULL, NULL);
    CU_add_test(s, "resolved inputs name the outputs read", test_resolved_inputs);
    CU_add_test(s, "stacked_ae_short trains its network once", test_trains_once);
    CU_add_test(s, "an output nobody reads is not computed", test_unread_output_not_computed);
    return lt_test_run();
}
