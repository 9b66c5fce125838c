#include "math/tsne_attract.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "math/tsne_tree.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

/* scikit-learn floors p and q at the float32 tiny in the Barnes-Hut error. */
static const double TINY = 1.1754943508222875e-38;

enum { L = LT_TSNE_LANES };

/* The kernel for squared distance d2 in DIM dimensions (a constant at each
 * call site): one degree of freedom below 3-D, two in 3-D. */
static inline __attribute__((always_inline)) double kernel_in(double d2, size_t dim)
{
    return dim < 3 ? 1.0 / (1.0 + d2) : pow(2.0 / (2.0 + d2), 1.5);
}

/* ---- the lane view ---------------------------------------------------------- */

static size_t row_len(const lt_tsne_sparse *p, uint32_t i)
{
    return p->row[i + 1] - p->row[i];
}

static int ascending(const void *a, const void *b)
{
    uint64_t u = *(const uint64_t *)a, v = *(const uint64_t *)b;
    return u < v ? -1 : u > v;
}

/* Into rows[0, n) P's rows, shorter first, ties by index (a total order:
 * the same layout on every run), sorted as keys length << 32 | index.
 * Returns -1 when out of memory. */
static int rows_by_length(const lt_tsne_sparse *p, uint32_t *rows)
{
    uint64_t *key = malloc((p->n ? p->n : 1) * sizeof *key);
    if (!key)
        return -1;
    for (size_t i = 0; i < p->n; i++)
        key[i] = (uint64_t)row_len(p, (uint32_t)i) << 32 | i;
    qsort(key, p->n, sizeof *key, ascending);
    for (size_t i = 0; i < p->n; i++)
        rows[i] = (uint32_t)key[i];
    free(key);
    return 0;
}

int lt_tsne_lanes_lay(lt_tsne_sparse *p)
{
    lt_tsne_lanes l = {.groups = (p->n + L - 1) / L};
    l.rows = malloc((l.groups ? l.groups : 1) * L * sizeof *l.rows);
    l.start = malloc((l.groups + 1) * sizeof *l.start);
    if (!l.rows || !l.start || rows_by_length(p, l.rows) != 0)
        goto fail;
    for (size_t g = 0; g < l.groups; g++)
        for (size_t r = (size_t)L * g + L; r-- > p->n;)
            l.rows[r] = l.rows[L * g];
    l.start[0] = 0;
    for (size_t g = 0; g < l.groups; g++) {
        size_t longest = 0;
        for (size_t r = 0; r < L; r++) {
            size_t len = row_len(p, l.rows[L * g + r]);
            longest = len > longest ? len : longest;
        }
        l.start[g + 1] = l.start[g] + L * longest;
    }
    size_t slots = l.start[l.groups];
    l.col = malloc((slots ? slots : 1) * sizeof *l.col);
    l.val = malloc((slots ? slots : 1) * sizeof *l.val);
    if (!l.col || !l.val)
        goto fail;
    for (size_t g = 0; g < l.groups; g++) {
        size_t longest = (l.start[g + 1] - l.start[g]) / L;
        for (size_t r = 0; r < L; r++) {
            uint32_t i = l.rows[L * g + r];
            /* A padding row (past n, a copy of the group's first) adds
             * nothing: all its slots are padding. */
            bool real = L * g + r < p->n;
            size_t len = real ? row_len(p, i) : 0;
            for (size_t k = 0; k < longest; k++) {
                size_t slot = l.start[g] + L * k + r;
                l.col[slot] = k < len ? p->col[p->row[i] + k] : (int)i;
                l.val[slot] = k < len ? p->val[p->row[i] + k] : 0.0;
            }
        }
    }
    lt_tsne_lanes_free(&p->lanes);
    p->lanes = l;
    return 0;
fail:
    lt_tsne_lanes_free(&l);
    return -1;
}

void lt_tsne_lanes_free(lt_tsne_lanes *l)
{
    free(l->rows);
    free(l->start);
    free(l->col);
    free(l->val);
    memset(l, 0, sizeof *l);
}

void lt_tsne_sparse_scale(lt_tsne_sparse *p, double f, bool undo)
{
    double *vals[2] = {p->val, p->lanes.val};
    size_t counts[2] = {p->row[p->n], p->lanes.groups ? p->lanes.start[p->lanes.groups] : 0};
    for (int a = 0; a < 2; a++)
        for (size_t e = 0; e < counts[a]; e++)
            vals[a][e] = undo ? vals[a][e] / f : vals[a][e] * f;
}

/* ---- the 2-D kernels -------------------------------------------------------- */

