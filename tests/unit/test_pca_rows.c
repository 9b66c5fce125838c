/* pca's solvers on rows spread over processes (lt_pca_fit_rows,
 * lt_pca_fit_randomized_rows) without MPI: P threads stand for P ranks,
 * each with its block of rows as lt_dist_block cuts them, and sum and
 * allgather are a barrier and a shared table, adding in rank order as
 * core/dist.c does. Every rank's model must be the very same bits (the
 * ranks run on the same numbers), and equal one process's fit of all the
 * rows to 1e-12 of its scale, the projection of each rank's rows too, at
 * 2 and 3 ranks: the full solver (tall data, and wide data whose blocks
 * have fewer rows than features), the covariance solver, and every path of
 * the randomized one (Gram matrix; LU, QR or no normalisation; wide). */
#include <CUnit/Basic.h>
#include <cblas.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "math/pca.h"
#include "math/rng.h"
#include "testutil.h"

const char *lt_test_root = ".";

enum { MAX_RANKS = 3 };

/* The stand-in for the MPI job: what the ranks put on the table. */
static struct {
    int size;
    pthread_barrier_t barrier;
    double *sum_parts[MAX_RANKS];
    const double *gather_parts[MAX_RANKS];
    size_t counts[MAX_RANKS];
} world;
static _Thread_local int my_rank;

static int fake_sum(double *v, size_t n)
{
    world.sum_parts[my_rank] = v;
    pthread_barrier_wait(&world.barrier);
    bool failed = false;
    for (int r = 0; r < world.size; r++)
        failed |= world.sum_parts[r] == NULL;
    double *total = failed ? NULL : malloc(n * sizeof *total + 1);
    for (size_t i = 0; total && i < n; i++) {
        double s = world.sum_parts[0][i];
        for (int r = 1; r < world.size; r++)
            s += world.sum_parts[r][i];
        total[i] = s;
    }
    pthread_barrier_wait(&world.barrier); /* every rank has read every part */
    if (total)
        memcpy(v, total, n * sizeof *v);
    free(total);
    pthread_barrier_wait(&world.barrier);
    return failed || (n && !total) ? -1 : 0;
}

static int fake_allgather(const double *local, size_t count, size_t width, double **all, size_t *total)
{
    world.gather_parts[my_rank] = local;
    world.counts[my_rank] = count;
    pthread_barrier_wait(&world.barrier);
    size_t rows = 0;
    for (int r = 0; r < world.size; r++)
        rows += world.counts[r];
    *all = malloc(rows * width * sizeof **all + 1);
    for (int r = 0, at = 0; *all && r < world.size; at += (int)world.counts[r], r++)
        memcpy(*all + (size_t)at * width, world.gather_parts[r], world.counts[r] * width * sizeof **all);
    *total = rows;
    pthread_barrier_wait(&world.barrier);
    return *all ? 0 : -1;
}

/* One fit: which solver, and the randomized solver's options. */
typedef struct fit_case {
    const char *name;
    size_t rows, cols, k;
    lt_pca_solver solver;
    lt_pca_randomized opt;
    double shift; /* added to every entry: data this far from the origin */
} fit_case;

typedef struct rank_job {
    const fit_case *c;
    const double *x; /* all the rows; the rank reads its block */
    int rank, size;
    lt_pca model;
    double *scores;
    size_t first, count;
    int status;
} rank_job;

static int fit_some(const fit_case *c, const double *x, size_t rows, const lt_pca_rows *spread,
                    lt_pca *m, double **scores)
{
    if (c->solver == LT_PCA_RANDOMIZED)
        return spread ? lt_pca_fit_randomized_rows(m, x, rows, c->cols, c->k, &c->opt, spread, scores)
                      : lt_pca_fit_randomized(m, x, rows, c->cols, c->k, &c->opt, scores);
    return spread ? lt_pca_fit_rows(m, x, rows, c->cols, (double)c->k, c->solver, spread, scores)
                  : lt_pca_fit(m, x, rows, c->cols, (double)c->k, c->solver, scores);
}

