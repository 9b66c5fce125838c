#include "math/knn.h"

#include <cblas.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Rows of distances computed per block: about 32 MB of doubles. */
static size_t block_rows(size_t n)
{
    size_t b = ((size_t)4 << 20) / (n ? n : 1);
    return b < 16 ? 16 : b;
}

void lt_row_sqnorms(const double *x, size_t n, size_t d, double *sq)
{
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t j = 0; j < d; j++)
            s += x[i * d + j] * x[i * d + j];
        sq[i] = s;
    }
}

double lt_sqdist_direct(const double *a, const double *b, size_t d)
{
    double s = 0;
    for (size_t j = 0; j < d; j++) {
        double t = a[j] - b[j];
        s += t * t;
    }
    return s;
}

int lt_sqdist_gemm(const double *x, const double *xsq, size_t r0, size_t r1,
                   const double *y, const double *ysq, size_t ny, size_t d,
                   bool same_xy, double *out)
{
    size_t m = r1 - r0;
    if (m > INT_MAX || ny > INT_MAX || d > INT_MAX)
        return LT_KNN_ETOOBIG;
    if (m == 0 || ny == 0)
        return LT_KNN_OK;
    if (d == 0)
        memset(out, 0, m * ny * sizeof *out);
    else
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)ny, (int)d,
                    -2.0, x + r0 * d, (int)d, y, (int)d, 0.0, out, (int)ny);
    for (size_t i = 0; i < m; i++) {
        double *row = out + i * ny;
        for (size_t j = 0; j < ny; j++) {
            double v = (row[j] + xsq[r0 + i]) + ysq[j];
            row[j] = v > 0 ? v : 0;
        }
        if (same_xy)
            row[r0 + i] = 0;
    }
    return LT_KNN_OK;
}

/* ---- selection of the k smallest ---------------------------------------- */

/* (d2, index) pairs ordered by distance, then index. */
static bool before(double da, int ia, double db, int ib)
{
    return da < db || (da == db && ia < ib);
}

/* Restores the max-heap property below slot i of a heap of n pairs. */
static void sift_down(double *hd, int *hi, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, top = i;
        if (l < n && before(hd[top], hi[top], hd[l], hi[l]))
            top = l;
        if (r < n && before(hd[top], hi[top], hd[r], hi[r]))
            top = r;
        if (top == i)
            return;
        double td = hd[i];
        int ti = hi[i];
        hd[i] = hd[top], hi[i] = hi[top];
        hd[top] = td, hi[top] = ti;
        i = top;
    }
}

/* Offers (dist, j) to a max-heap of capacity k holding *size pairs. */
static void heap_offer(double *hd, int *hi, size_t k, size_t *size, double dist, int j)
{
    if (*size < k) {
        size_t i = (*size)++;
        hd[i] = dist, hi[i] = j;
        while (i > 0) {
            size_t parent = (i - 1) / 2;
            if (!before(hd[parent], hi[parent], hd[i], hi[i]))
                break;
            double td = hd[i];
            int ti = hi[i];
            hd[i] = hd[parent], hi[i] = hi[parent];
            hd[parent] = td, hi[parent] = ti;
            i = parent;
        }
    } else if (before(dist, j, hd[0], hi[0])) {
        hd[0] = dist, hi[0] = j;
        sift_down(hd, hi, k, 0);
    }
}

/* Sorts k pairs by (distance, index): insertion sort, k is small. */
static void sort_pairs(double *d, int *ind, size_t k)
{
    for (size_t a = 1; a < k; a++) {
        double dv = d[a];
        int iv = ind[a];
        size_t b = a;
        for (; b > 0 && before(dv, iv, d[b - 1], ind[b - 1]); b--)
            d[b] = d[b - 1], ind[b] = ind[b - 1];
        d[b] = dv, ind[b] = iv;
    }
}

/* ---- lt_knn ---------------------------------------------------------------- */

struct knn_job {
    const double *x, *q; /* reference rows (n x d), query rows */
    size_t n, d, k;
    bool self;           /* q is x: skip each row's own index */
    size_t r0;           /* first query row of the block */
    const double *block; /* gemm distances of the block, or NULL: direct */
    int *ind;
    double *d2;
};

static void knn_rows(void *arg, size_t begin, size_t end)
{
    const struct knn_job *job = arg;
    size_t n = job->n, d = job->d, k = job->k;
    for (size_t b = begin; b < end; b++) {
        size_t i = job->r0 + b;
        const double *qi = job->q + i * d;
        double *hd = job->d2 + i * k;
        int *hi = job->ind + i * k;
        size_t size = 0;
        for (size_t j = 0; j < n; j++) {
            if (job->self && j == i)
                continue;
            double dist = job->block ? job->block[b * n + j]
                                     : lt_sqdist_direct(qi, job->x + j * d, d);
            heap_offer(hd, hi, k, &size, dist, (int)j);
        }
        /* Report exact distances, in their own order. */
        for (size_t m = 0; m < k; m++)
            hd[m] = lt_sqdist_direct(qi, job->x + (size_t)hi[m] * d, d);
        sort_pairs(hd, hi, k);
    }
}

