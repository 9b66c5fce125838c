#include "math/mds.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "math/knn.h"
#include "math/rng.h"

/* scikit-learn replaces zero embedding distances by this in the ratio. */
static const double ZERO_DISTANCE = 1e-5;

struct step_job {
    const double *delta, *x;
    size_t n, k;
    double *next;    /* the transformed X */
    double *stress;  /* per row: sum_j (d_ij - delta_ij)^2 */
    double *scratch; /* n x LANES x k: the partial sums of rows when k > 3 */
};

/* Columns of a row handled per block: the block's distances and ratios
 * come from a loop without sums (which the compiler vectorises), the sums
 * from a second loop with four accumulators. */
enum { BLOCK = 256, LANES = 4 };

/* Row i of the Guttman transform and of the stress, for K columns: K is a
 * constant at the call sites of the common sizes, so that the coordinate
 * loops unroll. The diagonal needs no test: its distance and its delta are
 * both 0, so it adds 0 to every sum. */
static inline __attribute__((always_inline)) void
step_row(const struct step_job *job, size_t i, size_t k, double *sum)
{
    size_t n = job->n;
    const double *xi = job->x + i * k, *di = job->delta + i * n;
    double dist[BLOCK], ratio[BLOCK];
    double acc_stress[LANES] = {0}, acc_ratio[LANES] = {0};
    for (size_t c = 0; c < LANES * k; c++)
        sum[c] = 0;
    for (size_t j0 = 0; j0 < n; j0 += BLOCK) {
        size_t m = n - j0 < BLOCK ? n - j0 : BLOCK;
        const double *xb = job->x + j0 * k, *db = di + j0;
        for (size_t t = 0; t < m; t++) {
            double d2 = 0;
            for (size_t c = 0; c < k; c++)
                d2 += (xi[c] - xb[t * k + c]) * (xi[c] - xb[t * k + c]);
            double r = sqrt(d2);
            dist[t] = r;
            ratio[t] = db[t] / (r == 0 ? ZERO_DISTANCE : r);
        }
        for (size_t t = 0; t < m; t++) {
            size_t lane = t % LANES;
            double diff = dist[t] - db[t];
            acc_stress[lane] += diff * diff;
            acc_ratio[lane] += ratio[t];
            for (size_t c = 0; c < k; c++)
                sum[lane * k + c] += ratio[t] * xb[t * k + c];
        }
    }
    double rowsum = (acc_ratio[0] + acc_ratio[1]) + (acc_ratio[2] + acc_ratio[3]);
    /* (B X)_i = rowsum x_i - sum_j ratio_ij x_j, then times 1 / n. */
    double *out = job->next + i * k;
    for (size_t c = 0; c < k; c++) {
        double s = (sum[c] + sum[k + c]) + (sum[2 * k + c] + sum[3 * k + c]);
        out[c] = (1.0 / (double)n) * (rowsum * xi[c] - s);
    }
    job->stress[i] = (acc_stress[0] + acc_stress[1]) + (acc_stress[2] + acc_stress[3]);
}

static void step_rows(void *arg, size_t begin, size_t end)
{
    const struct step_job *job = arg;
    double small[LANES * 3];
    for (size_t i = begin; i < end; i++)
        switch (job->k) {
        case 1: step_row(job, i, 1, small); break;
        case 2: step_row(job, i, 2, small); break;
        case 3: step_row(job, i, 3, small); break;
        default: step_row(job, i, job->k, job->scratch + i * LANES * job->k); break;
        }
}

int lt_mds_smacof(const double *delta, size_t n, size_t k, int max_iter, double eps,
                  lt_pool *pool, double *x, double *stress, int *n_iter)
{
    double *next = malloc(n * k * sizeof *next);
    double *rows = malloc(n * sizeof *rows);
    double *scratch = k > 3 ? malloc(n * LANES * k * sizeof *scratch) : NULL;
    if (!next || !rows || (k > 3 && !scratch)) {
        free(next);
        free(rows);
        free(scratch);
        return LT_MDS_ENOMEM;
    }
    struct step_job job = {.delta = delta, .n = n, .k = k, .stress = rows,
                           .scratch = scratch};
    double old = NAN, s = 0;
    int it = 0;
    while (it < max_iter) {
        job.x = x;
        job.next = next;
        lt_pool_for(pool, n, 0, step_rows, &job);
        s = 0;
        for (size_t i = 0; i < n; i++)
            s += rows[i];
        s /= 2;
        memcpy(x, next, n * k * sizeof *x);
        it++;
        double norms = 0;
        for (size_t i = 0; i < n; i++) {
            double r = 0;
            for (size_t c = 0; c < k; c++)
                r += x[i * k + c] * x[i * k + c];
            norms += sqrt(r);
        }
        if (!isnan(old) && old - s / norms < eps)
            break;
        old = s / norms;
    }
    *stress = s;
    *n_iter = it;
    free(next);
    free(rows);
    free(scratch);
    return LT_MDS_OK;
}

int lt_mds_fit(const double *x, size_t n, size_t d, const lt_mds_options *opt,
               lt_pool *pool, lt_mds_result *res)
{
    memset(res, 0, sizeof *res);
    if (n > INT_MAX || d > INT_MAX)
        return LT_MDS_ETOOBIG;
    size_t k = (size_t)opt->n_components;
    double *delta = malloc(n * n * sizeof *delta);
    double *sq = malloc(n * sizeof *sq);
    double *run = malloc(n * k * sizeof *run);
    double *best = malloc(n * k * sizeof *best);
    int status = LT_MDS_OK;
    if (!delta || !sq || !run || !best) {
        status = LT_MDS_ENOMEM;
        goto done;
    }
    /* euclidean_distances(X): the gemm formula, square roots, 0 diagonal. */
    lt_row_sqnorms(x, n, d, sq);
    if (lt_sqdist_gemm(x, sq, 0, n, x, sq, n, d, true, delta) != LT_KNN_OK) {
        status = LT_MDS_ETOOBIG;
        goto done;
    }
    for (size_t e = 0; e < n * n; e++)
        delta[e] = sqrt(delta[e]);

    lt_rng rng;
    lt_rng_seed(&rng, opt->seed);
    for (int r = 0; r < opt->n_init; r++) {
        lt_rng_rand(&rng, run, n * k);
        double stress;
        int n_iter;
        status = lt_mds_smacof(delta, n, k, opt->max_iter, opt->eps, pool, run, &stress,
                               &n_iter);
        if (status != LT_MDS_OK)
            goto done;
        if (r == 0 || stress < res->stress) {
            memcpy(best, run, n * k * sizeof *best);
            res->stress = stress;
            res->n_iter = n_iter;
            res->best_init = r;
        }
    }
    res->embedding = best;
    best = NULL;
done:
    free(delta);
    free(sq);
    free(run);
    free(best);
    return status;
}
