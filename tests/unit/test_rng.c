/* numpy's legacy RandomState, draw for draw, and the dataset stages on it.
 * Reference: tests/reference/rng.json from make_rng.py (numpy 1.24). */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "io/json.h"
#include "math/rng.h"
#include "stage_config.h"
#include "testrun.h"
#include "testutil.h"

const char *lt_test_root = ".";
static lt_json *ref;

static const lt_json *ref_get(const char *key)
{
    const lt_json *v = lt_json_get(ref, key);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    return v;
}

/* Worst |a_i - b_i| seen per quantity, printed at the end. */
static double worst_mvn, worst_mvn_singular, worst_geron;

static void test_seeding_matches_init_genrand(void)
{
    const lt_json *seeds = ref_get("seeds");
    CU_ASSERT_EQUAL_FATAL(lt_json_size(seeds), 5);
    for (size_t s = 0; s < lt_json_size(seeds); s++) {
        const lt_json *c = lt_json_value_at(seeds, s);
        lt_rng r;
        lt_rng_seed(&r, (uint32_t)lt_json_number(lt_json_get(c, "seed")));
        const lt_json *head = lt_json_get(c, "key_head");
        for (size_t i = 0; i < 4; i++)
            CU_ASSERT_EQUAL(r.key[i], (uint32_t)lt_json_number(lt_json_at(head, i)));
        CU_ASSERT_EQUAL(r.key[LT_RNG_STATE_LEN - 1],
                        (uint32_t)lt_json_number(lt_json_get(c, "key_tail")));
        const lt_json *raw = lt_json_get(c, "raw32");
        for (size_t i = 0; i < lt_json_size(raw); i++)
            CU_ASSERT_EQUAL(lt_rng_next32(&r), (uint32_t)lt_json_number(lt_json_at(raw, i)));
    }
}

/* Draws with FILL after seeding each reference seed; compares to KEY exactly. */
static void check_per_seed(const char *key, void (*fill)(lt_rng *, double *, size_t))
{
    const lt_json *seeds = ref_get("seeds");
    for (size_t s = 0; s < lt_json_size(seeds); s++) {
        const lt_json *c = lt_json_value_at(seeds, s);
        const lt_json *want = lt_json_get(c, key);
        double got[64];
        size_t n = lt_json_size(want);
        CU_ASSERT_FATAL(n > 0 && n <= 64);
        lt_rng r;
        lt_rng_seed(&r, (uint32_t)lt_json_number(lt_json_get(c, "seed")));
        fill(&r, got, n);
        CU_ASSERT_EQUAL(lt_test_maxdiff(got, n, want), 0.0);
    }
}

static void test_random_sample(void) { check_per_seed("random_sample", lt_rng_rand); }
static void test_randn(void) { check_per_seed("randn", lt_rng_randn); }

static void test_permutation(void)
{
    const lt_json *seeds = ref_get("seeds");
    for (size_t s = 0; s < lt_json_size(seeds); s++) {
        const lt_json *c = lt_json_value_at(seeds, s);
        const lt_json *want = lt_json_get(c, "permutation37");
        CU_ASSERT_EQUAL_FATAL(lt_json_size(want), 37);
        size_t perm[37];
        lt_rng r;
        lt_rng_seed(&r, (uint32_t)lt_json_number(lt_json_get(c, "seed")));
        lt_rng_permutation(&r, perm, 37);
        for (size_t i = 0; i < 37; i++)
            CU_ASSERT_EQUAL(perm[i], (size_t)lt_json_number(lt_json_at(want, i)));
    }
}

static void test_randn_matrix_seed100(void)
{
    const lt_json *want = ref_get("randn_10x5_seed100");
    double got[50];
    lt_rng r;
    lt_rng_seed(&r, 100);
    lt_rng_randn(&r, got, 50);
    CU_ASSERT_EQUAL(lt_test_maxdiff(got, 50, want), 0.0);
}

/* randn(3), rand(2), randn(2); seed(42); randn(1): the cached normal outlives
 * uniform draws and dies with a new seed. */