/* The points of group g's rows: their x into px, their y into py. */
static void group_points(const lt_tsne_lanes *l, size_t g, const double *y, double *px, double *py)
{
    for (size_t r = 0; r < L; r++) {
        px[r] = y[2 * (size_t)l->rows[L * g + r]];
        py[r] = y[2 * (size_t)l->rows[L * g + r] + 1];
    }
}

/* A group's lanes back to their rows; the last group's padding rows are
 * not rows. */
static void store_group(const lt_tsne_sparse *p, size_t g, const double *sx, const double *sy,
                        double *pos)
{
    const lt_tsne_lanes *l = &p->lanes;
    size_t rows = p->n - L * g < L ? p->n - L * g : L;
    for (size_t r = 0; r < rows; r++) {
        uint32_t i = l->rows[L * g + r];
        pos[2 * (size_t)i] = sx[r];
        pos[2 * (size_t)i + 1] = sy[r];
    }
}

#if defined(__x86_64__)
#define AVX512 __attribute__((target("avx512f")))
#define AVX2 __attribute__((target("avx2")))

/* The points of the 4 slots c[0..3], as their x and their y: loaded as
 * (x, y) pairs, not gathered (Zen 4's gathers are slow), slots 0 and 2 into
 * A, 1 and 3 into B, which unpack into x and y in slot order. */
AVX2 static inline void load4(const double *y, const int *c, __m256d *x, __m256d *yv)
{
    __m256d a = _mm256_insertf128_pd(_mm256_castpd128_pd256(_mm_loadu_pd(y + 2 * (size_t)c[0])),
                                     _mm_loadu_pd(y + 2 * (size_t)c[2]), 1);
    __m256d b = _mm256_insertf128_pd(_mm256_castpd128_pd256(_mm_loadu_pd(y + 2 * (size_t)c[1])),
                                     _mm_loadu_pd(y + 2 * (size_t)c[3]), 1);
    *x = _mm256_unpacklo_pd(a, b);
    *yv = _mm256_unpackhi_pd(a, b);
}

AVX512 static void groups_avx512(const lt_tsne_sparse *p, const double *y, size_t begin, size_t end,
                                 double *pos)
{
    const lt_tsne_lanes *l = &p->lanes;
    const __m512d one = _mm512_set1_pd(1.0);
    for (size_t g = begin; g < end; g++) {
        double px[L], py[L];
        group_points(l, g, y, px, py);
        const __m512d yx = _mm512_loadu_pd(px), yy = _mm512_loadu_pd(py);
        __m512d sx = _mm512_setzero_pd(), sy = _mm512_setzero_pd();
        for (size_t s = l->start[g]; s < l->start[g + 1]; s += L) {
            const int *c = l->col + s;
            __m256d x0, y0, x1, y1;
            load4(y, c, &x0, &y0);
            load4(y, c + 4, &x1, &y1);
            __m512d dx = _mm512_sub_pd(yx, _mm512_insertf64x4(_mm512_castpd256_pd512(x0), x1, 1));
            __m512d dy = _mm512_sub_pd(yy, _mm512_insertf64x4(_mm512_castpd256_pd512(y0), y1, 1));
            __m512d d2 = _mm512_add_pd(_mm512_mul_pd(dx, dx), _mm512_mul_pd(dy, dy));
            __m512d w = _mm512_div_pd(one, _mm512_add_pd(one, d2));
            __m512d pw = _mm512_mul_pd(_mm512_loadu_pd(l->val + s), w);
            sx = _mm512_add_pd(sx, _mm512_mul_pd(pw, dx));
            sy = _mm512_add_pd(sy, _mm512_mul_pd(pw, dy));
        }
        double ox[L], oy[L];
        _mm512_storeu_pd(ox, sx);
        _mm512_storeu_pd(oy, sy);
        store_group(p, g, ox, oy, pos);
    }
}

