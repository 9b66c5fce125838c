/* The k largest eigenpairs of a dense symmetric matrix, without the O(n^3)
 * cost of a full decomposition.
 *
 * A Lanczos iteration with full reorthogonalisation builds a Krylov basis
 * from a fixed pseudo-random start until the top k Ritz pairs have residual
 * norms below 1e-13 ||A|| (or the basis spans an invariant subspace). Each
 * step costs one product A v: O(n^2), read straight from A's rows, against
 * O(n^3) for LAPACK's full decomposition. Should the basis reach its size
 * limit first (eigenvalues clustered at the top), the function falls back
 * to LAPACK's dsyevr for the k wanted pairs, so it always answers.
 *
 * Small matrices (n <= 200) go to dsyevr directly, as scikit-learn's
 * KernelPCA picks its dense solver below that size. The products run on a
 * pool in row blocks whose sums are taken in a fixed order, so the result
 * does not depend on the number of threads. */
#ifndef LATENT_MATH_EIGS_H
#define LATENT_MATH_EIGS_H

#include <stddef.h>

#include "math/pool.h"

/* Eigenpairs of the n x n symmetric matrix A (row-major; only read) for
 * its k largest eigenvalues, 1 <= k <= n: values[0..k) in descending order
 * and row i of vectors (k x n) the unit eigenvector of values[i], its sign
 * as the method leaves it. Returns an lt_la_status (math/linalg.h). */
int lt_eigs_top(const double *a, size_t n, size_t k, lt_pool *pool, double *values,
                double *vectors);

/* The same by LAPACK's dsyevr alone, for tests and as the fallback. */
int lt_eigs_top_dense(const double *a, size_t n, size_t k, double *values,
                      double *vectors);

#endif
