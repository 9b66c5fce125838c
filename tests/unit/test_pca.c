/* The pca stage against scikit-learn 1.2.1 (tests/reference/make_pca.py):
 * components entry by entry with their signs, spectra, projections,
 * whitening, reconstruction and the error cases, for both solvers. */
#include <CUnit/Basic.h>
#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "math/gram.h"
#include "math/linalg.h"
#include "math/pca.h"
#include "testcfg.h"
#include "testmat.h"
#include "testutil.h"

extern const lt_stage_def pca_stage;

const char *lt_test_root = ".";
static lt_json *ref, *mvn_ref;

static const char *const solvers[] = {"full", "covariance"};

/* The stage's outputs, by their rows in its table. */
enum { PROJECTION, RECONSTRUCTION, SPECTRUM };

struct pca_run {
    lt_ctx *ctx;
    lt_data *out; /* the projection */
    lt_data *rec; /* the reconstruction, when asked for */
    lt_spectrum *spec;
    int rc;
};

/* Runs pca on IN as the runner does, with the spectrum read and, when
 * RECONSTRUCT, the reconstruction too. */
static struct pca_run run_pca(const lt_data *in, double n_components,
                              const char *solver, bool whiten, bool reconstruct)
{
    struct pca_run r = {lt_ctx_new_test(), NULL, NULL, NULL, LT_OK};
    CU_ASSERT_PTR_NOT_NULL_FATAL(r.ctx);
    CU_ASSERT_STRING_EQUAL(pca_stage.outputs[RECONSTRUCTION].name, "reconstruction");
    CU_ASSERT_STRING_EQUAL(pca_stage.outputs[SPECTRUM].name, "spectrum");
    r.ctx->wanted = 1u << PROJECTION | 1u << SPECTRUM | (reconstruct ? 1u << RECONSTRUCTION : 0);
    void *cfg = lt_test_config(&pca_stage);
    lt_test_set_real(&pca_stage, cfg, "n_components", n_components);
    lt_test_set_choice(&pca_stage, cfg, "solver", solver);
    lt_test_set_bool(&pca_stage, cfg, "whiten", whiten);
    r.rc = pca_stage.check(r.ctx, cfg);
    lt_value in_value = {.data = (lt_data *)in}, out[LT_MAX_OUTPUTS] = {{0}};
    if (r.rc == LT_OK)
        r.rc = pca_stage.run(r.ctx, cfg, &in_value, 1, out);
    r.out = out[PROJECTION].data;
    r.rec = out[RECONSTRUCTION].data;
    r.spec = out[SPECTRUM].spectrum;
    /* An output nobody reads is not computed. */
    if (!reconstruct)
        CU_ASSERT_PTR_NULL(r.rec);
    free(cfg);
    return r;
}

static void release(struct pca_run *r)
{
    lt_data_free(&r->out);
    lt_data_free(&r->rec);
    lt_spectrum_free(&r->spec);
    lt_ctx_free_test(r->ctx);
}

static lt_json *metric(const struct pca_run *r, const char *name)
{
    return lt_json_get(lt_ctx_test_metrics(r->ctx), name);
}

/* Max difference over the first `count` elements (rows of a matrix) of two
 * JSON arrays. */
static double head_diff(const lt_json *a, const lt_json *b, size_t count)
{
    if (!a || !b || lt_json_size(a) < count || lt_json_size(b) < count)
        return NAN;
    double m = 0;
    for (size_t i = 0; i < count; i++) {
        double d = lt_test_json_maxdiff(lt_json_value_at(a, i), lt_json_value_at(b, i));
        if (!(d <= m))
            m = d;
    }
    return m;
}

/* Max difference over the first `cols` columns of m against reference rows. */
static double cols_diff(const lt_mat *m, const lt_json *rows, size_t cols)
{
    if (!m || lt_json_size(rows) > m->rows || cols > m->cols)
        return NAN;
    double worst = 0;
    for (size_t i = 0; i < lt_json_size(rows); i++)
        for (size_t j = 0; j < cols; j++) {
            double d = fabs(m->v[i * m->cols + j] -
                            lt_json_number(lt_json_at(lt_json_at(rows, i), j)));
            if (!(d <= worst))
                worst = d;
        }
    return worst;
}

static size_t ref_int(const lt_json *c, const char *key)
{
    return (size_t)lt_json_number(lt_json_get(c, key));
}

/* Checks a run against a case written by pca_case() in make_pca.py. Scaled
 * quantities get a tolerance relative to their largest entry; components,
 * ratios and (unwhitened or whitened) projections of unit scale 1e-10. The
 * covariance solver knows eigenvalues to ~eps * largest, so its components
 * are compared for the leading `covariance_accurate` ones the reference
 * marks as well separated. */
