/* Allocation failures, SQLite-style: each scenario runs once to count its
 * allocations, then again failing the 1st, the 2nd, ... allocation in
 * turn. Every run must end in LT_OK or LT_ERUNTIME ("out of memory"),
 * never in a crash, and (under AddressSanitizer's leak checker) free what
 * it took. The program is linked with --wrap for malloc, calloc, realloc
 * and aligned_alloc, so only latent's own calls fail: libc, OpenBLAS and
 * LAPACKE allocate as usual. */
#include <CUnit/Basic.h>
#include <errno.h>
#include <math.h>
#include <execinfo.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include "core/ctx.h"
#include "util/fsutil.h"
#include "core/run.h"
#include "util/diag.h"
#include "core/pipeline.h"
#include "io/csv.h"
#include "math/rng.h"
#include "testcfg.h"
#include "testmat.h"
#include "testutil.h"

const char *lt_test_root = ".";

extern const lt_stage_def pca_stage, kernel_pca_stage, scaler_standard_stage, impute_stage;

/* ---- the failing allocator ------------------------------------------------ */

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__real_aligned_alloc(size_t align, size_t size);

static long armed;      /* fail allocation number `armed` (1-based); 0: none */
static long allocations; /* counted while armed */

/* As a real failure does, a failing call sets errno: callers tell "out of
 * memory" from an I/O error by it. */
static bool fail_now(void)
{
    if (!armed || ++allocations != armed)
        return false;
    if (getenv("LT_OOM_TRACE")) { /* where each failure strikes */
        void *frames[16];
        backtrace_symbols_fd(frames, backtrace(frames, 16), 2);
        /* A trace is best effort; the result is looked at only because
         * _FORTIFY_SOURCE (Debian's package build) insists. */
        if (write(2, "--\n", 3) != 3)
            errno = 0;
    }
    errno = ENOMEM;
    return true;
}

void *__wrap_malloc(size_t size) { return fail_now() ? NULL : __real_malloc(size); }
void *__wrap_calloc(size_t n, size_t size) { return fail_now() ? NULL : __real_calloc(n, size); }
void *__wrap_realloc(void *p, size_t size)
{
    return fail_now() ? NULL : __real_realloc(p, size);
}
void *__wrap_aligned_alloc(size_t align, size_t size)
{
    return fail_now() ? NULL : __real_aligned_alloc(align, size);
}

/* A scenario: its setup is not failed, only the call STEP makes. */
typedef struct scenario {
    const char *name;
    void *(*setup)(void);          /* returns the scenario's state */
    int (*step)(void *state);      /* the code under test: an lt_status */
    void (*teardown)(void *state);
} scenario;

/* Fails each allocation in turn; with STRIDE > 1 only every STRIDE-th (a
 * whole run allocates thousands of times). */
static void run_scenario_every(const scenario *s, long stride)
{
    long total = -1, failed = 0;
    /* LT_OOM_AT=N fails only allocation N (to look at one failure). */
    const char *at = getenv("LT_OOM_AT");
    for (long n = at ? atol(at) : 1;; n += stride) {
        void *state = s->setup();
        armed = n;
        allocations = 0;
        int rc = s->step(state);
        armed = 0;
        s->teardown(state);
        if (allocations < n) { /* nothing failed: every allocation was seen */
            total = allocations;
            CU_ASSERT_EQUAL(rc, LT_OK);
            break;
        }
        failed++;
        if (rc != LT_OK && rc != LT_ERUNTIME) {
            printf("\n    %s: failing allocation %ld gave status %d", s->name, n, rc);
            CU_FAIL("an allocation failure must be LT_ERUNTIME");
        }
        if (at)
            return;
    }
    printf("\n    %-40s %ld allocations, %s", s->name, total,
           stride == 1 ? "each failed once" : "every one in a stride failed");
    CU_ASSERT(total > 0 && failed == (total + stride - 1) / stride);
}

