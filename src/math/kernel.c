#include "math/kernel.h"

#include <cblas.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "math/linalg.h"
#include "math/parallel.h"
#include "math/vexp.h"

/* Rows of work below which a piece is not worth a thread. */
#define MIN_ROWS 16
/* Up to this many features the inner products are summed in the
 * elementwise loop: a BLAS pass would write the whole matrix and read it
 * back for a handful of multiplications an entry (and leave OpenBLAS's
 * threads spinning beside ours). Beyond it dsyrk/dgemm pay off. */
#define INLINE_FEATURES 8

const char *lt_kernel_name(lt_kernel_kind kind)
{
    static const char *const names[] = {"linear", "poly", "rbf", "sigmoid", "cosine",
                                        "laplacian"};
    return kind >= 0 && kind <= LT_KERNEL_LAPLACIAN ? names[kind] : "unknown";
}

double lt_kernel_gamma(const lt_kernel *k, size_t features)
{
    if (!isnan(k->gamma))
        return k->gamma;
    return features ? 1.0 / (double)features : 1.0;
}

/* What the elementwise pass needs. Row i of the output holds columns
 * [0, cols(i)): all ny of them, or 0..i on K(X, X)'s lower triangle. */
struct job {
    const lt_kernel *k;
    double gamma;
    const double *x, *y;   /* laplacian reads the data itself */
    const double *ga, *gb; /* the inner products' rows (cosine: normalised) */
    bool inline_gram;      /* sum them here rather than by BLAS */
    const double *xx, *yy; /* rbf: squared row norms */
    size_t nx, ny, p;
    bool symmetric;
    bool packed;           /* K(X, X)'s lower triangle, row i at out + i (i + 1) / 2 */
    const double *gram;    /* or NULL: a block of packed rows' inner products, from */
    size_t gram_row0;      /* row gram_row0, ny apart */
    double *out;
    double *row_sums;      /* or NULL; on K(X, X) the lower part's, finished by the mirror */
};

static double *row_at(double *a, size_t n, bool packed, size_t i)
{
    return a + (packed ? lt_packed_row(i) : i * n);
}

static void apply_row(const struct job *j, size_t i)
{
    double *row = row_at(j->out, j->ny, j->packed, i);
    size_t cols = j->symmetric ? i + 1 : j->ny;
    double g = j->gamma;
    if (j->gram)
        memcpy(row, j->gram + (i - j->gram_row0) * j->ny, cols * sizeof *row);
    if (j->inline_gram) {
        const double *a = j->ga + i * j->p;
        for (size_t c = 0; c < cols; c++) {
            const double *b = j->gb + c * j->p;
            double dot = 0;
            for (size_t f = 0; f < j->p; f++)
                dot += a[f] * b[f];
            row[c] = dot;
        }
    }
    switch (j->k->kind) {
    case LT_KERNEL_LINEAR:
    case LT_KERNEL_COSINE:
        break;
    case LT_KERNEL_POLY:
        for (size_t c = 0; c < cols; c++)
            row[c] = pow(row[c] * g + j->k->coef0, j->k->degree);
        break;
    case LT_KERNEL_SIGMOID:
        for (size_t c = 0; c < cols; c++)
            row[c] = tanh(row[c] * g + j->k->coef0);
        break;
    case LT_KERNEL_RBF:
        for (size_t c = 0; c < cols; c++) {
            /* -2<x,y> + |x|^2 + |y|^2 in this order, clipped at 0. */
            double d = -2.0 * row[c] + j->xx[i] + j->yy[c];
            if (!(d > 0))
                d = 0;
            row[c] = d * -g;
        }
        lt_exp_inplace(row, cols);
        if (j->symmetric)
            row[i] = 1.0; /* exp(-gamma * 0): the distance to itself */
        break;
    case LT_KERNEL_LAPLACIAN: {
        const double *xi = j->x + i * j->p;
        for (size_t c = 0; c < cols; c++) {
            const double *yc = j->y + c * j->p;
            double d = 0;
            for (size_t f = 0; f < j->p; f++)
                d += fabs(xi[f] - yc[f]);
            row[c] = -g * d;
        }
        lt_exp_inplace(row, cols);
        break;
    }
    }
    if (j->row_sums) {
        double sum = 0;
        for (size_t c = 0; c < cols; c++)
            sum += row[c];
        j->row_sums[i] = sum;
    }
}