static void check_case(const struct pca_run *r, const lt_json *c, const char *solver,
                       const char *name)
{
    char label[160];
    CU_ASSERT_EQUAL_FATAL(r->rc, LT_OK);
    size_t k = ref_int(c, "n_components");
    CU_ASSERT_EQUAL(lt_ctx_test_metric(r->ctx, "n_components", 0), (double)k);
    size_t sharp = strcmp(solver, "full") == 0 ? k : ref_int(c, "covariance_accurate");
    if (sharp > k)
        sharp = k;
    double scale = lt_test_json_maxabs(lt_json_get(c, "explained_variance"));

#define CMP(key, tol)                                                           \
    do {                                                                        \
        snprintf(label, sizeof label, "%s %s %s", name, solver, key);           \
        NEAR(label, lt_test_json_maxdiff(metric(r, key), lt_json_get(c, key)), tol); \
    } while (0)
    snprintf(label, sizeof label, "%s %s components[:%zu]", name, solver, sharp);
    NEAR(label, head_diff(metric(r, "components"), lt_json_get(c, "components"), sharp), 1e-10);
    CMP("explained_variance", 1e-10 * scale);
    CMP("explained_variance_ratio", 1e-10);
    CMP("cumulative_variance_ratio", 1e-10);
    CMP("noise_variance", 1e-10 * scale);
    CMP("reconstruction_mse", 1e-10 * scale);
    CMP("mean", 1e-10 * (1 + lt_test_json_maxabs(lt_json_get(c, "mean"))));
    CMP("components_for_95", 0);
#undef CMP
    snprintf(label, sizeof label, "%s %s singular_values[:%zu]", name, solver, sharp);
    const lt_json *sv = lt_json_get(c, "singular_values");
    NEAR(label, head_diff(metric(r, "singular_values"), sv, sharp),
         1e-10 * lt_test_json_maxabs(sv));

    const lt_json *spectrum = lt_json_get(c, "full_explained_variance_ratio");
    snprintf(label, sizeof label, "%s %s full spectrum ratio (data)", name, solver);
    NEAR(label, lt_test_maxdiff(r->spec->ratio, r->spec->n, spectrum),
         1e-10);
}

/* ---- the lecture's 10 x 5 matrix --------------------------------------- */

static lt_data *lecture_data(void)
{
    const lt_json *x = lt_json_get(lt_json_get(ref, "lecture"), "X");
    return lt_test_data(lt_test_mat(x), lt_test_mat(x));
}

static void test_lecture_all(void)
{
    const lt_json *lec = lt_json_get(ref, "lecture");
    for (int s = 0; s < 2; s++) {
        lt_data *d = lecture_data();
        struct pca_run r = run_pca(d, 0, solvers[s], false, false);
        const lt_json *c = lt_json_get(lec, "all");
        check_case(&r, c, solvers[s], "lecture all");
        NEAR("lecture all: singular values vs numpy svd",
             lt_test_json_maxdiff(metric(&r, "singular_values"),
                                  lt_json_get(lec, "numpy_singular_values")),
             1e-10);
        NEAR("lecture all: train projection vs fit_transform",
             lt_test_mat_maxdiff(r.out->split[LT_TRAIN].x, lt_json_get(c, "fit_transform")),
             1e-10);
        NEAR("lecture all: test projection vs transform",
             lt_test_mat_maxdiff(r.out->split[LT_TEST].x, lt_json_get(c, "transform")),
             1e-10);
        CU_ASSERT_EQUAL(r.spec->threshold, 0);
        CU_ASSERT_STRING_EQUAL(lt_json_string(metric(&r, "solver")), solvers[s]);
        release(&r);
        lt_data_free(&d);
    }
}

static void test_lecture_two(void)
{
    const lt_json *lec = lt_json_get(ref, "lecture");
    const lt_json *c = lt_json_get(lec, "two");
    for (int s = 0; s < 2; s++) {
        lt_data *d = lecture_data();
        struct pca_run r = run_pca(d, 2, solvers[s], false, false);
        check_case(&r, c, solvers[s], "lecture two");
        const lt_mat *x2d = r.out->split[LT_TRAIN].x;
        CU_ASSERT_EQUAL_FATAL(x2d->cols, 2);
        NEAR("lecture two: X2D vs PCA(2).fit_transform",
             lt_test_mat_maxdiff(x2d, lt_json_get(c, "fit_transform")), 1e-10);
        /* The lecture's numpy SVD has LAPACK's signs: equal up to a sign
         * per column. */
        const lt_json *np2d = lt_json_get(lec, "numpy_X2D");
        double worst = 0;
        for (size_t j = 0; j < 2; j++) {
            double dot = 0;
            for (size_t i = 0; i < x2d->rows; i++)
                dot += x2d->v[i * 2 + j] * lt_json_number(lt_json_at(lt_json_at(np2d, i), j));
            double sign = dot < 0 ? -1 : 1;
            for (size_t i = 0; i < x2d->rows; i++) {
                double e = fabs(sign * x2d->v[i * 2 + j] -
                                lt_json_number(lt_json_at(lt_json_at(np2d, i), j)));
                if (!(e <= worst))
                    worst = e;
            }
        }
        NEAR("lecture two: X2D vs numpy Xc @ V.T[:, :2] (up to sign)", worst, 1e-10);
        CU_ASSERT_STRING_EQUAL(r.out->feature_names[0], "PC1");
        CU_ASSERT_STRING_EQUAL(r.out->feature_names[1], "PC2");
        CU_ASSERT_EQUAL(r.out->n_features, 2);
        release(&r);
        lt_data_free(&d);
    }
}

