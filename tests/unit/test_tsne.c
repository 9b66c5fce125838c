/* t-SNE (math/tsne*.c, the tsne stage) and trustworthiness (math/knn.c)
 * against scikit-learn 1.2.1 (tests/reference/make_manifold.py ->
 * manifold.json): the perplexity search, both joint probabilities, the
 * exact and Barnes-Hut gradients, fits, and the stage's errors. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "manifold_util.h"
#include "math/knn.h"
#include "math/rng.h"
#include "math/tsne.h"
#include "stages/tsne.h"

const char *lt_test_root = ".";

extern const lt_stage_def tsne_stage;

static const struct tsne_config defaults = {2, 30.0, 12.0, 0, 1000, 300, 1e-7,
                                            0, 0, 0.5, -1, 0, 5};

/* RandomState(seed).randn(n) as doubles. Owned. */
static double *randn(uint32_t seed, size_t n)
{
    lt_rng rng;
    lt_rng_seed(&rng, seed);
    double *v = malloc(n * sizeof *v);
    lt_rng_randn(&rng, v, n);
    return v;
}

/* ---- the perplexity search ------------------------------------------------- */

static void check_search(const char *which, size_t m, bool all_points)
{
    char path[64];
    size_t count;
    snprintf(path, sizeof path, "tsne/search/d2_%s", which);
    double *d2 = numbers(path, &count);
    size_t n = count / m;
    float *d2f = malloc(count * sizeof *d2f);
    for (size_t e = 0; e < count; e++)
        d2f[e] = (float)d2[e]; /* the reference holds float32 values */
    double *p = malloc(count * sizeof *p);
    snprintf(path, sizeof path, "tsne/search/perplexity_%s", which);
    lt_tsne_conditional(d2f, n, m, all_points, num(path), NULL, p);
    snprintf(path, sizeof path, "tsne/search/p_%s", which);
    double *want = numbers(path, NULL);
    double diff = 0;
    for (size_t e = 0; e < count; e++)
        diff = fmax(diff, fabs(p[e] - want[e]));
    CU_ASSERT(diff <= 1e-10);
    fprintf(stderr, "max |p - sklearn| %.2g ", diff);
    /* Each row is a distribution whose perplexity is close to the target. */
    for (size_t i = 0; i < n; i++) {
        double sum = 0;
        for (size_t j = 0; j < m; j++)
            sum += p[i * m + j];
        CU_ASSERT(fabs(sum - 1) < 1e-12);
    }
    free(d2);
    free(d2f);
    free(p);
    free(want);
}

static void test_search_all_points(void) { check_search("all", 30, true); }
static void test_search_neighbours(void) { check_search("knn", 10, false); }

/* ---- joint probabilities --------------------------------------------------- */

/* The joint P of the reference's X = RandomState(1).randn(40, 6). */
static double *joint_input(void) { return randn(1, 40 * 6); }

static double *sparse_to_dense(const lt_tsne_sparse *p)
{
    double *d = calloc(p->n * p->n, sizeof *d);
    for (size_t i = 0; i < p->n; i++)
        for (size_t e = p->row[i]; e < p->row[i + 1]; e++)
            d[i * p->n + (size_t)p->col[e]] = p->val[e];
    return d;
}

