/* Isomap (math/isomap.c, math/eigs.c, the isomap stage) against
 * scikit-learn 1.2.1 (tests/reference/make_manifold.py -> manifold.json):
 * embeddings on the iterative and dense eigensolver paths, a disconnected
 * graph, new rows, and the stage's errors. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "manifold_util.h"
#include "math/isomap.h"
#include "stages/isomap.h"

const char *lt_test_root = ".";

extern const lt_stage_def isomap_stage;

/* Fits the first N rows of the reference's X at KEY and compares. */
static void check_fit(const char *key, size_t n, size_t d, size_t neighbors, size_t comps,
                      const double *x, lt_isomap *m)
{
    char path[96];
    lt_pool *pool = lt_pool_new(2);
    CU_ASSERT_EQUAL_FATAL(lt_isomap_fit(m, x, n, d, neighbors, comps, pool), LT_ISOMAP_OK);
    lt_pool_free(pool);
    snprintf(path, sizeof path, "isomap/%s/embedding", key);
    double *want = numbers(path, NULL);
    double diff = diff_up_to_sign(m->embedding, want, n, comps);
    CU_ASSERT(diff <= 1e-6);
    snprintf(path, sizeof path, "isomap/%s/reconstruction_error", key);
    double err = num(path);
    /* The error is a square root of a difference of sums of squares: less
     * precise than either. */
    CU_ASSERT(fabs(m->reconstruction_error - err) <= 1e-7 * err);
    fprintf(stderr, "embedding %.2g (up to sign), reconstruction error %.2g (relative) ",
            diff, fabs(m->reconstruction_error - err) / err);
    free(want);
}

static void test_roll_lanczos(void)
{
    size_t count;
    double *x = numbers("isomap/roll/x", &count);
    size_t n = (size_t)num("isomap/roll/n_train"), rows = count / 3;
    lt_isomap m;
    check_fit("roll", n, 3, (size_t)num("isomap/roll/n_neighbors"),
              (size_t)num("isomap/roll/n_components"), x, &m);
    double *values = numbers("isomap/roll/eigenvalues", NULL);
    CU_ASSERT(rel_diff(m.values, values, 2) <= 1e-10);
    CU_ASSERT_EQUAL(m.n_components_graph, 1);

    /* New rows through the training graph. */
    double *out = malloc((rows - n) * 2 * sizeof *out);
    CU_ASSERT_EQUAL(lt_isomap_transform(&m, x + n * 3, rows - n, NULL, out), LT_ISOMAP_OK);
    double *want = numbers("isomap/roll/transform", NULL);
    double diff = diff_up_to_sign(out, want, rows - n, 2);
    CU_ASSERT(diff <= 1e-6);
    fprintf(stderr, "transform %.2g ", diff);
    free(want);
    free(out);
    free(values);
    lt_isomap_free(&m);
    free(x);
}

static void test_dense_path(void)
{
    double *x = numbers("isomap/roll/x", NULL);
    lt_isomap m;
    check_fit("dense", (size_t)num("isomap/dense/n_train"), 3,
              (size_t)num("isomap/dense/n_neighbors"), (size_t)num("isomap/dense/n_components"),
              x, &m);
    double *values = numbers("isomap/dense/eigenvalues", NULL);
    CU_ASSERT(rel_diff(m.values, values, 3) <= 1e-10);
    free(values);
    lt_isomap_free(&m);
    free(x);
}

static void test_disconnected(void)
{
    size_t count;
    double *x = numbers("isomap/split/x", &count);
    lt_isomap m;
    check_fit("split", count / 2, 2, (size_t)num("isomap/split/n_neighbors"),
              (size_t)num("isomap/split/n_components"), x, &m);
    CU_ASSERT_EQUAL(m.n_components_graph, (size_t)num("isomap/split/graph_components"));
    CU_ASSERT(m.n_components_graph >= 2);
    lt_isomap_free(&m);
    free(x);
}