static void test_lecture_fraction(void)
{
    const lt_json *c = lt_json_get(lt_json_get(ref, "lecture"), "fraction_0.8");
    for (int s = 0; s < 2; s++) {
        lt_data *d = lecture_data();
        struct pca_run r = run_pca(d, 0.8, solvers[s], false, false);
        check_case(&r, c, solvers[s], "lecture 0.8");
        CU_ASSERT_EQUAL(r.spec->threshold, 0.8);
        CU_ASSERT_EQUAL(r.spec->n, 5);
        release(&r);
        lt_data_free(&d);
    }
}

/* ---- 200 x 6, whitening and reconstruction ------------------------------ */

static lt_data *whiten_data(void)
{
    const lt_json *x = lt_json_get(lt_json_get(ref, "whiten"), "X");
    return lt_test_data(lt_test_mat(x), lt_test_mat(x));
}

static void test_whiten(void)
{
    const lt_json *c = lt_json_get(lt_json_get(ref, "whiten"), "whiten3");
    for (int s = 0; s < 2; s++) {
        lt_data *d = whiten_data();
        struct pca_run r = run_pca(d, 3, solvers[s], true, false);
        check_case(&r, c, solvers[s], "200x6 whiten k=3");
        NEAR("200x6 whiten: train vs fit_transform",
             lt_test_mat_maxdiff(r.out->split[LT_TRAIN].x, lt_json_get(c, "fit_transform")),
             1e-10);
        NEAR("200x6 whiten: test vs transform",
             lt_test_mat_maxdiff(r.out->split[LT_TEST].x, lt_json_get(c, "transform")),
             1e-10);
        release(&r);
        lt_data_free(&d);
    }
}

static void test_inverse(void)
{
    const lt_json *c = lt_json_get(lt_json_get(ref, "whiten"), "plain3");
    for (int s = 0; s < 2; s++) {
        for (int whiten = 0; whiten < 2; whiten++) {
            lt_data *d = whiten_data();
            struct pca_run r = run_pca(d, 3, solvers[s], whiten, true);
            check_case(&r, c, solvers[s], "200x6 inverse k=3");
            CU_ASSERT_EQUAL_FATAL(r.rec != NULL, true);
            CU_ASSERT_EQUAL(r.rec->n_features, 6);
            CU_ASSERT_EQUAL(r.out->n_features, 3); /* the projection still comes */
            double scale = 1 + lt_test_json_maxabs(lt_json_get(c, "inverse"));
            NEAR("200x6 inverse: train vs inverse_transform(transform)",
                 lt_test_mat_maxdiff(r.rec->split[LT_TRAIN].x, lt_json_get(c, "inverse")),
                 1e-10 * scale);
            NEAR("200x6 inverse: test vs inverse_transform(transform)",
                 lt_test_mat_maxdiff(r.rec->split[LT_TEST].x, lt_json_get(c, "inverse")),
                 1e-10 * scale);
            release(&r);
            lt_data_free(&d);
        }
    }
}

static void test_whiten_fraction(void)
{
    const lt_json *c = lt_json_get(lt_json_get(ref, "whiten"), "fraction_0.9");
    for (int s = 0; s < 2; s++) {
        lt_data *d = whiten_data();
        struct pca_run r = run_pca(d, 0.9, solvers[s], false, false);
        check_case(&r, c, solvers[s], "200x6 0.9");
        NEAR("200x6 0.9: train vs fit_transform",
             cols_diff(r.out->split[LT_TRAIN].x, lt_json_get(c, "fit_transform"),
                       ref_int(c, "n_components")),
             1e-10 * (1 + lt_test_json_maxabs(lt_json_get(c, "fit_transform"))));
        release(&r);
        lt_data_free(&d);
    }
}

/* ---- breast cancer: raw and standard-scaled ----------------------------- */

static lt_data *cancer_data(bool scaled)
{
    const lt_json *can = lt_json_get(ref, "cancer");
    lt_mat *all = lt_test_mat(lt_json_get(can, "X"));
    lt_mat *train = lt_test_take_rows(all, lt_json_get(can, "train_index"));
    lt_mat *test = lt_test_take_rows(all, lt_json_get(can, "test_index"));
    lt_mat_free(&all);
    if (scaled) {
        /* StandardScaler's transform, from its fitted mean and scale. */
        const lt_json *st = lt_json_get(can, "standard");
        lt_mat *parts[2] = {train, test};
        for (int p = 0; p < 2; p++)
            for (size_t i = 0; i < parts[p]->rows; i++)
                for (size_t j = 0; j < parts[p]->cols; j++) {
                    double *v = &parts[p]->v[i * parts[p]->cols + j];
                    *v = (*v - lt_json_number(lt_json_at(lt_json_get(st, "mean"), j))) /
                         lt_json_number(lt_json_at(lt_json_get(st, "scale"), j));
                }
    }
    return lt_test_data(train, test);
}

