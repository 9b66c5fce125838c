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
    double *row_sums;      /* or NULL */
    double *parts;         /* K(X, X) with row_sums: GROUPS x nx partial column sums */
    const double *xt;      /* or NULL: rbf's rows' features, p x nx column-major */
    size_t row_lo, row_hi; /* K(X, X): the rows apply_groups makes */
};

/* K(X, X)'s rows are dealt to a fixed number of groups, each with its own
 * partial column sums: the part of row i's sum right of the diagonal is the
 * sum of column i below it, which a group adds up as it writes its rows,
 * so the triangle is read once (where a second pass pulled every column
 * back from memory). The groups' parts are added in group order: the sums
 * do not depend on the thread count. */
#define GROUPS 16

static double *row_at(double *a, size_t n, bool packed, size_t i)
{
    return a + (packed ? lt_packed_row(i) : i * n);
}

#if defined(LT_EXP_VECTOR)
#define AVX2 __attribute__((target("avx2,fma")))

/* Lanes [0, n) of 4 set, for the rows' last few entries. */
AVX2 static __m256i first_lanes(size_t n)
{
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x((long long)n), _mm256_setr_epi64x(0, 1, 2, 3));
}

/* apply_row's rbf on row i of K(X, X) with the inner products inline, four
 * entries at a time from distance to sums without leaving registers: the
 * same operations in the same order as the scalar loops (multiplies and
 * adds unfused, libmvec's exp), so the same bits; the row's sum is added
 * in four lanes, then the diagonal's 1. */
AVX2 static void rbf_row_avx2(const struct job *j, size_t i, double *row, double *part)
{
    size_t n = j->nx, p = j->p;
    __m256d a[INLINE_FEATURES];
    for (size_t f = 0; f < p; f++)
        a[f] = _mm256_set1_pd(j->ga[i * p + f]);
    __m256d xi = _mm256_set1_pd(j->xx[i]), ng = _mm256_set1_pd(-j->gamma);
    __m256d m2 = _mm256_set1_pd(-2.0), zero = _mm256_setzero_pd(), sum = zero;
    for (size_t c = 0; c < i; c += 4) {
        __m256i lanes = first_lanes(i - c);
        __m256d dot = zero;
        for (size_t f = 0; f < p; f++)
            dot = _mm256_add_pd(dot, _mm256_mul_pd(a[f], _mm256_maskload_pd(j->xt + f * n + c,
                                                                             lanes)));
        __m256d d = _mm256_add_pd(_mm256_mul_pd(m2, dot), xi);
        d = _mm256_add_pd(d, _mm256_maskload_pd(j->yy + c, lanes));
        /* max returns its second operand on NaN and on equal zeros:
         * !(d > 0) gives +0, as the scalar clip. */
        __m256d e = _ZGVdN4v_exp(_mm256_mul_pd(_mm256_max_pd(d, zero), ng));
        e = _mm256_and_pd(e, _mm256_castsi256_pd(lanes));
        _mm256_maskstore_pd(row + c, lanes, e);
        sum = _mm256_add_pd(sum, e);
        if (part)
            _mm256_maskstore_pd(part + c, lanes,
                                _mm256_add_pd(_mm256_maskload_pd(part + c, lanes), e));
    }
    row[i] = 1.0; /* exp(-gamma * 0): the distance to itself */
    double s[4];
    _mm256_storeu_pd(s, sum);
    if (j->row_sums)
        j->row_sums[i] = ((s[0] + s[1]) + (s[2] + s[3])) + 1.0;
}
#endif

/* Row i's sum, and on K(X, X) its entries left of the diagonal added into
 * its group's column sums. */
static void sum_row(const struct job *j, size_t i, const double *row, size_t cols, double *part)
{
    double sum = 0;
    for (size_t c = 0; c < cols; c++)
        sum += row[c];
    j->row_sums[i] = sum;
    if (part)
        for (size_t c = 0; c < i; c++)
            part[c] += row[c];
}

static void apply_row(const struct job *j, size_t i, double *part)
{
    double *row = row_at(j->out, j->ny, j->packed, i);
    size_t cols = j->symmetric ? i + 1 : j->ny;
    double g = j->gamma;
#if defined(LT_EXP_VECTOR)
    if (j->xt) {
        rbf_row_avx2(j, i, row, part);
        return;
    }
#endif
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
    if (j->row_sums)
        sum_row(j, i, row, cols, part);
}

static void apply_rows(void *arg, size_t lo, size_t hi)
{
    const struct job *j = arg;
    for (size_t i = lo; i < hi; i++)
        apply_row(j, i, NULL);
}

