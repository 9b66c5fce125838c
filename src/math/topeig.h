/* The k algebraically largest eigenpairs of a dense symmetric matrix, by
 * three methods that give the same answer to rounding and differ in speed:
 *
 *   dense     LAPACK dsyevr for eigenvalues n-k+1..n only (what scipy's
 *             eigh(subset_by_index=...) calls). Reduces A to tridiagonal form
 *             first: O(n^3), the right choice up to a few hundred rows.
 *   arpack    implicitly restarted Lanczos (ARPACK's dsaupd/dseupd, which
 *             scipy's eigsh wraps) with which = "LA", tol = machine
 *             precision, ncv = max(2k + 1, 20) Lanczos vectors, started from
 *             numpy's RandomState(seed).uniform(-1, 1, n) as scikit-learn
 *             starts it. One dsymv per Lanczos vector.
 *   krylov    a Krylov basis from a Gaussian start, kept orthogonal in full,
 *             thick-restarted (topeig_krylov.c): block Lanczos, 8 vectors
 *             for up to 9 pairs and max(k + 6, 16) rounded up to a multiple
 *             of 8 beyond, each block one pass of symprod.h's product over
 *             the lower triangle, run until every wanted Ritz pair's
 *             residual |A u - theta u| is below 1e-13 max |theta|. 14
 *             passes for the top 2 pairs of the 5000-point swiss roll's
 *             kernel, where vector-by-vector Lanczos took 33 and ARPACK
 *             about 75.
 *
 * The iterative methods stop at a residual, not after a fixed count, so
 * their answer does not depend on the start. Eigenvector signs are whatever
 * the method leaves; callers fix them. */
#ifndef LATENT_MATH_TOPEIG_H
#define LATENT_MATH_TOPEIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum lt_eig_method {
    LT_EIG_DENSE,
    LT_EIG_ARPACK,
    LT_EIG_KRYLOV,
} lt_eig_method;

/* The matrix the methods see: A itself, or, with means given, the
 * double-centred A - 1 means' - means 1' + mean 1 1' (how a kernel is
 * centred in feature space, and classical MDS centres squared distances;
 * means are A's column means, mean their average). The iterative methods
 * apply the centring to each product A x, so the centred matrix is never
 * formed: one pass over memory less, and A stays as it is. Dense centres A
 * in place. */
typedef enum lt_sym_storage {
    LT_SYM_FULL,   /* n x n row-major, both triangles set */
    LT_SYM_LOWER,  /* n x n row-major, only the lower triangle (j <= i) set:
                    * every method then reads that one alone */
    LT_SYM_PACKED, /* the lower triangle's rows one after another (row i
                    * from a + i (i + 1) / 2) at the start of an n x n buffer,
                    * so only half of it was ever touched. krylov reads it
                    * so; dense and arpack first spread it in place over the
                    * buffer as LT_SYM_LOWER */
} lt_sym_storage;

typedef struct lt_sym_matrix {
    double *a;           /* n x n, as storage says */
    size_t n;
    const double *means; /* n, or NULL: no centring */
    double mean;
    lt_sym_storage storage;
} lt_sym_matrix;

/* Beyond linalg.h's LT_LA_* codes. */
enum {
    LT_EIG_EARPACK = -10, /* ARPACK reported an error (bad input or workspace) */
};

/* Values[0..k) in descending order and vectors (n x k, row-major: column j
 * is the unit eigenvector of values[j]) of the symmetric matrix M (see
 * lt_sym_matrix). M->a is destroyed by the dense method and left as it is
 * by the others. Needs 1 <= k <= n, and k < n for arpack. SEED picks the
 * start of the iterative methods. Returns LT_LA_OK, LT_LA_ENOMEM,
 * LT_LA_ETOOBIG, LT_LA_ENOCONV (no convergence within the iteration limit:
 * 10 n Lanczos restarts as scipy, or 20000 products for krylov) or
 * LT_EIG_EARPACK. On return *products (may be NULL) holds the products of
 * the matrix with a vector the method made (0 for dense): the measure of
 * an iterative method's cost. */
int lt_top_eigh(const lt_sym_matrix *m, size_t k, lt_eig_method method, uint32_t seed,
                double *values, double *vectors, int *products);

/* "dense", "arpack", "randomized" (the names users pick them by; krylov is
 * the randomized one). */
const char *lt_eig_method_name(lt_eig_method method);

#endif
