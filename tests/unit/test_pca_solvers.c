/* pca's randomized and incremental solvers against scikit-learn 1.2.1
 * (tests/reference/make_pca_solvers.py): the same random test matrix and
 * power iterations give PCA(svd_solver='randomized')'s components entry by
 * entry; the same batches give IncrementalPCA's. Also: the incremental
 * solver reading a stream in batches, and the solvers' config errors. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "math/pca.h"
#include "math/rng.h"
#include "testcfg.h"
#include "testmat.h"
#include "testutil.h"

extern const lt_stage_def pca_stage;

const char *lt_test_root = ".";
static lt_json *ref;

/* X = A B + 0.05 E with A (rows x 4), B (4 x cols), E (rows x cols) drawn
 * in that order from RandomState(seed), as make_pca_solvers.py does. */
static lt_mat *case_data(const lt_json *c)
{
    size_t rows = (size_t)lt_json_number(lt_json_get(c, "rows"));
    size_t cols = (size_t)lt_json_number(lt_json_get(c, "cols"));
    lt_rng rng;
    lt_rng_seed(&rng, (uint32_t)lt_json_number(lt_json_get(c, "seed")));
    double *a = malloc(rows * 4 * sizeof *a), *b = malloc(4 * cols * sizeof *b);
    lt_mat *x = lt_mat_new(rows, cols);
    CU_ASSERT_FATAL(a && b && x);
    lt_rng_randn(&rng, a, rows * 4);
    lt_rng_randn(&rng, b, 4 * cols);
    lt_rng_randn(&rng, x->v, rows * cols);
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++) {
            double s = 0;
            for (size_t r = 0; r < 4; r++)
                s += a[i * 4 + r] * b[r * cols + j];
            x->v[i * cols + j] = s + 0.05 * x->v[i * cols + j];
        }
    free(a);
    free(b);
    return x;
}

static void set_seed(void *cfg, const char *name, int64_t v)
{
    *(int64_t *)((char *)cfg + lt_test_param(&pca_stage, name)->offset) = v;
}

static lt_json *metric(lt_ctx *ctx, const char *name)
{
    return lt_json_get(lt_ctx_test_metrics(ctx), name);
}

/* Compares a finished run with a reference case; values of the data's scale
 * get tolerances relative to the largest explained variance. */
static void check_results(lt_ctx *ctx, const lt_data *out, const lt_json *c, double tol)
{
    char label[200];
    const char *name = lt_json_string(lt_json_get(c, "name"));
    double scale = lt_test_json_maxabs(lt_json_get(c, "explained_variance"));
#define CMP(key, t)                                                             \
    do {                                                                        \
        snprintf(label, sizeof label, "%s: %s", name, key);                     \
        NEAR(label, lt_test_json_maxdiff(metric(ctx, key), lt_json_get(c, key)), t); \
    } while (0)
    CMP("components", tol);
    CMP("explained_variance_ratio", tol);
    CMP("explained_variance", tol * scale);
    CMP("singular_values", tol * sqrt(scale * 1000));
    CMP("noise_variance", tol * scale);
    CMP("mean", tol * scale);
    CMP("reconstruction_mse", tol * scale);
#undef CMP
    snprintf(label, sizeof label, "%s: projection of the first rows", name);
    NEAR(label, lt_test_mat_maxdiff(out->split[LT_TRAIN].x, lt_json_get(c, "scores_head")),
         tol * sqrt(scale) * 10);
}

/* Runs CFG again with the reconstruction output read and checks it has
 * scikit-learn's mean squared error against the input. */
