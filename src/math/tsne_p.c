/* t-SNE's input affinities: the perplexity binary search and the joint
 * probabilities P of the exact and Barnes-Hut methods (see tsne.h). */
#include "math/tsne.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "math/knn.h"
#include "math/tsne_attract.h"

/* scikit-learn declares these float, so they are the float32 roundings of
 * 1e-8 and 1e-5; the tolerance decides where the search stops. */
static const float SUM_FLOOR = 1e-8f;
static const float ENTROPY_TOLERANCE = 1e-5f;
enum { SEARCH_STEPS = 100 };

struct search_job {
    const float *d2;
    size_t n, m;
    bool all_points;
    double target; /* log(perplexity) */
    double *p;
};

/* The search of one row: doubles or halves beta until the entropy is
 * bracketed, then bisects. */
static void search_row(const struct search_job *job, size_t i)
{
    const float *d = job->d2 + i * job->m;
    double *p = job->p + i * job->m;
    size_t m = job->m;
    double beta = 1.0, beta_min = -INFINITY, beta_max = INFINITY;
    memset(p, 0, m * sizeof *p);
    for (int step = 0; step < SEARCH_STEPS; step++) {
        double sum = 0.0;
        for (size_t j = 0; j < m; j++)
            if (j != i || !job->all_points) {
                p[j] = exp(-(double)d[j] * beta);
                sum += p[j];
            }
        if (sum == 0.0)
            sum = SUM_FLOOR;
        double weighted = 0.0;
        for (size_t j = 0; j < m; j++) {
            p[j] /= sum;
            weighted += (double)d[j] * p[j];
        }
        double entropy = log(sum) + beta * weighted;
        double diff = entropy - job->target;
        if (fabs(diff) <= ENTROPY_TOLERANCE)
            break;
        if (diff > 0.0) {
            beta_min = beta;
            beta = beta_max == INFINITY ? beta * 2.0 : (beta + beta_max) / 2.0;
        } else {
            beta_max = beta;
            beta = beta_min == -INFINITY ? beta / 2.0 : (beta + beta_min) / 2.0;
        }
    }
}

static void search_rows(void *arg, size_t begin, size_t end)
{
    for (size_t i = begin; i < end; i++)
        search_row(arg, i);
}

void lt_tsne_conditional(const float *d2, size_t n, size_t m, bool all_points,
                         double perplexity, lt_pool *pool, double *p)
{
    /* scikit-learn takes the perplexity as a float argument. */
    struct search_job job = {d2, n, m, all_points, log((double)(float)perplexity), p};
    lt_pool_for(pool, n, 0, search_rows, &job);
}

void lt_tsne_sparse_free(lt_tsne_sparse *p)
{
    free(p->row);
    free(p->col);
    free(p->val);
    lt_tsne_lanes_free(&p->lanes);
    memset(p, 0, sizeof *p);
}

/* Sorts each row's k neighbours by index (scikit-learn sorts the CSR
 * graph's indices before the search), carrying their distances. */
static void sort_by_index(int *ind, float *d2, size_t n, size_t k)
{
    for (size_t i = 0; i < n; i++) {
        int *c = ind + i * k;
        float *v = d2 + i * k;
        for (size_t a = 1; a < k; a++) {
            int ci = c[a];
            float vi = v[a];
            size_t b = a;
            for (; b > 0 && c[b - 1] > ci; b--)
                c[b] = c[b - 1], v[b] = v[b - 1];
            c[b] = ci, v[b] = vi;
        }
    }
}

/* P = C + C^T for the k-neighbour conditional matrix C (rows of IND with
 * values COND, columns ascending), then divided by its sum. */
static int symmetrise(const int *ind, const double *cond, size_t n, size_t k,
                      lt_tsne_sparse *p)
{
    /* C^T by rows: entry (j, i) for every neighbour j of i, i ascending. */
    size_t *trow = calloc(n + 1, sizeof *trow);
    int *tcol = malloc(n * k * sizeof *tcol);
    double *tval = malloc(n * k * sizeof *tval);
    size_t *fill = malloc(n * sizeof *fill);
    p->n = n;
    p->row = calloc(n + 1, sizeof *p->row);
    p->col = malloc(2 * n * k * sizeof *p->col);
    p->val = malloc(2 * n * k * sizeof *p->val);
    int status = LT_TSNE_OK;
    if (!trow || !tcol || !tval || !fill || !p->row || !p->col || !p->val) {
        status = LT_TSNE_ENOMEM;
        goto done;
    }
    for (size_t e = 0; e < n * k; e++)
        trow[ind[e] + 1]++;
    for (size_t j = 0; j < n; j++)
        trow[j + 1] += trow[j];
    memcpy(fill, trow, n * sizeof *fill);
    for (size_t i = 0; i < n; i++)
        for (size_t m = 0; m < k; m++) {
            size_t j = (size_t)ind[i * k + m], at = fill[j]++;
            tcol[at] = (int)i;
            tval[at] = cond[i * k + m];
        }

    /* Merge row i of C with row i of C^T; both have ascending columns. */
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        size_t a = i * k, a_end = a + k, b = trow[i], b_end = trow[i + 1];
        while (a < a_end || b < b_end) {
            int ca = a < a_end ? ind[a] : INT_MAX, cb = b < b_end ? tcol[b] : INT_MAX;
            double v;
            if (ca == cb)
                v = cond[a++] + tval[b++];
            else if (ca < cb)
                v = cond[a++];
            else
                v = tval[b++];
            p->col[out] = ca < cb ? ca : cb;
            p->val[out++] = v;
        }
        p->row[i + 1] = out;
    }
    double sum = 0;
    for (size_t e = 0; e < out; e++)
        sum += p->val[e];
    if (sum < DBL_EPSILON)
        sum = DBL_EPSILON;
    for (size_t e = 0; e < out; e++)
        p->val[e] /= sum;
