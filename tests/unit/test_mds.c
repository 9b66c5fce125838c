/* MDS (math/mds.c, the mds stage) against scikit-learn 1.2.1's SMACOF
 * (tests/reference/make_manifold.py -> manifold.json): one run from a given
 * start, the n_init fit with its RandomState starts, thread independence
 * and the stage's errors. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "manifold_util.h"
#include "math/knn.h"
#include "math/mds.h"
#include "math/rng.h"
#include "stages/mds.h"

const char *lt_test_root = ".";

extern const lt_stage_def mds_stage;

/* euclidean_distances(X) as scikit-learn computes it. Owned, n x n. */
static double *distances(const double *x, size_t n, size_t d)
{
    double *sq = malloc(n * sizeof *sq), *delta = malloc(n * n * sizeof *delta);
    lt_row_sqnorms(x, n, d, sq);
    lt_sqdist_gemm(x, sq, 0, n, x, sq, n, d, true, delta);
    for (size_t e = 0; e < n * n; e++)
        delta[e] = sqrt(delta[e]);
    free(sq);
    return delta;
}

/* _smacof_single from RandomState(3).uniform(size=(100, 2)). */
static void test_single_run(void)
{
    size_t n = (size_t)num("mds/single/rows"), d;
    double *x = cancer_scaled(n, &d), *delta = distances(x, n, d);
    double *pos = malloc(n * 2 * sizeof *pos);
    lt_rng rng;
    lt_rng_seed(&rng, (uint32_t)num("mds/single/seed"));
    lt_rng_rand(&rng, pos, n * 2);
    double stress;
    int n_iter;
    CU_ASSERT_EQUAL_FATAL(lt_mds_smacof(delta, n, 2, 300, 1e-3, NULL, pos, &stress, &n_iter),
                          LT_MDS_OK);
    double want = num("mds/single/stress");
    double *want_pos = numbers("mds/single/embedding", NULL);
    CU_ASSERT_EQUAL(n_iter, (int)num("mds/single/n_iter"));
    CU_ASSERT(fabs(stress - want) <= 1e-9 * want);
    CU_ASSERT(rel_diff(pos, want_pos, n * 2) <= 1e-9);
    fprintf(stderr, "stress %.2g, embedding %.2g (relative), %d iterations ",
            fabs(stress - want) / want, rel_diff(pos, want_pos, n * 2), n_iter);
    free(want_pos);
    free(pos);
    free(delta);
    free(x);
}

/* MDS(random_state=0): four starts drawn one after another, the best kept. */
static void test_fit(void)
{
    size_t n = (size_t)num("mds/fit/rows"), d;
    double *x = cancer_scaled(n, &d);
    lt_mds_options opt = {.n_components = 2, .n_init = 4, .max_iter = 300, .eps = 1e-3,
                          .seed = (uint32_t)num("mds/fit/random_state")};
    lt_mds_result res;
    CU_ASSERT_EQUAL_FATAL(lt_mds_fit(x, n, d, &opt, NULL, &res), LT_MDS_OK);
    double want = num("mds/fit/stress");
    double *want_pos = numbers("mds/fit/embedding", NULL);
    CU_ASSERT(fabs(res.stress - want) <= 1e-9 * want); /* the issue asks 5% */
    CU_ASSERT_EQUAL(res.n_iter, (int)num("mds/fit/n_iter"));
    CU_ASSERT(rel_diff(res.embedding, want_pos, n * 2) <= 1e-9);
    fprintf(stderr, "stress %.17g vs %.17g (relative %.2g) ", res.stress, want,
            fabs(res.stress - want) / want);
    free(want_pos);
    free(res.embedding);
    free(x);
}

static void test_threads(void)
{
    size_t n = 150, d;
    double *x = cancer_scaled(n, &d);
    lt_mds_options opt = {.n_components = 3, .n_init = 2, .max_iter = 100, .eps = 1e-3,
                          .seed = 1};
    lt_pool *pool = lt_pool_new(3);
    lt_mds_result one, many;
    CU_ASSERT_EQUAL_FATAL(lt_mds_fit(x, n, d, &opt, NULL, &one), LT_MDS_OK);
    CU_ASSERT_EQUAL_FATAL(lt_mds_fit(x, n, d, &opt, pool, &many), LT_MDS_OK);
    CU_ASSERT(memcmp(one.embedding, many.embedding, n * 3 * sizeof(double)) == 0);
    CU_ASSERT_EQUAL(one.stress, many.stress);
    free(one.embedding);
    free(many.embedding);
    lt_pool_free(pool);
    free(x);
}