static void check_inverse(void *cfg, const lt_data *in, const lt_json *c)
{
    lt_ctx *ctx = lt_ctx_new_test();
    ctx->wanted = 1u << 1; /* output 1: the reconstruction */
    CU_ASSERT_STRING_EQUAL(pca_stage.outputs[1].name, "reconstruction");
    lt_value input = {.data = (lt_data *)in}, outs[LT_MAX_OUTPUTS] = {{0}};
    CU_ASSERT_EQUAL_FATAL(pca_stage.run(ctx, cfg, &input, 1, outs), LT_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(outs[1].data);
    lt_data *out = outs[1].data;
    lt_data_free(&outs[0].data);
    const lt_mat *x = in->split[LT_TRAIN].x, *rec = out->split[LT_TRAIN].x;
    CU_ASSERT_EQUAL_FATAL(rec->cols, x->cols);
    double sum = 0;
    for (size_t i = 0; i < x->rows * x->cols; i++)
        sum += (x->v[i] - rec->v[i]) * (x->v[i] - rec->v[i]);
    double want = lt_json_number(lt_json_get(c, "reconstruction_mse"));
    /* Relative to the error, or to the data's scale when every component
     * is kept and the error is rounding alone. */
    double floor = 1e-13 * lt_test_json_maxabs(lt_json_get(c, "explained_variance"));
    char label[200];
    snprintf(label, sizeof label, "%s: mse of the inverse output, relative",
             lt_json_string(lt_json_get(c, "name")));
    NEAR(label, fabs(sum / (double)(x->rows * x->cols) - want) / (want + floor), 1e-9);
    lt_data_free(&out);
    lt_ctx_free_test(ctx);
}

static void test_randomized(void)
{
    const lt_json *cases = lt_json_get(ref, "randomized");
    CU_ASSERT_FATAL(lt_json_size(cases) >= 5);
    for (size_t i = 0; i < lt_json_size(cases); i++) {
        const lt_json *c = lt_json_value_at(cases, i);
        const lt_json *opt = lt_json_get(c, "options");
        lt_data *in = lt_test_data(case_data(c), NULL);
        void *cfg = lt_test_config(&pca_stage);
        lt_test_set_real(&pca_stage, cfg, "n_components",
                         lt_json_number(lt_json_get(c, "n_components")));
        lt_test_set_choice(&pca_stage, cfg, "solver", "randomized");
        set_seed(cfg, "random_state", (int64_t)lt_json_number(lt_json_get(opt, "random_state")));
        if (lt_json_get(opt, "iterated_power"))
            lt_test_set_int(&pca_stage, cfg, "iterated_power",
                            (int)lt_json_number(lt_json_get(opt, "iterated_power")));
        if (lt_json_get(opt, "n_oversamples"))
            lt_test_set_int(&pca_stage, cfg, "n_oversamples",
                            (int)lt_json_number(lt_json_get(opt, "n_oversamples")));
        if (lt_json_get(opt, "power_iteration_normalizer"))
            lt_test_set_choice(&pca_stage, cfg, "power_iteration_normalizer",
                               lt_json_string(lt_json_get(opt, "power_iteration_normalizer")));
        lt_ctx *ctx = lt_ctx_new_test();
        lt_data *out = NULL;
        int rc = lt_test_run_stage(&pca_stage, ctx, cfg, in, &out);
        CU_ASSERT_EQUAL_FATAL(rc, LT_OK);
        check_results(ctx, out, c, 1e-9);
        /* The data are of rank 4 plus small noise: the randomized
         * variances must be those of the exact solver (the 1e-6). */
        const lt_json *full = lt_json_get(c, "full_explained_variance");
        double worst = 0, scale = lt_test_json_maxabs(full);
        for (size_t j = 0; j < lt_json_size(full) && j < 4; j++) {
            double d = fabs(lt_ctx_test_metric(ctx, "explained_variance", j) -
                            lt_json_number(lt_json_value_at(full, j)));
            if (!(d <= worst))
                worst = d;
        }
        NEAR("  leading variances / exact solver's, relative", worst / scale, 1e-6);
        check_inverse(cfg, in, c);
        lt_data_free(&out);
        lt_data_free(&in);
        lt_ctx_free_test(ctx);
        free(cfg);
    }
}

/* Each randomized case again on its data rounded to float32, given once as
 * float32 rows (which the stage reads as they are when the data are tall)
 * and once widened to float64: the same fit to rounding. */
static void test_randomized_f32(void)
{
    const lt_json *cases = lt_json_get(ref, "randomized");
    for (size_t i = 0; i < lt_json_size(cases); i++) {
        const lt_json *c = lt_json_value_at(cases, i);
        const lt_json *opt = lt_json_get(c, "options");
        lt_mat *x64 = case_data(c), *x32 = lt_mat_new_f32(x64->rows, x64->cols);
        CU_ASSERT_PTR_NOT_NULL_FATAL(x32);
        for (size_t k = 0; k < x64->rows * x64->cols; k++)
            x64->v[k] = x32->f[k] = (float)x64->v[k];
        void *cfg = lt_test_config(&pca_stage);
        lt_test_set_real(&pca_stage, cfg, "n_components",
                         lt_json_number(lt_json_get(c, "n_components")));
        lt_test_set_choice(&pca_stage, cfg, "solver", "randomized");
        set_seed(cfg, "random_state", (int64_t)lt_json_number(lt_json_get(opt, "random_state")));
        lt_data *in[2] = {lt_test_data(x64, NULL), lt_test_data(x32, NULL)}, *out[2] = {0};
        lt_ctx *ctx[2];
        for (int f = 0; f < 2; f++) {
            ctx[f] = lt_ctx_new_test();
            CU_ASSERT_EQUAL_FATAL(lt_test_run_stage(&pca_stage, ctx[f], cfg, in[f], &out[f]), LT_OK);
        }
        double scale = lt_test_json_maxabs(metric(ctx[0], "explained_variance"));
        char label[200];
        static const char *const keys[] = {"components", "explained_variance", "singular_values",
                                           "mean", "noise_variance", "reconstruction_mse"};
        for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
            snprintf(label, sizeof label, "%s, float32 rows: %s (rel. to the top variance)",
                     lt_json_string(lt_json_get(c, "name")), keys[k]);
            double d = lt_test_json_maxdiff(metric(ctx[1], keys[k]), metric(ctx[0], keys[k]));
            NEAR(label, d / (k ? scale : 1.0), 1e-12);
        }
        const lt_mat *s0 = out[0]->split[LT_TRAIN].x, *s1 = out[1]->split[LT_TRAIN].x;
        double worst = 0;
        for (size_t k = 0; k < s0->rows * s0->cols; k++)
            worst = fmax(worst, fabs(s0->v[k] - s1->v[k]));
        NEAR("  scores (rel. to the top standard deviation)", worst / sqrt(scale), 1e-11);
        for (int f = 0; f < 2; f++) {
            lt_data_free(&out[f]);
            lt_data_free(&in[f]);
            lt_ctx_free_test(ctx[f]);
        }
        free(cfg);
    }
}

