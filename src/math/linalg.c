#include "math/linalg.h"

#include <cblas.h>
#include <lapacke.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

bool lt_linalg_fits(size_t rows, size_t cols)
{
    return rows <= INT_MAX && cols <= INT_MAX;
}

size_t lt_block_rows(size_t cols)
{
    size_t b = cols ? ((size_t)1 << 17) / cols : 64;
    if (b < 2 * cols)
        b = 2 * cols;
    return b < 64 ? 64 : b;
}

/* LAPACKE reports its own allocation failures with these two codes. */
static int lapack_status(lapack_int info)
{
    if (info == 0)
        return LT_LA_OK;
    if (info == LAPACK_WORK_MEMORY_ERROR || info == LAPACK_TRANSPOSE_MEMORY_ERROR)
        return LT_LA_ENOMEM;
    return LT_LA_ENOCONV;
}

void lt_col_means(const double *x, size_t rows, size_t cols, double *mean)
{
    const size_t block = 128;
    double *partial = cols ? malloc(cols * sizeof *partial) : NULL;
    memset(mean, 0, cols * sizeof *mean);
    for (size_t r0 = 0; r0 < rows; r0 += block) {
        size_t r1 = r0 + block < rows ? r0 + block : rows;
        if (!partial) {
            /* Out of memory for the partial sums: one running sum is less
             * accurate but still correct. */
            for (size_t i = r0; i < r1; i++)
                for (size_t j = 0; j < cols; j++)
                    mean[j] += x[i * cols + j];
            continue;
        }
        memcpy(partial, x + r0 * cols, cols * sizeof *partial);
        for (size_t i = r0 + 1; i < r1; i++)
            for (size_t j = 0; j < cols; j++)
                partial[j] += x[i * cols + j];
        for (size_t j = 0; j < cols; j++)
            mean[j] += partial[j];
    }
    for (size_t j = 0; j < cols; j++)
        mean[j] /= (double)rows;
    free(partial);
}

void lt_center(double *dst, const double *x, size_t rows, size_t cols,
               const double *mean)
{
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++)
            dst[i * cols + j] = x[i * cols + j] - mean[j];
}

int lt_covariance(const double *x, size_t rows, size_t cols, const double *mean,
                  double *cov)
{
    if (!lt_linalg_fits(rows, cols))
        return LT_LA_ETOOBIG;
    size_t block = lt_block_rows(cols);
    if (block > rows)
        block = rows;
    double *buf = malloc(block * cols * sizeof *buf + 1);
    if (!buf)
        return LT_LA_ENOMEM;
    memset(cov, 0, cols * cols * sizeof *cov);
    for (size_t r0 = 0; r0 < rows; r0 += block) {
        size_t b = r0 + block < rows ? block : rows - r0;
        lt_center(buf, x + r0 * cols, b, cols, mean);
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)cols, (int)b,
                    1.0, buf, (int)cols, 1.0, cov, (int)cols);
    }
    free(buf);
    double scale = 1.0 / (double)(rows - 1);
    for (size_t i = 0; i < cols; i++)
        for (size_t j = i; j < cols; j++)
            cov[j * cols + i] = cov[i * cols + j] = cov[i * cols + j] * scale;
    return LT_LA_OK;
}

