/* kernel_pca against scikit-learn 1.2.1's KernelPCA
 * (tests/reference/make_kpca.py): eigenvalues, train projections and the
 * transform of a held-out split, entry by entry and with their signs (the
 * reference script asserts scikit-learn's signs do not depend on its
 * solver), for every kernel and each of our three eigen-solvers; the
 * pre-image map; the kernel parameter checks and the errors. */
#include <CUnit/Basic.h>
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "math/kernel.h"
#include "math/linalg.h"
#include "math/rng.h"
#include "math/topeig.h"
#include "math/vexp.h"
#include "math/kpca.h"
#include "testcfg.h"
#include "testmat.h"
#include "testutil.h"

extern const lt_stage_def kernel_pca_stage;

const char *lt_test_root = ".";
static lt_json *ref;
static lt_data *data; /* the reference's 240 train and 60 test rows */
static lt_data *wide; /* 100 train and 20 test rows of 12 features */

static const char *const solvers[] = {"dense", "arpack", "randomized"};
/* The agreement: 1e-8, relative to the largest magnitude when that
 * is above 1 (the linear kernel's eigenvalues are about 1e4). */
#define TOL 1e-8

static double scaled_tol(const lt_json *values)
{
    double m = lt_test_json_maxabs(values);
    return TOL * (m > 1 ? m : 1);
}

static double param(const lt_json *params, const char *name, double fallback)
{
    const lt_json *v = lt_json_get(params, name);
    return v ? lt_json_number(v) : fallback;
}

struct kpca_run {
    lt_ctx *ctx;
    lt_data *out;
    int rc;
};

/* Runs the stage on `in` with a reference case's parameters. */
static struct kpca_run run_case(const lt_json *c, const char *solver, const lt_data *in)
{
    struct kpca_run r = {lt_ctx_new_test(), NULL, LT_OK};
    CU_ASSERT_PTR_NOT_NULL_FATAL(r.ctx);
    const lt_stage_def *def = &kernel_pca_stage;
    const lt_json *p = lt_json_get(c, "params");
    void *cfg = lt_test_config(def);
    lt_test_set_int(def, cfg, "n_components", (int)lt_json_number(lt_json_get(c, "n_components")));
    lt_test_set_choice(def, cfg, "kernel", lt_json_string(lt_json_get(p, "kernel")));
    lt_test_set_real(def, cfg, "gamma", param(p, "gamma", NAN));
    lt_test_set_real(def, cfg, "degree", param(p, "degree", 3));
    lt_test_set_real(def, cfg, "coef0", param(p, "coef0", 1));
    lt_test_set_real(def, cfg, "alpha", param(p, "alpha", 1));
    lt_test_set_bool(def, cfg, "fit_inverse_transform",
                     lt_json_get(c, "reconstruction_mse") != NULL);
    lt_test_set_choice(def, cfg, "eigen_solver", solver);
    r.rc = lt_test_run_stage(def, r.ctx, cfg, in, &r.out);
    free(cfg);
    return r;
}

static void release(struct kpca_run *r)
{
    lt_data_free(&r->out);
    lt_ctx_free_test(r->ctx);
}