static void *incremental_config(const lt_json *c)
{
    void *cfg = lt_test_config(&pca_stage);
    lt_test_set_real(&pca_stage, cfg, "n_components",
                     lt_json_number(lt_json_get(c, "n_components")));
    lt_test_set_choice(&pca_stage, cfg, "solver", "incremental");
    const lt_json *batch = lt_json_get(c, "batch_size");
    if (batch && !lt_json_is_null(batch))
        lt_test_set_int(&pca_stage, cfg, "batch_size", (int)lt_json_number(batch));
    return cfg;
}

static void test_incremental(void)
{
    const lt_json *cases = lt_json_get(ref, "incremental");
    CU_ASSERT_FATAL(lt_json_size(cases) >= 4);
    for (size_t i = 0; i < lt_json_size(cases); i++) {
        const lt_json *c = lt_json_value_at(cases, i);
        lt_data *in = lt_test_data(case_data(c), NULL);
        void *cfg = incremental_config(c);
        lt_ctx *ctx = lt_ctx_new_test();
        lt_data *out = NULL;
        int rc = lt_test_run_stage(&pca_stage, ctx, cfg, in, &out);
        CU_ASSERT_EQUAL_FATAL(rc, LT_OK);
        CU_ASSERT_EQUAL(lt_ctx_test_metric(ctx, "n_components", 0),
                        lt_json_number(lt_json_get(c, "n_components_fitted")));
        check_results(ctx, out, c, 1e-9);
        check_inverse(cfg, in, c);
        lt_data_free(&out);
        lt_data_free(&in);
        lt_ctx_free_test(ctx);
        free(cfg);
    }
}

