/* LDA (math/lda.c, the lda stage) against scikit-learn 1.2.1's
 * LinearDiscriminantAnalysis (tests/reference/make_manifold.py ->
 * manifold.json) on the wine data: projections of both solvers, accuracies,
 * explained variance ratios, two classes, and the stage's errors. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "manifold_util.h"
#include "math/lda.h"
#include "stages/lda.h"

const char *lt_test_root = ".";

extern const lt_stage_def lda_stage;

/* The wine rows and labels listed at PATH (a JSON list of row indices). */
static void take(const char *path, double **x, int **y, size_t *n)
{
    size_t count, m;
    double *all = numbers("lda/x", &count);
    int *labels = ints("lda/y", &m);
    int *index = ints(path, n);
    size_t p = count / m;
    *x = malloc(*n * p * sizeof **x);
    *y = malloc(*n * sizeof **y);
    for (size_t i = 0; i < *n; i++) {
        memcpy(*x + i * p, all + (size_t)index[i] * p, p * sizeof **x);
        (*y)[i] = labels[index[i]];
    }
    free(all);
    free(labels);
    free(index);
}

static double accuracy(const lt_lda *m, const double *x, const int *y, size_t n)
{
    int *pred = malloc(n * sizeof *pred);
    lt_lda_predict(m, x, n, pred);
    size_t hits = 0;
    for (size_t i = 0; i < n; i++)
        hits += pred[i] == y[i];
    free(pred);
    return (double)hits / (double)n;
}

/* Projection of split WHICH ("train" or "test") against KEY/WHICH. */
static void check_projection(const lt_lda *m, const char *key, const char *which,
                             const double *x, size_t n)
{
    char path[64];
    snprintf(path, sizeof path, "lda/%s/%s", key, which);
    size_t count;
    double *want = numbers(path, &count);
    CU_ASSERT_EQUAL_FATAL(count, n * m->n_components);
    double *got = malloc(count * sizeof *got);
    lt_lda_transform(m, x, n, got);
    double diff = diff_up_to_sign(got, want, n, m->n_components);
    CU_ASSERT(diff <= 1e-8);
    fprintf(stderr, "%s %.2g ", which, diff);
    free(got);
    free(want);
}

/* The class probabilities of the N test rows X against scikit-learn's
 * predict_proba (reference lda/KEY/test_proba). */
static void check_proba(const lt_lda *m, const char *key, const double *x, size_t n)
{
    char path[64];
    snprintf(path, sizeof path, "lda/%s/test_proba", key);
    size_t count;
    double *want = numbers(path, &count);
    size_t k = (size_t)m->n_classes;
    double *got = malloc(n * k * sizeof *got);
    CU_ASSERT_EQUAL_FATAL(count, n * k);
    lt_lda_proba(m, x, n, got);
    double worst = 0;
    for (size_t i = 0; i < n * k; i++)
        worst = fmax(worst, fabs(got[i] - want[i]));
    fprintf(stderr, "proba %.2g ", worst);
    CU_ASSERT(worst <= 1e-9);
    free(got);
    free(want);
}

static void check_solver(const char *key, lt_lda_solver solver)
{
    double *xtr, *xte;
    int *ytr, *yte;
    size_t ntr, nte;
    take("lda/train_index", &xtr, &ytr, &ntr);
    take("lda/test_index", &xte, &yte, &nte);
    lt_lda m;
    CU_ASSERT_EQUAL_FATAL(lt_lda_fit(&m, xtr, ytr, ntr, 13, 3, solver, 0), LT_LDA_OK);
    CU_ASSERT_EQUAL(m.n_components, 2);
    check_projection(&m, key, "train", xtr, ntr);
    check_projection(&m, key, "test", xte, nte);
    char path[64];
    snprintf(path, sizeof path, "lda/%s/train_accuracy", key);
    CU_ASSERT_EQUAL(accuracy(&m, xtr, ytr, ntr), num(path));
    snprintf(path, sizeof path, "lda/%s/test_accuracy", key);
    CU_ASSERT_EQUAL(accuracy(&m, xte, yte, nte), num(path));
    snprintf(path, sizeof path, "lda/%s/explained_variance_ratio", key);
    double *ratio = numbers(path, NULL);
    CU_ASSERT(rel_diff(m.explained_variance_ratio, ratio, 2) <= 1e-10);
    free(ratio);
    check_proba(&m, key, xte, nte);
    lt_lda_free(&m);
    free(xtr);
    free(xte);
    free(ytr);
    free(yte);
}

static void test_svd(void) { check_solver("svd", LT_LDA_SVD); }
static void test_eigen(void) { check_solver("eigen", LT_LDA_EIGEN); }

static void test_binary(void)
{
    double *xtr, *xte;
    int *ytr, *yte;
    size_t ntr, nte;
    take("lda/binary/train_index", &xtr, &ytr, &ntr);
    take("lda/binary/test_index", &xte, &yte, &nte);
    lt_lda m;
    CU_ASSERT_EQUAL_FATAL(lt_lda_fit(&m, xtr, ytr, ntr, 13, 2, LT_LDA_SVD, 0), LT_LDA_OK);
    CU_ASSERT_EQUAL(m.n_components, 1);
    check_projection(&m, "binary", "train", xtr, ntr);
    check_projection(&m, "binary", "test", xte, nte);
    CU_ASSERT_EQUAL(accuracy(&m, xtr, ytr, ntr), num("lda/binary/train_accuracy"));
    CU_ASSERT_EQUAL(accuracy(&m, xte, yte, nte), num("lda/binary/test_accuracy"));
    check_proba(&m, "binary", xte, nte);
    lt_lda_free(&m);
    free(xtr);
    free(xte);
    free(ytr);
    free(yte);
}