static void test_gauss_cache(void)
{
    const lt_json *want = ref_get("mixed_seed42");
    double got[8];
    lt_rng r;
    lt_rng_seed(&r, 42);
    lt_rng_randn(&r, got, 3);
    lt_rng_rand(&r, got + 3, 2);
    lt_rng_randn(&r, got + 5, 2);
    lt_rng_seed(&r, 42);
    lt_rng_randn(&r, got + 7, 1);
    CU_ASSERT_EQUAL(lt_test_maxdiff(got, 8, want), 0.0);
}

static void test_randint(void)
{
    const lt_json *want = ref_get("randint_seed7");
    const lt_json *small = lt_json_get(want, "small"), *offset = lt_json_get(want, "offset"),
                  *wide = lt_json_get(want, "wide");
    CU_ASSERT_EQUAL_FATAL(lt_json_size(small), 20);
    CU_ASSERT_EQUAL_FATAL(lt_json_size(offset), 10);
    CU_ASSERT_EQUAL_FATAL(lt_json_size(wide), 6);
    lt_rng r;
    lt_rng_seed(&r, 7);
    for (size_t i = 0; i < 20; i++)
        CU_ASSERT_EQUAL(lt_rng_randint(&r, 0, 10), (int64_t)lt_json_number(lt_json_at(small, i)));
    for (size_t i = 0; i < 10; i++)
        CU_ASSERT_EQUAL(lt_rng_randint(&r, -5, 1000), (int64_t)lt_json_number(lt_json_at(offset, i)));
    /* Beyond 32 bits: two outputs per draw, the first one high. */
    for (size_t i = 0; i < 6; i++)
        CU_ASSERT_EQUAL(lt_rng_randint(&r, 0, INT64_C(1) << 40),
                        (int64_t)lt_json_number(lt_json_at(wide, i)));
}

static double *json_doubles(const lt_json *a)
{
    size_t n = lt_json_size(a);
    double *v = malloc((n ? n : 1) * sizeof *v);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    for (size_t i = 0; i < n; i++)
        v[i] = lt_json_number(lt_json_value_at(a, i));
    return v;
}

/* Draws reference KEY with SEED; returns max |diff|. */
static double check_mvn(const char *key, uint32_t seed)
{
    const lt_json *c = ref_get(key);
    const lt_json *cov_rows = lt_json_get(c, "cov");
    size_t d = lt_json_size(lt_json_get(c, "mean"));
    size_t n = (size_t)lt_json_number(lt_json_get(c, "n"));
    double *mean = json_doubles(lt_json_get(c, "mean"));
    double *cov = malloc(d * d * sizeof *cov);
    double *x = malloc(n * d * sizeof *x);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cov);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++)
            cov[i * d + j] = lt_json_number(lt_json_at(lt_json_at(cov_rows, i), j));
    lt_rng r;
    lt_rng_seed(&r, seed);
    CU_ASSERT_EQUAL(lt_rng_multivariate_normal(&r, mean, cov, d, n, x, NULL), LT_MVN_OK);
    double diff = lt_test_maxdiff(x, n * d, lt_json_get(c, "x"));
    free(mean);
    free(cov);
    free(x);
    return diff;
}

static void test_multivariate_normal(void)
{
    worst_mvn = check_mvn("mvn_seed0", 0);
    CU_ASSERT(worst_mvn <= 1e-12);
    /* A singular cov has a zero singular value that LAPACK returns as
     * rounding noise (1e-16 here), and numpy scales normals by its square
     * root: ~1e-8. The noise depends on which OpenBLAS kernels the CPU gets
     * (valgrind's emulated CPU moves it 5e-9), in numpy as here, so only
     * the full-rank case can be held to 1e-12. */
    worst_mvn_singular = check_mvn("mvn3_seed3", 3);
    CU_ASSERT(worst_mvn_singular <= 1e-7);
}

static void test_multivariate_normal_not_psd(void)
{
    const double mean[2] = {0, 0};
    const double cov[4] = {1, 2, 2, 1}; /* eigenvalues 3 and -1 */
    double x[4] = {7, 7, 7, 7}, dev = 0;
    lt_rng r;
    lt_rng_seed(&r, 0);
    CU_ASSERT_EQUAL(lt_rng_multivariate_normal(&r, mean, cov, 2, 2, x, &dev), LT_MVN_NOT_PSD);
    /* The SVD rebuilds |cov| = [[2, 1], [1, 2]]: off by 1 in every entry. */
    CU_ASSERT(fabs(dev - 1.0) < 1e-9);
    CU_ASSERT_EQUAL(x[0], 7);
    CU_ASSERT_EQUAL(r.pos, LT_RNG_STATE_LEN); /* nothing drawn */
}