static void run_scenario(const scenario *s) { run_scenario_every(s, 1); }

/* ---- stages on a small dataset ------------------------------------------------ */

struct stage_state {
    const lt_stage_def *def;
    lt_data *in;
    void *cfg;
    lt_ctx *ctx;
};

static lt_data *small_data(void)
{
    lt_rng rng;
    lt_rng_seed(&rng, 3);
    lt_mat *train = lt_mat_new(60, 5), *test = lt_mat_new(10, 5);
    if (!train || !test)
        exit(1);
    lt_rng_randn(&rng, train->v, 60 * 5);
    lt_rng_randn(&rng, test->v, 10 * 5);
    for (size_t i = 0; i < 60; i++)
        train->v[i * 5] *= 4; /* a leading direction */
    return lt_test_data(train, test);
}

static void *stage_setup(const lt_stage_def *def)
{
    struct stage_state *s = calloc(1, sizeof *s);
    if (!s || !(s->ctx = lt_ctx_new_test()))
        exit(1);
    s->def = def;
    s->in = small_data();
    s->cfg = lt_test_config(def);
    return s;
}

static int stage_step(void *state)
{
    struct stage_state *s = state;
    lt_ctx_enter(s->ctx, "stage", 0, 0, lt_ctx_test_metrics(s->ctx));
    /* Every output the context wants (set by the case), as the runner
     * asks for them. */
    int rc = s->def->check ? s->def->check(s->ctx, s->cfg) : LT_OK;
    lt_value in = {.data = s->in}, out[LT_MAX_OUTPUTS] = {{0}};
    if (rc == LT_OK)
        rc = s->def->run(s->ctx, s->cfg, &in, 1, out);
    CU_ASSERT((rc == LT_OK) == (out[0].data != NULL));
    for (size_t k = 1; rc == LT_OK && k < s->def->n_outputs; k++)
        CU_ASSERT(lt_value_empty(&out[k]) != lt_ctx_wants(s->ctx, (int)k));
    for (size_t k = 0; k < LT_MAX_OUTPUTS; k++)
        lt_value_free(&out[k]);
    return rc;
}

static void stage_teardown(void *state)
{
    struct stage_state *s = state;
    lt_data_free(&s->in);
    free(s->cfg);
    lt_ctx_free_test(s->ctx);
    free(s);
}

static void *pca_full(void)
{
    struct stage_state *s = stage_setup(&pca_stage);
    lt_test_set_real(&pca_stage, s->cfg, "n_components", 2);
    lt_test_set_choice(&pca_stage, s->cfg, "solver", "full");
    return s;
}

static void *pca_covariance_inverse(void)
{
    struct stage_state *s = stage_setup(&pca_stage);
    lt_test_set_real(&pca_stage, s->cfg, "n_components", 0.9);
    lt_test_set_choice(&pca_stage, s->cfg, "solver", "covariance");
    s->ctx->wanted = 7; /* the projection, the reconstruction and the spectrum */
    return s;
}

static void *pca_randomized(void)
{
    struct stage_state *s = stage_setup(&pca_stage);
    lt_test_set_real(&pca_stage, s->cfg, "n_components", 2);
    lt_test_set_choice(&pca_stage, s->cfg, "solver", "randomized");
    return s;
}

static void *pca_incremental(void)
{
    struct stage_state *s = stage_setup(&pca_stage);
    lt_test_set_real(&pca_stage, s->cfg, "n_components", 2);
    lt_test_set_choice(&pca_stage, s->cfg, "solver", "incremental");
    s->ctx->wanted = 3; /* with the reconstruction, batch by batch */
    lt_test_set_int(&pca_stage, s->cfg, "batch_size", 20);
    lt_test_set_bool(&pca_stage, s->cfg, "whiten", true);
    return s;
}

