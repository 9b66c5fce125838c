/* The stats sink against numpy (tests/reference/make_pca.py): the lecture's
 * two-dimensional normal sample and its 10 x 5 matrix. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "testcfg.h"
#include "testmat.h"
#include "testutil.h"

extern const lt_stage_def stats_stage;

const char *lt_test_root = ".";
static lt_json *ref, *mvn_ref;

static int run_stats(lt_ctx *ctx, const lt_data *d, int max_features)
{
    void *cfg = lt_test_config(&stats_stage);
    if (max_features > 0)
        lt_test_set_int(&stats_stage, cfg, "max_features", max_features);
    lt_data *out = NULL;
    int rc = lt_test_run_stage(&stats_stage, ctx, cfg, d, &out);
    CU_ASSERT_PTR_NULL(out);
    free(cfg);
    return rc;
}

static double diff(lt_ctx *ctx, const char *name, const lt_json *want)
{
    return lt_test_json_maxdiff(lt_json_get(lt_ctx_test_metrics(ctx), name), want);
}

static void test_multivariate(void)
{
    const lt_json *m = lt_json_get(mvn_ref, "mvn");
    lt_data *d = lt_test_data(lt_test_mat(lt_json_get(m, "X")), NULL);
    lt_ctx *ctx = lt_ctx_new_test();
    CU_ASSERT_EQUAL_FATAL(run_stats(ctx, d, 0), LT_OK);
    NEAR("mvn train.mean", diff(ctx, "train.mean", lt_json_get(m, "mean")), 1e-12);
    NEAR("mvn train.cov", diff(ctx, "train.cov", lt_json_get(m, "cov")), 1e-12);
    NEAR("mvn train.corr", diff(ctx, "train.corr", lt_json_get(m, "corr")), 1e-12);
    NEAR("mvn train.eigenvalues", diff(ctx, "train.eigenvalues", lt_json_get(m, "eigenvalues")),
         1e-12);
    NEAR("mvn train.eigenvectors",
         diff(ctx, "train.eigenvectors", lt_json_get(m, "eigenvectors")), 1e-12);
    NEAR("mvn train.first_ratio", diff(ctx, "train.first_ratio", lt_json_get(m, "first_ratio")),
         1e-12);
    /* No test split, no test metrics. */
    CU_ASSERT_PTR_NULL(lt_json_get(lt_ctx_test_metrics(ctx), "test.mean"));
    lt_ctx_free_test(ctx);
    lt_data_free(&d);
}

static void test_lecture_matrix(void)
{
    const lt_json *lec = lt_json_get(ref, "lecture");
    const lt_json *x = lt_json_get(lec, "X");
    lt_data *d = lt_test_data(lt_test_mat(x), lt_test_mat(x));
    lt_ctx *ctx = lt_ctx_new_test();
    CU_ASSERT_EQUAL_FATAL(run_stats(ctx, d, 0), LT_OK);
    const lt_json *all = lt_json_get(lec, "all");
    NEAR("lecture train.mean", diff(ctx, "train.mean", lt_json_get(all, "mean")), 1e-12);
    NEAR("lecture train.cov", diff(ctx, "train.cov", lt_json_get(lec, "cov")), 1e-12);
    NEAR("lecture train.corr", diff(ctx, "train.corr", lt_json_get(lec, "corr")), 1e-12);
    NEAR("lecture test.cov", diff(ctx, "test.cov", lt_json_get(lec, "cov")), 1e-12);
    NEAR("lecture train.eigenvalues = PCA explained variance",
         diff(ctx, "train.eigenvalues", lt_json_get(all, "full_explained_variance")), 1e-12);
    const lt_json *ratio = lt_json_get(all, "full_explained_variance_ratio");
    NEAR("lecture train.first_ratio = PCA ratio[0]",
         fabs(lt_ctx_test_metric(ctx, "train.first_ratio", 0) -
              lt_json_number(lt_json_at(ratio, 0))),
         1e-12);
    lt_ctx_free_test(ctx);

    /* Above max_features only the mean is reported, with a warning. */
    ctx = lt_ctx_new_test();
    CU_ASSERT_EQUAL(run_stats(ctx, d, 4), LT_OK);
    CU_ASSERT_PTR_NOT_NULL(lt_json_get(lt_ctx_test_metrics(ctx), "train.mean"));
    CU_ASSERT_PTR_NULL(lt_json_get(lt_ctx_test_metrics(ctx), "train.cov"));
    CU_ASSERT_EQUAL(ctx->n_warnings, 2);
    lt_ctx_free_test(ctx);
    lt_data_free(&d);
}

static void test_degenerate(void)
{
    lt_mat *x = lt_mat_new(3, 2);
    double v[6] = {1, 5, 2, 5, 4, 5}; /* second column constant */
    memcpy(x->v, v, sizeof v);
    lt_data *d = lt_test_data(x, lt_mat_new(1, 2));
    lt_ctx *ctx = lt_ctx_new_test();
    CU_ASSERT_EQUAL(run_stats(ctx, d, 0), LT_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(lt_ctx_error(ctx), "at least 2 rows"));
    lt_ctx_free_test(ctx);
    lt_mat_free(&d->split[LT_TEST].x);

    ctx = lt_ctx_new_test();
    CU_ASSERT_EQUAL(run_stats(ctx, d, 0), LT_OK);
    const lt_json *corr = lt_json_get(lt_ctx_test_metrics(ctx), "train.corr");
    const lt_json *cov = lt_json_get(lt_ctx_test_metrics(ctx), "train.cov");
    CU_ASSERT_EQUAL(lt_json_number(lt_json_at(lt_json_at(cov, 0), 0)), 7.0 / 3.0);
    CU_ASSERT_EQUAL(lt_json_number(lt_json_at(lt_json_at(cov, 1), 1)), 0.0);
    CU_ASSERT_PTR_NULL(corr); /* undefined (NaN) entries: left out, never null */
    CU_ASSERT_EQUAL(lt_ctx_test_metric(ctx, "train.first_ratio", 0), 1.0);
    CU_ASSERT_EQUAL(ctx->n_warnings, 1);
    lt_ctx_free_test(ctx);
    lt_data_free(&d);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    ref = lt_test_reference("pca.json");
    mvn_ref = lt_test_reference("pca_mvn.json");
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("stats", NULL, NULL);
    CU_add_test(s, "lecture multivariate normal", test_multivariate);
    CU_add_test(s, "lecture 10x5, train and test", test_lecture_matrix);
    CU_add_test(s, "too few rows, constant feature", test_degenerate);
    int rc = lt_test_run();
    lt_json_free(ref);
    lt_json_free(mvn_ref);
    return rc;
}