static void test_cancer_raw(void)
{
    const lt_json *raw = lt_json_get(lt_json_get(ref, "cancer"), "raw");
    for (int s = 0; s < 2; s++) {
        lt_data *d = cancer_data(false);
        struct pca_run r = run_pca(d, 0.95, solvers[s], false, false);
        CU_ASSERT_EQUAL_FATAL(r.rc, LT_OK);
        CU_ASSERT_EQUAL(lt_ctx_test_metric(r.ctx, "n_components", 0), 1);
        CU_ASSERT_EQUAL(lt_ctx_test_metric(r.ctx, "components_for_95", 0),
                        lt_json_number(lt_json_get(raw, "components_for_95")));
        CU_ASSERT_EQUAL(r.spec->threshold, 0.95);
        NEAR("cancer raw 0.95: components",
             lt_test_json_maxdiff(metric(&r, "components"), lt_json_get(raw, "components")),
             1e-10);
        NEAR("cancer raw 0.95: full spectrum ratio",
             lt_test_maxdiff(r.spec->ratio, r.spec->n,
                             lt_json_get(raw, "full_explained_variance_ratio")),
             1e-10);
        const lt_json *ev = lt_json_get(raw, "explained_variance");
        double scale = lt_test_json_maxabs(ev);
        NEAR("cancer raw 0.95: explained variance (rel. to largest)",
             lt_test_json_maxdiff(metric(&r, "explained_variance"), ev) / scale, 1e-10);
        NEAR("cancer raw 0.95: noise variance (rel. to largest)",
             lt_test_json_maxdiff(metric(&r, "noise_variance"),
                                  lt_json_get(raw, "noise_variance")) / scale, 1e-10);
        NEAR("cancer raw 0.95: reconstruction mse (rel. to largest)",
             lt_test_json_maxdiff(metric(&r, "reconstruction_mse"),
                                  lt_json_get(raw, "reconstruction_mse")) / scale, 1e-10);
        release(&r);

        /* Every component: all 30 on the SVD path, the well-separated
         * leading ones on the covariance path. */
        r = run_pca(d, 0, solvers[s], false, false);
        CU_ASSERT_EQUAL_FATAL(r.rc, LT_OK);
        size_t sharp = s == 0 ? 30 : ref_int(raw, "covariance_accurate");
        char label[128];
        snprintf(label, sizeof label, "cancer raw all %s: components[:%zu]", solvers[s], sharp);
        NEAR(label, head_diff(metric(&r, "components"), lt_json_get(raw, "components_all"), sharp),
             1e-10);
        release(&r);
        lt_data_free(&d);
    }
}

static void test_cancer_scaled(void)
{
    const lt_json *can = lt_json_get(ref, "cancer");
    const lt_json *sc = lt_json_get(can, "scaled");
    const lt_json *two = lt_json_get(can, "scaled_pca2");
    for (int s = 0; s < 2; s++) {
        lt_data *d = cancer_data(true);
        struct pca_run r = run_pca(d, 0.95, solvers[s], false, false);
        CU_ASSERT_EQUAL_FATAL(r.rc, LT_OK);
        CU_ASSERT_EQUAL(lt_ctx_test_metric(r.ctx, "n_components", 0),
                        lt_json_number(lt_json_get(sc, "n_components")));
        CU_ASSERT_EQUAL(lt_ctx_test_metric(r.ctx, "components_for_95", 0),
                        lt_json_number(lt_json_get(sc, "components_for_95")));
        NEAR("cancer scaled 0.95: full spectrum ratio",
             lt_test_maxdiff(r.spec->ratio, r.spec->n,
                             lt_json_get(sc, "full_explained_variance_ratio")),
             1e-10);
        release(&r);

        r = run_pca(d, 2, solvers[s], false, false);
        CU_ASSERT_EQUAL_FATAL(r.rc, LT_OK);
        NEAR("cancer scaled k=2: components",
             lt_test_json_maxdiff(metric(&r, "components"), lt_json_get(two, "components")),
             1e-10);
        NEAR("cancer scaled k=2: explained variance",
             lt_test_json_maxdiff(metric(&r, "explained_variance"),
                                  lt_json_get(two, "explained_variance")),
             1e-10);
        NEAR("cancer scaled k=2: train projection",
             lt_test_mat_maxdiff(r.out->split[LT_TRAIN].x, lt_json_get(two, "train")), 1e-10);
        NEAR("cancer scaled k=2: test projection (first rows)",
             lt_test_mat_maxdiff(r.out->split[LT_TEST].x, lt_json_get(two, "test_head")),
             1e-10);
        release(&r);
        lt_data_free(&d);
    }
}

/* ---- the lecture's two-dimensional normal sample ------------------------ */

