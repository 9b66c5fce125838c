/* Isomap (math/isomap.c, math/eigs.c, the isomap stage) against
 * scikit-learn 1.2.1 (tests/reference/make_manifold.py -> manifold.json):
 * embeddings on the Lanczos and dense paths, a disconnected graph, new rows,
 * the eigensolver itself, and the stage's errors. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "manifold_util.h"
#include "math/eigs.h"
#include "math/isomap.h"
#include "math/linalg.h"
#include "math/rng.h"

const char *lt_test_root = ".";

extern const lt_stage_def isomap_stage;

struct isomap_config { /* as in src/stages/isomap.c */
    int n_neighbors;
    int n_components;
};

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

/* The same embedding, to the bit, for any number of threads. */
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

/* ---- the eigensolver ---------------------------------------------------------- */

/* A symmetric n x n matrix with a decaying spectrum plus noise. Owned. */
static double *symmetric(size_t n, uint32_t seed, size_t rank)
{
    lt_rng rng;
    lt_rng_seed(&rng, seed);
    double *b = malloc(n * rank * sizeof *b), *a = calloc(n * n, sizeof *a);
    lt_rng_randn(&rng, b, n * rank);
    for (size_t r = 0; r < rank; r++)
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++)
                a[i * n + j] += b[i * rank + r] * b[j * rank + r] / (double)(r + 1);
    free(b);
    return a;
}

/* The k top pairs of both solvers: values to TOL; vectors, when they are
 * determined (distinct values), to 1e-8 up to sign. */
static void compare_solvers(const double *a, size_t n, size_t k, double tol, size_t k_vectors)
{
    double *v1 = malloc(k * sizeof *v1), *v2 = malloc(k * sizeof *v2);
    double *e1 = malloc(k * n * sizeof *e1), *e2 = malloc(k * n * sizeof *e2);
    CU_ASSERT_EQUAL_FATAL(lt_eigs_top(a, n, k, NULL, v1, e1), LT_LA_OK);
    CU_ASSERT_EQUAL_FATAL(lt_eigs_top_dense(a, n, k, v2, e2), LT_LA_OK);
    CU_ASSERT(rel_diff(v1, v2, k) <= tol);
    /* Vectors are rows here: compare them as columns of an n x k matrix. */
    double *c1 = malloc(n * k * sizeof *c1), *c2 = malloc(n * k * sizeof *c2);
    for (size_t i = 0; i < k; i++)
        for (size_t r = 0; r < n; r++) {
            c1[r * k + i] = e1[i * n + r];
            c2[r * k + i] = e2[i * n + r];
        }
    double diff = diff_up_to_sign(c1, c2, n, k);
    if (k_vectors < k) {
        for (size_t r = 0; r < n; r++)
            for (size_t i = 0; i < k_vectors; i++) {
                c1[r * k_vectors + i] = e1[i * n + r];
                c2[r * k_vectors + i] = e2[i * n + r];
            }
        diff = diff_up_to_sign(c1, c2, n, k_vectors);
    }
    CU_ASSERT(diff <= 1e-8);
    fprintf(stderr, "n %zu k %zu: values %.2g vectors %.2g; ", n, k, rel_diff(v1, v2, k), diff);
    free(v1);
    free(v2);
    free(e1);
    free(e2);
    free(c1);
    free(c2);
}

static void test_eigensolver(void)
{
    double *a = symmetric(400, 11, 400);
    compare_solvers(a, 400, 3, 1e-12, 3); /* Lanczos converges */
    free(a);
    a = symmetric(300, 12, 3);
    compare_solvers(a, 300, 3, 1e-12, 3); /* rank 3: an invariant subspace */
    free(a);
    a = symmetric(300, 13, 1);
    /* Rank 1 < k: the dense fallback; the second value is 0, many times. */
    compare_solvers(a, 300, 2, 1e-10, 1);
    free(a);
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
    CU_ASSERT_EQUAL_FATAL(isomap_stage.run(ctx, &cfg, inputs, 1, &out), LT_OK);
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
    CU_ASSERT_EQUAL(isomap_stage.run(ctx, &cfg, inputs, 1, &out), LT_EINPUT);
    CU_ASSERT(strstr(lt_ctx_error(ctx), "n_neighbors is 300 but must be less than the "
                                        "training rows (300)") != NULL);
    lt_ctx_free_test(ctx);
    cfg.n_neighbors = 5;
    cfg.n_components = 301;
    ctx = lt_ctx_new_test();
    CU_ASSERT_EQUAL(isomap_stage.run(ctx, &cfg, inputs, 1, &out), LT_EINPUT);
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
    CU_add_test(s, "swiss roll, 300 rows (Lanczos), and new rows", test_roll_lanczos);
    CU_add_test(s, "150 rows, 3 components (dense eigensolver)", test_dense_path);
    CU_add_test(s, "disconnected neighbour graph", test_disconnected);
    CU_add_test(s, "same result for any thread count", test_threads);
    CU_add_test(s, "Lanczos against LAPACK", test_eigensolver);
    CU_add_test(s, "stage and its errors", test_stage);
    int rc = lt_test_run();
    lt_json_free(ref);
    return rc;
}
