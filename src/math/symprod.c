#include "math/symprod.h"

#include <stdlib.h>
#include <string.h>

#include "math/linalg.h"
#include "math/pool.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

enum {
    W = LT_SYMPROD_WIDTH, /* columns of the packed block: one zmm register a row */
    R = 8,                /* rows in a tile: 8 accumulators and 8 rows of X in registers */
    LANES = 16,           /* partial results, claimed by the threads as they free up */
};

static bool have_avx512(void);
static bool have_avx2(void);

struct lt_symprod {
    size_t n;
    int threads;
    lt_symprod_tile tile; /* the kernel full tiles run on */
    lt_pool *pool; /* or NULL: one thread */
    double *x;     /* n x W row-major: the block, zero beyond its columns */
    double *acc;   /* LANES x (n x W): each lane's partial Y */
};

lt_symprod *lt_symprod_new(size_t n, int threads)
{
    lt_symprod *s = malloc(sizeof *s);
    if (!s)
        return NULL;
    size_t row = W * sizeof(double), bytes = (n ? n : 1) * row;
    s->n = n;
    s->threads = threads < 1 ? 1 : threads;
    s->pool = NULL;
    s->tile = have_avx512() ? LT_SYMPROD_AVX512 : have_avx2() ? LT_SYMPROD_AVX2 : LT_SYMPROD_PLAIN;
    /* Rows of 64 bytes on 64-byte boundaries: one cache line each. */
    s->x = aligned_alloc(64, bytes);
    s->acc = aligned_alloc(64, LANES * bytes);
    /* Started once for every pass; the lanes are claimed one at a time, so
     * a thread that lost its core to another process holds up one lane
     * rather than half the pass. */
    s->pool = s->threads > 1 ? lt_pool_new(s->threads) : NULL;
    if (!s->x || !s->acc || (s->threads > 1 && !s->pool)) {
        lt_symprod_free(s);
        return NULL;
    }
    return s;
}

bool lt_symprod_use(lt_symprod *s, lt_symprod_tile which)
{
    bool runs = which == LT_SYMPROD_PLAIN || (which == LT_SYMPROD_AVX2 && have_avx2()) ||
                (which == LT_SYMPROD_AVX512 && have_avx512());
    if (runs)
        s->tile = which;
    return runs;
}

void lt_symprod_free(lt_symprod *s)
{
    if (!s)
        return;
    free(s->x);
    free(s->acc);
    lt_pool_free(s->pool);
    free(s);
}

/* Rows [i0, i0 + rows) of the triangle (row r at row[r]), times the block
 * both ways, added into the lane's partial t: the portable loop, for any
 * rows <= R. */
static void tile_plain(const double *const *row, const double *x, double *t, size_t i0, size_t rows)
{
    double acc[R][W] = {{0}};
    for (size_t j = 0; j < i0; j++) {
        const double *xj = x + j * W;
        double *tj = t + j * W;
        for (size_t r = 0; r < rows; r++) {
            double v = row[r][j];
            const double *xi = x + (i0 + r) * W;
            for (size_t c = 0; c < W; c++) {
                acc[r][c] += v * xj[c];
                tj[c] += v * xi[c];
            }
        }
    }
    /* The tile's own triangle; its diagonal counts once. */
    for (size_t r = 0; r < rows; r++) {
        size_t i = i0 + r;
        for (size_t j = i0; j <= i; j++) {
            double v = row[r][j];
            for (size_t c = 0; c < W; c++)
                acc[r][c] += v * x[j * W + c];
            if (j < i)
                for (size_t c = 0; c < W; c++)
                    t[j * W + c] += v * x[i * W + c];
        }
    }
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < W; c++)
            t[(i0 + r) * W + c] += acc[r][c];
}


#if defined(__x86_64__)
#define AVX512 __attribute__((target("avx512f")))

#define AVX2 __attribute__((target("avx2,fma")))

/* tile_plain for 4 rows with AVX2: a row of X is two ymm registers, so 4
 * rows' accumulators (8) leave room for X's and t's rows; the rows' own
 * X rows are read from L1 as they are needed. A tile of R rows is two of
 * these (tile_avx2). */