static void *kpca_preimage(void)
{
    struct stage_state *s = stage_setup(&kernel_pca_stage);
    lt_test_set_int(&kernel_pca_stage, s->cfg, "n_components", 2);
    s->ctx->wanted = 7; /* the projection, the pre-images and the spectrum */
    return s;
}

static void *scaler(void) { return stage_setup(&scaler_standard_stage); }

/* ---- the CSV parser and the pipeline loader --------------------------------------- */

static void *ctx_setup(void)
{
    lt_ctx *ctx = lt_ctx_new_test();
    if (!ctx)
        exit(1);
    return ctx;
}

static void ctx_teardown(void *state) { lt_ctx_free_test(state); }

static int csv_step(void *state)
{
    lt_diag sink = {.limit = 1};
    static const char text[] = "x,\"y, z\",kind\n1,2,cat\n3,4e-1,dog\n\n5,-6,cat\n";
    lt_csv_options opt = {.header = true, .label_column = "kind", .delimiter = ','};
    lt_data *d = NULL;
    lt_ctx_enter(state, "csv", 0, 0, lt_ctx_test_metrics(state));
    int rc = lt_ctx_take(state, &sink, lt_csv_parse(&sink, "t.csv", text, strlen(text), &opt, &d, NULL));
    lt_data_free(&d);
    return rc;
}

/* Every option at once: sniffed ';', decimal commas, a comment, a BOM,
 * columns dropped, a text label, missing values kept and dropped. */
static const char messy[] = "\xEF\xBB\xBFid;x;\"y; z\";kind # units\n"
                            "a;1,5;2;cat\n# pause\nb;;4e-1;dog\nc;5;-6;cat\n";
static const char *const messy_ignore[] = {"id"};
static const char *const messy_na[] = {"-999"};

static lt_csv_options messy_options(enum lt_csv_missing missing)
{
    return (lt_csv_options){.header = true, .label_column = "kind", .decimal = ',',
                            .comment = '#', .ignore = messy_ignore, .n_ignore = 1,
                            .na_values = messy_na, .n_na_values = 1, .missing = missing};
}

static int csv_messy_step(void *state)
{
    lt_diag sink = {.limit = 1};
    lt_data *d = NULL;
    lt_ctx_enter(state, "csv", 0, 0, lt_ctx_test_metrics(state));
    lt_csv_options opt = messy_options(LT_CSV_MISSING_KEEP);
    int rc = lt_ctx_take(state, &sink, lt_csv_parse(&sink, "t.csv", messy, strlen(messy), &opt, &d, NULL));
    lt_data_free(&d);
    opt = messy_options(LT_CSV_MISSING_DROP);
    if (rc == LT_OK)
        rc = lt_ctx_take(state, &sink, lt_csv_parse(&sink, "t.csv", messy, strlen(messy), &opt, &d, NULL));
    lt_data_free(&d);
    return rc;
}

static char messy_path[4200];

/* The stream's two passes: open (check whole), then read every row. */
static int csv_stream_step(void *state)
{
    lt_diag sink = {.limit = 1};
    lt_data *d = NULL;
    lt_ctx_enter(state, "csv", 0, 0, lt_ctx_test_metrics(state));
    lt_csv_options opt = messy_options(LT_CSV_MISSING_KEEP);
    int rc = lt_ctx_take(state, &sink, lt_csv_open_stream(&sink, messy_path, &opt, &d, NULL));
    double rows[3 * 2];
    char err[256];
    if (rc == LT_OK &&
        lt_mat_read_rows(d->split[LT_TRAIN].x, 0, 3, rows, err, sizeof err) != 0)
        rc = strstr(err, "out of memory") ? LT_ERUNTIME : LT_EINPUT;
    lt_data_free(&d);
    return rc;
}

static void *impute_median(void)
{
    struct stage_state *s = stage_setup(&impute_stage);
    lt_test_set_choice(&impute_stage, s->cfg, "strategy", "median");
    s->in->split[LT_TRAIN].x->v[7] = NAN;
    s->in->split[LT_TEST].x->v[3] = NAN;
    return s;
}