static void test_multivariate(void)
{
    const lt_json *m = lt_json_get(mvn_ref, "mvn");
    for (int s = 0; s < 2; s++) {
        lt_data *d = lt_test_data(lt_test_mat(lt_json_get(m, "X")), NULL);
        struct pca_run r = run_pca(d, 2, solvers[s], false, false);
        CU_ASSERT_EQUAL_FATAL(r.rc, LT_OK);
        NEAR("mvn 10000x2: components",
             lt_test_json_maxdiff(metric(&r, "components"), lt_json_get(m, "pca_components")),
             1e-10);
        NEAR("mvn 10000x2: explained variance",
             lt_test_json_maxdiff(metric(&r, "explained_variance"),
                                  lt_json_get(m, "pca_explained_variance")),
             1e-10);
        NEAR("mvn 10000x2: explained variance ratio",
             lt_test_json_maxdiff(metric(&r, "explained_variance_ratio"),
                                  lt_json_get(m, "pca_explained_variance_ratio")),
             1e-10);
        CU_ASSERT_PTR_NULL(r.out->split[LT_TEST].x);
        release(&r);
        lt_data_free(&d);
    }
}

/* ---- errors --------------------------------------------------------------- */

static void expect_input_error(const lt_data *d, double k, const char *solver,
                               const char *needle)
{
    struct pca_run r = run_pca(d, k, solver, false, false);
    CU_ASSERT_EQUAL(r.rc, LT_EINPUT);
    CU_ASSERT_PTR_NULL(r.out);
    const char *msg = lt_ctx_error(r.ctx);
    CU_ASSERT_PTR_NOT_NULL(msg);
    if (msg) {
        CU_ASSERT_PTR_NOT_NULL(strstr(msg, needle));
        CU_ASSERT_PTR_NULL(strchr(msg, '\n'));
    }
    release(&r);
}

static void test_errors(void)
{
    lt_data *d = lecture_data();
    expect_input_error(d, 6, "full", "n_components is 6 but the data allow at most 5");
    expect_input_error(d, 2.5, "full", "expected an integer >= 1");
    lt_data_free(&d);

    /* A test split whose width differs from train's. */
    d = lecture_data();
    lt_mat_free(&d->split[LT_TEST].x);
    d->split[LT_TEST].x = lt_mat_new(3, 4);
    expect_input_error(d, 2, "full", "split 'test' has 4 features but train has 5");
    lt_data_free(&d);

    lt_mat *one = lt_mat_new(1, 3);
    d = lt_test_data(one, NULL);
    expect_input_error(d, 1, "full", "at least 2 training rows, got 1");
    lt_data_free(&d);

    lt_mat *flat = lt_mat_new(4, 3);
    for (size_t i = 0; i < 12; i++)
        flat->v[i] = 2.5;
    d = lt_test_data(flat, NULL);
    for (int s = 0; s < 2; s++) {
        expect_input_error(d, 0.9, solvers[s], "zero variance");
        /* An integer count still works: the projection is all zeros. */
        struct pca_run r = run_pca(d, 2, solvers[s], false, false);
        CU_ASSERT_EQUAL(r.rc, LT_OK);
        CU_ASSERT_EQUAL(r.ctx->n_warnings, 1);
        if (r.out) {
            CU_ASSERT_EQUAL(r.out->split[LT_TRAIN].x->v[0], 0);
            CU_ASSERT_EQUAL(r.spec->ratio[0], 0);
        }
        release(&r);
    }
    lt_data_free(&d);
}

/* ---- metadata, artifacts, solver choice ---------------------------------- */

static void test_metadata_and_artifacts(void)
{
    lt_data *d = whiten_data();
    d->split[LT_TRAIN].y = calloc(200, sizeof(int));
    d->split[LT_TRAIN].t = calloc(200, sizeof(double));
    d->split[LT_TRAIN].y[7] = 1;
    d->split[LT_TRAIN].t[9] = 0.5;
    d->n_classes = 2;
    d->image_rows = 2;
    d->image_cols = 3;
    d->feature_names = calloc(6, sizeof(char *));
    const char *names[6] = {"a", "b,c", "d", "e", "f", "g"};
    for (int j = 0; j < 6; j++)
        d->feature_names[j] = strdup(names[j]);

    struct pca_run r = run_pca(d, 3, "auto", false, false);
    CU_ASSERT_EQUAL_FATAL(r.rc, LT_OK);
    CU_ASSERT_STRING_EQUAL(lt_json_string(metric(&r, "solver")), "full");
    CU_ASSERT_EQUAL(r.out->n_features, 3);
    CU_ASSERT_STRING_EQUAL(r.out->feature_names[2], "PC3");
    CU_ASSERT_EQUAL(r.out->image_rows, 0);
    CU_ASSERT_EQUAL(r.out->n_classes, 2);
    CU_ASSERT_EQUAL(r.out->split[LT_TRAIN].y[7], 1);
    CU_ASSERT_EQUAL(r.out->split[LT_TRAIN].t[9], 0.5);

    /* The CSV holds the metric's numbers exactly (%.17g round-trips). */
    char path[4096];
    snprintf(path, sizeof path, "%s/test.components.csv", r.ctx->test_dir);
    char *text = lt_read_file(path, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_EQUAL(strncmp(text, "a,\"b,c\",d,e,f,g\n", 16), 0);
    char *p = strchr(text, '\n') + 1;
    const lt_json *comp = metric(&r, "components");
    int exact = 1;
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 6; j++) {
            char *end;
            double v = strtod(p, &end);
            exact &= v == lt_json_number(lt_json_at(lt_json_at(comp, i), j));
            p = end + 1;
        }
    CU_ASSERT(exact);
    free(text);
    snprintf(path, sizeof path, "%s/test.mean.csv", r.ctx->test_dir);
    text = lt_read_file(path, NULL);
    CU_ASSERT_PTR_NOT_NULL(text);
    free(text);
    release(&r);

    /* The reconstruction keeps the input's features and image shape. */
    r = run_pca(d, 3, "auto", false, true);
    CU_ASSERT_EQUAL_FATAL(r.rc, LT_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r.rec);
    CU_ASSERT_EQUAL(r.rec->n_features, 6);
    CU_ASSERT_STRING_EQUAL(r.rec->feature_names[1], "b,c");
    CU_ASSERT_EQUAL(r.rec->image_rows, 2);
    release(&r);
    lt_data_free(&d);
}

