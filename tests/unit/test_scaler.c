/* center, scaler.standard and scaler.minmax against scikit-learn 1.2.1
 * (tests/reference/make_pca.py): fitted vectors and transformed splits,
 * constant columns included. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "testcfg.h"
#include "testmat.h"
#include "testutil.h"

extern const lt_stage_def center_stage, scaler_standard_stage, scaler_minmax_stage;

const char *lt_test_root = ".";
static lt_json *ref;

static lt_data *cancer_data(void)
{
    const lt_json *can = lt_json_get(ref, "cancer");
    lt_mat *all = lt_test_mat(lt_json_get(can, "X"));
    lt_data *d = lt_test_data(lt_test_take_rows(all, lt_json_get(can, "train_index")),
                              lt_test_take_rows(all, lt_json_get(can, "test_index")));
    lt_mat_free(&all);
    return d;
}

static lt_data *edge_data(void)
{
    const lt_json *e = lt_json_get(ref, "scaler_edges");
    return lt_test_data(lt_test_mat(lt_json_get(e, "train")),
                        lt_test_mat(lt_json_get(e, "test")));
}

struct run {
    lt_ctx *ctx;
    lt_data *out;
    int rc;
};

static struct run run_stage(const lt_stage_def *def, const void *cfg, const lt_data *in)
{
    struct run r = {lt_ctx_new_test(), NULL, LT_OK};
    CU_ASSERT_PTR_NOT_NULL_FATAL(r.ctx);
    r.rc = lt_test_run_stage(def, r.ctx, cfg, in, &r.out);
    return r;
}

static void release(struct run *r)
{
    lt_data_free(&r->out);
    lt_ctx_free_test(r->ctx);
}

static double metric_diff(const struct run *r, const char *name, const lt_json *want)
{
    return lt_test_json_maxdiff(lt_json_get(lt_ctx_test_metrics(r->ctx), name), want);
}

static void test_standard_cancer(void)
{
    const lt_json *st = lt_json_get(lt_json_get(ref, "cancer"), "standard");
    lt_data *d = cancer_data();
    void *cfg = lt_test_config(&scaler_standard_stage);
    struct run r = run_stage(&scaler_standard_stage, cfg, d);
    CU_ASSERT_EQUAL_FATAL(r.rc, LT_OK);
    /* Features run up to ~4000 (area) with variances up to ~1e5: relative. */
    NEAR("cancer standard: mean (rel.)",
         metric_diff(&r, "mean", lt_json_get(st, "mean")) /
             lt_test_json_maxabs(lt_json_get(st, "mean")), 1e-12);
    NEAR("cancer standard: var (rel.)",
         metric_diff(&r, "var", lt_json_get(st, "var")) /
             lt_test_json_maxabs(lt_json_get(st, "var")), 1e-12);
    NEAR("cancer standard: scale (rel.)",
         metric_diff(&r, "scale", lt_json_get(st, "scale")) /
             lt_test_json_maxabs(lt_json_get(st, "scale")), 1e-12);
    NEAR("cancer standard: train rows",
         lt_test_mat_maxdiff(r.out->split[LT_TRAIN].x, lt_json_get(st, "train_head")), 1e-10);
    NEAR("cancer standard: test rows",
         lt_test_mat_maxdiff(r.out->split[LT_TEST].x, lt_json_get(st, "test_head")), 1e-10);
    CU_ASSERT_EQUAL(r.out->split[LT_TEST].x->rows, 143);
    release(&r);
    free(cfg);
    lt_data_free(&d);
}