/* ---- stages ------------------------------------------------------------- */

static void test_stage_randn(void)
{
    const lt_stage_def *def = lt_test_stage("dataset.randn");
    void *cfg = lt_test_config(def);
    LT_TEST_SEED(def, cfg, "seed") = 100;
    /* The defaults are the lecture's 10 x 5. */
    CU_ASSERT_EQUAL(LT_TEST_INT(def, cfg, "rows"), 10);
    CU_ASSERT_EQUAL(LT_TEST_INT(def, cfg, "cols"), 5);
    lt_ctx *ctx = lt_ctx_new_test();
    lt_data *out = NULL;
    CU_ASSERT_EQUAL_FATAL(lt_test_call(def, ctx, cfg, NULL, 0, &out), LT_OK);
    CU_ASSERT_EQUAL(out->split[LT_TRAIN].x->rows, 10);
    CU_ASSERT_EQUAL(out->split[LT_TRAIN].x->cols, 5);
    CU_ASSERT_EQUAL(out->n_features, 5);
    CU_ASSERT_PTR_NULL(out->split[LT_TEST].x);
    CU_ASSERT_EQUAL(lt_test_maxdiff(out->split[LT_TRAIN].x->v, 50,
                                    ref_get("randn_10x5_seed100")), 0.0);
    lt_data_free(&out);

    /* Unset seed: the pipeline's (0 in a test context). */
    LT_TEST_SEED(def, cfg, "seed") = -1;
    LT_TEST_INT(def, cfg, "rows") = 4;
    CU_ASSERT_EQUAL_FATAL(lt_test_call(def, ctx, cfg, NULL, 0, &out), LT_OK);
    const lt_json *seed0 = lt_json_value_at(ref_get("seeds"), 0);
    CU_ASSERT_EQUAL(lt_json_number(lt_json_get(seed0, "seed")), 0);
    CU_ASSERT_EQUAL(lt_test_maxdiff(out->split[LT_TRAIN].x->v, 20,
                                    lt_json_get(seed0, "randn")), 0.0);
    lt_data_free(&out);
    lt_ctx_free_test(ctx);
    free(cfg);
}

/* Runs dataset.gaussian (check, then run) with seed 0 and n rows. */
static int run_gaussian(lt_ctx *ctx, double *mean, size_t d, double *cov,
                        size_t rows, size_t cols, int n, lt_data **out)
{
    const lt_stage_def *def = lt_test_stage("dataset.gaussian");
    void *cfg = lt_test_config(def);
    LT_TEST_VEC(def, cfg, "mean") = (lt_vec){mean, d};
    LT_TEST_MATRIX(def, cfg, "cov") = (lt_matrix){cov, rows, cols};
    LT_TEST_INT(def, cfg, "n") = n;
    LT_TEST_SEED(def, cfg, "seed") = 0;
    lt_ctx_enter(ctx, "gauss", 0, 0, lt_ctx_test_metrics(ctx));
    int rc = def->check(ctx, cfg);
    if (rc == LT_OK)
        rc = lt_test_call(def, ctx, cfg, NULL, 0, out);
    free(cfg);
    return rc;
}

