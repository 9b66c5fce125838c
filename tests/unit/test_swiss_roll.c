/* dataset.swiss_roll against scikit-learn 1.2.1's make_swiss_roll
 * (tests/reference/make_kpca.py): the same points and roll positions for
 * the same random_state, with and without noise and hole. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "testcfg.h"
#include "testmat.h"
#include "testutil.h"

extern const lt_stage_def dataset_swiss_roll_stage;

const char *lt_test_root = ".";
static lt_json *ref;

/* numpy's float64 sin and cos may differ from libm's by an ulp; the
 * coordinates are below 15 in magnitude. */
#define TOL 1e-13

/* Runs the stage with the reference case's settings; the caller frees. */
static lt_data *roll(const lt_json *c, lt_ctx **pctx)
{
    lt_ctx *ctx = lt_ctx_new_test();
    CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
    void *cfg = lt_test_config(&dataset_swiss_roll_stage);
    lt_test_set_int(&dataset_swiss_roll_stage, cfg, "n_samples",
                    (int)lt_json_number(lt_json_get(c, "n_samples")));
    lt_test_set_real(&dataset_swiss_roll_stage, cfg, "noise",
                     lt_json_number(lt_json_get(c, "noise")));
    lt_test_set_bool(&dataset_swiss_roll_stage, cfg, "hole",
                     lt_json_number(lt_json_get(c, "hole")) != 0);
    *(int64_t *)((char *)cfg + lt_test_param(&dataset_swiss_roll_stage, "random_state")->offset) =
        (int64_t)lt_json_number(lt_json_get(c, "random_state"));
    lt_data *d = NULL;
    CU_ASSERT_EQUAL(lt_test_call(&dataset_swiss_roll_stage, ctx, cfg, NULL, 0, &d), LT_OK);
    free(cfg);
    *pctx = ctx;
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    return d;
}

static void check_whole(const char *name)
{
    const lt_json *c = lt_json_get(ref, name);
    lt_ctx *ctx;
    lt_data *d = roll(c, &ctx);
    const lt_split *train = &d->split[LT_TRAIN];
    size_t n = (size_t)lt_json_number(lt_json_get(c, "n_samples"));
    CU_ASSERT_EQUAL_FATAL(train->x->rows, n);
    CU_ASSERT_EQUAL(train->x->cols, 3);
    CU_ASSERT_PTR_NULL(train->y);
    CU_ASSERT_EQUAL(d->n_classes, 0);
    CU_ASSERT_PTR_NULL(d->split[LT_TEST].x);
    CU_ASSERT_PTR_NOT_NULL_FATAL(train->t);
    CU_ASSERT_STRING_EQUAL(d->feature_names[1], "y");
    char label[64];
    snprintf(label, sizeof label, "%s X", name);
    NEAR(label, lt_test_mat_maxdiff(train->x, lt_json_get(c, "X")), TOL);
    snprintf(label, sizeof label, "%s t", name);
    NEAR(label, lt_test_maxdiff(train->t, n, lt_json_get(c, "t")), TOL);
    lt_data_free(&d);
    lt_ctx_free_test(ctx);
}

static void test_noisy(void) { check_whole("swiss_small"); }
static void test_noiseless(void) { check_whole("swiss_noiseless"); }
static void test_hole(void) { check_whole("swiss_hole"); }

/* The lecture's 1000 points (noise 0.2, random_state 42): first and last
 * rows, column sums and t. */
static void test_lecture_roll(void)
{
    const lt_json *c = lt_json_get(ref, "swiss_lecture");
    lt_ctx *ctx;
    lt_data *d = roll(c, &ctx);
    const lt_mat *x = d->split[LT_TRAIN].x;
    CU_ASSERT_EQUAL_FATAL(x->rows, 1000);
    NEAR("lecture first rows", lt_test_mat_maxdiff(x, lt_json_get(c, "head")), TOL);
    NEAR("lecture last row", lt_test_maxdiff(x->v + 999 * 3, 3, lt_json_get(c, "last")), TOL);
    NEAR("lecture first t", lt_test_maxdiff(d->split[LT_TRAIN].t, 5, lt_json_get(c, "t_head")),
         TOL);
    double sums[3] = {0, 0, 0}, t_sum = 0;
    for (size_t i = 0; i < 1000; i++) {
        for (int j = 0; j < 3; j++)
            sums[j] += x->v[3 * i + j];
        t_sum += d->split[LT_TRAIN].t[i];
    }
    /* Sums of 1000 values of up to 21: numpy adds pairwise, we in order. */
    NEAR("lecture column sums", lt_test_maxdiff(sums, 3, lt_json_get(c, "column_sums")), 1e-9);
    NEAR("lecture t sum", fabs(t_sum - lt_json_number(lt_json_get(c, "t_sum"))), 1e-9);
    lt_data_free(&d);
    lt_ctx_free_test(ctx);
}

/* An unset random_state takes the pipeline's seed (0 in a test context):
 * the same points as random_state 0. */
static void test_pipeline_seed(void)
{
    lt_ctx *ctx = lt_ctx_new_test();
    void *cfg = lt_test_config(&dataset_swiss_roll_stage);
    lt_test_set_int(&dataset_swiss_roll_stage, cfg, "n_samples", 20);
    lt_data *d = NULL;
    CU_ASSERT_EQUAL_FATAL(lt_test_call(&dataset_swiss_roll_stage, ctx, cfg, NULL, 0, &d), LT_OK);
    NEAR("unset random_state = pipeline seed 0",
         lt_test_mat_maxdiff(d->split[LT_TRAIN].x, lt_json_get(lt_json_get(ref, "swiss_noiseless"), "X")),
         TOL);
    free(cfg);
    lt_data_free(&d);
    lt_ctx_free_test(ctx);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    ref = lt_test_reference("kpca.json");
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("dataset.swiss_roll", NULL, NULL);
    CU_add_test(s, "noise 0.3, random_state 7", test_noisy);
    CU_add_test(s, "no noise", test_noiseless);
    CU_add_test(s, "hole", test_hole);
    CU_add_test(s, "the lecture's 1000 points", test_lecture_roll);
    CU_add_test(s, "pipeline seed", test_pipeline_seed);
    int rc = lt_test_run();
    lt_json_free(ref);
    return rc;
}
