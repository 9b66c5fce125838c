#include "math/linalg.h"

#include <cblas.h>
#include <lapacke.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

void *lt_big_alloc(size_t bytes)
{
    const size_t huge = (size_t)2 << 20;
    if (bytes < 4 * huge)
        return malloc(bytes ? bytes : 1);
    if (bytes > SIZE_MAX - huge)
        return NULL;
    size_t rounded = (bytes + huge - 1) / huge * huge;
    void *p = aligned_alloc(huge, rounded);
    /* Only advice: where the kernel offers no huge pages it is ignored. */
    if (p)
        madvise(p, rounded, MADV_HUGEPAGE);
    return p;
}

bool lt_linalg_fits(size_t rows, size_t cols)
{
    return rows <= INT_MAX && cols <= INT_MAX;
}

size_t lt_block_rows(size_t cols)
{
    size_t b = cols ? ((size_t)1 << 20) / cols : 64;
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

void lt_widen_centre(double *restrict dst, const float *restrict x, size_t rows, size_t cols,
                     const double *restrict mean)
{
    if (!mean) {
        for (size_t i = 0; i < rows * cols; i++)
            dst[i] = (double)x[i];
        return;
    }
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++)
            dst[i * cols + j] = (double)x[i * cols + j] - mean[j];
}

int lt_scatter(const double *x, size_t rows, size_t cols, const double *mean, double *out)
{
    if (!lt_linalg_fits(rows, cols))
        return LT_LA_ETOOBIG;
    size_t block = lt_block_rows(cols);
    if (block > rows)
        block = rows;
    double *buf = malloc(block * cols * sizeof *buf + 1);
    if (!buf)
        return LT_LA_ENOMEM;
    memset(out, 0, cols * cols * sizeof *out);
    for (size_t r0 = 0; r0 < rows; r0 += block) {
        size_t b = r0 + block < rows ? block : rows - r0;
        lt_center(buf, x + r0 * cols, b, cols, mean);
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)cols, (int)b,
                    1.0, buf, (int)cols, 1.0, out, (int)cols);
    }
    free(buf);
    for (size_t i = 0; i < cols; i++)
        for (size_t j = i + 1; j < cols; j++)
            out[j * cols + i] = out[i * cols + j];
    return LT_LA_OK;
}

int lt_covariance(const double *x, size_t rows, size_t cols, const double *mean,
                  double *cov)
{
    int la = lt_scatter(x, rows, cols, mean, cov);
    double scale = 1.0 / (double)(rows - 1);
    for (size_t i = 0; la == LT_LA_OK && i < cols * cols; i++)
        cov[i] *= scale;
    return la;
}

void lt_symeig_free(lt_symeig *s)
{
    if (!s)
        return;
    free(s->reduced);
    free(s->diag);
    free(s->offdiag);
    free(s->tau);
    memset(s, 0, sizeof *s);
}

int lt_symeig_values(lt_symeig *s, const double *a, size_t n, double *values)
{
    memset(s, 0, sizeof *s);
    if (!lt_linalg_fits(n, n))
        return LT_LA_ETOOBIG;
    s->n = n;
    size_t m = n ? n : 1;
    s->reduced = malloc(m * m * sizeof *s->reduced);
    s->diag = malloc(m * sizeof *s->diag);
    s->offdiag = malloc(m * sizeof *s->offdiag);
    s->tau = malloc(m * sizeof *s->tau);
    double *e = malloc(m * sizeof *e);
    int status = LT_LA_ENOMEM;
    if (s->reduced && s->diag && s->offdiag && s->tau && e) {
        /* Symmetric, so the row-major storage is also the column-major one. */
        memcpy(s->reduced, a, n * n * sizeof *a);
        status = n == 0 ? LT_LA_OK
                        : lapack_status(LAPACKE_dsytrd(LAPACK_COL_MAJOR, 'U', (lapack_int)n,
                                                       s->reduced, (lapack_int)n, s->diag,
                                                       s->offdiag, s->tau));
    }
    if (status == LT_LA_OK && n > 0) {
        memcpy(values, s->diag, n * sizeof *values);
        memcpy(e, s->offdiag, n * sizeof *e);
        status = lapack_status(LAPACKE_dsterf((lapack_int)n, values, e));
    }
    free(e);
    if (status != LT_LA_OK) {
        lt_symeig_free(s);
        return status;
    }
    /* dsterf sorts ascending; the largest comes first here. */
    for (size_t i = 0, j = n ? n - 1 : 0; i < j; i++, j--) {
        double t = values[i];
        values[i] = values[j];
        values[j] = t;
    }
    return LT_LA_OK;
}