static char pipeline_path[4200];

static int pipeline_step(void *state)
{
    (void)state;
    lt_diag diag = {0};
    lt_load_opts opts = {.point = -1};
    lt_pipeline *p = lt_pipeline_load(pipeline_path, &opts, &diag);
    /* The loader records its problems in diag, out of memory included
     * unless recording it needed the memory that ran out (main() then
     * says "out of memory" itself). */
    int rc = p ? LT_OK : LT_ERUNTIME;
    lt_pipeline_free(p);
    lt_diag_clear(&diag);
    return rc;
}

/* ---- a whole run ----------------------------------------------------------------- */

static const char run_yaml[] =
    "pipeline: oom\n"
    "seed: 1\n"
    "stages:\n"
    "  data: {use: dataset.randn, with: {rows: 40, cols: 6}}\n"
    "  split: {use: split, with: {test_size: 0.25, random_state: 0}}\n"
    "  scaled: {use: scaler.standard}\n"
    "  ae:\n"
    "    use: autoencoder\n"
    "    with:\n"
    "      encoder: [{dense: {units: 2, activation: selu}}]\n"
    "      decoder: [{dense: {units: 6}}]\n"
    "      epochs: 2\n"
    "      batch_size: 8\n"
    "  tsne: {use: tsne, input: scaled, with: {perplexity: 5, max_iter: 250}}\n"
    "  view: {use: plot.scatter, input: ae}\n"
    "  vae:\n"
    "    use: vae\n"
    "    input: scaled\n"
    "    with: {encoder: [{dense: {units: 3, activation: selu}}], latent_dim: 2,\n"
    "           decoder: [{dense: {units: 6}}], loss: mse, epochs: 2, batch_size: 8}\n";

/* The classical methods on a small labelled table. */
static const char methods_yaml[] =
    "pipeline: oom-methods\n"
    "seed: 2\n"
    "stages:\n"
    "  table: {use: dataset.csv, with: {path: t.csv, label_column: kind}}\n"
    "  split: {use: split, with: {test_size: 0.25, random_state: 0}}\n"
    "  scaled: {use: scaler.minmax}\n"
    "  centred: {use: center}\n"
    "  pca: {use: pca, with: {n_components: 0.9}}\n"
    "  spectrum: {use: plot.variance, input: pca.spectrum}\n"
    "  recon: {use: table, input: pca.reconstruction}\n"
    "  lr: {use: logreg, input: centred}\n"
    "  lda: {use: lda, input: centred}\n"
    "  kpca: {use: kernel_pca, input: centred, with: {n_components: 2, fit_inverse_transform: true}}\n"
    "  isomap: {use: isomap, input: centred}\n"
    "  mds: {use: mds, input: centred, with: {n_init: 1, max_iter: 20}}\n"
    "  stats: {use: stats, input: centred}\n"
    "  rows: {use: table, input: pca}\n"
    "  view: {use: plot.embedding, input: [isomap, mds]}\n";

static char run_dir[4200];

static bool use_cache;  /* run_step reads and writes the stage cache */
static bool keep_cache; /* run_setup leaves the cache as it is (primed) */
static char cache_dir[4200];
static char *clean_metrics; /* metrics.json of a run where nothing failed */

static void *run_setup(void)
{
    lt_diag diag = {0};
    lt_load_opts opts = {.point = -1};
    lt_pipeline *p = lt_pipeline_load(pipeline_path, &opts, &diag);
    lt_diag_clear(&diag);
    if (!p)
        exit(1);
    if (!keep_cache)
        lt_remove_tree(cache_dir);
    return p;
}

