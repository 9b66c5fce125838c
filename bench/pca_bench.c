/* pca_bench: times latent's PCA on a raw float64 matrix (row-major, as
 * numpy's tofile writes it), for bench/pca_bench.py to compare with
 * scikit-learn and numpy in the same run.
 *
 *   pca_bench FILE ROWS COLS K [REPS] [SOLVERS]
 *
 * SOLVERS is a comma-separated list of auto, full, covariance and stage
 * (default "auto"). Each runs once untimed (warm-up: first-touch page faults,
 * OpenBLAS's thread start) and then REPS times; for each it prints one JSON
 * line with every wall time, the median and the median CPU time. The
 * library solvers time what PCA(K).fit_transform does: the fit and the
 * projection of the training rows. "stage" times the whole pca
 * stage: that plus the reconstruction error, the metrics and the CSV
 * artifacts. OpenBLAS takes its thread count from OPENBLAS_NUM_THREADS. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/ctx.h"
#include "latent/stage.h"
#include "math/linalg.h"
#include "math/pca.h"
#include "unit/testcfg.h"

extern const lt_stage_def pca_stage;

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Seconds on CLOCK (wall: CLOCK_MONOTONIC; CPU of every thread of the
 * process: CLOCK_PROCESS_CPUTIME_ID, which a busy neighbour disturbs less). */
static double seconds(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double median(const double *v, int n)
{
    double sorted[100];
    memcpy(sorted, v, (size_t)n * sizeof *v);
    qsort(sorted, (size_t)n, sizeof *sorted, by_value);
    return sorted[n / 2];
}

/* One run of the whole stage, its config filled from the parameter table
 * as the runner fills it. */
static int run_stage(const lt_data *in, double k)
{
    void *cfg = lt_test_config(&pca_stage);
    lt_test_set_real(&pca_stage, cfg, "n_components", k);
    lt_ctx *ctx = lt_ctx_new_test();
    lt_data *out = NULL;
    int rc = ctx ? lt_test_run_stage(&pca_stage, ctx, cfg, in, &out) : -1;
    lt_data_free(&out);
    lt_ctx_free_test(ctx);
    free(cfg);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s FILE ROWS COLS K [REPS] [SOLVERS]\n", argv[0]);
        return 2;
    }
    size_t rows = strtoull(argv[2], NULL, 10), cols = strtoull(argv[3], NULL, 10);
    double k = strtod(argv[4], NULL);
    int reps = argc > 5 ? atoi(argv[5]) : 5;
    const char *solvers = argc > 6 ? argv[6] : "auto";
    if (reps < 1 || reps > 100 || rows < 2 || cols < 1) {
        fprintf(stderr, "pca_bench: bad sizes or repetitions\n");
        return 2;
    }

    /* The matrix gets huge pages, as numpy's array on the Python side does,
     * so both read their input through the same kind of memory. */
    lt_data *data = lt_data_new();
    lt_mat *x = lt_mat_new(0, cols);
    if (x && (x->v = lt_big_alloc(rows * cols * sizeof(double))))
        x->rows = rows;
    FILE *f = fopen(argv[1], "rb");
    if (!data || !x || !x->v || !f ||
        fread(x->v, sizeof(double), rows * cols, f) != rows * cols) {
        fprintf(stderr, "pca_bench: cannot read %zu x %zu doubles from %s\n", rows, cols,
                argv[1]);
        return 1;
    }
    fclose(f);
    data->split[LT_TRAIN].x = x;
    data->n_features = cols;

    char list[256];
    snprintf(list, sizeof list, "%s", solvers);
    for (char *name = strtok(list, ","); name; name = strtok(NULL, ",")) {
        bool stage = strcmp(name, "stage") == 0;
        lt_pca_solver solver = strcmp(name, "full") == 0         ? LT_PCA_FULL
                               : strcmp(name, "covariance") == 0 ? LT_PCA_COVARIANCE
                                                                 : LT_PCA_AUTO;
        double times[100], cpu[100];
        lt_pca model = {0};
        for (int r = -1; r < reps; r++) {
            double t0 = seconds(CLOCK_MONOTONIC), c0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
            int rc;
            if (stage)
                rc = run_stage(data, k);
            else {
                double *scores = NULL;
                lt_pca_free(&model);
                rc = lt_pca_fit(&model, x->v, rows, cols, k, solver, &scores);
                free(scores);
            }
            if (r >= 0) {
                times[r] = seconds(CLOCK_MONOTONIC) - t0;
                cpu[r] = seconds(CLOCK_PROCESS_CPUTIME_ID) - c0;
            }
            if (rc != 0) {
                fprintf(stderr, "pca_bench: %s failed (%d)\n", name, rc);
                return 1;
            }
        }
        printf("{\"solver\":\"%s\",\"ran\":\"%s\",\"rows\":%zu,\"cols\":%zu,\"k\":%g,"
               "\"median\":%.6f,\"cpu_median\":%.6f,\"times\":[",
               name, stage ? "stage" : lt_pca_solver_name(model.solver), rows, cols, k,
               median(times, reps), median(cpu, reps));
        for (int r = 0; r < reps; r++)
            printf("%s%.6f", r ? "," : "", times[r]);
        printf("],\"explained_variance\":[");
        for (size_t j = 0; !stage && j < model.n_components && j < 5; j++)
            printf("%s%.17g", j ? "," : "", model.variance[j]);
        printf("]}\n");
        fflush(stdout);
        lt_pca_free(&model);
    }
    lt_data_free(&data);
    return 0;
}