static void apply_rows(void *arg, size_t lo, size_t hi)
{
    const struct job *j = arg;
    for (size_t i = lo; i < hi; i++)
        apply_row(j, i);
}

/* Rows [r0 + lo, r0 + hi) of a block. */
struct rows {
    const struct job *j;
    size_t r0;
};

static void apply_block_rows(void *arg, size_t lo, size_t hi)
{
    const struct rows *b = arg;
    for (size_t i = lo; i < hi; i++)
        apply_row(b->j, b->r0 + i);
}

/* On a triangle row i has i + 1 entries: pairing row i with row n-1-i makes
 * every index of the parallel loop the same amount of work. */
static void apply_row_pairs(void *arg, size_t lo, size_t hi)
{
    const struct job *j = arg;
    for (size_t q = lo; q < hi; q++) {
        apply_row(j, q);
        if (j->nx - 1 - q != q)
            apply_row(j, j->nx - 1 - q);
    }
}

/* Fills the upper triangle from the lower one, a tile row at a time: each
 * row's upper part is pulled from the column below it, and added to the
 * row's sum (which holds its lower part) as it is written. A row belongs to
 * one thread and its entries are added in a fixed order, so its sum does
 * not depend on the thread count. Tile rows are paired as above to even
 * out the work. */
#define TILE 64

struct mirror {
    double *a;
    size_t n, tiles;
    bool packed;      /* then write_upper is false */
    double *row_sums; /* or NULL */
    bool write_upper; /* false: only add the upper part to row_sums */
};

static void mirror_tile_row(const struct mirror *m, size_t ti)
{
    size_t n = m->n, i0 = ti * TILE, i1 = i0 + TILE < n ? i0 + TILE : n;
    double upper[TILE] = {0};
    for (size_t j0 = i0; j0 < n; j0 += TILE) {
        size_t j1 = j0 + TILE < n ? j0 + TILE : n;
        for (size_t j = j0; j < j1; j++) {
            const double *src = row_at(m->a, n, m->packed, j); /* column j's lower part */
            for (size_t i = i0; i < i1 && i < j; i++) {
                if (m->write_upper)
                    m->a[i * n + j] = src[i];
                upper[i - i0] += src[i];
            }
        }
    }
    if (m->row_sums)
        for (size_t i = i0; i < i1; i++)
            m->row_sums[i] += upper[i - i0];
}

static void mirror_pairs(void *arg, size_t lo, size_t hi)
{
    const struct mirror *m = arg;
    for (size_t q = lo; q < hi; q++) {
        mirror_tile_row(m, q);
        if (m->tiles - 1 - q != q)
            mirror_tile_row(m, m->tiles - 1 - q);
    }
}

static void squared_norms(const double *x, size_t n, size_t p, double *out)
{
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t f = 0; f < p; f++)
            s += x[i * p + f] * x[i * p + f];
        out[i] = s;
    }
}

/* An owned copy of X with each row divided by its length (zero rows stay
 * zero), or NULL when out of memory. */
static double *normalized(const double *x, size_t n, size_t p)
{
    double *c = malloc((n * p > 0 ? n * p : 1) * sizeof *c);
    if (!c)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t f = 0; f < p; f++)
            s += x[i * p + f] * x[i * p + f];
        double norm = sqrt(s);
        if (norm == 0)
            norm = 1;
        for (size_t f = 0; f < p; f++)
            c[i * p + f] = x[i * p + f] / norm;
    }
    return c;
}

/* K(X, Y), or with Y NULL K(X, X): its lower triangle, and the upper one
 * too when UPPER is set. */