static void check_cases(const char *key, const lt_data *in)
{
    const lt_json *cases = lt_json_get(ref, key);
    CU_ASSERT_FATAL(lt_json_size(cases) > 0);
    for (size_t i = 0; i < lt_json_size(cases); i++) {
        const lt_json *c = lt_json_at(cases, i);
        const char *name = lt_json_string(lt_json_get(c, "name"));
        size_t k = (size_t)lt_json_number(lt_json_get(c, "n_components"));
        for (size_t s = 0; s < sizeof solvers / sizeof *solvers; s++) {
            struct kpca_run r = run_case(c, solvers[s], in);
            CU_ASSERT_EQUAL(r.rc, LT_OK);
            if (r.rc != LT_OK) {
                fprintf(stderr, "%s/%s: %s\n", name, solvers[s], lt_ctx_error(r.ctx));
                release(&r);
                continue;
            }
            char label[128];
            double eig[16];
            for (size_t j = 0; j < k; j++)
                eig[j] = lt_ctx_test_metric(r.ctx, "eigenvalues", j);
            const lt_json *want = lt_json_get(c, "eigenvalues");
            snprintf(label, sizeof label, "%s, %s: eigenvalues", name, solvers[s]);
            NEAR(label, lt_test_maxdiff(eig, k, want), scaled_tol(want));
            want = lt_json_get(c, "train");
            snprintf(label, sizeof label, "%s, %s: train projections", name, solvers[s]);
            NEAR(label, lt_test_mat_maxdiff(r.out->split[LT_TRAIN].x, want), scaled_tol(want));
            want = lt_json_get(c, "test");
            snprintf(label, sizeof label, "%s, %s: test projections", name, solvers[s]);
            NEAR(label, lt_test_mat_maxdiff(r.out->split[LT_TEST].x, want), scaled_tol(want));
            const lt_json *mse = lt_json_get(c, "reconstruction_mse");
            if (mse) {
                double m = lt_json_number(mse);
                snprintf(label, sizeof label, "%s, %s: pre-image mse (relative)", name,
                         solvers[s]);
                NEAR(label, fabs(lt_ctx_test_metric(r.ctx, "reconstruction_mse", 0) - m) / m,
                     1e-8);
            } else {
                CU_ASSERT(isnan(lt_ctx_test_metric(r.ctx, "reconstruction_mse", 0)));
            }
            CU_ASSERT_STRING_EQUAL(
                lt_json_string(lt_json_get(lt_ctx_test_metrics(r.ctx), "eigen_solver")),
                solvers[s]);
            release(&r);
        }
    }
}

static void test_every_kernel_and_solver(void) { check_cases("kpca_cases", data); }
static void test_wide_data(void) { check_cases("wide_cases", wide); }

/* What a fitted model does beyond the stage's outputs: pre-images of the
 * held-out projections, through the library. */
static void test_preimages_of_test_rows(void)
{
    const lt_json *cases = lt_json_get(ref, "kpca_cases");
    for (size_t i = 0; i < lt_json_size(cases); i++) {
        const lt_json *c = lt_json_at(cases, i);
        const lt_json *want = lt_json_get(c, "test_preimage_head");
        if (!want)
            continue;
        const lt_json *p = lt_json_get(c, "params");
        const char *kname = lt_json_string(lt_json_get(p, "kernel"));
        lt_kernel kernel = {LT_KERNEL_LINEAR, param(p, "gamma", NAN), param(p, "degree", 3),
                            param(p, "coef0", 1)};
        for (int kind = 0; kind <= LT_KERNEL_LAPLACIAN; kind++)
            if (strcmp(lt_kernel_name(kind), kname) == 0)
                kernel.kind = kind;
        size_t k = (size_t)lt_json_number(lt_json_get(c, "n_components"));
        const lt_mat *train = data->split[LT_TRAIN].x, *test = data->split[LT_TEST].x;
        lt_kpca m;
        CU_ASSERT_EQUAL_FATAL(lt_kpca_fit(&m, train->v, train->rows, 3, k, &kernel,
                                          LT_EIG_DENSE, 0, 2),
                              LT_KPCA_OK);
        lt_mat *z = lt_mat_new(train->rows, k), *zt = lt_mat_new(5, k), *pre = lt_mat_new(5, 3);
        lt_kpca_train_projection(&m, z->v);
        CU_ASSERT_EQUAL(lt_kpca_inverse(&m, zt->v, 5, 1, pre->v), LT_KPCA_ENOINVERSE);
        CU_ASSERT_EQUAL(lt_kpca_fit_inverse(&m, z->v, param(p, "alpha", 1), 2), LT_KPCA_OK);
        CU_ASSERT_EQUAL(lt_kpca_transform(&m, test->v, 5, 2, zt->v), LT_KPCA_OK);
        CU_ASSERT_EQUAL(lt_kpca_inverse(&m, zt->v, 5, 2, pre->v), LT_KPCA_OK);
        char label[128];
        snprintf(label, sizeof label, "%s: pre-images of test projections",
                 lt_json_string(lt_json_get(c, "name")));
        NEAR(label, lt_test_mat_maxdiff(pre, want), scaled_tol(want));
        lt_mat_free(&z);
        lt_mat_free(&zt);
        lt_mat_free(&pre);
        lt_kpca_free(&m);
    }
}

/* The stage's reconstruction output, read without fit_inverse_transform:
 * it fits the pre-image map itself, its test split starts with
 * scikit-learn's pre-images of the first test projections, and it keeps
 * the input's feature count. Unread, it is not computed. */