static void test_joint_sparse(void)
{
    double *x = joint_input();
    lt_tsne_sparse p;
    CU_ASSERT_EQUAL_FATAL(lt_tsne_joint_sparse(x, 40, 6, (size_t)num("tsne/joint/n_neighbors"),
                                               num("tsne/joint/perplexity"), NULL, &p),
                          LT_TSNE_OK);
    double *dense = sparse_to_dense(&p), *want = numbers("tsne/joint/p_sparse", NULL);
    double diff = rel_diff(dense, want, 40 * 40);
    CU_ASSERT(diff <= 1e-10);
    fprintf(stderr, "relative difference %.2g ", diff);
    /* Symmetric, summing to 1, columns ascending in each row. */
    double sum = 0;
    for (size_t i = 0; i < 40; i++) {
        for (size_t e = p.row[i]; e < p.row[i + 1]; e++) {
            sum += p.val[e];
            if (e > p.row[i])
                CU_ASSERT(p.col[e] > p.col[e - 1]);
        }
        for (size_t j = 0; j < 40; j++)
            CU_ASSERT_EQUAL(dense[i * 40 + j], dense[j * 40 + i]);
    }
    CU_ASSERT(fabs(sum - 1) < 1e-12);
    lt_tsne_sparse_free(&p);
    free(dense);
    free(want);
    free(x);
}

static void test_joint_dense(void)
{
    double *x = joint_input(), *p = NULL;
    CU_ASSERT_EQUAL_FATAL(lt_tsne_joint_dense(x, 40, 6, num("tsne/joint/perplexity"), NULL, &p),
                          LT_TSNE_OK);
    double *want = numbers("tsne/joint/p_dense", NULL);
    double diff = rel_diff(p, want, 40 * 40);
    CU_ASSERT(diff <= 1e-10);
    fprintf(stderr, "relative difference %.2g ", diff);
    free(p);
    free(want);
    free(x);
}

/* ---- gradients ----------------------------------------------------------------- */

static void test_gradient_exact(void)
{
    double *x = joint_input(), *p = NULL, *y = randn(2, 80), grad[80];
    CU_ASSERT_EQUAL_FATAL(lt_tsne_joint_dense(x, 40, 6, 5.0, NULL, &p), LT_TSNE_OK);
    bool ok;
    double kl = lt_tsne_gradient_exact(p, y, 40, 2, true, NULL, grad, &ok);
    CU_ASSERT_FATAL(ok);
    double *want = numbers("tsne/joint/grad_exact", NULL);
    double want_kl = num("tsne/joint/kl_exact");
    CU_ASSERT(rel_diff(grad, want, 80) <= 1e-9);
    CU_ASSERT(fabs(kl - want_kl) <= 1e-9 * want_kl);
    fprintf(stderr, "gradient %.2g, KL %.2g (relative) ", rel_diff(grad, want, 80),
            fabs(kl - want_kl) / want_kl);

    /* Central differences of the KL divergence, coordinate by coordinate. */
    const double h = 1e-6;
    double scratch[80], worst = 0, scale = 0;
    for (size_t e = 0; e < 80; e++) {
        double keep = y[e];
        y[e] = keep + h;
        double up = lt_tsne_gradient_exact(p, y, 40, 2, true, NULL, scratch, &ok);
        y[e] = keep - h;
        double down = lt_tsne_gradient_exact(p, y, 40, 2, true, NULL, scratch, &ok);
        y[e] = keep;
        worst = fmax(worst, fabs((up - down) / (2 * h) - grad[e]));
        scale = fmax(scale, fabs(grad[e]));
    }
    CU_ASSERT(worst <= 1e-6 * scale);
    fprintf(stderr, "finite differences %.2g ", worst / scale);
    free(want);
    free(p);
    free(y);
    free(x);
}

/* Barnes-Hut at angle 0.5 on the float32 embedding scikit-learn used: the
 * same tree and cells, so the same approximation, to float32 rounding. */