static void test_minmax_cancer(void)
{
    const lt_json *can = lt_json_get(ref, "cancer");
    const lt_json *mm = lt_json_get(can, "minmax");
    lt_data *d = cancer_data();
    void *cfg = lt_test_config(&scaler_minmax_stage);
    struct run r = run_stage(&scaler_minmax_stage, cfg, d);
    CU_ASSERT_EQUAL_FATAL(r.rc, LT_OK);
    NEAR("cancer minmax: data_min", metric_diff(&r, "data_min", lt_json_get(mm, "data_min")), 0);
    NEAR("cancer minmax: data_max", metric_diff(&r, "data_max", lt_json_get(mm, "data_max")), 0);
    NEAR("cancer minmax: scale", metric_diff(&r, "scale", lt_json_get(mm, "scale")), 1e-12);
    NEAR("cancer minmax: min", metric_diff(&r, "min", lt_json_get(mm, "min")), 1e-12);
    NEAR("cancer minmax: train rows",
         lt_test_mat_maxdiff(r.out->split[LT_TRAIN].x, lt_json_get(mm, "train_head")), 1e-12);
    NEAR("cancer minmax: test rows",
         lt_test_mat_maxdiff(r.out->split[LT_TEST].x, lt_json_get(mm, "test_head")), 1e-12);
    release(&r);

    const lt_json *mm2 = lt_json_get(can, "minmax_-1_2");
    double range[2] = {-1, 2};
    lt_test_set_vec(&scaler_minmax_stage, cfg, "feature_range", range, 2);
    r = run_stage(&scaler_minmax_stage, cfg, d);
    CU_ASSERT_EQUAL_FATAL(r.rc, LT_OK);
    NEAR("cancer minmax [-1, 2]: scale", metric_diff(&r, "scale", lt_json_get(mm2, "scale")), 1e-12);
    NEAR("cancer minmax [-1, 2]: min", metric_diff(&r, "min", lt_json_get(mm2, "min")), 1e-12);
    NEAR("cancer minmax [-1, 2]: test rows",
         lt_test_mat_maxdiff(r.out->split[LT_TEST].x, lt_json_get(mm2, "test_head")), 1e-12);
    release(&r);

    double backwards[2] = {1, 0};
    lt_test_set_vec(&scaler_minmax_stage, cfg, "feature_range", backwards, 2);
    r = run_stage(&scaler_minmax_stage, cfg, d);
    CU_ASSERT_EQUAL(r.rc, LT_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(lt_ctx_error(r.ctx), "expected min < max"));
    release(&r);
    lt_test_set_vec(&scaler_minmax_stage, cfg, "feature_range", range, 1);
    r = run_stage(&scaler_minmax_stage, cfg, d);
    CU_ASSERT_EQUAL(r.rc, LT_EINPUT);
    release(&r);
    free(cfg);
    lt_data_free(&d);
}

/* Constant columns (0.1, which is not exact in binary, and 7.0) get scale 1
 * in both scalers; a column near 1e6 with unit spread keeps its digits. */
