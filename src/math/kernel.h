/* Kernel matrices K(X, Y) as scikit-learn's pairwise_kernels computes them,
 * for kernel PCA and other kernel methods.
 *
 *   linear     <x, y>
 *   poly       (gamma <x, y> + coef0)^degree
 *   rbf        exp(-gamma |x - y|^2)     (|x - y|^2 as <x,x> - 2 <x,y> + <y,y>,
 *                                          clipped at 0, exactly 0 on K(X, X)'s
 *                                          diagonal)
 *   sigmoid    tanh(gamma <x, y> + coef0)
 *   cosine     <x, y> / (|x| |y|)        (a zero row stays zero)
 *   laplacian  exp(-gamma |x - y|_1)
 *
 * The inner products come from BLAS (dsyrk for K(X, X), whose other half is
 * mirrored, dgemm otherwise), or, for data with at most 8 features, from
 * the elementwise loop itself, which then also applies the kernel function;
 * that loop runs on lt_parallel_for threads. The order of the floating-point
 * operations is otherwise scikit-learn's, so the entries agree with it to
 * rounding. */
#ifndef LATENT_MATH_KERNEL_H
#define LATENT_MATH_KERNEL_H

#include <stddef.h>

typedef enum lt_kernel_kind {
    LT_KERNEL_LINEAR,
    LT_KERNEL_POLY,
    LT_KERNEL_RBF,
    LT_KERNEL_SIGMOID,
    LT_KERNEL_COSINE,
    LT_KERNEL_LAPLACIAN,
} lt_kernel_kind;

typedef struct lt_kernel {
    lt_kernel_kind kind;
    double gamma;  /* NaN: 1 / features of the data the kernel is applied to */
    double degree; /* poly */
    double coef0;  /* poly, sigmoid */
} lt_kernel;

/* "linear", "poly", ... as scikit-learn names them. */
const char *lt_kernel_name(lt_kernel_kind kind);

/* The gamma the kernel uses on data with FEATURES columns. */
double lt_kernel_gamma(const lt_kernel *k, size_t features);

/* out (nx x ny, row-major) = K(X, Y) for X (nx x p) and Y (ny x p). With Y
 * NULL it computes K(X, X) (ny is ignored), which is exactly symmetric and
 * costs half. row_sums (nx, may be NULL) receives the sum of each row of
 * out, added up in a fixed order by one thread (for K(X, X): the lower
 * part left to right, then the rest top to bottom, as they are written),
 * so it does not depend on the thread count either. Returns an
 * lt_la_status: LT_LA_OK, LT_LA_ENOMEM or LT_LA_ETOOBIG. */
int lt_kernel_matrix(const lt_kernel *k, const double *x, size_t nx,
                     const double *y, size_t ny, size_t p, int threads,
                     double *out, double *row_sums);

/* K(X, X)'s lower triangle only: row i of out (n x n, row-major) gets
 * columns 0..i, and the entries above the diagonal are never written, so
 * memory freshly mapped for them is never touched (and never cleared by the
 * kernel): half the first-touch cost of lt_kernel_matrix, and no mirror
 * pass. row_sums (may be NULL) are the whole symmetric rows' sums, the same
 * numbers lt_kernel_matrix gives. */
int lt_kernel_lower(const lt_kernel *k, const double *x, size_t n, size_t p, int threads,
                    double *out, double *row_sums);

/* The same lower triangle packed: row i's i + 1 entries at out + i (i + 1)
 * / 2, so only the first half of out is kept (the rest, from n^2 / 2 + n,
 * may hold the inner products of a block of rows on the way). OUT must
 * still be n x n: the layout topeig.h calls LT_SYM_PACKED. The same entries
 * and row sums as lt_kernel_lower, bit for bit with the inner products
 * inline and to rounding with them by BLAS (dgemm on a block of rows at a
 * time rather than one dsyrk). */
int lt_kernel_packed(const lt_kernel *k, const double *x, size_t n, size_t p, int threads,
                     double *out, double *row_sums);

#endif