static void test_solver_rule(void)
{
    CU_ASSERT_EQUAL(lt_pca_pick_solver(10, 5), LT_PCA_FULL);
    CU_ASSERT_EQUAL(lt_pca_pick_solver(426, 30), LT_PCA_FULL);
    CU_ASSERT_EQUAL(lt_pca_pick_solver(100000, 100), LT_PCA_COVARIANCE);
    CU_ASSERT_EQUAL(lt_pca_pick_solver(60000, 784), LT_PCA_COVARIANCE);
    CU_ASSERT_EQUAL(lt_pca_pick_solver(1000, 784), LT_PCA_FULL);
    double ratio[4] = {0.5, 0.3, 0.15, 0.05};
    CU_ASSERT_EQUAL(lt_pca_count_for_fraction(ratio, 4, 0.8), 3); /* cumsum 0.8 is not > 0.8 */
    CU_ASSERT_EQUAL(lt_pca_count_reaching(ratio, 4, 0.8), 2);
    CU_ASSERT_EQUAL(lt_pca_count_for_fraction(ratio, 4, 0.79), 2);
}

/* Data large enough that every routine streams over several row blocks:
 * the two solvers must agree. Columns have variances 2^-j/2 apart (sharp
 * components) and an offset of 1000 that centring must remove. */
static void test_solvers_agree_on_blocks(void)
{
    size_t n = 40000, p = 60;
    lt_mat *x = lt_mat_new(n, p);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    uint64_t state = 12345;
    for (size_t i = 0; i < n * p; i++) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        double u = (double)(state >> 11) / 9007199254740992.0 - 0.5;
        x->v[i] = 1000 + u * pow(2, -(double)(i % p) / 4);
    }
    lt_data *d = lt_test_data(x, NULL);
    struct pca_run full = run_pca(d, 10, "full", false, false);
    struct pca_run cov = run_pca(d, 10, "covariance", false, false);
    CU_ASSERT_EQUAL_FATAL(full.rc, LT_OK);
    CU_ASSERT_EQUAL_FATAL(cov.rc, LT_OK);
    NEAR("40000x60 blocks: components, covariance vs full",
         lt_test_json_maxdiff(metric(&cov, "components"), metric(&full, "components")), 1e-10);
    NEAR("40000x60 blocks: explained variance",
         lt_test_json_maxdiff(metric(&cov, "explained_variance"),
                              metric(&full, "explained_variance")),
         1e-14);
    NEAR("40000x60 blocks: mean",
         lt_test_json_maxdiff(metric(&cov, "mean"), metric(&full, "mean")), 1e-10);
    NEAR("40000x60 blocks: reconstruction mse",
         lt_test_json_maxdiff(metric(&cov, "reconstruction_mse"),
                              metric(&full, "reconstruction_mse")),
         1e-14);
    double worst = 0;
    const lt_mat *a = full.out->split[LT_TRAIN].x, *b = cov.out->split[LT_TRAIN].x;
    for (size_t i = 0; i < n * 10; i++)
        if (!(fabs(a->v[i] - b->v[i]) <= worst))
            worst = fabs(a->v[i] - b->v[i]);
    NEAR("40000x60 blocks: projections", worst, 1e-10);
    release(&full);
    release(&cov);
    lt_data_free(&d);
}

/* Data near the origin are projected uncentred (X V^T - mean V^T), data far
 * from it centred first: shifting the 200 x 6 case by 1e4 moves it from one
 * path to the other, and the projections must not notice. */
