/* impute against scikit-learn's SimpleImputer 1.2.1 (tests/reference/
 * make_impute.py), and the runner's guard that keeps NaN away from every
 * other stage (core/nan_guard.c). */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/nan_guard.h"
#include "testcfg.h"
#include "testmat.h"
#include "testutil.h"

extern const lt_stage_def impute_stage;

const char *lt_test_root = ".";
static lt_json *ref;

/* Max |a - b| of M against a JSON matrix with nulls for NaN: NaN must meet
 * null, a number a number (else the result is NaN, failing any NEAR). */
static double maxdiff_nan(const lt_mat *m, const lt_json *rows)
{
    double worst = 0;
    if (lt_json_size(rows) != m->rows)
        return NAN;
    for (size_t i = 0; i < m->rows; i++)
        for (size_t j = 0; j < m->cols; j++) {
            const lt_json *want = lt_json_value_at(lt_json_value_at(rows, i), j);
            double got = m->v[i * m->cols + j];
            if (lt_json_is_null(want) != isnan(got))
                return NAN;
            if (!isnan(got) && !(fabs(got - lt_json_number(want)) <= worst))
                worst = fabs(got - lt_json_number(want));
        }
    return worst;
}

static lt_data *table(void)
{
    return lt_test_data(lt_test_mat(lt_json_get(ref, "train")),
                        lt_test_mat(lt_json_get(ref, "test")));
}

static void check_strategy(const char *strategy)
{
    const lt_json *want = lt_json_get(lt_json_get(ref, "strategies"), strategy);
    lt_data *in = table();
    void *cfg = lt_test_config(&impute_stage);
    lt_test_set_choice(&impute_stage, cfg, "strategy", strategy);
    lt_test_set_real(&impute_stage, cfg, "fill_value",
                     lt_json_number(lt_json_get(want, "fill_value")));
    lt_ctx *ctx = lt_ctx_new_test();
    lt_data *out = NULL;
    CU_ASSERT_EQUAL_FATAL(lt_test_run_stage(&impute_stage, ctx, cfg, in, &out), LT_OK);
    const lt_json *m = lt_ctx_test_metrics(ctx);
    char label[96];
    snprintf(label, sizeof label, "%s: statistics_", strategy);
    NEAR(label, lt_test_json_maxdiff(lt_json_get(m, "statistics"), lt_json_get(want, "statistics")),
         1e-15);
    snprintf(label, sizeof label, "%s: train transformed", strategy);
    NEAR(label, maxdiff_nan(out->split[LT_TRAIN].x, lt_json_get(want, "train")), 1e-15);
    snprintf(label, sizeof label, "%s: test transformed", strategy);
    NEAR(label, maxdiff_nan(out->split[LT_TEST].x, lt_json_get(want, "test")), 1e-15);
    CU_ASSERT_EQUAL(lt_json_number(lt_json_get(m, "train_filled")),
                    lt_json_number(lt_json_get(want, "train_filled")));
    CU_ASSERT_EQUAL(lt_json_number(lt_json_get(m, "test_filled")),
                    lt_json_number(lt_json_get(want, "test_filled")));
    /* What flows on holds no NaN: the guard lets it pass. */
    lt_ctx_enter(ctx, "next", 0, 0, NULL);
    CU_ASSERT_EQUAL(lt_nan_guard(ctx, out, "impute"), LT_OK);
    lt_data_free(&out);
    lt_data_free(&in);
    lt_ctx_free_test(ctx);
    free(cfg);
}

static void test_mean(void) { check_strategy("mean"); }
static void test_median(void) { check_strategy("median"); }
static void test_most_frequent(void) { check_strategy("most_frequent"); }
static void test_constant(void) { check_strategy("constant"); }

/* A training column without a value has no mean: an error, where
 * SimpleImputer drops the column (shifting every later one). */