static void test_gradient_bh_matches_sklearn(void)
{
    double *x = joint_input(), *y = randn(2, 80), grad[80];
    for (size_t e = 0; e < 80; e++)
        y[e] = (float)y[e];
    lt_tsne_sparse p;
    CU_ASSERT_EQUAL_FATAL(lt_tsne_joint_sparse(x, 40, 6, 16, 5.0, NULL, &p), LT_TSNE_OK);
    lt_tsne_bh *bh = lt_tsne_bh_new(40, 2);
    bool ok;
    double kl = lt_tsne_gradient_bh(bh, &p, y, num("tsne/joint/angle"), true, NULL, grad, &ok);
    CU_ASSERT_FATAL(ok);
    double *want = numbers("tsne/joint/grad_bh", NULL);
    double want_kl = num("tsne/joint/kl_bh");
    double diff = rel_diff(grad, want, 80);
    CU_ASSERT(diff <= 1e-5);
    CU_ASSERT(fabs(kl - want_kl) <= 1e-5 * want_kl);
    fprintf(stderr, "gradient %.2g, KL %.2g (relative) ", diff, fabs(kl - want_kl) / want_kl);
    free(want);
    lt_tsne_bh_free(bh);
    lt_tsne_sparse_free(&p);
    free(y);
    free(x);
}

/* Every kernel of the 2-D walk gives the plain walk's gradient bit for bit:
 * 1000 points (groups that end mid-chunk), duplicated points (leaves
 * the walk skips), and angles 0 (no cell taken), 0.5 and 1. */
static void test_gradient_bh_kernels(void)
{
    enum { N = 1000 };
    double *x = randn(3, N * 5), *y = randn(4, 2 * N), *want = malloc(2 * N * sizeof *want),
           *grad = malloc(2 * N * sizeof *grad);
    for (size_t i = 0; i < 40; i++) {
        y[2 * (N - 1 - i)] = y[2 * i];
        y[2 * (N - 1 - i) + 1] = y[2 * i + 1];
    }
    lt_tsne_sparse p;
    CU_ASSERT_EQUAL_FATAL(lt_tsne_joint_sparse(x, N, 5, 31, 10.0, NULL, &p), LT_TSNE_OK);
    lt_tsne_bh *bh = lt_tsne_bh_new(N, 2);
    lt_pool *pool = lt_pool_new(3);
    const double angles[] = {0.0, 0.5, 1.0};
    const lt_tsne_bh_kernel kernels[] = {LT_TSNE_BH_AVX512, LT_TSNE_BH_AVX2};
    for (int a = 0; a < 3; a++) {
        bool ok;
        CU_ASSERT_FATAL(lt_tsne_bh_use(bh, LT_TSNE_BH_PLAIN));
        double want_kl = lt_tsne_gradient_bh(bh, &p, y, angles[a], true, NULL, want, &ok);
        CU_ASSERT_FATAL(ok);
        for (int k = 0; k < 2; k++) {
            if (!lt_tsne_bh_use(bh, kernels[k]))
                continue;
            for (int err = 0; err < 2; err++) {
                double kl = lt_tsne_gradient_bh(bh, &p, y, angles[a], err, pool, grad, &ok);
                CU_ASSERT(ok && memcmp(grad, want, 2 * N * sizeof *grad) == 0);
                CU_ASSERT(err ? kl == want_kl : isnan(kl));
            }
        }
    }
    lt_pool_free(pool);
    lt_tsne_bh_free(bh);
    lt_tsne_sparse_free(&p);
    free(grad);
    free(want);
    free(y);
    free(x);
}

/* With every pair in P, Barnes-Hut at angle 0 is the exact gradient; at
 * small angles it stays close to it. */
static void test_gradient_bh_vs_exact(void)
{
    double *x = joint_input(), *y = randn(2, 80), exact[80], grad[80];
    lt_tsne_sparse p;
    CU_ASSERT_EQUAL_FATAL(lt_tsne_joint_sparse(x, 40, 6, 39, 5.0, NULL, &p), LT_TSNE_OK);
    double *dense = sparse_to_dense(&p);
    bool ok;
    double kl_exact = lt_tsne_gradient_exact(dense, y, 40, 2, true, NULL, exact, &ok);
    lt_tsne_bh *bh = lt_tsne_bh_new(40, 2);
    double kl = lt_tsne_gradient_bh(bh, &p, y, 0.0, true, NULL, grad, &ok);
    CU_ASSERT(rel_diff(grad, exact, 80) <= 1e-12);
    CU_ASSERT(fabs(kl - kl_exact) <= 1e-12 * kl_exact);
    const double angles[] = {0.1, 0.2, 0.5}, bounds[] = {2e-3, 1e-2, 5e-2};
    for (int a = 0; a < 3; a++) {
        lt_tsne_gradient_bh(bh, &p, y, angles[a], false, NULL, grad, &ok);
        double diff = rel_diff(grad, exact, 80);
        CU_ASSERT(diff <= bounds[a] && diff > 0);
        fprintf(stderr, "angle %g: %.2g ", angles[a], diff);
    }
    lt_tsne_bh_free(bh);
    lt_tsne_sparse_free(&p);
    free(dense);
    free(y);
    free(x);
}