/* The k nearest of the n rows of X to each of the nq rows of Q. */
static int knn(const double *x, size_t n, const double *q, size_t nq, size_t d, size_t k,
               bool self, lt_pool *pool, int *ind, double *d2)
{
    if (n > INT_MAX)
        return LT_KNN_ETOOBIG;
    struct knn_job job = {.x = x, .q = q, .n = n, .d = d, .k = k, .self = self,
                          .ind = ind, .d2 = d2};
    if (d <= LT_KNN_DIRECT_MAX_FEATURES) {
        lt_pool_for(pool, nq, 0, knn_rows, &job);
        return LT_KNN_OK;
    }
    size_t rows = block_rows(n);
    if (rows > nq)
        rows = nq;
    double *xsq = malloc(n * sizeof *xsq);
    double *qsq = self ? xsq : malloc(nq * sizeof *qsq);
    double *block = malloc(rows * n * sizeof *block);
    int status = LT_KNN_OK;
    if (!xsq || !qsq || !block) {
        status = LT_KNN_ENOMEM;
        goto done;
    }
    lt_row_sqnorms(x, n, d, xsq);
    if (!self)
        lt_row_sqnorms(q, nq, d, qsq);
    job.block = block;
    for (size_t r0 = 0; r0 < nq && status == LT_KNN_OK; r0 += rows) {
        size_t r1 = r0 + rows < nq ? r0 + rows : nq;
        status = lt_sqdist_gemm(q, qsq, r0, r1, x, xsq, n, d, self, block);
        job.r0 = r0;
        if (status == LT_KNN_OK)
            lt_pool_for(pool, r1 - r0, 0, knn_rows, &job);
    }
done:
    if (qsq != xsq)
        free(qsq);
    free(xsq);
    free(block);
    return status;
}

int lt_knn(const double *x, size_t n, size_t d, size_t k, lt_pool *pool,
           int *ind, double *d2)
{
    return knn(x, n, x, n, d, k, true, pool, ind, d2);
}

int lt_knn_query(const double *x, size_t n, const double *q, size_t nq, size_t d,
                 size_t k, lt_pool *pool, int *ind, double *d2)
{
    return knn(x, n, q, nq, d, k, false, pool, ind, d2);
}

/* ---- trustworthiness -------------------------------------------------------- */

struct trust_job {
    size_t n, k, r0;
    const double *dist;   /* input distances of the block's rows */
    const int *emb_ind;   /* k embedding neighbours of every row */
    long long *penalty;   /* per row: sum of max(0, rank - k) */
};

static void trust_rows(void *arg, size_t begin, size_t end)
{
    const struct trust_job *job = arg;
    size_t n = job->n, k = job->k;
    for (size_t b = begin; b < end; b++) {
        size_t i = job->r0 + b;
        const double *row = job->dist + b * n;
        long long sum = 0;
        for (size_t m = 0; m < k; m++) {
            size_t j = (size_t)job->emb_ind[i * k + m];
            double dj = row[j];
            long long rank = 1; /* ranks count from 1 at the nearest */
            for (size_t l = 0; l < n; l++)
                if (l != i && before(row[l], (int)l, dj, (int)j))
                    rank++;
            if (rank > (long long)k)
                sum += rank - (long long)k;
        }
        job->penalty[i] = sum;
    }
}

int lt_trustworthiness(const double *x, size_t dx, const double *y, size_t dy,
                       size_t n, size_t k, lt_pool *pool, double *t)
{
    if (n > INT_MAX)
        return LT_KNN_ETOOBIG;
    size_t rows = block_rows(n);
    if (rows > n)
        rows = n;
    int *emb = malloc(n * k * sizeof *emb);
    double *emb_d2 = malloc(n * k * sizeof *emb_d2);
    double *sq = malloc(n * sizeof *sq);
    double *block = malloc(rows * n * sizeof *block);
    long long *penalty = malloc(n * sizeof *penalty);
    int status = LT_KNN_OK;
    if (!emb || !emb_d2 || !sq || !block || !penalty) {
        status = LT_KNN_ENOMEM;
        goto done;
    }
    status = lt_knn(y, n, dy, k, pool, emb, emb_d2);
    lt_row_sqnorms(x, n, dx, sq);
    struct trust_job job = {.n = n, .k = k, .dist = block, .emb_ind = emb, .penalty = penalty};
    for (size_t r0 = 0; r0 < n && status == LT_KNN_OK; r0 += rows) {
        size_t r1 = r0 + rows < n ? r0 + rows : n;
        status = lt_sqdist_gemm(x, sq, r0, r1, x, sq, n, dx, true, block);
        /* scikit-learn ranks the square roots; sqrt can tie two squared
         * distances that differ in the last bit, so rank the same values. */
        for (size_t e = 0; e < (r1 - r0) * n; e++)
            block[e] = sqrt(block[e]);
        job.r0 = r0;
        if (status == LT_KNN_OK)
            lt_pool_for(pool, r1 - r0, 0, trust_rows, &job);
    }
    if (status == LT_KNN_OK) {
        long long total = 0;
        for (size_t i = 0; i < n; i++)
            total += penalty[i];
        double nk = (double)(n * k);
        *t = 1.0 - (double)total * (2.0 / (nk * (2.0 * (double)n - 3.0 * (double)k - 1.0)));
    }
done:
    free(emb);
    free(emb_d2);
    free(sq);
    free(block);
    free(penalty);
    return status;
}