done:
    free(trow);
    free(tcol);
    free(tval);
    free(fill);
    if (status != LT_TSNE_OK)
        lt_tsne_sparse_free(p);
    return status;
}

int lt_tsne_joint_sparse(const double *x, size_t n, size_t d, size_t k,
                         double perplexity, lt_pool *pool, lt_tsne_sparse *p)
{
    memset(p, 0, sizeof *p);
    if (n > INT_MAX)
        return LT_TSNE_ETOOBIG;
    int *ind = malloc(n * k * sizeof *ind);
    double *d2 = malloc(n * k * sizeof *d2);
    float *d2f = malloc(n * k * sizeof *d2f);
    double *cond = malloc(n * k * sizeof *cond);
    int status = LT_TSNE_OK;
    if (!ind || !d2 || !d2f || !cond) {
        status = LT_TSNE_ENOMEM;
        goto done;
    }
    int rc = lt_knn(x, n, d, k, pool, ind, d2);
    if (rc != LT_KNN_OK) {
        status = rc == LT_KNN_ENOMEM ? LT_TSNE_ENOMEM : LT_TSNE_ETOOBIG;
        goto done;
    }
    /* scikit-learn finds Euclidean distances and squares them, then
     * rounds to float32 for the search. */
    for (size_t e = 0; e < n * k; e++) {
        double dist = sqrt(d2[e]);
        d2f[e] = (float)(dist * dist);
    }
    sort_by_index(ind, d2f, n, k);
    lt_tsne_conditional(d2f, n, k, false, perplexity, pool, cond);
    status = symmetrise(ind, cond, n, k, p);
    if (status == LT_TSNE_OK && lt_tsne_lanes_lay(p) != 0) {
        lt_tsne_sparse_free(p);
        status = LT_TSNE_ENOMEM;
    }
done:
    free(ind);
    free(d2);
    free(d2f);
    free(cond);
    return status;
}

int lt_tsne_joint_dense(const double *x, size_t n, size_t d, double perplexity,
                        lt_pool *pool, double **out)
{
    *out = NULL;
    if (n > INT_MAX || d > INT_MAX)
        return LT_TSNE_ETOOBIG;
    double *sq = malloc(n * sizeof *sq);
    double *dist = malloc(n * n * sizeof *dist);
    float *d2f = malloc(n * n * sizeof *d2f);
    double *p = malloc(n * n * sizeof *p);
    int status = LT_TSNE_OK;
    if (!sq || !dist || !d2f || !p) {
        status = LT_TSNE_ENOMEM;
        goto done;
    }
    /* pairwise_distances(X, squared=True): the gemm formula. */
    lt_row_sqnorms(x, n, d, sq);
    if (lt_sqdist_gemm(x, sq, 0, n, x, sq, n, d, true, dist) != LT_KNN_OK) {
        status = LT_TSNE_ETOOBIG;
        goto done;
    }
    for (size_t e = 0; e < n * n; e++)
        d2f[e] = (float)dist[e];
    lt_tsne_conditional(d2f, n, n, true, perplexity, pool, dist);
    /* P = C + C^T over the sum of all its entries, floored off the
     * diagonal at the machine epsilon. */
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            p[i * n + j] = dist[i * n + j] + dist[j * n + i];
            sum += p[i * n + j];
        }
    if (sum < DBL_EPSILON)
        sum = DBL_EPSILON;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double v = p[i * n + j] / sum;
            p[i * n + j] = i == j ? 0 : v > DBL_EPSILON ? v : DBL_EPSILON;
        }
    *out = p;
    p = NULL;
done:
    free(sq);
    free(dist);
    free(d2f);
    free(p);
    return status;
}