/* groups_avx512 on two registers of 4 lanes. */
AVX2 static void groups_avx2(const lt_tsne_sparse *p, const double *y, size_t begin, size_t end,
                             double *pos)
{
    const lt_tsne_lanes *l = &p->lanes;
    const __m256d one = _mm256_set1_pd(1.0);
    for (size_t g = begin; g < end; g++) {
        double px[L], py[L];
        group_points(l, g, y, px, py);
        __m256d yx[2], yy[2], sx[2], sy[2];
        for (int h = 0; h < 2; h++) {
            yx[h] = _mm256_loadu_pd(px + 4 * h);
            yy[h] = _mm256_loadu_pd(py + 4 * h);
            sx[h] = sy[h] = _mm256_setzero_pd();
        }
        for (size_t s = l->start[g]; s < l->start[g + 1]; s += L)
            for (int h = 0; h < 2; h++) {
                __m256d xj, yj;
                load4(y, l->col + s + 4 * h, &xj, &yj);
                __m256d dx = _mm256_sub_pd(yx[h], xj), dy = _mm256_sub_pd(yy[h], yj);
                __m256d d2 = _mm256_add_pd(_mm256_mul_pd(dx, dx), _mm256_mul_pd(dy, dy));
                __m256d w = _mm256_div_pd(one, _mm256_add_pd(one, d2));
                __m256d pw = _mm256_mul_pd(_mm256_loadu_pd(l->val + s + 4 * h), w);
                sx[h] = _mm256_add_pd(sx[h], _mm256_mul_pd(pw, dx));
                sy[h] = _mm256_add_pd(sy[h], _mm256_mul_pd(pw, dy));
            }
        double ox[L], oy[L];
        for (int h = 0; h < 2; h++) {
            _mm256_storeu_pd(ox + 4 * h, sx[h]);
            _mm256_storeu_pd(oy + 4 * h, sy[h]);
        }
        store_group(p, g, ox, oy, pos);
    }
}
#else
static void groups_avx512(const lt_tsne_sparse *p, const double *y, size_t begin, size_t end,
                          double *pos)
{
    (void)p, (void)y, (void)begin, (void)end, (void)pos;
}

static void groups_avx2(const lt_tsne_sparse *p, const double *y, size_t begin, size_t end,
                        double *pos)
{
    (void)p, (void)y, (void)begin, (void)end, (void)pos;
}
#endif

/* ---- any dimension -------------------------------------------------------- */

/* Whether kernel WHICH reads the lane view in DIM dimensions. */
static bool reads_lanes(const lt_tsne_sparse *p, size_t dim, lt_tsne_bh_kernel which)
{
#if defined(__x86_64__)
    return dim == 2 && p->lanes.groups > 0 && which != LT_TSNE_BH_PLAIN;
#else
    (void)p, (void)dim, (void)which;
    return false;
#endif
}

size_t lt_tsne_attract_units(const lt_tsne_sparse *p, size_t dim, lt_tsne_bh_kernel which)
{
    return reads_lanes(p, dim, which) ? p->lanes.groups : p->n;
}

/* One row, edge by edge (DIM a constant at the call site): in 2-D the
 * reference the lane kernels match. */
static inline __attribute__((always_inline)) void row_any(const lt_tsne_sparse *p, const double *y,
                                                          size_t i, size_t dim, double *pos)
{
    const double *yi = y + i * dim;
    double f[LT_BH_MAX_DIM] = {0};
    for (size_t e = p->row[i]; e < p->row[i + 1]; e++) {
        const double *yj = y + (size_t)p->col[e] * dim;
        double delta[LT_BH_MAX_DIM], d2 = 0;
        for (size_t k = 0; k < dim; k++) {
            delta[k] = yi[k] - yj[k];
            d2 += delta[k] * delta[k];
        }
        double pw = p->val[e] * kernel_in(d2, dim);
        for (size_t k = 0; k < dim; k++)
            f[k] += pw * delta[k];
    }
    for (size_t k = 0; k < dim; k++)
        pos[i * dim + k] = f[k];
}

void lt_tsne_attract(lt_tsne_bh_kernel which, const lt_tsne_sparse *p, const double *y, size_t dim,
                     size_t begin, size_t end, double *pos)
{
    if (reads_lanes(p, dim, which)) {
        if (which == LT_TSNE_BH_AVX512)
            groups_avx512(p, y, begin, end, pos);
        else
            groups_avx2(p, y, begin, end, pos);
        return;
    }
    for (size_t i = begin; i < end; i++)
        switch (dim) {
        case 1: row_any(p, y, i, 1, pos); break;
        case 2: row_any(p, y, i, 2, pos); break;
        default: row_any(p, y, i, 3, pos); break;
        }
}

void lt_tsne_attract_error(const lt_tsne_sparse *p, const double *y, size_t dim, double z,
                           size_t begin, size_t end, double *kl)
{
    for (size_t i = begin; i < end; i++) {
        const double *yi = y + i * dim;
        double sum = 0;
        for (size_t e = p->row[i]; e < p->row[i + 1]; e++) {
            const double *yj = y + (size_t)p->col[e] * dim;
            double d2 = 0;
            for (size_t k = 0; k < dim; k++)
                d2 += (yi[k] - yj[k]) * (yi[k] - yj[k]);
            double pij = p->val[e], q = kernel_in(d2, dim) / z;
            sum += pij * log((pij > TINY ? pij : TINY) / (q > TINY ? q : TINY));
        }
        kl[i] = sum;
    }
}