/* Groups [lo, hi) of K(X, X)'s rows, each the rows of pairs [q0, q1) and
 * within [row_lo, row_hi): on a triangle row i has i + 1 entries, and
 * pairing row i with row n-1-i makes every pair the same amount of work.
 * Where the rows come a block at a time (dgemm's inner products) a group is
 * every GROUPS-th row instead, so that every block spreads over all of
 * them. */
static void apply_groups(void *arg, size_t lo, size_t hi)
{
    const struct job *j = arg;
    size_t n = j->nx, pairs = (n + 1) / 2;
    for (size_t g = lo; g < hi; g++) {
        double *part = j->parts ? j->parts + g * n : NULL;
        if (j->gram) {
            size_t first = j->row_lo + (GROUPS + g - j->row_lo % GROUPS) % GROUPS;
            for (size_t i = first; i < j->row_hi; i += GROUPS)
                apply_row(j, i, part);
            continue;
        }
        for (size_t q = pairs * g / GROUPS; q < pairs * (g + 1) / GROUPS; q++) {
            apply_row(j, q, part);
            if (n - 1 - q != q)
                apply_row(j, n - 1 - q, part);
        }
    }
}

/* Threads for GROUPS groups: none beyond one a MIN_ROWS pairs of rows. */
static size_t group_grain(size_t n)
{
    size_t most = (n + 1) / 2 / MIN_ROWS;
    return most >= GROUPS ? 1 : GROUPS / (most ? most : 1);
}

/* Row i's sum finished: its part right of the diagonal, the groups'
 * column sums, added in group order. */
static void finish_sums(const struct job *j)
{
    for (size_t i = 0; i < j->nx; i++) {
        double upper = 0;
        for (size_t g = 0; g < GROUPS; g++)
            upper += j->parts[g * j->nx + i];
        j->row_sums[i] += upper;
    }
}

/* Fills the upper triangle from the lower one, a tile row at a time: each
 * row's upper part is pulled from the column below it. Tile rows are paired
 * as above to even out the work. */
#define TILE 64

struct mirror {
    double *a;
    size_t n, tiles;
};

static void mirror_tile_row(const struct mirror *m, size_t ti)
{
    size_t n = m->n, i0 = ti * TILE, i1 = i0 + TILE < n ? i0 + TILE : n;
    for (size_t j0 = i0; j0 < n; j0 += TILE) {
        size_t j1 = j0 + TILE < n ? j0 + TILE : n;
        for (size_t j = j0; j < j1; j++)
            for (size_t i = i0; i < i1 && i < j; i++)
                m->a[i * n + j] = m->a[j * n + i];
    }
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
    /* The symmetric rbf rows' vector loop reads the features a column at
     * a time; only K(X, X)'s row sums need the groups' column sums. */
    bool vector_rbf = false;
#if defined(LT_EXP_VECTOR)
    vector_rbf = symmetric && k->kind == LT_KERNEL_RBF && job.inline_gram && p > 0 &&
                 lt_exp_vector();
#endif
    double *xt = vector_rbf ? malloc(p * nx * sizeof *xt) : NULL;
    double *parts = symmetric && row_sums ? calloc(GROUPS * nx, sizeof *parts) : NULL;
    if (k->kind == LT_KERNEL_RBF)
        norms = malloc((symmetric ? nx : nx + ny) * sizeof *norms);
    if ((k->kind == LT_KERNEL_RBF && !norms) || (vector_rbf && !xt) ||
        (symmetric && row_sums && !parts)) {
        free(xn);
        free(yn);
        free(norms);
        free(xt);
        free(parts);
        return LT_LA_ENOMEM;
    }
    job.parts = parts;
    job.row_hi = nx;
    if (xt) {
        for (size_t i = 0; i < nx; i++)
            for (size_t f = 0; f < p; f++)
                xt[f * nx + i] = x[i * p + f];
        job.xt = xt;
    }
    if (k->kind == LT_KERNEL_RBF) {
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
            part.row_lo = r0;
            part.row_hi = r1;
            lt_parallel_for(GROUPS, group_grain(r1 - r0), threads, apply_groups, &part);
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
            lt_parallel_for(GROUPS, group_grain(nx), threads, apply_groups, &job);
        if (row_sums)
            finish_sums(&job);
        struct mirror m = {out, nx, (nx + TILE - 1) / TILE};
        if (upper)
            lt_parallel_for((m.tiles + 1) / 2, 1, threads, mirror_pairs, &m);
    } else {
        lt_parallel_for(nx, MIN_ROWS, threads, apply_rows, &job);
    }
    free(xn);
    free(yn);
    free(norms);
    free(xt);
    free(parts);
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