static void *run_rank(void *arg)
{
    rank_job *j = arg;
    my_rank = j->rank;
    size_t base = j->c->rows / (size_t)j->size, extra = j->c->rows % (size_t)j->size, r = (size_t)j->rank;
    j->first = r * base + (r < extra ? r : extra);
    j->count = base + (r < extra ? 1 : 0);
    lt_pca_rows spread = {.sum = fake_sum, .allgather = fake_allgather, .rank = j->rank, .size = j->size};
    j->status = fit_some(j->c, j->x + j->first * j->c->cols, j->count, &spread, &j->model, &j->scores);
    return NULL;
}

/* X = A B + 0.05 E + shift, A rows x 4: four strong directions and noise. */
static double *case_data(const fit_case *c)
{
    size_t n = c->rows, p = c->cols;
    lt_rng rng;
    lt_rng_seed(&rng, 14);
    double *a = malloc(n * 4 * sizeof *a), *b = malloc(4 * p * sizeof *b), *x = malloc(n * p * sizeof *x);
    CU_ASSERT_FATAL(a && b && x);
    lt_rng_randn(&rng, a, n * 4);
    lt_rng_randn(&rng, b, 4 * p);
    lt_rng_randn(&rng, x, n * p);
    for (size_t i = 0; i < n; i++)
        for (size_t f = 0; f < p; f++) {
            double s = 0;
            for (size_t q = 0; q < 4; q++)
                s += a[i * 4 + q] * b[q * p + f] * (double)(4 - q);
            x[i * p + f] = s + 0.05 * x[i * p + f] + c->shift;
        }
    free(a);
    free(b);
    return x;
}

static double max_abs(const double *v, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs(v[i]));
    return m;
}

static double max_diff(const double *a, const double *b, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs(a[i] - b[i]));
    return m;
}

static void check_case(const fit_case *c, int size)
{
    double *x = case_data(c);
    lt_pca one;
    double *one_scores = NULL;
    CU_ASSERT_EQUAL_FATAL(fit_some(c, x, c->rows, NULL, &one, &one_scores), LT_PCA_OK);
    rank_job jobs[MAX_RANKS];
    pthread_t threads[MAX_RANKS];
    world.size = size;
    pthread_barrier_init(&world.barrier, NULL, (unsigned)size);
    for (int r = 0; r < size; r++) {
        jobs[r] = (rank_job){.c = c, .x = x, .rank = r, .size = size};
        CU_ASSERT_EQUAL_FATAL(pthread_create(&threads[r], NULL, run_rank, &jobs[r]), 0);
    }
    for (int r = 0; r < size; r++)
        pthread_join(threads[r], NULL);
    pthread_barrier_destroy(&world.barrier);
    size_t k = one.n_components, p = c->cols;
    double scale = one.singular_values[0];
    char label[200];
    for (int r = 0; r < size; r++) {
        const lt_pca *m = &jobs[r].model;
        snprintf(label, sizeof label, "%s, rank %d of %d: status", c->name, r, size);
        NEAR(label, jobs[r].status, 0);
        if (jobs[r].status != LT_PCA_OK)
            continue;
        CU_ASSERT_EQUAL(m->n_samples, c->rows);
        CU_ASSERT_EQUAL(m->n_components, k);
        CU_ASSERT_EQUAL(m->solver, one.solver);
        /* The same bits on every rank. */
        snprintf(label, sizeof label, "%s, rank %d of %d: components differ from rank 0's", c->name, r, size);
        NEAR(label, memcmp(m->components, jobs[0].model.components, k * p * sizeof(double)) != 0, 0);
        snprintf(label, sizeof label, "%s, rank %d of %d: singular values differ from rank 0's", c->name, r,
                 size);
        NEAR(label, memcmp(m->singular_values, jobs[0].model.singular_values, k * sizeof(double)) != 0, 0);
        /* One process's model, to the order of the sums. */
        snprintf(label, sizeof label, "%s, %d ranks: components", c->name, size);
        NEAR(label, max_diff(m->components, one.components, k * p), 1e-12);
        snprintf(label, sizeof label, "%s, %d ranks: singular values, relative", c->name, size);
        NEAR(label, max_diff(m->singular_values, one.singular_values, k) / scale, 1e-12);
        snprintf(label, sizeof label, "%s, %d ranks: mean, relative", c->name, size);
        NEAR(label, max_diff(m->mean, one.mean, p) / (max_abs(one.mean, p) + 1), 1e-12);
        snprintf(label, sizeof label, "%s, %d ranks: total variance, relative", c->name, size);
        NEAR(label, fabs(m->total_variance - one.total_variance) / one.total_variance, 1e-12);
        snprintf(label, sizeof label, "%s, %d ranks: noise variance, relative to the total", c->name, size);
        NEAR(label, fabs(m->noise_variance - one.noise_variance) / one.total_variance, 1e-12);
        snprintf(label, sizeof label, "%s, %d ranks: rank %d's projection, relative", c->name, size, r);
        NEAR(label,
             max_diff(jobs[r].scores, one_scores + jobs[r].first * k, jobs[r].count * k) /
                 max_abs(one_scores, c->rows * k),
             1e-12);
    }
    for (int r = 0; r < size; r++) {
        free(jobs[r].scores);
        lt_pca_free(&jobs[r].model);
    }
    free(one_scores);
    lt_pca_free(&one);
    free(x);
}