AVX2 static void quad_avx2(const double *const *row, const double *x, double *t, size_t i0)
{
    __m256d acc[4][2];
    for (size_t r = 0; r < 4; r++)
        acc[r][0] = acc[r][1] = _mm256_setzero_pd();
    const double *xi = x + i0 * W;
    for (size_t j = 0; j < i0; j++) {
        __m256d x0 = _mm256_load_pd(x + j * W), x1 = _mm256_load_pd(x + j * W + 4);
        __m256d t0 = _mm256_load_pd(t + j * W), t1 = _mm256_load_pd(t + j * W + 4);
        for (size_t r = 0; r < 4; r++) {
            __m256d v = _mm256_broadcast_sd(&row[r][j]);
            acc[r][0] = _mm256_fmadd_pd(v, x0, acc[r][0]);
            acc[r][1] = _mm256_fmadd_pd(v, x1, acc[r][1]);
            t0 = _mm256_fmadd_pd(v, _mm256_load_pd(xi + r * W), t0);
            t1 = _mm256_fmadd_pd(v, _mm256_load_pd(xi + r * W + 4), t1);
        }
        _mm256_store_pd(t + j * W, t0);
        _mm256_store_pd(t + j * W + 4, t1);
    }
    for (size_t r = 0; r < 4; r++) {
        size_t i = i0 + r;
        for (size_t j = i0; j <= i; j++) {
            __m256d v = _mm256_broadcast_sd(&row[r][j]);
            acc[r][0] = _mm256_fmadd_pd(v, _mm256_load_pd(x + j * W), acc[r][0]);
            acc[r][1] = _mm256_fmadd_pd(v, _mm256_load_pd(x + j * W + 4), acc[r][1]);
            if (j < i) {
                double *tj = t + j * W;
                _mm256_store_pd(tj, _mm256_fmadd_pd(v, _mm256_load_pd(xi + r * W),
                                                    _mm256_load_pd(tj)));
                _mm256_store_pd(tj + 4, _mm256_fmadd_pd(v, _mm256_load_pd(xi + r * W + 4),
                                                        _mm256_load_pd(tj + 4)));
            }
        }
    }
    for (size_t r = 0; r < 4; r++) {
        double *ti = t + (i0 + r) * W;
        _mm256_store_pd(ti, _mm256_add_pd(_mm256_load_pd(ti), acc[r][0]));
        _mm256_store_pd(ti + 4, _mm256_add_pd(_mm256_load_pd(ti + 4), acc[r][1]));
    }
}

static void tile_avx2(const double *const *row, const double *x, double *t, size_t i0)
{
    quad_avx2(row, x, t, i0);
    quad_avx2(row + 4, x, t, i0 + 4);
}