static void test_reconstruction_output(void)
{
    const lt_json *cases = lt_json_get(ref, "kpca_cases");
    size_t checked = 0;
    for (size_t i = 0; i < lt_json_size(cases); i++) {
        const lt_json *c = lt_json_at(cases, i);
        const lt_json *want = lt_json_get(c, "test_preimage_head");
        if (!want)
            continue;
        const lt_stage_def *def = &kernel_pca_stage;
        CU_ASSERT_STRING_EQUAL(def->outputs[1].name, "reconstruction");
        const lt_json *p = lt_json_get(c, "params");
        void *cfg = lt_test_config(def);
        lt_test_set_int(def, cfg, "n_components", (int)lt_json_number(lt_json_get(c, "n_components")));
        lt_test_set_choice(def, cfg, "kernel", lt_json_string(lt_json_get(p, "kernel")));
        lt_test_set_real(def, cfg, "gamma", param(p, "gamma", NAN));
        lt_test_set_real(def, cfg, "degree", param(p, "degree", 3));
        lt_test_set_real(def, cfg, "coef0", param(p, "coef0", 1));
        lt_test_set_choice(def, cfg, "eigen_solver", "dense");
        /* The references use alpha 1 (scikit-learn's default) unless set. */
        if (lt_json_get(p, "alpha"))
            lt_test_set_bool(def, cfg, "fit_inverse_transform", true);
        lt_test_set_real(def, cfg, "alpha", param(p, "alpha", 1));
        lt_ctx *ctx = lt_ctx_new_test();
        lt_data *rec = NULL;
        const lt_data *in[1] = {data};
        CU_ASSERT_EQUAL_FATAL(lt_test_call_output(def, ctx, cfg, in, 1, 1, &rec), LT_OK);
        CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
        CU_ASSERT_EQUAL(rec->n_features, 3);
        CU_ASSERT_EQUAL(lt_data_rows(rec, LT_TEST), lt_data_rows(data, LT_TEST));
        char label[128];
        snprintf(label, sizeof label, "%s: reconstruction output's test rows",
                 lt_json_string(lt_json_get(c, "name")));
        NEAR(label, lt_test_mat_maxdiff(rec->split[LT_TEST].x, want), scaled_tol(want));
        const lt_json *mse = lt_json_get(c, "reconstruction_mse");
        if (mse)
            NEAR("  and its reconstruction_mse, relative",
                 fabs(lt_ctx_test_metric(ctx, "reconstruction_mse", 0) - lt_json_number(mse)) /
                     lt_json_number(mse),
                 1e-8);
        checked++;
        lt_data_free(&rec);
        lt_ctx_free_test(ctx);
        free(cfg);
    }
    CU_ASSERT(checked > 0);
}

/* The spectrum output: the eigenvalues the stage reports, and for the
 * linear kernel, whose centred kernel's eigenvalues are (n - 1) times the
 * covariance's, ratios equal to PCA's explained_variance_ratio. */
static void test_spectrum_output(void)
{
    extern const lt_stage_def pca_stage;
    const lt_stage_def *def = &kernel_pca_stage;
    CU_ASSERT_STRING_EQUAL(def->outputs[2].name, "spectrum");
    void *cfg = lt_test_config(def);
    lt_test_set_int(def, cfg, "n_components", 3);
    lt_test_set_choice(def, cfg, "kernel", "linear");
    lt_ctx *ctx = lt_ctx_new_test();
    ctx->wanted = 1u | 1u << 2;
    lt_value in = {.data = data}, out[LT_MAX_OUTPUTS] = {{0}};
    CU_ASSERT_EQUAL_FATAL(def->run(ctx, cfg, &in, 1, out), LT_OK);
    const lt_spectrum *sp = out[2].spectrum;
    CU_ASSERT_PTR_NOT_NULL_FATAL(sp);
    CU_ASSERT_EQUAL(sp->n, 3);
    CU_ASSERT_EQUAL(sp->n_kept, 3);
    NEAR("spectrum's variances vs the reported eigenvalues",
         lt_test_maxdiff(sp->variance, 3, lt_json_get(lt_ctx_test_metrics(ctx), "eigenvalues")), 0);

    lt_ctx *pctx = lt_ctx_new_test();
    void *pcfg = lt_test_config(&pca_stage);
    lt_test_set_real(&pca_stage, pcfg, "n_components", 3);
    const lt_data *pin[1] = {data};
    lt_data *proj = NULL;
    CU_ASSERT_EQUAL_FATAL(lt_test_call(&pca_stage, pctx, pcfg, pin, 1, &proj), LT_OK);
    NEAR("linear kernel: spectrum ratio vs PCA's explained_variance_ratio",
         lt_test_maxdiff(sp->ratio, 3, lt_json_get(lt_ctx_test_metrics(pctx), "explained_variance_ratio")),
         1e-12);
    lt_data_free(&proj);
    lt_ctx_free_test(pctx);
    free(pcfg);
    for (int k = 0; k < LT_MAX_OUTPUTS; k++)
        lt_value_free(&out[k]);
    lt_ctx_free_test(ctx);
    free(cfg);
}