static void test_stage_gaussian(void)
{
    lt_ctx *ctx = lt_ctx_new_test();
    double mean[2] = {-1, 2}, cov[4] = {4, 2, 2, 2};
    lt_data *out = NULL;
    CU_ASSERT_EQUAL_FATAL(run_gaussian(ctx, mean, 2, cov, 2, 2, 50, &out), LT_OK);
    CU_ASSERT_EQUAL(out->split[LT_TRAIN].x->rows, 50);
    CU_ASSERT_EQUAL(out->n_features, 2);
    double diff = lt_test_maxdiff(out->split[LT_TRAIN].x->v, 100,
                                  lt_json_get(ref_get("mvn_seed0"), "x"));
    CU_ASSERT(diff <= 1e-12);
    if (!(diff <= worst_mvn))
        worst_mvn = diff;
    lt_data_free(&out);

    /* Config errors, caught by check before anything runs. */
    double rect[6] = {1, 0, 0, 1, 0, 0};
    CU_ASSERT_EQUAL(run_gaussian(ctx, mean, 2, rect, 3, 2, 5, &out), LT_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(lt_ctx_error(ctx), "square"));
    double eye3[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    CU_ASSERT_EQUAL(run_gaussian(ctx, mean, 2, eye3, 3, 3, 5, &out), LT_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(lt_ctx_error(ctx), "mean has 2 values"));
    double skew[4] = {4, 2, 1, 2};
    CU_ASSERT_EQUAL(run_gaussian(ctx, mean, 2, skew, 2, 2, 5, &out), LT_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(lt_ctx_error(ctx), "not symmetric"));
    /* Symmetric but indefinite: found at run time. */
    double indefinite[4] = {1, 2, 2, 1};
    CU_ASSERT_EQUAL(run_gaussian(ctx, mean, 2, indefinite, 2, 2, 5, &out), LT_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(lt_ctx_error(ctx), "not positive semi-definite"));
    CU_ASSERT_PTR_NULL(out);
    lt_ctx_free_test(ctx);
}

static void test_stage_geron_3d(void)
{
    const lt_stage_def *def = lt_test_stage("dataset.geron_3d");
    /* The table's defaults are the lecture's call: generate_3d_data(60) after
     * np.random.seed(4). */
    void *cfg = lt_test_config(def);
    CU_ASSERT_EQUAL(LT_TEST_INT(def, cfg, "m"), 60);
    CU_ASSERT_EQUAL(LT_TEST_SEED(def, cfg, "seed"), 4);
    lt_ctx *ctx = lt_ctx_new_test();
    lt_data *out = NULL;
    CU_ASSERT_EQUAL_FATAL(lt_test_call(def, ctx, cfg, NULL, 0, &out), LT_OK);
    CU_ASSERT_EQUAL(out->split[LT_TRAIN].x->rows, 60);
    CU_ASSERT_EQUAL(out->split[LT_TRAIN].x->cols, 3);
    /* numpy's float64 cos and sin are its own SIMD (AVX-512) code, which
     * differs from libm in the last bit for most of these 60 angles; the
     * random draws themselves agree exactly (see the tests above). */
    const double *x = out->split[LT_TRAIN].x->v;
    double diff = lt_test_maxdiff(x, 180, ref_get("geron_3d_seed4"));
    CU_ASSERT(diff <= 1e-14);
    worst_geron = diff;
    /* With the C library's cos and sin in the reference, exact. */
    CU_ASSERT_EQUAL(lt_test_maxdiff(x, 180, ref_get("geron_3d_seed4_libm")), 0.0);
    lt_data_free(&out);
    lt_ctx_free_test(ctx);
    free(cfg);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    ref = lt_test_reference("rng.json");
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("rng", NULL, NULL);
    CU_add_test(s, "seeding is init_genrand; raw outputs", test_seeding_matches_init_genrand);
    CU_add_test(s, "random_sample, 5 seeds, bit-exact", test_random_sample);
    CU_add_test(s, "randn, 5 seeds, bit-exact", test_randn);
    CU_add_test(s, "permutation(37), 5 seeds", test_permutation);
    CU_add_test(s, "randn(10, 5) after seed(100)", test_randn_matrix_seed100);
    CU_add_test(s, "cached second normal", test_gauss_cache);
    CU_add_test(s, "randint, 32- and 64-bit ranges", test_randint);
    CU_add_test(s, "multivariate_normal to 1e-12", test_multivariate_normal);
    CU_add_test(s, "multivariate_normal rejects indefinite cov", test_multivariate_normal_not_psd);
    CU_pSuite st = CU_add_suite("dataset stages", NULL, NULL);
    CU_add_test(st, "dataset.randn", test_stage_randn);
    CU_add_test(st, "dataset.gaussian and its errors", test_stage_gaussian);
    CU_add_test(st, "dataset.geron_3d defaults = the lecture", test_stage_geron_3d);
    int rc = lt_test_run();
    printf("max |diff|: multivariate_normal %.3g (singular cov %.3g), geron_3d %.3g\n",
           worst_mvn, worst_mvn_singular, worst_geron);
    lt_json_free(ref);
    return rc;
}