static int kernel_matrix(const lt_kernel *k, const double *x, size_t nx, const double *y,
                         size_t ny, size_t p, int threads, double *out, double *row_sums,
                         bool upper, bool packed)
{
    bool symmetric = y == NULL;
    if (symmetric) {
        y = x;
        ny = nx;
    }
    if (!lt_linalg_fits(nx, ny) || !lt_linalg_fits(p, 1))
        return LT_LA_ETOOBIG;
    if (nx == 0 || ny == 0)
        return LT_LA_OK;

    double *xn = NULL, *yn = NULL, *norms = NULL;
    const double *a = x, *b = y;
    if (k->kind == LT_KERNEL_COSINE) {
        xn = normalized(x, nx, p);
        yn = symmetric ? NULL : normalized(y, ny, p);
        if (!xn || (!symmetric && !yn)) {
            free(xn);
            free(yn);
            return LT_LA_ENOMEM;
        }
        a = xn;
        b = symmetric ? xn : yn;
    }
    bool by_blas = k->kind != LT_KERNEL_LAPLACIAN && p > INLINE_FEATURES;
    struct job job = {.k = k, .gamma = lt_kernel_gamma(k, p), .x = x, .y = y, .ga = a,
                      .gb = b, .inline_gram = k->kind != LT_KERNEL_LAPLACIAN && !by_blas,
                      .nx = nx, .ny = ny, .p = p, .symmetric = symmetric, .packed = packed,
                      .out = out, .row_sums = row_sums};
    if (k->kind == LT_KERNEL_RBF) {
        norms = malloc((symmetric ? nx : nx + ny) * sizeof *norms);
        if (!norms) {
            free(xn);
            free(yn);
            return LT_LA_ENOMEM;
        }
        squared_norms(x, nx, p, norms);
        job.xx = norms;
        job.yy = symmetric ? norms : norms + nx;
        if (!symmetric)
            squared_norms(y, ny, p, norms + nx);
    }

    if (by_blas && packed) {
        /* dsyrk's rows would not be packed: the inner products go through
         * the n x n buffer's untouched second half, a block of rows at a
         * time (rows [r0, r1) need at most r1 (r1 + 1) / 2 packed entries,
         * which end before nx^2 / 2 + nx, where the block starts). */
        size_t block = lt_block_rows(nx);
        double *scratch = out + nx * nx / 2 + nx;
        if (block * nx > nx * nx - (nx * nx / 2 + nx))
            block = (nx * nx - (nx * nx / 2 + nx)) / nx;
        if (block == 0) {
            by_blas = false;
            job.inline_gram = true;
        }
        for (size_t r0 = 0; block > 0 && r0 < nx; r0 += block) {
            size_t r1 = r0 + block < nx ? r0 + block : nx;
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)(r1 - r0), (int)r1,
                        (int)p, 1.0, a + r0 * p, (int)p, a, (int)p, 0.0, scratch, (int)nx);
            struct job part = job;
            part.gram = scratch;
            part.gram_row0 = r0;
            lt_parallel_for(r1 - r0, MIN_ROWS, threads, apply_block_rows, &(struct rows){&part, r0});
        }
    } else if (by_blas) {
        if (symmetric)
            cblas_dsyrk(CblasRowMajor, CblasLower, CblasNoTrans, (int)nx, (int)p, 1.0,
                        a, (int)p, 0.0, out, (int)nx);
        else
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nx, (int)ny,
                        (int)p, 1.0, a, (int)p, b, (int)p, 0.0, out, (int)ny);
    }
    if (symmetric) {
        if (!(by_blas && packed))
            lt_parallel_for((nx + 1) / 2, MIN_ROWS, threads, apply_row_pairs, &job);
        struct mirror m = {out, nx, (nx + TILE - 1) / TILE, packed, row_sums, upper};
        if (upper || row_sums)
            lt_parallel_for((m.tiles + 1) / 2, 1, threads, mirror_pairs, &m);
    } else {
        lt_parallel_for(nx, MIN_ROWS, threads, apply_rows, &job);
    }
    free(xn);
    free(yn);
    free(norms);
    return LT_LA_OK;
}

int lt_kernel_matrix(const lt_kernel *k, const double *x, size_t nx,
                     const double *y, size_t ny, size_t p, int threads,
                     double *out, double *row_sums)
{
    return kernel_matrix(k, x, nx, y, ny, p, threads, out, row_sums, true, false);
}

int lt_kernel_lower(const lt_kernel *k, const double *x, size_t n, size_t p, int threads,
                    double *out, double *row_sums)
{
    return kernel_matrix(k, x, n, NULL, 0, p, threads, out, row_sums, false, false);
}

int lt_kernel_packed(const lt_kernel *k, const double *x, size_t n, size_t p, int threads,
                     double *out, double *row_sums)
{
    return kernel_matrix(k, x, n, NULL, 0, p, threads, out, row_sums, false, true);
}