/* The FFT-interpolated Z and repulsion against the O(n^2) sums, on 300
 * random points in 1-D and 2-D at three spreads: standard deviation 1
 * (50 boxes, the minimum, of width ~0.13), 5 (50 boxes of width ~0.6) and
 * 30 (~180 boxes of unit width, openTSNE's default resolution, where
 * quadratic interpolation of the kernel errs most: O(width^3)). Errors:
 * Z relative, and the repulsion's max-norm error over all points relative
 * to the largest force. */
static void check_fft_repulsion(size_t dim, double spread, double z_bound,
                                double force_bound)
{
    size_t n = 300;
    double *y = randn(7, n * dim), *neg = malloc(n * dim * sizeof *neg);
    double *want = calloc(n * dim, sizeof *want);
    for (size_t e = 0; e < n * dim; e++)
        y[e] *= spread;
    double z_want = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            if (i == j)
                continue;
            double d2 = 0;
            for (size_t k = 0; k < dim; k++)
                d2 += (y[i * dim + k] - y[j * dim + k]) * (y[i * dim + k] - y[j * dim + k]);
            double w = 1.0 / (1.0 + d2);
            z_want += w;
            for (size_t k = 0; k < dim; k++)
                want[i * dim + k] += w * w * (y[i * dim + k] - y[j * dim + k]);
        }
    lt_tsne_fft *f = lt_tsne_fft_new(n, dim);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    double z = lt_tsne_repulsion_fft(f, y, NULL, neg);
    double zerr = fabs(z - z_want) / z_want, ferr = rel_diff(neg, want, n * dim);
    CU_ASSERT(zerr <= z_bound);
    CU_ASSERT(ferr <= force_bound);
    fprintf(stderr, "\n    %zu-D spread %g: Z rel err %.2g, force rel err %.2g ", dim,
            spread, zerr, ferr);
    lt_tsne_fft_free(f);
    free(want);
    free(neg);
    free(y);
}

static void test_fft_repulsion(void)
{
    check_fft_repulsion(2, 1.0, 1e-6, 1e-4);
    check_fft_repulsion(2, 5.0, 1e-3, 0.03);
    check_fft_repulsion(2, 30.0, 0.05, 0.1);
    check_fft_repulsion(1, 1.0, 1e-6, 1e-4);
    check_fft_repulsion(1, 5.0, 1e-3, 0.03);
    check_fft_repulsion(1, 30.0, 0.05, 0.1);
}

/* ---- trustworthiness ----------------------------------------------------------- */