/* A stream over a dense matrix that records how it is read. */
struct test_stream {
    lt_stream base;
    const lt_mat *x;
    size_t widest, rows_read;
};

static int test_read(lt_stream *s, size_t first, size_t n, double *out, char *err,
                     size_t err_size)
{
    struct test_stream *t = (struct test_stream *)s;
    if (first + n > t->x->rows) {
        snprintf(err, err_size, "read past the end");
        return -1;
    }
    memcpy(out, t->x->v + first * t->x->cols, n * t->x->cols * sizeof *out);
    if (n > t->widest)
        t->widest = n;
    t->rows_read += n;
    return 0;
}

static void test_close(lt_stream *s) { free(s); }

/* The incremental solver on a streamed split gives what it gives on the
 * dense one, reading no more than a batch at a time (the point of
 * streaming); other solvers read the stream whole and agree too. */
static void test_streamed(void)
{
    const lt_json *c = lt_json_value_at(lt_json_get(ref, "incremental"), 1);
    lt_mat *dense = case_data(c);
    struct test_stream *ts = calloc(1, sizeof *ts);
    CU_ASSERT_FATAL(ts != NULL);
    ts->base.read = test_read;
    ts->base.close = test_close;
    ts->x = dense;
    lt_mat *streamed = calloc(1, sizeof *streamed);
    CU_ASSERT_FATAL(streamed != NULL);
    streamed->rows = dense->rows;
    streamed->cols = dense->cols;
    streamed->stream = &ts->base;
    lt_data *in = lt_test_data(streamed, NULL);
    void *cfg = incremental_config(c);
    lt_ctx *ctx = lt_ctx_new_test();
    lt_data *out = NULL;
    CU_ASSERT_EQUAL_FATAL(lt_test_run_stage(&pca_stage, ctx, cfg, in, &out), LT_OK);
    check_results(ctx, out, c, 1e-9);
    size_t batch = (size_t)lt_json_number(lt_json_get(c, "batch_size"));
    size_t k = (size_t)lt_json_number(lt_json_get(c, "n_components"));
    printf("\n    widest read %zu rows (batch %zu), %zu rows read", ts->widest, batch,
           ts->rows_read);
    CU_ASSERT(ts->widest < batch + k);
    /* The fit reads each row once and the projection once more. */
    CU_ASSERT_EQUAL(ts->rows_read, 2 * dense->rows);
    lt_data_free(&out);
    lt_ctx_free_test(ctx);

    /* The full solver needs the data whole: it reads the stream itself. */
    ctx = lt_ctx_new_test();
    lt_test_set_choice(&pca_stage, cfg, "solver", "full");
    lt_test_set_int(&pca_stage, cfg, "batch_size", 0);
    CU_ASSERT_EQUAL_FATAL(lt_test_run_stage(&pca_stage, ctx, cfg, in, &out), LT_OK);
    CU_ASSERT(fabs(lt_ctx_test_metric(ctx, "explained_variance", 0) -
                   lt_json_number(lt_json_value_at(lt_json_get(c, "explained_variance"), 0))) <
              1e-6);
    lt_data_free(&out);
    lt_ctx_free_test(ctx);
    lt_data_free(&in);
    lt_mat_free(&dense);
    free(cfg);
}