int lt_eigh_desc(const double *a, size_t n, double *values, double *vectors)
{
    if (!lt_linalg_fits(n, n))
        return LT_LA_ETOOBIG;
    if (n == 0)
        return LT_LA_OK;
    double *work = malloc(n * n * sizeof *work);
    lapack_int *support = malloc(2 * n * sizeof *support);
    if (!work || !support) {
        free(work);
        free(support);
        return LT_LA_ENOMEM;
    }
    memcpy(work, a, n * n * sizeof *work);
    /* A is symmetric, so its row-major storage is also its column-major
     * storage; the column-major eigenvector matrix Z holds eigenvector j
     * contiguously, which is row j of the row-major result. */
    lapack_int found = 0;
    lapack_int info = LAPACKE_dsyevr(LAPACK_COL_MAJOR, 'V', 'A', 'U', (lapack_int)n,
                                     work, (lapack_int)n, 0.0, 0.0, 0, 0, 0.0,
                                     &found, values, vectors, (lapack_int)n,
                                     support);
    free(work);
    free(support);
    if (info == 0 && (size_t)found != n)
        info = 1;
    if (info != 0)
        return lapack_status(info);
    /* LAPACK returns ascending order; PCA wants the largest first. */
    for (size_t i = 0, j = n - 1; i < j; i++, j--) {
        double t = values[i];
        values[i] = values[j];
        values[j] = t;
        double *ri = vectors + i * n, *rj = vectors + j * n;
        for (size_t c = 0; c < n; c++) {
            t = ri[c];
            ri[c] = rj[c];
            rj[c] = t;
        }
    }
    return LT_LA_OK;
}

/* dst (cols x rows, row-major) = transpose of src (rows x cols, row-major)
 * minus shift, in tiles so both sides stay in cache. */
static void transpose_shifted(double *dst, const double *src, size_t rows,
                              size_t cols, const double *shift)
{
    const size_t tile = 32;
    for (size_t i0 = 0; i0 < rows; i0 += tile) {
        size_t i1 = i0 + tile < rows ? i0 + tile : rows;
        for (size_t j0 = 0; j0 < cols; j0 += tile) {
            size_t j1 = j0 + tile < cols ? j0 + tile : cols;
            for (size_t i = i0; i < i1; i++)
                for (size_t j = j0; j < j1; j++)
                    dst[j * rows + i] = src[i * cols + j] - (shift ? shift[j] : 0.0);
        }
    }
}

int lt_svd_thin(const double *a, size_t rows, size_t cols, const double *shift,
                double *u, double *s, double *vt)
{
    if (!lt_linalg_fits(rows, cols) || !lt_linalg_fits(rows * cols, 1))
        return LT_LA_ETOOBIG;
    size_t k = rows < cols ? rows : cols;
    if (k == 0)
        return LT_LA_OK;
    double *acol = malloc(rows * cols * sizeof *acol);
    double *ucol = malloc(rows * k * sizeof *ucol);
    double *vtcol = malloc(k * cols * sizeof *vtcol);
    int status = LT_LA_ENOMEM;
    if (acol && ucol && vtcol) {
        transpose_shifted(acol, a, rows, cols, shift);
        lapack_int info = LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'S', (lapack_int)rows,
                                         (lapack_int)cols, acol, (lapack_int)rows,
                                         s, ucol, (lapack_int)rows, vtcol,
                                         (lapack_int)k);
        status = lapack_status(info);
    }
    if (status == LT_LA_OK) {
        /* Column-major rows x k is row-major k x rows: transpose back. */
        if (u)
            transpose_shifted(u, ucol, k, rows, NULL);
        transpose_shifted(vt, vtcol, cols, k, NULL);
    }
    free(acol);
    free(ucol);
    free(vtcol);
    return status;
}

int lt_gemm(bool trans_a, bool trans_b, size_t m, size_t n, size_t k,
            double alpha, const double *a, const double *b, double beta,
            double *c)
{
    if (!lt_linalg_fits(m, n) || !lt_linalg_fits(k, 1))
        return LT_LA_ETOOBIG;
    if (m == 0 || n == 0)
        return LT_LA_OK;
    if (k == 0) {
        for (size_t i = 0; i < m * n; i++)
            c[i] = beta == 0.0 ? 0.0 : beta * c[i];
        return LT_LA_OK;
    }
    cblas_dgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)k,
                alpha, a, trans_a ? (int)m : (int)k, b, trans_b ? (int)k : (int)n,
                beta, c, (int)n);
    return LT_LA_OK;
}