static void test_trustworthiness(void)
{
    lt_rng rng;
    lt_rng_seed(&rng, 3);
    double x[1000], noise[200], y[200];
    lt_rng_randn(&rng, x, 1000);
    lt_rng_randn(&rng, noise, 200);
    for (size_t i = 0; i < 100; i++)
        for (size_t k = 0; k < 2; k++)
            y[i * 2 + k] = x[i * 10 + k] + 0.5 * noise[i * 2 + k];
    const size_t ks[] = {1, 5, 10, 20};
    for (int t = 0; t < 4; t++) {
        char path[64];
        snprintf(path, sizeof path, "tsne/trustworthiness/%zu", ks[t]);
        double got;
        CU_ASSERT_EQUAL(lt_trustworthiness(x, 10, y, 2, 100, ks[t], NULL, &got), LT_KNN_OK);
        CU_ASSERT(fabs(got - num(path)) <= 1e-12);
        if (!(fabs(got - num(path)) <= 1e-12))
            fprintf(stderr, "trustworthiness k=%zu: %.17g vs %.17g\n", ks[t], got, num(path));
    }
    /* A perfect embedding (the data themselves) scores 1. */
    double t1;
    lt_trustworthiness(x, 10, x, 10, 100, 5, NULL, &t1);
    CU_ASSERT_EQUAL(t1, 1.0);
}

/* ---- fits ------------------------------------------------------------------------ */

static double median5(double *v)
{
    for (int a = 1; a < 5; a++)
        for (int b = a; b > 0 && v[b] < v[b - 1]; b--) {
            double t = v[b];
            v[b] = v[b - 1];
            v[b - 1] = t;
        }
    return v[2];
}

/* One fit of the first ROWS scaled cancer rows: KL into *kl, trustworthiness
 * into *trust. */
static void fit(size_t rows, lt_tsne_method method, lt_tsne_init init, uint32_t seed,
                double *kl, double *trust)
{
    size_t cols;
    double *x = cancer_scaled(rows, &cols);
    lt_tsne_options opt = lt_tsne_defaults();
    opt.method = method;
    opt.init = init;
    opt.seed = seed;
    lt_pool *pool = lt_pool_new(2);
    lt_tsne_result res;
    CU_ASSERT_EQUAL_FATAL(lt_tsne_fit(x, rows, cols, &opt, pool, &res), LT_TSNE_OK);
    CU_ASSERT(res.learning_rate == 50.0); /* auto: max(rows / 12 / 4, 50) */
    lt_trustworthiness(x, cols, res.embedding, 2, rows, 5, pool, trust);
    *kl = res.kl_divergence;
    free(res.embedding);
    lt_pool_free(pool);
    free(x);
}

/* The agreement targets: KL within 5% of scikit-learn's and
 * trustworthiness no lower than its minus 0.01. */
static void check_targets(const char *what, double kl, double want_kl, double trust,
                          double want_trust)
{
    CU_ASSERT(fabs(kl - want_kl) <= 0.05 * want_kl);
    CU_ASSERT(trust >= want_trust - 0.01);
    fprintf(stderr, "\n    %s: KL %.4f (sklearn %.4f), trustworthiness %.4f (sklearn %.4f) ",
            what, kl, want_kl, trust, want_trust);
}

/* The default fit (init pca) from the same start as scikit-learn's. */
static void test_fit_default(void)
{
    double kl, trust;
    fit((size_t)num("tsne/fits/bh_pca_300/rows"), LT_TSNE_BARNES_HUT, LT_TSNE_INIT_PCA, 0,
        &kl, &trust);
    check_targets("300 rows, init pca", kl, num("tsne/fits/bh_pca_300/kl_divergence"),
                  trust, num("tsne/fits/bh_pca_300/trustworthiness"));
}

/* Medians over 5 seeds of init random: scikit-learn's draws, so the same
 * starts; the runs part ways within a few hundred iterations. */
static void check_seeds(const char *name, lt_tsne_method method)
{
    char path[96];
    snprintf(path, sizeof path, "tsne/fits/%s/rows", name);
    size_t rows = (size_t)num(path);
    double kl[5], trust[5];
    for (uint32_t seed = 0; seed < 5; seed++)
        fit(rows, method, LT_TSNE_INIT_RANDOM, seed, &kl[seed], &trust[seed]);
    snprintf(path, sizeof path, "tsne/fits/%s/kl_divergence", name);
    double *want_kl = numbers(path, NULL);
    snprintf(path, sizeof path, "tsne/fits/%s/trustworthiness", name);
    double *want_trust = numbers(path, NULL);
    char what[96];
    snprintf(what, sizeof what, "%s, median of 5 seeds", name);
    check_targets(what, median5(kl), median5(want_kl), median5(trust), median5(want_trust));
    free(want_kl);
    free(want_trust);
}

