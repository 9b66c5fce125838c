/* Thin wrappers over CBLAS and LAPACKE (OpenBLAS) for dense row-major
 * matrices: column statistics, covariance, symmetric eigenpairs, thin SVD and
 * products.
 *
 * Every matrix is row-major with its natural leading dimension (element
 * (i, j) of an r x c matrix is v[i * c + j]). Every dimension must fit in an
 * int (the BLAS index type): lt_linalg_fits() says whether it does, and the
 * functions below return LT_LA_ETOOBIG when it does not. OpenBLAS uses as
 * many threads as the runner configured; nothing here changes that. */
#ifndef LATENT_MATH_LINALG_H
#define LATENT_MATH_LINALG_H

#include <stdbool.h>
#include <stddef.h>

enum lt_la_status {
    LT_LA_OK = 0,
    LT_LA_ENOMEM = -1,    /* a work buffer could not be allocated */
    LT_LA_ETOOBIG = -2,   /* a dimension does not fit the BLAS index type */
    LT_LA_ENOCONV = -3,   /* LAPACK reported a failure to converge */
};

/* Memory for a large matrix, released with free(). Buffers of 8 MB and more
 * are aligned to 2 MB and marked for transparent huge pages (as numpy does
 * with its arrays): filling them then takes a page fault per 2 MB instead
 * of per 4 KB, which took a tenth off a 100000 x 100 covariance-solver fit.
 * Returns NULL when out of memory. */
void *lt_big_alloc(size_t bytes);

/* Where row i of a packed lower triangle (rows 0, 1, ... of 1, 2, ...
 * entries, one after another) starts. */
static inline size_t lt_packed_row(size_t i)
{
    return i * (i + 1) / 2;
}

/* True when a rows x cols matrix can be handed to BLAS/LAPACK. */
bool lt_linalg_fits(size_t rows, size_t cols);

/* mean[j] = average of column j of X (rows >= 1). Sums in blocks of rows and
 * adds the block sums, which keeps the rounding error well below that of one
 * running sum over a long column. */
void lt_col_means(const double *x, size_t rows, size_t cols, double *mean);

/* dst = X - mean, subtracting mean[j] from column j. dst may be x. */
void lt_center(double *dst, const double *x, size_t rows, size_t cols,
               const double *mean);

/* dst (rows x cols float64) = X - mean for float32 rows X (held images),
 * each element widened exactly first, so the numbers are lt_center's on
 * the widened rows; MEAN NULL: widened only. */
void lt_widen_centre(double *restrict dst, const float *restrict x, size_t rows, size_t cols,
                     const double *restrict mean);

/* out (cols x cols) = (X - mean)^T (X - mean), the scatter matrix whose
 * sums over row blocks (an MPI run's ranks) make the covariance. */
int lt_scatter(const double *x, size_t rows, size_t cols, const double *mean, double *out);
/* cov = (X - mean)^T (X - mean) / (rows - 1): the sample covariance, full
 * cols x cols (both triangles). rows >= 2. X is centred block by block into
 * a small buffer (no centred copy of X) and the blocks are accumulated with
 * dsyrk. Returns LT_LA_OK, LT_LA_ENOMEM or LT_LA_ETOOBIG. */
int lt_covariance(const double *x, size_t rows, size_t cols, const double *mean,
                  double *cov);

/* Eigenpairs of a symmetric matrix in two steps, for callers whose
 * eigenvalues decide how many eigenvectors they need (PCA keeps k of p):
 * lt_symeig_values reduces A to tridiagonal form (dsytrd) and returns every
 * eigenvalue (dsterf); lt_symeig_vectors then computes only the k leading
 * eigenvectors (dstemr on the tridiagonal form, dormtr back to A's basis):
 * 0.086 s against dsyevr's 0.149 s for 50 of 784 (one core). */
typedef struct lt_symeig {
    size_t n;
    double *reduced;  /* n x n: A's reflectors after dsytrd */
    double *diag;     /* n */
    double *offdiag;  /* n (the last entry is workspace) */
    double *tau;      /* n */
} lt_symeig;

/* Reduces the symmetric n x n matrix A (not modified; both triangles set)
 * and writes its eigenvalues to values[0..n) in descending order. On success
 * *s holds the reduction (release with lt_symeig_free); on failure it holds
 * nothing. Returns LT_LA_OK, LT_LA_ENOMEM, LT_LA_ETOOBIG or LT_LA_ENOCONV. */
int lt_symeig_values(lt_symeig *s, const double *a, size_t n, double *values);

/* Row i of the k x n matrix vectors = the unit eigenvector of the i-th
 * largest eigenvalue, i < k <= n (sign as LAPACK leaves it). Returns
 * LT_LA_OK, LT_LA_ENOMEM or LT_LA_ENOCONV. */
int lt_symeig_vectors(const lt_symeig *s, size_t k, double *vectors);

void lt_symeig_free(lt_symeig *s);

/* Every eigenpair of the symmetric n x n matrix A (not modified): values in
 * descending order, row i of the n x n vectors for values[i]. The two steps
 * above in one call. Returns as they do. */
int lt_eigh_desc(const double *a, size_t n, double *values, double *vectors);

/* Thin SVD B = U diag(s) Vt of B = A - shift (shift[j] subtracted from
 * column j; shift may be NULL) for the rows x cols matrix A, k = min(rows,
 * cols). It runs dgesdd on a column-major copy of B, which is the call
 * scipy.linalg.svd makes, so the singular vectors agree with scikit-learn's
 * to rounding. u is rows x k, s (k) descending, vt k x cols; A is not
 * modified. The shift is applied while copying, so centring costs no extra
 * copy of A. Returns LT_LA_OK, LT_LA_ENOMEM, LT_LA_ETOOBIG or LT_LA_ENOCONV. */
int lt_svd_thin(const double *a, size_t rows, size_t cols, const double *shift,
                double *u, double *s, double *vt);

/* The k largest singular values s (k, descending) and their right singular
 * vectors vt (k x cols) of the rows x cols matrix A, which is overwritten:
 * dgesvdx on A as it lies (column-major A^T, so no copy), bisection and
 * inverse iteration for k vectors only. About 1.7x faster than the thin
 * SVD for 30 of 784 columns, with the same accuracy. 1 <= k <= min(rows,
 * cols). Returns LT_LA_OK, LT_LA_ENOMEM, LT_LA_ETOOBIG or LT_LA_ENOCONV. */
int lt_svd_top_right(double *a, size_t rows, size_t cols, size_t k, double *s,
                     double *vt);

/* C = alpha op(A) op(B) + beta C with op(A) m x k, op(B) k x n and C m x n.
 * A is stored m x k (k x m when trans_a), B k x n (n x k when trans_b).
 * Returns LT_LA_OK or LT_LA_ETOOBIG. */
int lt_gemm(bool trans_a, bool trans_b, size_t m, size_t n, size_t k,
            double alpha, const double *a, const double *b, double beta,
            double *c);

/* Rows per block when a routine streams over a matrix with cols columns:
 * about 8 MB of doubles, at least 2 cols rows (so that a dsyrk update of the
 * cols x cols result moves less memory than the block itself) and at least
 * 64. Smaller blocks that stay in L2 were ~10% faster on one idle core, but
 * every block is a BLAS call whose threads must meet, and on a loaded
 * machine each meeting can cost milliseconds: few calls is the robust side. */
size_t lt_block_rows(size_t cols);

#endif
