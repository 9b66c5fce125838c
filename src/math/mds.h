/* Metric multidimensional scaling by SMACOF, as scikit-learn 1.2.1's MDS
 * (metric=True, dissimilarity="euclidean", normalized_stress=False).
 *
 * The dissimilarities are the Euclidean distances of the input rows
 * (euclidean_distances' gemm formula). Each of n_init runs starts from
 * uniform [0, 1) draws of numpy's RandomState(seed), the runs drawing one
 * after another from the same stream as scikit-learn's sequential loop
 * does, and repeats the Guttman transform
 *
 *     X <- B(X) X / n,   B_ij = -delta_ij / d_ij (i != j),  B_ii = -sum_j B_ij
 *
 * (a distance d_ij of 0 counts as 1e-5). Before each transform it computes
 * the raw stress of the current X, sum_{i<j} (d_ij - delta_ij)^2, and stops
 * when the stress divided by sum_i ||x_i|| of the transformed X fell by less
 * than eps, or after max_iter transforms. A run reports the last stress it
 * computed (that of the X before its last transform) and the transformed X,
 * as scikit-learn does; the run of lowest stress wins, the first on ties.
 *
 * Embedding distances are taken by direct differences (scikit-learn uses
 * the gemm formula, which loses digits for close points), so stresses agree
 * with scikit-learn's to many digits, not to the last bit. A pool runs the
 * O(n^2) passes over rows; sums are taken over per-row partials in order,
 * so results do not depend on the number of threads. */
#ifndef LATENT_MATH_MDS_H
#define LATENT_MATH_MDS_H

#include <stddef.h>
#include <stdint.h>

#include "math/pool.h"

enum lt_mds_status {
    LT_MDS_OK = 0,
    LT_MDS_ENOMEM,
    LT_MDS_ETOOBIG, /* a dimension beyond BLAS's int */
};

typedef struct lt_mds_options {
    int n_components; /* >= 1 */
    int n_init;       /* >= 1 */
    int max_iter;     /* >= 1 */
    double eps;
    uint32_t seed;
} lt_mds_options;

typedef struct lt_mds_result {
    double *embedding; /* n x n_components; owned (free()) */
    double stress;     /* of the best run */
    int n_iter;        /* transforms of the best run */
    int best_init;     /* which run won, from 0 */
} lt_mds_result;

/* Embeds the n x d matrix X (n >= 1). Returns an lt_mds_status; on success
 * fills *res. */
int lt_mds_fit(const double *x, size_t n, size_t d, const lt_mds_options *opt,
               lt_pool *pool, lt_mds_result *res);

/* One SMACOF run from the n x k start X (updated in place) on the n x n
 * dissimilarities DELTA; the stress goes to *stress and the transforms done
 * to *n_iter. Returns LT_MDS_OK or LT_MDS_ENOMEM. For tests. */
int lt_mds_smacof(const double *delta, size_t n, size_t k, int max_iter, double eps,
                  lt_pool *pool, double *x, double *stress, int *n_iter);

#endif