/* More columns than the unrolled cases: the general path gives a stress
 * that falls from run to run like any other. */
static void test_many_components(void)
{
    size_t n = 60, d;
    double *x = cancer_scaled(n, &d);
    double stress[2];
    for (int c = 0; c < 2; c++) {
        lt_mds_options opt = {.n_components = c ? 6 : 3, .n_init = 1, .max_iter = 300,
                              .eps = 1e-6, .seed = 0};
        lt_mds_result res;
        CU_ASSERT_EQUAL_FATAL(lt_mds_fit(x, n, d, &opt, NULL, &res), LT_MDS_OK);
        stress[c] = res.stress;
        free(res.embedding);
    }
    CU_ASSERT(stress[1] < stress[0] && stress[1] > 0);
    free(x);
}

static void test_stage(void)
{
    size_t n = (size_t)num("mds/fit/rows"), d;
    double *x = cancer_scaled(n, &d);
    int y[100];
    for (size_t i = 0; i < n; i++)
        y[i] = (int)(i % 2);
    lt_data *in = data_from(x, n, d, y, 2);
    struct mds_config cfg = {2, 4, 300, 1e-3, 0, LT_TRAIN};
    lt_ctx *ctx = lt_ctx_new_test();
    const lt_data *inputs[1] = {in};
    lt_data *out = NULL;
    CU_ASSERT_EQUAL_FATAL(lt_test_call(&mds_stage, ctx, &cfg, inputs, 1, &out), LT_OK);
    CU_ASSERT(out->split[LT_TRAIN].x->rows == n && out->split[LT_TRAIN].x->cols == 2);
    CU_ASSERT(memcmp(out->split[LT_TRAIN].y, y, n * sizeof *y) == 0);
    CU_ASSERT_STRING_EQUAL(out->feature_names[0], "mds1");
    double want = num("mds/fit/stress");
    CU_ASSERT(fabs(lt_ctx_test_metric(ctx, "stress", 0) - want) <= 1e-9 * want);
    lt_data_free(&out);
    lt_ctx_free_test(ctx);

    /* Other splits are left out, with a warning: MDS cannot place new rows. */
    in->split[LT_TEST].x = lt_mat_new(3, d);
    ctx = lt_ctx_new_test();
    CU_ASSERT_EQUAL_FATAL(lt_test_call(&mds_stage, ctx, &cfg, inputs, 1, &out), LT_OK);
    CU_ASSERT_EQUAL(ctx->n_warnings, 1);
    CU_ASSERT_PTR_NULL(out->split[LT_TEST].x);
    lt_data_free(&out);
    lt_ctx_free_test(ctx);
    lt_mat_free(&in->split[LT_TEST].x);

    /* n_components beyond the rows, and an absent split. */
    cfg.n_components = 101;
    ctx = lt_ctx_new_test();
    CU_ASSERT_EQUAL(lt_test_call(&mds_stage, ctx, &cfg, inputs, 1, &out), LT_EINPUT);
    CU_ASSERT(strstr(lt_ctx_error(ctx), "n_components is 101 but the train split has only "
                                        "100 rows") != NULL);
    lt_ctx_free_test(ctx);
    cfg.n_components = 2;
    cfg.split = LT_VALID;
    ctx = lt_ctx_new_test();
    CU_ASSERT_EQUAL(lt_test_call(&mds_stage, ctx, &cfg, inputs, 1, &out), LT_EINPUT);
    CU_ASSERT(strstr(lt_ctx_error(ctx), "no valid split") != NULL);
    lt_ctx_free_test(ctx);
    lt_data_free(&in);
    free(x);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    ref = lt_test_reference("manifold.json");
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("mds", NULL, NULL);
    CU_add_test(s, "one SMACOF run from a given start", test_single_run);
    CU_add_test(s, "fit: 4 starts from RandomState(0)", test_fit);
    CU_add_test(s, "same result for any thread count", test_threads);
    CU_add_test(s, "more than 3 components", test_many_components);
    CU_add_test(s, "stage and its errors", test_stage);
    int rc = lt_test_run();
    lt_json_free(ref);
    return rc;
}