static void test_projection_paths(void)
{
    for (int s = 0; s < 2; s++) {
        lt_data *near = whiten_data(), *far = whiten_data();
        for (int sp = 0; sp < LT_N_SPLITS; sp++) {
            lt_mat *x = far->split[sp].x;
            for (size_t i = 0; x && i < x->rows * x->cols; i++)
                x->v[i] += 1e4;
        }
        struct pca_run a = run_pca(near, 3, solvers[s], false, false);
        struct pca_run b = run_pca(far, 3, solvers[s], false, false);
        CU_ASSERT_EQUAL_FATAL(a.rc, LT_OK);
        CU_ASSERT_EQUAL_FATAL(b.rc, LT_OK);
        double worst = 0;
        for (int sp = 0; sp < LT_N_SPLITS; sp++) {
            const lt_mat *pa = a.out->split[sp].x, *pb = b.out->split[sp].x;
            for (size_t i = 0; pa && i < pa->rows * pa->cols; i++)
                worst = fmax(worst, fabs(pa->v[i] - pb->v[i]));
        }
        /* Shifting by 1e4 costs the data ~1e4 * eps of their digits. */
        NEAR("200x6 projections, shifted by 1e4 vs not", worst, 1e-10);
        release(&a);
        release(&b);
        lt_data_free(&near);
        lt_data_free(&far);
    }
}

/* Rows of a decaying spectrum, OFFSET off the origin (a 64-bit LCG). */
static double *spectrum_rows(size_t n, size_t p, double offset)
{
    double *x = malloc(n * p * sizeof *x);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    uint64_t state = 777;
    for (size_t i = 0; i < n * p; i++) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        double u = (double)(state >> 11) / 9007199254740992.0 - 0.5;
        /* A mix of neighbouring columns, so the components are not axes. */
        x[i] = offset * (1 + (double)(i % p)) + u / (1 + (double)(i % p));
        if (i % p)
            x[i] += 0.3 * x[i - 1] - 0.3 * offset * (double)(i % p);
    }
    return x;
}

/* The one-pass Gram matrix (means by a provisional shift, rows cut into one
 * lane per thread) against two passes in long double, near the origin and
 * 1e4 off it; the covariance fit's scores are transform()'s bits, as the
 * stage relies on; and the spectrum's reconstruction error is the
 * residual's. */
static void test_gram_lanes(void)
{
    int threads = openblas_get_num_threads();
    openblas_set_num_threads(2);
    size_t n = 3001, p = 17;
    for (int far = 0; far < 2; far++) {
        double offset = far ? 1e4 : 0.01;
        double *x = spectrum_rows(n, p, offset);
        double mean[17], gram[17 * 17], worst = 0, top = 0, mworst = 0;
        CU_ASSERT_EQUAL_FATAL(lt_gram_centred(x, n, p, 2, mean, gram), LT_LA_OK);
        long double mu[17] = {0};
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < p; j++)
                mu[j] += x[i * p + j];
        for (size_t j = 0; j < p; j++) {
            mu[j] /= (long double)n;
            mworst = fmax(mworst, fabs((double)(mu[j] - mean[j])));
        }
        for (size_t a = 0; a < p; a++)
            for (size_t b = 0; b < p; b++) {
                long double g = 0;
                for (size_t i = 0; i < n; i++)
                    g += (x[i * p + a] - mu[a]) * (x[i * p + b] - mu[b]);
                worst = fmax(worst, fabs((double)(g - gram[a * p + b])));
                top = fmax(top, fabs((double)g));
            }
        NEAR("one-pass Gram matrix vs two passes (rel. to largest)", worst / top, 1e-13);
        NEAR("one-pass means vs two passes (rel. to the offset)", mworst / (offset * p), 1e-15);

        lt_pca m;
        double *scores = NULL;
        CU_ASSERT_EQUAL_FATAL(lt_pca_fit(&m, x, n, p, 4, LT_PCA_COVARIANCE, &scores), LT_PCA_OK);
        double *again = malloc(n * 4 * sizeof *again);
        CU_ASSERT_PTR_NOT_NULL_FATAL(again);
        CU_ASSERT_EQUAL(lt_pca_transform(&m, x, n, false, again), LT_PCA_OK);
        CU_ASSERT(memcmp(scores, again, n * 4 * sizeof *again) == 0);
        double from_spectrum = -1, residual = -1;
        CU_ASSERT_FATAL(lt_pca_training_mse(&m, &from_spectrum));
        CU_ASSERT_EQUAL(lt_pca_reconstruction_mse(&m, x, scores, n, &residual), LT_PCA_OK);
        NEAR("reconstruction mse, spectrum vs residual (relative)",
             fabs(from_spectrum - residual) / residual, 1e-11);
        free(again);
        free(scores);
        lt_pca_free(&m);
        /* Every component kept: no error to speak of, left to the residual. */
        CU_ASSERT_EQUAL_FATAL(lt_pca_fit(&m, x, n, p, 0, LT_PCA_COVARIANCE, NULL), LT_PCA_OK);
        CU_ASSERT_FALSE(lt_pca_training_mse(&m, &from_spectrum));
        lt_pca_free(&m);
        free(x);
    }
    openblas_set_num_threads(threads);
}