/* The output keeps row values and labels, names its columns and drops the
 * image shape; the default gamma is 1 / features. */
static void test_output_and_metrics(void)
{
    const lt_json *c = lt_json_at(lt_json_get(ref, "kpca_cases"), 3); /* rbf, default gamma */
    CU_ASSERT_STRING_EQUAL_FATAL(lt_json_string(lt_json_get(c, "name")), "rbf_default_gamma");
    lt_data *in = lt_data_new();
    in->split[LT_TRAIN].x = lt_mat_copy(data->split[LT_TRAIN].x);
    in->n_features = 3;
    in->image_rows = in->image_cols = 1; /* pretend: must not survive */
    size_t n = in->split[LT_TRAIN].x->rows;
    in->split[LT_TRAIN].t = malloc(n * sizeof(double));
    in->split[LT_TRAIN].y = malloc(n * sizeof(int));
    for (size_t i = 0; i < n; i++) {
        in->split[LT_TRAIN].t[i] = (double)i;
        in->split[LT_TRAIN].y[i] = (int)(i % 2);
    }
    in->n_classes = 2;
    struct kpca_run r = run_case(c, "auto", in);
    CU_ASSERT_EQUAL_FATAL(r.rc, LT_OK);
    lt_data *out = r.out;
    CU_ASSERT_EQUAL(out->n_features, 2);
    CU_ASSERT_STRING_EQUAL(out->feature_names[0], "KPC1");
    CU_ASSERT_STRING_EQUAL(out->feature_names[1], "KPC2");
    CU_ASSERT_EQUAL(out->image_rows, 0);
    CU_ASSERT_EQUAL(out->n_classes, 2);
    CU_ASSERT_DOUBLE_EQUAL(out->split[LT_TRAIN].t[7], 7.0, 0);
    CU_ASSERT_EQUAL(out->split[LT_TRAIN].y[7], 1);
    CU_ASSERT_PTR_NULL(out->split[LT_TEST].x);
    CU_ASSERT_DOUBLE_EQUAL(lt_ctx_test_metric(r.ctx, "gamma", 0), 1.0 / 3.0, 1e-17);
    /* 240 rows and 2 components: auto takes a top-k solver. */
    CU_ASSERT_STRING_EQUAL(lt_json_string(lt_json_get(lt_ctx_test_metrics(r.ctx), "eigen_solver")),
                           "randomized");
    CU_ASSERT_EQUAL(lt_ctx_test_metric(r.ctx, "n_components", 0), 2);
    const lt_json *head = lt_json_get(lt_ctx_test_metrics(r.ctx), "projection_head");
    CU_ASSERT_EQUAL(lt_json_size(head), 5);
    NEAR("projection_head = first train rows", lt_test_mat_maxdiff(out->split[LT_TRAIN].x, head),
         0);
    release(&r);
    lt_data_free(&in);

    /* Few rows: auto is dense. */
    lt_data *small = lt_data_new();
    small->split[LT_TRAIN].x = lt_mat_new(30, 3);
    small->n_features = 3;
    memcpy(small->split[LT_TRAIN].x->v, data->split[LT_TRAIN].x->v, 90 * sizeof(double));
    r = run_case(c, "auto", small);
    CU_ASSERT_EQUAL(r.rc, LT_OK);
    CU_ASSERT_STRING_EQUAL(lt_json_string(lt_json_get(lt_ctx_test_metrics(r.ctx), "eigen_solver")),
                           "dense");
    release(&r);
    lt_data_free(&small);
}

/* The elementwise kernel work runs on threads; the numbers must not depend
 * on how many. */