static int run_step(void *state)
{
    lt_run_opts opts = {.out_dir = run_dir, .threads = 1, .quiet = true, .no_cache = !use_cache};
    /* A failed run explains itself on stderr: hundreds of lines here,
     * unless LT_OOM_STDERR is set (to see a sanitizer's report). */
    bool quiet = !getenv("LT_OOM_STDERR");
    fflush(stderr);
    int saved = quiet ? dup(2) : -1, null = quiet ? open("/dev/null", O_WRONLY) : -1;
    if (quiet)
        dup2(null, 2);
    int rc = lt_run(state, &opts, NULL);
    /* The checks below allocate too: they are not under test. */
    long failing = armed;
    armed = 0;
    fflush(stderr);
    if (quiet) {
        dup2(saved, 2);
        close(saved);
        close(null);
    }
    /* A run that succeeded despite the failure (a cache entry it could not
     * read is recomputed, one it could not write is skipped) has the
     * numbers of a clean run. */
    if (rc == LT_OK && clean_metrics) {
        char *path = lt_path_join(run_dir, "metrics.json");
        char *text = path ? lt_read_file(path, NULL) : NULL;
        if (!text || strcmp(text, clean_metrics) != 0) {
            CU_FAIL("a run that succeeded has other metrics than a clean run");
            printf("\n    (failing allocation %ld%s)", failing, text ? "" : ": no metrics.json");
            if (getenv("LT_OOM_DUMP") && text && atol(getenv("LT_OOM_DUMP")) == failing) {
                FILE *a = fopen("/tmp/oom-clean.json", "w"), *b = fopen("/tmp/oom-got.json", "w");
                if (a && b) {
                    fputs(clean_metrics, a);
                    fputs(text, b);
                }
                if (a)
                    fclose(a);
                if (b)
                    fclose(b);
            }
        }
        free(text);
        free(path);
    }
    /* Success or not, nothing half-written: a failed run leaves an empty
     * folder (or none). */
    if (rc != LT_OK) {
        DIR *d = opendir(run_dir);
        struct dirent *e;
        while (d && (e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, ".lock")) {
                printf("\n    a failed run left %s", e->d_name);
                CU_FAIL("a failed run left a file behind");
            }
        if (d)
            closedir(d);
    }
    return rc;
}

static void run_teardown(void *state)
{
    lt_pipeline *p = state;
    lt_pipeline_free(p);
    lt_remove_tree(run_dir);
}

/* Runs the pipeline once with nothing failing and keeps its metrics.json
 * as clean_metrics, what every run that succeeds must reproduce. */