static void expect_config_error(const char *solver, double k, const char *param, int value,
                                const char *message)
{
    void *cfg = lt_test_config(&pca_stage);
    lt_test_set_real(&pca_stage, cfg, "n_components", k);
    lt_test_set_choice(&pca_stage, cfg, "solver", solver);
    if (param && strcmp(param, "random_state") == 0)
        set_seed(cfg, param, value);
    else if (param && strcmp(param, "power_iteration_normalizer") == 0)
        lt_test_set_choice(&pca_stage, cfg, param, "QR");
    else if (param)
        lt_test_set_int(&pca_stage, cfg, param, value);
    lt_ctx *ctx = lt_ctx_new_test();
    CU_ASSERT_EQUAL(pca_stage.check(ctx, cfg), LT_EINPUT);
    const char *err = lt_ctx_error(ctx);
    if (!strstr(err, message)) {
        printf("\n    expected \"%s\" in \"%s\"", message, err);
        CU_FAIL("wrong message");
    }
    lt_ctx_free_test(ctx);
    free(cfg);
}

static void test_config_errors(void)
{
    expect_config_error("randomized", 0.5, NULL, 0, "needs n_components as an integer");
    expect_config_error("randomized", 0, NULL, 0, "not null");
    expect_config_error("incremental", 0.9, NULL, 0, "not a variance fraction");
    /* A parameter of another solver: refused by its row's `when`. */
    static const struct {
        const char *with, *message;
    } stray[] = {
        {"{solver: full, batch_size: 100}",
         "batch_size: applies only when solver is incremental, not full"},
        {"{batch_size: 100}", "batch_size: applies only when solver is incremental, not auto"},
        {"{solver: incremental, n_oversamples: 3}",
         "n_oversamples: applies only when solver is randomized, not incremental"},
        {"{solver: auto, random_state: 3}", "random_state: applies only when solver is randomized"},
        {"{solver: covariance, power_iteration_normalizer: QR}",
         "power_iteration_normalizer: applies only when solver is randomized"},
        {"{solver: randomized, n_components: 2, n_oversamples: 3, iterated_power: 2, random_state: 1, "
         "power_iteration_normalizer: QR}", NULL},
        {"{solver: incremental, batch_size: 10, n_oversamples: null}", NULL},
    };
    for (size_t i = 0; i < sizeof stray / sizeof stray[0]; i++) {
        const char *err = lt_test_bind_error(&pca_stage, stray[i].with);
        bool ok = stray[i].message ? err && strstr(err, stray[i].message) : !err;
        if (!ok)
            printf("\n    %s: expected \"%s\", got \"%s\"", stray[i].with,
                   stray[i].message ? stray[i].message : "(none)", err ? err : "(none)");
        CU_ASSERT(ok);
    }
    expect_config_error("incremental", 10, "batch_size", 5,
                        "batch_size is 5 but each batch needs at least n_components (10)");
}

/* lt_ipca_batch_end reproduces gen_batches(n, batch, min_batch_size). */
static void test_batches(void)
{
    struct {
        size_t n, batch, min;
        size_t ends[8];
    } cases[] = {
        {250, 60, 4, {60, 120, 180, 240, 250}},
        {250, 62, 4, {62, 124, 186, 250}},
        {10, 4, 3, {4, 10}},
        {10, 20, 3, {10}},
        {12, 4, 0, {4, 8, 12}},
    };
    for (size_t i = 0; i < LT_COUNT(cases); i++) {
        size_t start = 0, b = 0;
        while (start < cases[i].n) {
            size_t end = lt_ipca_batch_end(start, cases[i].n, cases[i].batch, cases[i].min);
            CU_ASSERT_EQUAL(end, cases[i].ends[b]);
            start = end;
            b++;
        }
        CU_ASSERT_EQUAL(cases[i].ends[b], 0);
    }
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    ref = lt_test_reference("pca_solvers.json");
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("pca solvers", NULL, NULL);
    CU_add_test(s, "randomized = PCA(svd_solver='randomized')", test_randomized);
    CU_add_test(s, "randomized on float32 rows", test_randomized_f32);
    CU_add_test(s, "incremental = IncrementalPCA", test_incremental);
    CU_add_test(s, "incremental over a stream, batch by batch", test_streamed);
    CU_add_test(s, "solver parameters that do not apply", test_config_errors);
    CU_add_test(s, "batches as gen_batches", test_batches);
    int rc = lt_test_run();
    lt_json_free(ref);
    return rc;
}