static bool have_avx2(void)
{
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

/* tile_plain for a whole tile of R rows, a row of X per zmm register. Each
 * column's scatter into t is summed in two chains of four so that its
 * multiply-adds do not wait on each other. */
AVX512 static void tile_avx512(const double *const *row, const double *x, double *t, size_t i0)
{
    __m512d xi[R], acc[R];
    for (size_t r = 0; r < R; r++) {
        xi[r] = _mm512_load_pd(x + (i0 + r) * W);
        acc[r] = _mm512_setzero_pd();
    }
    for (size_t j = 0; j < i0; j++) {
        __m512d xj = _mm512_load_pd(x + j * W);
        __m512d lo = _mm512_load_pd(t + j * W), hi = _mm512_setzero_pd();
        for (size_t r = 0; r < R / 2; r++) {
            __m512d v = _mm512_set1_pd(row[r][j]);
            acc[r] = _mm512_fmadd_pd(v, xj, acc[r]);
            lo = _mm512_fmadd_pd(v, xi[r], lo);
        }
        for (size_t r = R / 2; r < R; r++) {
            __m512d v = _mm512_set1_pd(row[r][j]);
            acc[r] = _mm512_fmadd_pd(v, xj, acc[r]);
            hi = _mm512_fmadd_pd(v, xi[r], hi);
        }
        _mm512_store_pd(t + j * W, _mm512_add_pd(lo, hi));
    }
    for (size_t r = 0; r < R; r++) {
        size_t i = i0 + r;
        for (size_t j = i0; j <= i; j++) {
            __m512d v = _mm512_set1_pd(row[r][j]);
            acc[r] = _mm512_fmadd_pd(v, _mm512_load_pd(x + j * W), acc[r]);
            if (j < i) {
                __m512d tj = _mm512_load_pd(t + j * W);
                _mm512_store_pd(t + j * W, _mm512_fmadd_pd(v, xi[r], tj));
            }
        }
    }
    for (size_t r = 0; r < R; r++) {
        double *ti = t + (i0 + r) * W;
        _mm512_store_pd(ti, _mm512_add_pd(_mm512_load_pd(ti), acc[r]));
    }
}

static bool have_avx512(void)
{
    return __builtin_cpu_supports("avx512f");
}
#else
static void tile_avx512(const double *const *row, const double *x, double *t, size_t i0)
{
    tile_plain(row, x, t, i0, R);
}

static bool have_avx512(void)
{
    return false;
}

static void tile_avx2(const double *const *row, const double *x, double *t, size_t i0)
{
    tile_plain(row, x, t, i0, R);
}

static bool have_avx2(void)
{
    return false;
}
#endif

struct pass {
    const lt_symprod *s;
    const double *a;
    bool packed;
    lt_symprod_tile kernel;
    size_t tiles, pairs;
    /* reduce: */
    double *y;
    size_t ldy, cols;
};

static void tile(const struct pass *p, double *t, size_t q)
{
    size_t n = p->s->n, i0 = q * R, rows = n - i0 < R ? n - i0 : R;
    const double *row[R];
    for (size_t r = 0; r < rows; r++) {
        size_t i = i0 + r;
        row[r] = p->a + (p->packed ? lt_packed_row(i) : i * n);
    }
    if (p->kernel == LT_SYMPROD_AVX512 && rows == R)
        tile_avx512(row, p->s->x, t, i0);
    else if (p->kernel == LT_SYMPROD_AVX2 && rows == R)
        tile_avx2(row, p->s->x, t, i0);
    else
        tile_plain(row, p->s->x, t, i0, rows);
}

/* Tile q has about q R^2 entries: pairing it with tile tiles-1-q gives
 * every pair the same work, and every lane the same number of pairs. */
static void run_lanes(void *arg, size_t lo, size_t hi)
{
    const struct pass *p = arg;
    size_t n = p->s->n;
    for (size_t lane = lo; lane < hi; lane++) {
        double *t = p->s->acc + lane * n * W;
        memset(t, 0, n * W * sizeof *t);
        size_t q0 = p->pairs * lane / LANES, q1 = p->pairs * (lane + 1) / LANES;
        for (size_t q = q0; q < q1; q++) {
            tile(p, t, q);
            if (p->tiles - 1 - q != q)
                tile(p, t, p->tiles - 1 - q);
        }
    }
}

/* Y's rows [lo, hi): the lanes' partials added in lane order. */
static void reduce_rows(void *arg, size_t lo, size_t hi)
{
    const struct pass *p = arg;
    size_t n = p->s->n;
    for (size_t i = lo; i < hi; i++) {
        double sum[W];
        memcpy(sum, p->s->acc + i * W, sizeof sum);
        for (size_t lane = 1; lane < LANES; lane++) {
            const double *t = p->s->acc + lane * n * W + i * W;
            for (size_t c = 0; c < W; c++)
                sum[c] += t[c];
        }
        for (size_t c = 0; c < p->cols; c++)
            p->y[c * p->ldy + i] = sum[c];
    }
}

static void pass(lt_symprod *s, const double *a, bool packed, const double *x, size_t ldx,
                 size_t cols, double *y, size_t ldy)
{
    size_t n = s->n;
    for (size_t i = 0; i < n; i++)
        for (size_t c = 0; c < W; c++)
            s->x[i * W + c] = c < cols ? x[c * ldx + i] : 0;
    size_t tiles = (n + R - 1) / R;
    struct pass p = {s, a, packed, s->tile, tiles, (tiles + 1) / 2, y, ldy, cols};
    lt_pool_for(s->pool, LANES, 1, run_lanes, &p);
    lt_pool_for(s->pool, n, 1024, reduce_rows, &p);
}

void lt_symprod_apply(lt_symprod *s, const double *a, bool packed, const double *x, size_t ldx,
                      size_t cols, double *y, size_t ldy)
{
    if (s->n == 0)
        return;
    for (size_t c0 = 0; c0 < cols; c0 += W) {
        size_t c = cols - c0 < W ? cols - c0 : W;
        pass(s, a, packed, x + c0 * ldx, ldx, c, y + c0 * ldy, ldy);
    }
}