static void take_clean_metrics(void)
{
    lt_pipeline *p = run_setup();
    CU_ASSERT_EQUAL_FATAL(run_step(p), LT_OK);
    char *path = lt_path_join(run_dir, "metrics.json");
    free(clean_metrics);
    clean_metrics = lt_read_file(path, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(clean_metrics);
    free(path);
    run_teardown(p);
}

static void drop_clean_metrics(void)
{
    free(clean_metrics);
    clean_metrics = NULL;
}

static void test_whole_run(void)
{
    lt_ctx *ctx = lt_ctx_new_test();
    char *yaml = lt_path_join(ctx->test_dir, "oom.yaml");
    FILE *f = fopen(yaml, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(run_yaml, f);
    fclose(f);
    snprintf(pipeline_path, sizeof pipeline_path, "%s", yaml);
    snprintf(run_dir, sizeof run_dir, "%s/run", ctx->test_dir);
    take_clean_metrics();
    const scenario s = {"a run: dataset to autoencoder, t-SNE, plot, vae", run_setup, run_step,
                        run_teardown};
    run_scenario(&s);
    /* The same run storing into the stage cache, then reading from it:
     * whatever fails there, the numbers stay those of a clean run. */
    snprintf(cache_dir, sizeof cache_dir, "%s/cache", ctx->test_dir);
    setenv("LATENT_CACHE_DIR", cache_dir, 1);
    use_cache = true;
    const scenario store = {"the same, storing into the cache", run_setup, run_step,
                            run_teardown};
    run_scenario(&store);
    lt_pipeline *p = run_setup(); /* prime the cache once: the runs below read it */
    CU_ASSERT_EQUAL_FATAL(run_step(p), LT_OK);
    run_teardown(p);
    keep_cache = true;
    const scenario load = {"the same, reading the cache", run_setup, run_step, run_teardown};
    run_scenario(&load);
    use_cache = keep_cache = false;
    drop_clean_metrics();
    lt_remove_tree(cache_dir);
    free(yaml);
    lt_ctx_free_test(ctx);
}

static void test_methods_run(void)
{
    lt_ctx *ctx = lt_ctx_new_test();
    char *yaml = lt_path_join(ctx->test_dir, "methods.yaml");
    char *csv = lt_path_join(ctx->test_dir, "t.csv");
    FILE *f = fopen(yaml, "w"), *g = fopen(csv, "w");
    CU_ASSERT_FATAL(f && g);
    fputs(methods_yaml, f);
    fclose(f);
    lt_rng rng;
    lt_rng_seed(&rng, 9);
    fputs("a,b,c,d,kind\n", g);
    for (int i = 0; i < 36; i++) {
        double x[4];
        lt_rng_randn(&rng, x, 4);
        fprintf(g, "%.6f,%.6f,%.6f,%.6f,%c\n", x[0] + i % 3, x[1] - i % 3, x[2], x[3],
                "xyz"[i % 3]);
    }
    fclose(g);
    snprintf(pipeline_path, sizeof pipeline_path, "%s", yaml);
    snprintf(run_dir, sizeof run_dir, "%s/run", ctx->test_dir);
    const scenario s = {"a run: logreg, LDA, kernel PCA, Isomap, MDS", run_setup, run_step,
                        run_teardown};
    take_clean_metrics();
    /* Every other allocation: 1500 runs of 30 ms (two plots) is too long
     * for a unit test under the sanitizers. */
    run_scenario_every(&s, 2);
    drop_clean_metrics();
    free(yaml);
    free(csv);
    lt_ctx_free_test(ctx);
}

static void test_stages(void)
{
    const scenario list[] = {
        {"pca, full solver", pca_full, stage_step, stage_teardown},
        {"pca, covariance, fraction, inverse", pca_covariance_inverse, stage_step,
         stage_teardown},
        {"pca, randomized", pca_randomized, stage_step, stage_teardown},
        {"pca, incremental, whitened", pca_incremental, stage_step, stage_teardown},
        {"kernel_pca with pre-images", kpca_preimage, stage_step, stage_teardown},
        {"scaler.standard", scaler, stage_step, stage_teardown},
        {"CSV parser", ctx_setup, csv_step, ctx_teardown},
        {"CSV parser, every option", ctx_setup, csv_messy_step, ctx_teardown},
        {"CSV stream, every option", ctx_setup, csv_stream_step, ctx_teardown},
        {"impute, median", impute_median, stage_step, stage_teardown},
    };
    lt_ctx *ctx = lt_ctx_new_test();
    snprintf(messy_path, sizeof messy_path, "%s/messy.csv", ctx->test_dir);
    FILE *f = fopen(messy_path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(messy, f);
    fclose(f);
    for (size_t i = 0; i < LT_COUNT(list); i++)
        run_scenario(&list[i]);
    lt_ctx_free_test(ctx);
}

static void test_pipeline_load(void)
{
    snprintf(pipeline_path, sizeof pipeline_path, "%s/pipelines/breast_cancer.yaml",
             lt_test_root);
    const scenario s = {"loading pipelines/breast_cancer.yaml", ctx_setup, pipeline_step,
                        ctx_teardown};
    run_scenario(&s);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("allocation failures", NULL, NULL);
    CU_add_test(s, "stages", test_stages);
    CU_add_test(s, "pipeline loading", test_pipeline_load);
    CU_add_test(s, "a whole run", test_whole_run);
    CU_add_test(s, "a run of the classical methods", test_methods_run);
    return lt_test_run();
}