static void test_empty_column(void)
{
    lt_data *in = table();
    for (size_t i = 0; i < in->split[LT_TRAIN].x->rows; i++)
        in->split[LT_TRAIN].x->v[i * 4 + 2] = NAN;
    in->feature_names = calloc(4, sizeof *in->feature_names);
    const char *names[] = {"a", "b", "ash", "d"};
    for (int j = 0; j < 4; j++)
        in->feature_names[j] = strdup(names[j]);
    void *cfg = lt_test_config(&impute_stage);
    lt_test_set_choice(&impute_stage, cfg, "strategy", "median");
    lt_ctx *ctx = lt_ctx_new_test();
    lt_data *out = NULL;
    CU_ASSERT_EQUAL(lt_test_run_stage(&impute_stage, ctx, cfg, in, &out), LT_EINPUT);
    CU_ASSERT_PTR_NULL(out);
    MESSAGE_IS(lt_ctx_error(ctx),
               "stage 'test': column 3 ('ash') has no value in the training split to compute "
               "its median from; drop it (the dataset's ignore) or use strategy: constant");
    /* constant needs no training value. */
    lt_test_set_choice(&impute_stage, cfg, "strategy", "constant");
    CU_ASSERT_EQUAL(lt_test_run_stage(&impute_stage, ctx, cfg, in, &out), LT_OK);
    CU_ASSERT_EQUAL(out->split[LT_TRAIN].x->v[2], 0.0);
    lt_data_free(&out);
    lt_data_free(&in);
    lt_ctx_free_test(ctx);
    free(cfg);
}

/* The guard names the stage, split, row, column and feature of the first
 * NaN, in held float64 and float32 data. */
static void test_guard(void)
{
    lt_data *in = table();
    lt_ctx *ctx = lt_ctx_new_test();
    lt_ctx_enter(ctx, "pca", 0, 0, NULL);
    CU_ASSERT_EQUAL(lt_nan_guard(ctx, in, "wine"), LT_EINPUT);
    MESSAGE_IS(lt_ctx_error(ctx),
               "stage 'pca': input 'wine' has a missing value (NaN) in split 'train', row 2, "
               "column 1; fill it with an impute stage before this one, or read the data with "
               "missing: drop");
    lt_mat *f = lt_mat_new_f32(2, 3);
    f->f[5] = NAN;
    lt_mat_free(&in->split[LT_TRAIN].x);
    lt_mat_free(&in->split[LT_TEST].x);
    in->split[LT_TEST].x = f;
    in->split[LT_TRAIN].x = lt_mat_new(1, 3);
    in->n_features = 3;
    in->feature_names = calloc(3, sizeof *in->feature_names);
    for (int j = 0; j < 3; j++)
        in->feature_names[j] = strdup(j == 2 ? "proline" : "x");
    lt_ctx_enter(ctx, "pca", 0, 0, NULL);
    CU_ASSERT_EQUAL(lt_nan_guard(ctx, in, "wine"), LT_EINPUT);
    MESSAGE_IS(lt_ctx_error(ctx),
               "stage 'pca': input 'wine' has a missing value (NaN) in split 'test', row 2, "
               "column 3 ('proline'); fill it with an impute stage before this one, or read "
               "the data with missing: drop");
    lt_data_free(&in);
    lt_ctx_free_test(ctx);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    ref = lt_test_reference("impute.json");
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("impute", NULL, NULL);
    CU_add_test(s, "mean as SimpleImputer", test_mean);
    CU_add_test(s, "median as SimpleImputer", test_median);
    CU_add_test(s, "most_frequent as SimpleImputer (smallest of ties)", test_most_frequent);
    CU_add_test(s, "constant as SimpleImputer", test_constant);
    CU_add_test(s, "a training column without values", test_empty_column);
    CU_add_test(s, "the runner's NaN guard", test_guard);
    int rc = lt_test_run();
    lt_json_free(ref);
    return rc;
}