/* Float32 rows (held images) give the float64 path's model on the same
 * values bit for bit, and their scores to rounding (the same bits where
 * both centre); a model projects float32 rows to its own training scores
 * exactly. */
static void test_float32_rows(void)
{
    int threads = openblas_get_num_threads();
    openblas_set_num_threads(2);
    size_t n = 3001, p = 17, k = 4;
    for (int far = 0; far < 2; far++) {
        double *x = spectrum_rows(n, p, far ? 1e4 : 0.01);
        float *xf = malloc(n * p * sizeof *xf);
        double *s64 = NULL, *s32 = NULL, *again = malloc(n * k * sizeof *again);
        CU_ASSERT_PTR_NOT_NULL_FATAL(xf);
        CU_ASSERT_PTR_NOT_NULL_FATAL(again);
        for (size_t i = 0; i < n * p; i++)
            x[i] = xf[i] = (float)x[i];
        double mean64[17], mean32[17], gram64[17 * 17], gram32[17 * 17];
        CU_ASSERT_EQUAL(lt_gram_centred(x, n, p, 2, mean64, gram64), LT_LA_OK);
        CU_ASSERT_EQUAL(lt_gram_centred_f32(xf, n, p, 2, mean32, gram32), LT_LA_OK);
        CU_ASSERT(memcmp(mean64, mean32, sizeof mean64) == 0);
        CU_ASSERT(memcmp(gram64, gram32, sizeof gram64) == 0);

        lt_pca m64, m32;
        CU_ASSERT_EQUAL_FATAL(lt_pca_fit(&m64, x, n, p, (double)k, LT_PCA_COVARIANCE, &s64),
                              LT_PCA_OK);
        CU_ASSERT_EQUAL_FATAL(lt_pca_fit_f32(&m32, xf, n, p, (double)k, &s32), LT_PCA_OK);
        CU_ASSERT_EQUAL(m32.solver, LT_PCA_COVARIANCE);
        CU_ASSERT(memcmp(m64.variance, m32.variance, p * sizeof(double)) == 0);
        CU_ASSERT(memcmp(m64.components, m32.components, k * p * sizeof(double)) == 0);
        double worst = 0, top = 0;
        for (size_t i = 0; i < n * k; i++) {
            worst = fmax(worst, fabs(s64[i] - s32[i]));
            top = fmax(top, fabs(s64[i]));
        }
        NEAR("float32 rows' scores vs float64 rows' (rel. to the largest)", worst / top, 1e-14);
        if (far) /* centred on both paths: the very same arithmetic */
            CU_ASSERT(memcmp(s64, s32, n * k * sizeof *s32) == 0);
        CU_ASSERT_EQUAL(lt_pca_transform_f32(&m32, xf, n, false, again), LT_PCA_OK);
        CU_ASSERT(memcmp(again, s32, n * k * sizeof *again) == 0);
        double e64 = -1, e32 = -2;
        CU_ASSERT_EQUAL(lt_pca_reconstruction_mse(&m64, x, s64, n, &e64), LT_PCA_OK);
        CU_ASSERT_EQUAL(lt_pca_reconstruction_mse_f32(&m64, xf, s64, n, &e32), LT_PCA_OK);
        CU_ASSERT_EQUAL(e64, e32);
        lt_pca_free(&m64);
        lt_pca_free(&m32);
        free(s64);
        free(s32);
        free(again);
        free(xf);
        free(x);
    }
    openblas_set_num_threads(threads);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    ref = lt_test_reference("pca.json");
    mvn_ref = lt_test_reference("pca_mvn.json");
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("pca", NULL, NULL);
    CU_add_test(s, "lecture 10x5, all components", test_lecture_all);
    CU_add_test(s, "lecture 10x5, two components and numpy's X2D", test_lecture_two);
    CU_add_test(s, "lecture 10x5, fraction 0.8", test_lecture_fraction);
    CU_add_test(s, "200x6 whitened", test_whiten);
    CU_add_test(s, "200x6 reconstruction", test_inverse);
    CU_add_test(s, "200x6 fraction 0.9", test_whiten_fraction);
    CU_add_test(s, "breast cancer raw", test_cancer_raw);
    CU_add_test(s, "breast cancer standard-scaled", test_cancer_scaled);
    CU_add_test(s, "lecture multivariate normal", test_multivariate);
    CU_add_test(s, "input errors", test_errors);
    CU_add_test(s, "metadata and CSV artifacts", test_metadata_and_artifacts);
    CU_add_test(s, "auto solver rule and fraction counts", test_solver_rule);
    CU_add_test(s, "solvers agree over row blocks", test_solvers_agree_on_blocks);
    CU_add_test(s, "uncentred and centred projections agree", test_projection_paths);
    CU_add_test(s, "one-pass Gram matrix over lanes", test_gram_lanes);
    CU_add_test(s, "float32 rows, widened as read", test_float32_rows);
    int rc = lt_test_run();
    lt_json_free(ref);
    lt_json_free(mvn_ref);
    return rc;
}