static void test_edges(void)
{
    const lt_json *e = lt_json_get(ref, "scaler_edges");
    lt_data *d = edge_data();
    d->split[LT_TRAIN].y = calloc(7, sizeof(int));
    d->split[LT_TRAIN].y[3] = 1;
    d->n_classes = 2;

    void *cfg = lt_test_config(&scaler_standard_stage);
    struct run r = run_stage(&scaler_standard_stage, cfg, d);
    CU_ASSERT_EQUAL_FATAL(r.rc, LT_OK);
    const lt_json *st = lt_json_get(e, "standard");
    NEAR("edges standard: scale", metric_diff(&r, "scale", lt_json_get(st, "scale")), 1e-12);
    CU_ASSERT_EQUAL(lt_ctx_test_metric(r.ctx, "scale", 1), 1.0);
    CU_ASSERT_EQUAL(lt_ctx_test_metric(r.ctx, "scale", 2), 1.0);
    NEAR("edges standard: train",
         lt_test_mat_maxdiff(r.out->split[LT_TRAIN].x, lt_json_get(st, "train")), 1e-9);
    NEAR("edges standard: test",
         lt_test_mat_maxdiff(r.out->split[LT_TEST].x, lt_json_get(st, "test")), 1e-9);
    CU_ASSERT_EQUAL(r.out->split[LT_TRAIN].y[3], 1);
    release(&r);

    lt_test_set_bool(&scaler_standard_stage, cfg, "with_std", false);
    r = run_stage(&scaler_standard_stage, cfg, d);
    CU_ASSERT_EQUAL_FATAL(r.rc, LT_OK);
    st = lt_json_get(e, "with_std_false");
    NEAR("edges with_std=false: train",
         lt_test_mat_maxdiff(r.out->split[LT_TRAIN].x, lt_json_get(st, "train")), 1e-9);
    NEAR("edges with_std=false: test",
         lt_test_mat_maxdiff(r.out->split[LT_TEST].x, lt_json_get(st, "test")), 1e-9);
    CU_ASSERT_PTR_NULL(lt_json_get(lt_ctx_test_metrics(r.ctx), "scale"));
    release(&r);

    /* center is StandardScaler(with_std=False). */
    r = run_stage(&center_stage, NULL, d);
    CU_ASSERT_EQUAL_FATAL(r.rc, LT_OK);
    NEAR("edges center: train",
         lt_test_mat_maxdiff(r.out->split[LT_TRAIN].x, lt_json_get(st, "train")), 1e-9);
    NEAR("edges center: test",
         lt_test_mat_maxdiff(r.out->split[LT_TEST].x, lt_json_get(st, "test")), 1e-9);
    NEAR("edges center: mean",
         metric_diff(&r, "mean", lt_json_get(lt_json_get(e, "standard"), "mean")), 1e-9);
    release(&r);

    lt_test_set_bool(&scaler_standard_stage, cfg, "with_std", true);
    lt_test_set_bool(&scaler_standard_stage, cfg, "with_mean", false);
    r = run_stage(&scaler_standard_stage, cfg, d);
    CU_ASSERT_EQUAL_FATAL(r.rc, LT_OK);
    st = lt_json_get(e, "with_mean_false");
    NEAR("edges with_mean=false: train (rel.)",
         lt_test_mat_maxdiff(r.out->split[LT_TRAIN].x, lt_json_get(st, "train")) / 4e6, 1e-15);
    NEAR("edges with_mean=false: test (rel.)",
         lt_test_mat_maxdiff(r.out->split[LT_TEST].x, lt_json_get(st, "test")) / 4e6, 1e-15);
    release(&r);
    free(cfg);

    cfg = lt_test_config(&scaler_minmax_stage);
    r = run_stage(&scaler_minmax_stage, cfg, d);
    CU_ASSERT_EQUAL_FATAL(r.rc, LT_OK);
    st = lt_json_get(e, "minmax");
    NEAR("edges minmax: scale", metric_diff(&r, "scale", lt_json_get(st, "scale")), 1e-12);
    /* The 1e6 column: x * scale + min cancels ~1.5e6 against ~1.5e6, so
     * both sides carry ~1e-10 of rounding; the same operation order gives
     * the same bits. */
    NEAR("edges minmax: train",
         lt_test_mat_maxdiff(r.out->split[LT_TRAIN].x, lt_json_get(st, "train")), 1e-9);
    NEAR("edges minmax: test",
         lt_test_mat_maxdiff(r.out->split[LT_TEST].x, lt_json_get(st, "test")), 1e-9);
    CU_ASSERT_EQUAL(r.out->split[LT_TRAIN].x->v[1], 0.0);
    release(&r);
    free(cfg);
    lt_data_free(&d);
}

static void test_bad_input(void)
{
    lt_data *d = lt_data_new();
    struct run r = run_stage(&center_stage, NULL, d);
    CU_ASSERT_EQUAL(r.rc, LT_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(lt_ctx_error(r.ctx), "no training rows"));
    release(&r);
    lt_data_free(&d);

    d = lt_test_data(lt_mat_new(3, 2), lt_mat_new(2, 3));
    void *cfg = lt_test_config(&scaler_standard_stage);
    r = run_stage(&scaler_standard_stage, cfg, d);
    CU_ASSERT_EQUAL(r.rc, LT_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(lt_ctx_error(r.ctx), "split 'test' has 3 features but train has 2"));
    release(&r);
    free(cfg);
    lt_data_free(&d);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    ref = lt_test_reference("pca.json");
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("scaler", NULL, NULL);
    CU_add_test(s, "standard on breast cancer", test_standard_cancer);
    CU_add_test(s, "minmax on breast cancer", test_minmax_cancer);
    CU_add_test(s, "constant columns, center, with_mean/with_std", test_edges);
    CU_add_test(s, "no train split, mismatched widths", test_bad_input);
    int rc = lt_test_run();
    lt_json_free(ref);
    return rc;
}