static void threads_do_not_change_kernels(const lt_data *d)
{
    const lt_mat *x = d->split[LT_TRAIN].x, *y = d->split[LT_TEST].x;
    size_t n = x->rows, m = y->rows, p = x->cols;
    double *one = malloc(n * n * sizeof(double)), *many = malloc(n * n * sizeof(double));
    double sum_one[240], sum_many[240];
    CU_ASSERT_PTR_NOT_NULL_FATAL(one);
    CU_ASSERT_PTR_NOT_NULL_FATAL(many);
    CU_ASSERT_FATAL(n <= 240);
    for (int kind = 0; kind <= LT_KERNEL_LAPLACIAN; kind++) {
        lt_kernel k = {kind, 0.05, 2, 1};
        CU_ASSERT_EQUAL(lt_kernel_matrix(&k, x->v, n, NULL, 0, p, 1, one, sum_one), LT_LA_OK);
        CU_ASSERT_EQUAL(lt_kernel_matrix(&k, x->v, n, NULL, 0, p, 5, many, sum_many), LT_LA_OK);
        CU_ASSERT(memcmp(one, many, n * n * sizeof(double)) == 0);
        CU_ASSERT(memcmp(sum_one, sum_many, n * sizeof(double)) == 0);
        double worst = 0;
        for (size_t i = 0; i < n; i++) {
            double s = 0, scale = 0;
            for (size_t j = 0; j < n; j++) {
                s += one[i * n + j];
                scale += fabs(one[i * n + j]);
            }
            worst = fmax(worst, fabs(s - sum_one[i]) / (scale > 0 ? scale : 1));
        }
        CU_ASSERT(worst <= 1e-14); /* the row sums, added in another order */
        /* The lower triangle alone: the same entries and row sums, nothing
         * written above the diagonal. */
        for (size_t i = 0; i < n * n; i++)
            many[i] = -7;
        CU_ASSERT_EQUAL(lt_kernel_lower(&k, x->v, n, p, 3, many, sum_many), LT_LA_OK);
        bool same = memcmp(sum_one, sum_many, n * sizeof(double)) == 0, untouched = true;
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++) {
                if (j <= i)
                    same = same && many[i * n + j] == one[i * n + j];
                else
                    untouched = untouched && many[i * n + j] == -7;
            }
        CU_ASSERT(same);
        CU_ASSERT(untouched);
        /* K(X, X) is exactly symmetric, and its cross form agrees. */
        bool symmetric = true;
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < i; j++)
                symmetric = symmetric && one[i * n + j] == one[j * n + i];
        CU_ASSERT(symmetric);
        CU_ASSERT_EQUAL(lt_kernel_matrix(&k, y->v, m, x->v, n, p, 1, one, sum_one), LT_LA_OK);
        CU_ASSERT_EQUAL(lt_kernel_matrix(&k, y->v, m, x->v, n, p, 3, many, sum_many), LT_LA_OK);
        CU_ASSERT(memcmp(one, many, m * n * sizeof(double)) == 0);
        CU_ASSERT(memcmp(sum_one, sum_many, m * sizeof(double)) == 0);
    }
    free(one);
    free(many);
}

static void test_threads_do_not_change_kernels(void)
{
    threads_do_not_change_kernels(data); /* 3 features: inner products inline */
    threads_do_not_change_kernels(wide); /* 12: by BLAS */
}

static void expect_config_error(const char *kernel, const char *name, double value,
                                const char *message)
{
    lt_ctx *ctx = lt_ctx_new_test();
    void *cfg = lt_test_config(&kernel_pca_stage);
    lt_test_set_choice(&kernel_pca_stage, cfg, "kernel", kernel);
    if (strcmp(name, "fit_inverse_transform") == 0)
        lt_test_set_bool(&kernel_pca_stage, cfg, name, value != 0);
    else
        lt_test_set_real(&kernel_pca_stage, cfg, name, value);
    int rc = kernel_pca_stage.check(ctx, cfg);
    CU_ASSERT_EQUAL(rc, message ? LT_EINPUT : LT_OK);
    if (message) {
        const char *err = lt_ctx_error(ctx);
        CU_ASSERT_PTR_NOT_NULL(err && strstr(err, message));
        if (!err || !strstr(err, message))
            fprintf(stderr, "\n    got \"%s\", expected \"%s\"\n", err ? err : "(none)", message);
    }
    free(cfg);
    lt_ctx_free_test(ctx);
}