static void test_fit_bh_seeds(void) { check_seeds("bh_random_300", LT_TSNE_BARNES_HUT); }
/* fft against scikit-learn's Barnes-Hut fits: the same P and schedule,
 * only the repulsion differs, so the same targets. */
static void test_fit_fft_seeds(void) { check_seeds("bh_random_300", LT_TSNE_FFT); }
static void test_fit_exact_seeds(void) { check_seeds("exact_random_150", LT_TSNE_EXACT); }

/* The same embedding, to the bit, whatever the number of threads. */
static void test_threads(void)
{
    size_t rows = 120, cols;
    double *x = cancer_scaled(rows, &cols);
    const lt_tsne_method methods[] = {LT_TSNE_BARNES_HUT, LT_TSNE_EXACT, LT_TSNE_FFT};
    for (int m = 0; m < 3; m++) {
        lt_tsne_options opt = lt_tsne_defaults();
        opt.method = methods[m];
        opt.max_iter = 300;
        lt_tsne_result one, many;
        lt_pool *pool = lt_pool_new(3);
        CU_ASSERT_EQUAL_FATAL(lt_tsne_fit(x, rows, cols, &opt, NULL, &one), LT_TSNE_OK);
        CU_ASSERT_EQUAL_FATAL(lt_tsne_fit(x, rows, cols, &opt, pool, &many), LT_TSNE_OK);
        CU_ASSERT(memcmp(one.embedding, many.embedding, rows * 2 * sizeof(double)) == 0);
        CU_ASSERT_EQUAL(one.kl_divergence, many.kl_divergence);
        free(one.embedding);
        free(many.embedding);
        lt_pool_free(pool);
    }
    free(x);
}

/* ---- the stage --------------------------------------------------------------------- */

static int run_stage(lt_ctx *ctx, const struct tsne_config *cfg, const lt_data *d,
                     lt_data **out)
{
    const lt_data *inputs[1] = {d};
    *out = NULL;
    int rc = tsne_stage.check ? tsne_stage.check(ctx, cfg) : LT_OK;
    return rc == LT_OK ? lt_test_call(&tsne_stage, ctx, cfg, inputs, 1, out) : rc;
}

static void test_stage(void)
{
    size_t rows = 100, cols;
    double *x = cancer_scaled(rows, &cols);
    int y[100];
    for (size_t i = 0; i < rows; i++)
        y[i] = (int)(i % 3);
    lt_data *d = data_from(x, rows, cols, y, 3);
    struct tsne_config cfg = defaults;
    cfg.perplexity = 10;
    cfg.max_iter = 300;
    lt_ctx *ctx = lt_ctx_new_test();
    lt_data *out;
    CU_ASSERT_EQUAL_FATAL(run_stage(ctx, &cfg, d, &out), LT_OK);
    const lt_mat *e = out->split[LT_TRAIN].x;
    CU_ASSERT(e->rows == rows && e->cols == 2 && out->n_features == 2);
    CU_ASSERT_STRING_EQUAL(out->feature_names[1], "tsne2");
    CU_ASSERT(out->n_classes == 3 && memcmp(out->split[LT_TRAIN].y, y, sizeof y) == 0);
    double kl = lt_ctx_test_metric(ctx, "kl_divergence", 0);
    CU_ASSERT(kl > 0 && kl < 2);
    CU_ASSERT(lt_ctx_test_metric(ctx, "trustworthiness", 0) > 0.9);
    CU_ASSERT_EQUAL(lt_ctx_test_metric(ctx, "n_iter", 0), 300);
    CU_ASSERT_EQUAL(lt_ctx_test_metric(ctx, "n_neighbors", 0), 31);
    lt_data_free(&out);
    lt_ctx_free_test(ctx);
    lt_data_free(&d);
    free(x);
}

