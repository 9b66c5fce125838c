/* Pairwise squared distances and exact k nearest neighbours, the way
 * scikit-learn 1.2 computes them, and trustworthiness of an embedding.
 *
 * Squared Euclidean distances come in two flavours, each matching the code
 * path scikit-learn takes:
 *   - "gemm": ||x||^2 - 2 x.y + ||y||^2 with x.y from BLAS dgemm, clamped at
 *     0 (euclidean_distances, and NearestNeighbors' brute force, which
 *     scikit-learn uses for more than 15 features);
 *   - "direct": the sum of squared coordinate differences (its KD-tree,
 *     used up to 15 features), exact to rounding even for close points.
 * Both work in blocks of rows so memory stays O(block x rows). */
#ifndef LATENT_MATH_KNN_H
#define LATENT_MATH_KNN_H

#include <stdbool.h>
#include <stddef.h>

#include "math/pool.h"

enum lt_knn_status {
    LT_KNN_OK = 0,
    LT_KNN_ENOMEM = -1,
    LT_KNN_ETOOBIG = -2, /* a dimension does not fit BLAS's int, or n > INT_MAX */
};

/* Rows up to this many features use direct differences, above it gemm. */
#define LT_KNN_DIRECT_MAX_FEATURES 15

/* sq[i] = ||row i of X||^2 for the n x d matrix X. */
void lt_row_sqnorms(const double *x, size_t n, size_t d, double *sq);

/* out (r1 - r0) x ny = squared distances between rows [r0, r1) of X (n x d)
 * and every row of Y (ny x d) by the gemm formula, as scikit-learn's
 * euclidean_distances orders it: (-2 x.y + ||x||^2) + ||y||^2, then max(., 0).
 * xsq and ysq are lt_row_sqnorms of X and Y. When X and Y are the same matrix
 * (same_xy) the diagonal is set to exactly 0. Returns LT_KNN_OK or
 * LT_KNN_ETOOBIG. */
int lt_sqdist_gemm(const double *x, const double *xsq, size_t r0, size_t r1,
                   const double *y, const double *ysq, size_t ny, size_t d,
                   bool same_xy, double *out);

/* The squared distance between two d-vectors by direct differences. */
double lt_sqdist_direct(const double *a, const double *b, size_t d);

/* The k nearest neighbours of every row of X (n x d) among the other rows
 * (a row is never its own neighbour), 1 <= k < n: ind[i * k + m] is the
 * index and d2[i * k + m] the squared distance of the m-th nearest, in
 * increasing distance (ties by index). Selection uses the direct formula up
 * to LT_KNN_DIRECT_MAX_FEATURES features and the gemm one above; the
 * distances returned are always recomputed directly, so they are exact to
 * rounding. POOL (may be NULL) runs the selection. Returns an lt_knn_status. */
int lt_knn(const double *x, size_t n, size_t d, size_t k, lt_pool *pool,
           int *ind, double *d2);

/* As lt_knn for the nq x d query rows Q against the n rows of X, 1 <= k <= n,
 * no row excluded (NearestNeighbors.kneighbors(Q)). */
int lt_knn_query(const double *x, size_t n, const double *q, size_t nq, size_t d,
                 size_t k, lt_pool *pool, int *ind, double *d2);

/* scikit-learn's sklearn.manifold.trustworthiness(X, Y, n_neighbors=k) for
 * the n x dx input X and its n x dy embedding Y, 1 <= k < n / 2:
 *
 *   T(k) = 1 - 2 / (n k (2n - 3k - 1)) * sum_i sum_{j in N_k(i)} max(0, r(i, j) - k)
 *
 * where N_k(i) are the k nearest neighbours of i in Y and r(i, j) is the
 * rank of j among the neighbours of i in X (1 for the nearest), with input
 * distances by the gemm formula as scikit-learn's pairwise_distances. Ranks
 * of tied distances follow the index order (numpy's argsort leaves their
 * order unspecified). Returns an lt_knn_status; the value goes to *t. */
int lt_trustworthiness(const double *x, size_t dx, const double *y, size_t dy,
                       size_t n, size_t k, lt_pool *pool, double *t);

#endif