static void test_parameter_checks(void)
{
    /* A parameter of a kernel that ignores it: refused by its row's `when`. */
    static const struct {
        const char *with, *message;
    } stray[] = {
        {"{kernel: rbf, degree: 3}", "degree: applies only when kernel is poly, not rbf"},
        {"{kernel: sigmoid, degree: 2}", "degree: applies only when kernel is poly, not sigmoid"},
        {"{degree: 2}", "degree: applies only when kernel is poly, not linear"},
        {"{kernel: linear, gamma: 0.1}",
         "gamma: applies only when kernel is rbf, poly, sigmoid or laplacian, not linear"},
        {"{kernel: cosine, gamma: 0.1}", "gamma: applies only when kernel is rbf, poly, sigmoid"},
        {"{kernel: rbf, coef0: 1}", "coef0: applies only when kernel is poly or sigmoid, not rbf"},
        {"{kernel: laplacian, coef0: 0}", "coef0: applies only when kernel is poly or sigmoid"},
        {"{kernel: rbf, alpha: 0.5}", "alpha: applies only when fit_inverse_transform is true, not false"},
        {"{kernel: poly, gamma: 0.5, degree: 2, coef0: 0}", NULL},
        {"{kernel: sigmoid, coef0: 0.5, gamma: null}", NULL},
        {"{fit_inverse_transform: true, alpha: 0.5}", NULL},
    };
    for (size_t i = 0; i < sizeof stray / sizeof stray[0]; i++) {
        const char *err = lt_test_bind_error(&kernel_pca_stage, stray[i].with);
        bool ok = stray[i].message ? err && strstr(err, stray[i].message) : !err;
        if (!ok)
            fprintf(stderr, "\n    %s: expected \"%s\", got \"%s\"", stray[i].with,
                    stray[i].message ? stray[i].message : "(none)", err ? err : "(none)");
        CU_ASSERT(ok);
    }
    expect_config_error("poly", "degree", 2.5, "degree is 2.5; expected a whole number");
    /* The parameters that do apply. */
    expect_config_error("poly", "degree", 4, NULL);
    expect_config_error("poly", "coef0", 0, NULL);
    expect_config_error("sigmoid", "coef0", 2, NULL);
    expect_config_error("laplacian", "gamma", 2, NULL);
    expect_config_error("linear", "fit_inverse_transform", 1, NULL);
}

