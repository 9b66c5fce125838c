/* Isomap, as scikit-learn 1.2.1's Isomap(n_neighbors, n_components) with
 * its defaults (Euclidean metric, KernelPCA on the precomputed kernel):
 *
 *   1. the graph joining every training row to its n_neighbors nearest
 *      other rows, weighted by their distance, taken as undirected; when it
 *      falls apart into several components, each pair of components is
 *      joined by its closest pair of rows (scikit-learn's
 *      _fix_connected_components);
 *   2. geodesic distances D: Dijkstra's shortest paths (binary heap) from
 *      every row, the sources spread over a pool of threads;
 *   3. the kernel K = -D^2 / 2 centred (KernelCenterer) and its n_components
 *      largest eigenpairs (math/topeig.h: LAPACK up to 200 rows, else the
 *      Krylov solver, with the centring applied inside the products); eigenvalues that scikit-learn's
 *      _check_psd_eigenvalues would zero (negative, or below 1e-12 of the
 *      largest) are zeroed, each eigenvector's largest entry is made
 *      positive (svd_flip), and the embedding is v_i sqrt(lambda_i).
 *
 * New rows (transform) are linked to the graph through their n_neighbors
 * nearest training rows: g_j = min_m (D[nbr_m, j] + dist_m), then the same
 * kernel, centred with the training statistics, projected on v / sqrt(lambda).
 *
 * Neighbour distances are exact (math/knn.h) and the pool's loops (graph,
 * shortest paths, transform) write per-row results: they do not depend on
 * the number of threads. The iterative eigensolver's products go through
 * BLAS, whose rounding may change with OpenBLAS's thread count. */
#ifndef LATENT_MATH_ISOMAP_H
#define LATENT_MATH_ISOMAP_H

#include <stddef.h>

#include "math/pool.h"

enum lt_isomap_status {
    LT_ISOMAP_OK = 0,
    LT_ISOMAP_ENOMEM,
    LT_ISOMAP_ETOOBIG,  /* beyond BLAS's or an int's range */
    LT_ISOMAP_ENOCONV,  /* LAPACK did not converge */
    LT_ISOMAP_ENEGATIVE /* the kernel's top eigenvalues are (significantly) negative */
};

typedef struct lt_isomap {
    size_t n, d;            /* training rows and features */
    size_t n_neighbors, n_components;
    double *x;              /* n x d: the training rows (for transform) */
    double *dist;           /* n x n geodesic distances */
    double *col_mean;       /* n: column means of the training kernel */
    double all_mean;        /* the mean of col_mean */
    double *values;         /* n_components eigenvalues, descending */
    double *vectors;        /* n x n_components: unit eigenvectors (columns) */
    double *embedding;      /* n x n_components */
    double reconstruction_error; /* Isomap.reconstruction_error() */
    size_t n_components_graph;   /* components of the neighbour graph */
    size_t n_zeroed;        /* eigenvalues set to 0 by the psd check */
} lt_isomap;

/* Fits on the n x d matrix X with 1 <= n_neighbors < n and 1 <= n_components
 * <= n. Returns an lt_isomap_status; on success *m is filled (release with
 * lt_isomap_free), on failure it is empty. */
int lt_isomap_fit(lt_isomap *m, const double *x, size_t n, size_t d,
                  size_t n_neighbors, size_t n_components, lt_pool *pool);

/* out (rows x n_components) = the embedding of the rows x d matrix X.
 * Returns LT_ISOMAP_OK or LT_ISOMAP_ENOMEM. */
int lt_isomap_transform(const lt_isomap *m, const double *x, size_t rows, lt_pool *pool,
                        double *out);

void lt_isomap_free(lt_isomap *m);

#endif