int lt_symeig_vectors(const lt_symeig *s, size_t k, double *vectors)
{
    size_t n = s->n;
    if (k == 0)
        return LT_LA_OK;
    double *d = malloc(n * sizeof *d), *e = malloc(n * sizeof *e);
    double *w = malloc(n * sizeof *w), *z = malloc(n * k * sizeof *z);
    lapack_int *support = malloc(2 * k * sizeof *support);
    int status = LT_LA_ENOMEM;
    if (d && e && w && z && support) {
        /* dstemr overwrites the tridiagonal form: work on copies. */
        memcpy(d, s->diag, n * sizeof *d);
        memcpy(e, s->offdiag, n * sizeof *e);
        lapack_int found = 0;
        lapack_logical tryrac = 1;
        lapack_int info = LAPACKE_dstemr(LAPACK_COL_MAJOR, 'V', 'I', (lapack_int)n, d, e,
                                         0.0, 0.0, (lapack_int)(n - k + 1), (lapack_int)n,
                                         &found, w, z, (lapack_int)n, (lapack_int)k,
                                         support, &tryrac);
        if (info == 0 && (size_t)found != k)
            info = 1;
        if (info == 0)
            info = LAPACKE_dormtr(LAPACK_COL_MAJOR, 'L', 'U', 'N', (lapack_int)n,
                                  (lapack_int)k, s->reduced, (lapack_int)n, s->tau, z,
                                  (lapack_int)n);
        status = lapack_status(info);
    }
    /* Column j of z (contiguous) belongs to the j-th smallest of the k. */
    for (size_t i = 0; status == LT_LA_OK && i < k; i++)
        memcpy(vectors + i * n, z + (k - 1 - i) * n, n * sizeof *vectors);
    free(d);
    free(e);
    free(w);
    free(z);
    free(support);
    return status;
}

int lt_eigh_desc(const double *a, size_t n, double *values, double *vectors)
{
    lt_symeig s;
    int status = lt_symeig_values(&s, a, n, values);
    if (status == LT_LA_OK)
        status = lt_symeig_vectors(&s, n, vectors);
    lt_symeig_free(&s);
    return status;
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
    double *acol = lt_big_alloc(rows * cols * sizeof *acol);
    double *ucol = lt_big_alloc(rows * k * sizeof *ucol);
    double *vtcol = lt_big_alloc(k * cols * sizeof *vtcol);
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

int lt_svd_top_right(double *a, size_t rows, size_t cols, size_t k, double *s,
                     double *vt)
{
    if (!lt_linalg_fits(rows, cols) || !lt_linalg_fits(rows * cols, 1))
        return LT_LA_ETOOBIG;
    size_t q = rows < cols ? rows : cols;
    double *values = malloc((q + 1) * sizeof *values);
    lapack_int *superb = malloc((12 * q + 1) * sizeof *superb);
    if (!values || !superb) {
        free(values);
        free(superb);
        return LT_LA_ENOMEM;
    }
    /* Column-major, A is the cols x rows matrix A^T, whose left singular
     * vectors are A's right ones; column j of u (ldu = cols) is row j of
     * vt. */
    lapack_int found = 0;
    lapack_int info = LAPACKE_dgesvdx(LAPACK_COL_MAJOR, 'V', 'N', 'I', (lapack_int)cols,
                                      (lapack_int)rows, a, (lapack_int)cols, 0.0, 0.0, 1,
                                      (lapack_int)k, &found, values, vt, (lapack_int)cols,
                                      NULL, 1, superb);
    int status = lapack_status(info);
    if (status == LT_LA_OK && (size_t)found != k)
        status = LT_LA_ENOCONV;
    if (status == LT_LA_OK)
        memcpy(s, values, k * sizeof *s);
    free(values);
    free(superb);
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