static void test_errors(void)
{
    const lt_json *c = lt_json_at(lt_json_get(ref, "kpca_cases"), 0);
    lt_data *small = lt_data_new();
    small->split[LT_TRAIN].x = lt_mat_new(3, 3);
    small->n_features = 3;
    memcpy(small->split[LT_TRAIN].x->v, data->split[LT_TRAIN].x->v, 9 * sizeof(double));
    /* Three components of three rows: dense can, arpack cannot. */
    struct kpca_run r = run_case(c, "dense", small);
    CU_ASSERT_EQUAL(r.rc, LT_OK);
    release(&r);
    r = run_case(c, "arpack", small);
    CU_ASSERT_EQUAL(r.rc, LT_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(lt_ctx_error(r.ctx), "arpack needs n_components below"));
    release(&r);
    lt_mat_free(&small->split[LT_TRAIN].x);
    small->split[LT_TRAIN].x = lt_mat_new(2, 3);
    r = run_case(c, "dense", small);
    CU_ASSERT_EQUAL(r.rc, LT_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(
        strstr(lt_ctx_error(r.ctx), "n_components is 3 but the train split has 2 rows"));
    release(&r);
    lt_mat_free(&small->split[LT_TRAIN].x);
    small->split[LT_TEST].x = lt_mat_new(5, 3);
    r = run_case(c, "dense", small);
    CU_ASSERT_EQUAL(r.rc, LT_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(lt_ctx_error(r.ctx), "no train split"));
    release(&r);
    lt_data_free(&small);
}

/* lt_exp_inplace against libm's exp over the range kernels use (-745 to 1,
 * down to underflow): within two ulps of it (each is within one of the
 * exact value; libm's exp itself when the processor has no AVX2), and an element's result does not depend
 * on where it sits in the array or how long the array is. */
static void test_vector_exp(void)
{
    enum { N = 4099 };
    static double v[N], w[N + 3];
    for (size_t i = 0; i < N; i++)
        v[i] = -745.0 + 746.0 * (double)i / (N - 1) + 1e-3 * sin((double)i);
    memcpy(w + 3, v, sizeof v);
    lt_exp_inplace(v, N);
    double worst = 0;
    for (size_t i = 0; i < N; i++) {
        double want = exp(w[3 + i]);
        double ulp = nextafter(want, INFINITY) - want;
        worst = fmax(worst, fabs(v[i] - want) / (ulp > 0 ? ulp : 1));
    }
    CU_ASSERT(worst <= 2.0);
    lt_exp_inplace(w + 3, N - 2); /* shifted by three lanes, a tail of one */
    CU_ASSERT(memcmp(w + 3, v, (N - 2) * sizeof(double)) == 0);
}

/* The eigen-solvers on a matrix with a known spectrum, Q diag(lambda) Q',
 * whose top eigenvalues crowd (1, 0.9995, 0.999, ...: gaps of 5e-4) so
 * that the block Krylov basis fills up and restarts (about 65 passes).
 * Each solver's values to 1e-10, vectors up to sign to 1e-7: from both
 * triangles, and from the lower one alone with NaN above the diagonal (as
 * kernel PCA hands them over), for 3 pairs (Lanczos) and 10 (block
 * Krylov, whose lower-only products are dsymm's). */
static void known_spectrum(size_t k, bool lower_only);

static void test_known_spectrum(void)
{
    known_spectrum(3, false);
    known_spectrum(3, true);
    known_spectrum(10, true);
}

static void known_spectrum(size_t k, bool lower_only)
{
    const size_t n = 500;
    double *q = malloc(n * n * sizeof(double)), *a = malloc(n * n * sizeof(double));
    double *work = malloc(n * n * sizeof(double)), *tau = malloc(n * sizeof(double));
    double *lambda = malloc(n * sizeof(double)), *vec = malloc(n * k * sizeof(double));
    CU_ASSERT_FATAL(q && a && work && tau && lambda && vec);
    lt_rng r;
    lt_rng_seed(&r, 7);
    lt_rng_randn(&r, q, n * n);
    CU_ASSERT_EQUAL_FATAL(LAPACKE_dgeqrf(LAPACK_COL_MAJOR, (int)n, (int)n, q, (int)n, tau), 0);
    CU_ASSERT_EQUAL_FATAL(LAPACKE_dorgqr(LAPACK_COL_MAJOR, (int)n, (int)n, (int)n, q, (int)n, tau), 0);
    for (size_t j = 0; j < n; j++)
        lambda[j] = j < 250 ? 1 - 0.0005 * (double)j : 0.85 * exp(-(double)(j - 250) / 50);
    /* A = Q diag(lambda) Q' with Q column-major: column j is q + j n. */
    for (size_t j = 0; j < n; j++)
        for (size_t i = 0; i < n; i++)
            work[j * n + i] = q[j * n + i] * lambda[j];
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, (int)n, (int)n, (int)n, 1.0, work,
                (int)n, q, (int)n, 0.0, a, (int)n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            a[i * n + j] = a[j * n + i] = 0.5 * (a[i * n + j] + a[j * n + i]);
    for (int method = LT_EIG_DENSE; method <= LT_EIG_KRYLOV; method++) {
        memcpy(work, a, n * n * sizeof(double)); /* dense destroys it */
        if (lower_only)
            for (size_t i = 0; i < n; i++)
                for (size_t j = i + 1; j < n; j++)
                    work[i * n + j] = NAN;
        lt_sym_matrix m = {work, n, NULL, 0, lower_only};
        double values[10];
        int products = 0;
        CU_ASSERT_EQUAL_FATAL(lt_top_eigh(&m, k, method, 1, values, vec, &products), LT_LA_OK);
        double dv = 0, dvec = 0;
        for (size_t j = 0; j < k; j++) {
            dv = fmax(dv, fabs(values[j] - lambda[j]));
            double dot = 0;
            for (size_t i = 0; i < n; i++)
                dot += vec[i * k + j] * q[j * n + i];
            double sign = dot < 0 ? -1 : 1;
            for (size_t i = 0; i < n; i++)
                dvec = fmax(dvec, fabs(vec[i * k + j] - sign * q[j * n + i]));
        }
        char label[96];
        snprintf(label, sizeof label, "%s, k %zu%s (%d products): eigenvalues",
                 lt_eig_method_name(method), k, lower_only ? ", lower triangle" : "",
                 products);
        NEAR(label, dv, 1e-10);
        snprintf(label, sizeof label, "%s, k %zu%s: eigenvectors up to sign",
                 lt_eig_method_name(method), k, lower_only ? ", lower triangle" : "");
        NEAR(label, dvec, 1e-7);
    }
    free(q);
    free(a);
    free(work);
    free(tau);
    free(lambda);
    free(vec);
}

/* A kernel that is not PSD on the data: scikit-learn raises "There are
 * significant negative eigenvalues"; so must we, with the numbers. */
static void test_negative_spectrum(void)
{
    const lt_json *c = lt_json_get(ref, "negative");
    size_t rows = (size_t)lt_json_number(lt_json_get(c, "rows"));
    lt_data *few = lt_data_new();
    few->split[LT_TRAIN].x = lt_mat_new(rows, 3);
    few->n_features = 3;
    memcpy(few->split[LT_TRAIN].x->v, data->split[LT_TRAIN].x->v, rows * 3 * sizeof(double));
    struct kpca_run r = run_case(c, "dense", few);
    CU_ASSERT_EQUAL(r.rc, LT_EINPUT);
    const char *err = lt_ctx_error(r.ctx);
    CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "significant negative eigenvalues (down to -"));
    printf("\n    scikit-learn: %s\n    latent: %s",
           lt_json_string(lt_json_get(c, "sklearn_error")), err ? err : "(none)");
    release(&r);
    lt_data_free(&few);
}