static void expect_error(const struct tsne_config *cfg, const lt_data *d, const char *words)
{
    lt_ctx *ctx = lt_ctx_new_test();
    lt_data *out;
    CU_ASSERT_EQUAL(run_stage(ctx, cfg, d, &out), LT_EINPUT);
    CU_ASSERT_PTR_NULL(out);
    const char *msg = lt_ctx_error(ctx);
    CU_ASSERT(msg && strstr(msg, words));
    if (!msg || !strstr(msg, words))
        fprintf(stderr, "error: %s\n", msg ? msg : "(none)");
    lt_ctx_free_test(ctx);
}

static void test_errors(void)
{
    double x[20 * 3];
    for (int i = 0; i < 60; i++)
        x[i] = sin(i * 1.3);
    lt_data *d = data_from(x, 20, 3, NULL, 0);
    struct tsne_config cfg = defaults;
    expect_error(&cfg, d, "perplexity is 30 but must be less than the number of rows (20)");
    cfg.perplexity = 5;
    cfg.n_components = 4;
    expect_error(&cfg, d, "barnes_hut embeds in at most 3");
    cfg.n_components = 3;
    cfg.method = LT_TSNE_FFT;
    expect_error(&cfg, d, "fft embeds in at most 2");
    cfg.n_components = 4;
    cfg.method = LT_TSNE_EXACT;
    expect_error(&cfg, d, "init pca allows at most 3");
    cfg.n_components = 2;
    cfg.split = LT_TEST;
    expect_error(&cfg, d, "no test split");
    cfg.split = LT_TRAIN;
    cfg.trust_neighbors = 10;
    expect_error(&cfg, d, "trust_neighbors is 10");
    lt_data_free(&d);
    /* Nothing to embed when every row is the same point. */
    for (int i = 0; i < 60; i++)
        x[i] = i % 3;
    d = data_from(x, 20, 3, NULL, 0);
    cfg = defaults;
    cfg.perplexity = 5;
    expect_error(&cfg, d, "all 20 rows of the train split are the same point");
    lt_data_free(&d);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    ref = lt_test_reference("manifold.json");
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("tsne", NULL, NULL);
    CU_add_test(s, "perplexity search, all points", test_search_all_points);
    CU_add_test(s, "perplexity search, neighbours", test_search_neighbours);
    CU_add_test(s, "joint P, barnes_hut", test_joint_sparse);
    CU_add_test(s, "joint P, exact", test_joint_dense);
    CU_add_test(s, "exact gradient: sklearn and finite differences", test_gradient_exact);
    CU_add_test(s, "Barnes-Hut gradient: sklearn's", test_gradient_bh_matches_sklearn);
    CU_add_test(s, "Barnes-Hut gradient: exact at angle 0", test_gradient_bh_vs_exact);
    CU_add_test(s, "Barnes-Hut gradient: every kernel the plain walk's", test_gradient_bh_kernels);
    CU_add_test(s, "FFT repulsion and Z: exact sums", test_fft_repulsion);
    CU_add_test(s, "trustworthiness", test_trustworthiness);
    CU_add_test(s, "fit: barnes_hut, init pca", test_fit_default);
    CU_add_test(s, "fits: barnes_hut, init random, 5 seeds", test_fit_bh_seeds);
    CU_add_test(s, "fits: exact, init random, 5 seeds", test_fit_exact_seeds);
    CU_add_test(s, "fits: fft, init random, 5 seeds (sklearn's barnes_hut)",
                test_fit_fft_seeds);
    CU_add_test(s, "same result for any thread count", test_threads);
    CU_add_test(s, "stage", test_stage);
    CU_add_test(s, "stage errors", test_errors);
    int rc = lt_test_run();
    lt_json_free(ref);
    return rc;
}