/* The same embedding, to the bit, for any number of pool threads. */
static void test_threads(void)
{
    size_t count;
    double *x = numbers("isomap/roll/x", &count);
    lt_isomap one, many;
    lt_pool *pool = lt_pool_new(3);
    CU_ASSERT_EQUAL_FATAL(lt_isomap_fit(&one, x, 300, 3, 8, 2, NULL), LT_ISOMAP_OK);
    CU_ASSERT_EQUAL_FATAL(lt_isomap_fit(&many, x, 300, 3, 8, 2, pool), LT_ISOMAP_OK);
    CU_ASSERT(memcmp(one.embedding, many.embedding, 300 * 2 * sizeof(double)) == 0);
    lt_isomap_free(&one);
    lt_isomap_free(&many);
    lt_pool_free(pool);
    free(x);
}

/* ---- the stage ------------------------------------------------------------------ */

static void test_stage(void)
{
    size_t count;
    double *x = numbers("isomap/roll/x", &count);
    size_t n = (size_t)num("isomap/roll/n_train"), rows = count / 3;
    lt_data *in = data_from(x, n, 3, NULL, 0);
    in->split[LT_TEST].x = lt_mat_new(rows - n, 3);
    memcpy(in->split[LT_TEST].x->v, x + n * 3, (rows - n) * 3 * sizeof *x);
    struct isomap_config cfg = {8, 2};
    lt_ctx *ctx = lt_ctx_new_test();
    const lt_data *inputs[1] = {in};
    lt_data *out = NULL;
    CU_ASSERT_EQUAL_FATAL(lt_test_call(&isomap_stage, ctx, &cfg, inputs, 1, &out), LT_OK);
    double *emb = numbers("isomap/roll/embedding", NULL);
    double *tr = numbers("isomap/roll/transform", NULL);
    CU_ASSERT(diff_up_to_sign(out->split[LT_TRAIN].x->v, emb, n, 2) <= 1e-6);
    CU_ASSERT(diff_up_to_sign(out->split[LT_TEST].x->v, tr, rows - n, 2) <= 1e-6);
    CU_ASSERT(fabs(lt_ctx_test_metric(ctx, "reconstruction_error", 0) -
                   num("isomap/roll/reconstruction_error")) < 1e-9);
    CU_ASSERT_STRING_EQUAL(out->feature_names[1], "isomap2");
    lt_data_free(&out);
    lt_ctx_free_test(ctx);

    cfg.n_neighbors = 300;
    ctx = lt_ctx_new_test();
    CU_ASSERT_EQUAL(lt_test_call(&isomap_stage, ctx, &cfg, inputs, 1, &out), LT_EINPUT);
    CU_ASSERT(strstr(lt_ctx_error(ctx), "n_neighbors is 300 but must be less than the "
                                        "training rows (300)") != NULL);
    lt_ctx_free_test(ctx);
    cfg.n_neighbors = 5;
    cfg.n_components = 301;
    ctx = lt_ctx_new_test();
    CU_ASSERT_EQUAL(lt_test_call(&isomap_stage, ctx, &cfg, inputs, 1, &out), LT_EINPUT);
    CU_ASSERT(strstr(lt_ctx_error(ctx), "n_components is 301") != NULL);
    lt_ctx_free_test(ctx);
    free(emb);
    free(tr);
    lt_data_free(&in);
    free(x);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    ref = lt_test_reference("manifold.json");
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("isomap", NULL, NULL);
    CU_add_test(s, "swiss roll, 300 rows (Krylov solver), and new rows", test_roll_lanczos);
    CU_add_test(s, "150 rows, 3 components (dense eigensolver)", test_dense_path);
    CU_add_test(s, "disconnected neighbour graph", test_disconnected);
    CU_add_test(s, "same result for any thread count", test_threads);
    CU_add_test(s, "stage and its errors", test_stage);
    int rc = lt_test_run();
    lt_json_free(ref);
    return rc;
}