/* The same seed gives the same numbers, bit for bit. */
static void test_deterministic(void)
{
    const lt_json *c = lt_json_at(lt_json_get(ref, "kpca_cases"), 2); /* rbf */
    for (int s = 1; s < 3; s++) {
        struct kpca_run a = run_case(c, solvers[s], data), b = run_case(c, solvers[s], data);
        CU_ASSERT_EQUAL_FATAL(a.rc, LT_OK);
        CU_ASSERT_EQUAL_FATAL(b.rc, LT_OK);
        const lt_mat *x = a.out->split[LT_TEST].x, *y = b.out->split[LT_TEST].x;
        CU_ASSERT(memcmp(x->v, y->v, x->rows * x->cols * sizeof(double)) == 0);
        release(&a);
        release(&b);
    }
}

/* The reference's rows, the first n_train as train, the rest as test. */
static lt_data *split_reference(const char *key)
{
    const lt_json *d = lt_json_get(ref, key);
    lt_mat *all = lt_test_mat(lt_json_get(d, "X"));
    size_t n_train = (size_t)lt_json_number(lt_json_get(d, "n_train")), p = all->cols;
    lt_mat *train = lt_mat_new(n_train, p), *test = lt_mat_new(all->rows - n_train, p);
    memcpy(train->v, all->v, n_train * p * sizeof(double));
    memcpy(test->v, all->v + n_train * p, test->rows * p * sizeof(double));
    lt_mat_free(&all);
    return lt_test_data(train, test);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    ref = lt_test_reference("kpca.json");
    data = split_reference("kpca_data");
    wide = split_reference("wide_data");

    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("kernel_pca", NULL, NULL);
    CU_add_test(s, "every kernel, every solver, against scikit-learn",
                test_every_kernel_and_solver);
    CU_add_test(s, "12 features (inner products by BLAS)", test_wide_data);
    CU_add_test(s, "pre-images of held-out rows", test_preimages_of_test_rows);
    CU_add_test(s, "output and metrics", test_output_and_metrics);
    CU_add_test(s, "the reconstruction output", test_reconstruction_output);
    CU_add_test(s, "the spectrum output", test_spectrum_output);
    CU_add_test(s, "kernels do not depend on threads", test_threads_do_not_change_kernels);
    CU_add_test(s, "kernel parameter checks", test_parameter_checks);
    CU_add_test(s, "errors", test_errors);
    CU_add_test(s, "negative eigenvalues", test_negative_spectrum);
    CU_add_test(s, "eigen-solvers on a known spectrum", test_known_spectrum);
    CU_add_test(s, "exp four lanes at a time", test_vector_exp);
    CU_add_test(s, "deterministic", test_deterministic);
    int rc = lt_test_run();
    lt_data_free(&data);
    lt_data_free(&wide);
    lt_json_free(ref);
    return rc;
}