/* ---- the stage --------------------------------------------------------------- */

static lt_data *wine_split(void)
{
    double *xtr, *xte;
    int *ytr, *yte;
    size_t ntr, nte;
    take("lda/train_index", &xtr, &ytr, &ntr);
    take("lda/test_index", &xte, &yte, &nte);
    lt_data *d = data_from(xtr, ntr, 13, ytr, 3);
    d->split[LT_TEST].x = lt_mat_new(nte, 13);
    memcpy(d->split[LT_TEST].x->v, xte, nte * 13 * sizeof *xte);
    d->split[LT_TEST].y = yte;
    free(xtr);
    free(xte);
    free(ytr);
    return d;
}

static int run_stage(lt_ctx *ctx, const struct lda_config *cfg, const lt_data *d,
                     lt_data **out)
{
    const lt_data *inputs[1] = {d};
    *out = NULL;
    return lt_test_call(&lda_stage, ctx, cfg, inputs, 1, out);
}

static void test_stage(void)
{
    lt_data *d = wine_split();
    struct lda_config cfg = {LT_LDA_SVD, 0};
    lt_ctx *ctx = lt_ctx_new_test();
    lt_data *out;
    CU_ASSERT_EQUAL_FATAL(run_stage(ctx, &cfg, d, &out), LT_OK);
    CU_ASSERT(out->split[LT_TEST].x->cols == 2 && out->n_features == 2);
    CU_ASSERT_STRING_EQUAL(out->feature_names[0], "ld1");
    CU_ASSERT_EQUAL(lt_ctx_test_metric(ctx, "train_accuracy", 0), num("lda/svd/train_accuracy"));
    CU_ASSERT_EQUAL(lt_ctx_test_metric(ctx, "test_accuracy", 0), num("lda/svd/test_accuracy"));
    double *want = numbers("lda/svd/test", NULL);
    CU_ASSERT(diff_up_to_sign(out->split[LT_TEST].x->v, want, out->split[LT_TEST].x->rows, 2)
              <= 1e-8);
    free(want);
    lt_data_free(&out);
    lt_ctx_free_test(ctx);

    /* The predictions output, computed only when read: the test rows'
     * predict_proba, columns named by class, labels kept. */
    ctx = lt_ctx_new_test();
    lt_data *pred = NULL;
    const lt_data *inputs[1] = {d};
    CU_ASSERT_STRING_EQUAL(lda_stage.outputs[1].name, "predictions");
    CU_ASSERT_EQUAL_FATAL(lt_test_call_output(&lda_stage, ctx, &cfg, inputs, 1, 1, &pred), LT_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pred);
    const lt_mat *p = pred->split[LT_TEST].x;
    CU_ASSERT_FATAL(p->cols == 3 && p->rows == d->split[LT_TEST].x->rows);
    CU_ASSERT_EQUAL(pred->n_features, 3);
    want = numbers("lda/svd/test_proba", NULL);
    double worst = 0;
    for (size_t i = 0; i < p->rows * 3; i++)
        worst = fmax(worst, fabs(p->v[i] - want[i]));
    CU_ASSERT(worst <= 1e-9);
    CU_ASSERT_EQUAL(pred->split[LT_TEST].y[0], d->split[LT_TEST].y[0]);
    free(want);
    lt_data_free(&pred);
    lt_ctx_free_test(ctx);

    /* One direction asked for. */
    cfg.n_components = 1;
    ctx = lt_ctx_new_test();
    CU_ASSERT_EQUAL_FATAL(run_stage(ctx, &cfg, d, &out), LT_OK);
    CU_ASSERT(out->split[LT_TRAIN].x->cols == 1);
    lt_data_free(&out);
    lt_ctx_free_test(ctx);
    lt_data_free(&d);
}

static void expect_error(const struct lda_config *cfg, const lt_data *d, const char *words)
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
    lt_data *d = wine_split();
    struct lda_config cfg = {LT_LDA_SVD, 3};
    expect_error(&cfg, d, "n_components is 3 but lda allows at most 2 (min(classes - 1, "
                          "features) with 3 classes and 13 features)");
    /* Without labels. */
    cfg.n_components = 0;
    int *y = d->split[LT_TRAIN].y;
    d->split[LT_TRAIN].y = NULL;
    expect_error(&cfg, d, "the input has no labels");
    /* A single class. */
    size_t n = d->split[LT_TRAIN].x->rows;
    int *one = calloc(n, sizeof *one);
    d->split[LT_TRAIN].y = one;
    expect_error(&cfg, d, "the train split holds only class 0; lda needs at least two");
    d->split[LT_TRAIN].y = y;
    free(one);
    /* eigen with a constant feature: the within-class covariance is singular. */
    for (size_t i = 0; i < n; i++)
        d->split[LT_TRAIN].x->v[i * 13 + 4] = 1.0;
    cfg.solver = LT_LDA_EIGEN;
    expect_error(&cfg, d, "within-class covariance is singular");
    lt_data_free(&d);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    ref = lt_test_reference("manifold.json");
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("lda", NULL, NULL);
    CU_add_test(s, "wine, svd solver", test_svd);
    CU_add_test(s, "wine, eigen solver", test_eigen);
    CU_add_test(s, "two classes", test_binary);
    CU_add_test(s, "stage", test_stage);
    CU_add_test(s, "stage errors", test_errors);
    int rc = lt_test_run();
    lt_json_free(ref);
    return rc;
}