static const fit_case cases[] = {
    {"full, tall", 101, 7, 3, LT_PCA_FULL, {0}, 0},
    {"full, wide (blocks of fewer rows than features)", 20, 31, 5, LT_PCA_FULL, {0}, 0},
    {"full, far from the origin", 60, 5, 2, LT_PCA_FULL, {0}, 1000},
    {"covariance", 101, 7, 3, LT_PCA_COVARIANCE, {0}, 0},
    {"auto (full for small data)", 101, 7, 3, LT_PCA_AUTO, {0}, 0},
    {"randomized by the Gram matrix, LU", 101, 7, 2, LT_PCA_RANDOMIZED,
     {.n_oversamples = 3, .n_iter = 4, .normalizer = LT_PCA_NORM_LU, .seed = 3}, 0},
    {"randomized by products, QR", 90, 60, 3, LT_PCA_RANDOMIZED,
     {.n_oversamples = 2, .n_iter = 2, .normalizer = LT_PCA_NORM_QR, .seed = 5}, 0},
    {"randomized by products, LU", 90, 60, 3, LT_PCA_RANDOMIZED,
     {.n_oversamples = 2, .n_iter = 1, .normalizer = LT_PCA_NORM_LU, .seed = 6}, 0},
    {"randomized by products, none", 90, 60, 3, LT_PCA_RANDOMIZED,
     {.n_oversamples = 2, .n_iter = 1, .normalizer = LT_PCA_NORM_NONE, .seed = 7}, 0},
    {"randomized, wide", 25, 40, 4, LT_PCA_RANDOMIZED,
     {.n_oversamples = 3, .n_iter = 3, .normalizer = LT_PCA_NORM_AUTO, .seed = 8}, 0},
    {"randomized, far from the origin", 80, 6, 2, LT_PCA_RANDOMIZED,
     {.n_oversamples = 3, .n_iter = 5, .normalizer = LT_PCA_NORM_QR, .seed = 9}, 1000},
};

static void test_spread(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int size = 2; size <= MAX_RANKS; size++)
            check_case(&cases[i], size);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    /* The ranks' threads each run single-threaded BLAS, as one thread per
     * rank does under mpirun. */
    openblas_set_num_threads(1);
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("pca on spread rows", NULL, NULL);
    CU_add_test(s, "every solver: the ranks agree and equal one process", test_spread);
    return lt_test_run();
}
