/* Allocation failures, SQLite-style: each scenario runs once to count its
 * allocations, then again failing the 1st, the 2nd, ... allocation in
 * turn. Every run must end in LT_OK or LT_ERUNTIME ("out of memory"),
 * never in a crash, and (under AddressSanitizer's leak checker) free what
 * it took. The program is linked with --wrap for malloc, calloc, realloc
 * and aligned_alloc, so only latent's own calls fail: libc, OpenBLAS and
 * LAPACKE allocate as usual. */
#include <CUnit/Basic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/diag.h"
#include "core/pipeline.h"
#include "io/csv.h"
#include "math/rng.h"
#include "testcfg.h"
#include "testmat.h"
#include "testutil.h"

const char *lt_test_root = ".";

extern const lt_stage_def pca_stage, kernel_pca_stage, scaler_standard_stage;

/* ---- the failing allocator ------------------------------------------------ */

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__real_aligned_alloc(size_t align, size_t size);

static long armed;      /* fail allocation number `armed` (1-based); 0: none */
static long allocations; /* counted while armed */

static bool fail_now(void) { return armed && ++allocations == armed; }

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

static void run_scenario(const scenario *s)
{
    long total = -1, failed = 0;
    for (long n = 1;; n++) {
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
    }
    printf("\n    %-40s %ld allocations, each failed once", s->name, total);
    CU_ASSERT(failed == total && total > 0);
}

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
    lt_data *out = NULL;
    int rc = lt_test_run_stage(s->def, s->ctx, s->cfg, s->in, &out);
    CU_ASSERT((rc == LT_OK) == (out != NULL));
    lt_data_free(&out);
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
    lt_test_set_bool(&pca_stage, s->cfg, "inverse", true);
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
    lt_test_set_int(&pca_stage, s->cfg, "batch_size", 20);
    lt_test_set_bool(&pca_stage, s->cfg, "whiten", true);
    return s;
}

static void *kpca_preimage(void)
{
    struct stage_state *s = stage_setup(&kernel_pca_stage);
    lt_test_set_int(&kernel_pca_stage, s->cfg, "n_components", 2);
    lt_test_set_bool(&kernel_pca_stage, s->cfg, "fit_inverse_transform", true);
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
    static const char text[] = "x,\"y, z\",kind\n1,2,cat\n3,4e-1,dog\n\n5,-6,cat\n";
    lt_csv_options opt = {.header = true, .label_column = "kind", .delimiter = ','};
    lt_data *d = NULL;
    lt_ctx_enter(state, "csv", 0, 0, lt_ctx_test_metrics(state));
    int rc = lt_csv_parse(state, "t.csv", text, strlen(text), &opt, &d);
    lt_data_free(&d);
    return rc;
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
    };
    for (size_t i = 0; i < LT_COUNT(list); i++)
        run_scenario(&list[i]);
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
    return lt_test_run();
}
