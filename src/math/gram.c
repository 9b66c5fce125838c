#include "math/gram.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#include "math/linalg.h"
#include "math/parallel.h"

/* The most lanes; and the fewest rows worth a lane of their own (below
 * that a thread's start costs more than its share of the product). */
#define MAX_LANES 16
#define MIN_LANE_ROWS 512
/* Rows that fix the provisional mean: enough that its error is a small
 * fraction of the spread, few enough to cost nothing. */
#define SHIFT_ROWS 64
/* The projection's centring buffer, per lane. Its product's other operand
 * (k x cols) and result stay in cache at any block height, so a small
 * block costs nothing, where the Gram's dsyrk wants tall blocks (at least
 * 2 cols rows, lt_block_rows) to stream its cols x cols result less often.
 * Small keeps the projection of float32 images within a few MB of the
 * images and their scores. */
#define NARROW_BLOCK_BYTES ((size_t)1 << 20)

/* Lanes for ROWS rows: one per thread, as rows allow. */
static size_t lane_count(size_t rows, int threads)
{
    size_t lanes = threads > 1 ? (size_t)threads : 1;
    if (lanes > MAX_LANES)
        lanes = MAX_LANES;
    if (rows / MIN_LANE_ROWS < lanes)
        lanes = rows / MIN_LANE_ROWS ? rows / MIN_LANE_ROWS : 1;
    return lanes;
}

/* Runs FN over lanes [0, LANES), one thread each, with OpenBLAS on one
 * thread for that time (each lane's BLAS calls are single-threaded; the
 * lanes are the parallelism), and OpenBLAS's count restored after. */
static void run_lanes(size_t lanes, lt_range_fn fn, void *arg)
{
    if (lanes == 1) {
        fn(arg, 0, 1);
        return;
    }
    int threads = openblas_get_num_threads();
    if (threads != 1)
        openblas_set_num_threads(1);
    lt_parallel_for(lanes, 1, (int)lanes, fn, arg);
    if (threads != 1)
        openblas_set_num_threads(threads);
}

/* Rows per block of a lane's buffer when the product's other operand is
 * narrow (the projection, X q, X^T y): NARROW_BLOCK_BYTES of float64 rows,
 * at least 16, at most a lane's rows. */
static size_t narrow_block(size_t rows, size_t lanes, size_t cols)
{
    size_t block = NARROW_BLOCK_BYTES / (cols * sizeof(double)), per_lane = rows / lanes + 1;
    if (block < 16)
        block = 16;
    return block < per_lane ? block : per_lane;
}

/* The first row of lane L of LANES over ROWS rows. */
static size_t lane_start(size_t rows, size_t lanes, size_t l)
{
    return rows * l / lanes;
}

struct gram_job {
    const double *x;            /* the rows, or NULL when they are float32: */
    const float *xf;
    size_t rows, cols, lanes, block;
    const double *shift;        /* cols */
    double *bufs;               /* lanes x block x cols */
    double *sums;               /* lanes x cols: column sums of the shifted rows,
                                   then lanes x cols of one block's sums */
    double *gram[MAX_LANES];    /* each lane's cols x cols upper triangle */
};

/* dst = src - shift for b rows, and part = their column sums. ELEM is
 * double or float: a float32 row is widened exactly on the way, so both
 * give the same bits for the same values. */
#define SHIFT_BLOCK(name, elem)                                                                    \
    static void name(double *restrict dst, const elem *restrict src, size_t b, size_t cols,        \
                     const double *restrict shift, double *restrict part)                         \
    {                                                                                              \
        memset(part, 0, cols * sizeof *part);                                                      \
        for (size_t i = 0; i < b; i++) {                                                           \
            const elem *restrict row = src + i * cols;                                             \
            double *restrict out = dst + i * cols;                                                 \
            for (size_t j = 0; j < cols; j++) {                                                    \
                double v = (double)row[j] - shift[j];                                              \
                out[j] = v;                                                                        \
                part[j] += v;                                                                      \
            }                                                                                      \
        }                                                                                          \
    }
SHIFT_BLOCK(shift_block, double)
SHIFT_BLOCK(shift_block_f32, float)

static void gram_lane(void *arg, size_t lo, size_t hi)
{
    struct gram_job *g = arg;
    size_t p = g->cols;
    for (size_t l = lo; l < hi; l++) {
        double *buf = g->bufs + l * g->block * p, *sum = g->sums + l * p;
        double *part = g->sums + (g->lanes + l) * p, *gram = g->gram[l];
        memset(sum, 0, p * sizeof *sum);
        memset(gram, 0, p * p * sizeof *gram);
        size_t r1 = lane_start(g->rows, g->lanes, l + 1);
        for (size_t r0 = lane_start(g->rows, g->lanes, l); r0 < r1; r0 += g->block) {
            size_t b = r0 + g->block < r1 ? g->block : r1 - r0;
            if (g->xf)
                shift_block_f32(buf, g->xf + r0 * p, b, p, g->shift, part);
            else
                shift_block(buf, g->x + r0 * p, b, p, g->shift, part);
            /* Block sums added to the lane's: a short running sum each. */
            for (size_t j = 0; j < p; j++)
                sum[j] += part[j];
            cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)p, (int)b, 1.0, buf,
                        (int)p, 1.0, gram, (int)p);
        }
    }
}

/* lt_gram_centred of X, or of XF when X is NULL. */
static int gram_centred(const double *x, const float *xf, size_t rows, size_t cols, int threads,
                        double *mean, double *out)
{
    if (!lt_linalg_fits(rows, cols) || !lt_linalg_fits(cols, cols))
        return LT_LA_ETOOBIG;
    size_t p = cols, lanes = lane_count(rows, threads);
    size_t block = lt_block_rows(p), per_lane = rows / lanes + 1;
    if (block > per_lane)
        block = per_lane;
    struct gram_job g = {.x = x, .xf = xf, .rows = rows, .cols = p, .lanes = lanes, .block = block};
    double *shift = malloc(p * sizeof *shift + 1);
    g.bufs = malloc(lanes * block * p * sizeof *g.bufs + 1);
    g.sums = malloc(2 * lanes * p * sizeof *g.sums + 1);
    /* Lane 0 accumulates into OUT itself, the others into MORE. */
    double *more = lanes > 1 ? malloc((lanes - 1) * p * p * sizeof *more) : NULL;
    int status = shift && g.bufs && g.sums && (lanes == 1 || more) ? LT_LA_OK : LT_LA_ENOMEM;
    if (status == LT_LA_OK) {
        g.gram[0] = out;
        for (size_t l = 1; l < lanes; l++)
            g.gram[l] = more + (l - 1) * p * p;
        size_t first = rows < SHIFT_ROWS ? rows : SHIFT_ROWS;
        if (xf) /* the first rows widened into the first lane's buffer */
            lt_widen_centre(g.bufs, xf, first, p, NULL);
        lt_col_means(xf ? g.bufs : x, first, p, shift);
        g.shift = shift;
        run_lanes(lanes, gram_lane, &g);
        /* The lanes' sums and matrices, added in lane order. */
        for (size_t l = 1; l < lanes; l++) {
            for (size_t j = 0; j < p; j++)
                g.sums[j] += g.sums[l * p + j];
            for (size_t i = 0; i < p; i++)
                for (size_t j = i; j < p; j++)
                    out[i * p + j] += g.gram[l][i * p + j];
        }
        /* d = mean - shift; the scatter about the mean is the scatter about
         * the shift less rows d d^T. */
        double *d = g.sums;
        for (size_t j = 0; j < p; j++) {
            d[j] /= (double)rows;
            mean[j] = shift[j] + d[j];
        }
        for (size_t i = 0; i < p; i++)
            for (size_t j = i; j < p; j++) {
                out[i * p + j] -= (double)rows * d[i] * d[j];
                out[j * p + i] = out[i * p + j];
            }
    }
    free(shift);
    free(g.bufs);
    free(g.sums);
    free(more);
    return status;
}

int lt_gram_centred(const double *x, size_t rows, size_t cols, int threads, double *mean,
                    double *out)
{
    return gram_centred(x, NULL, rows, cols, threads, mean, out);
}

int lt_gram_centred_f32(const float *x, size_t rows, size_t cols, int threads, double *mean,
                        double *out)
{
    return gram_centred(NULL, x, rows, cols, threads, mean, out);
}

struct project_job {
    const double *x, *mean, *v; /* x NULL: the rows are float32, xf */
    const float *xf;
    size_t rows, cols, k, lanes, block;
    bool uncentred;      /* float64 rows only: float32 ones are centred as widened */
    double *bufs;        /* centred: lanes x block x cols */
    const double *mv;    /* uncentred: mean V^T (k) */
    double *out;
};

/* dst = src - mean for b rows (src and dst apart, unlike lt_center, which
 * lets the loop vectorise). Float32 rows: lt_widen_centre. */
static void centre_block(double *restrict dst, const double *restrict src, size_t b, size_t cols,
                         const double *restrict mean)
{
    for (size_t i = 0; i < b; i++)
        for (size_t j = 0; j < cols; j++)
            dst[i * cols + j] = src[i * cols + j] - mean[j];
}

static void project_lane(void *arg, size_t lo, size_t hi)
{
    struct project_job *j = arg;
    size_t p = j->cols, k = j->k;
    for (size_t l = lo; l < hi; l++) {
        size_t r0 = lane_start(j->rows, j->lanes, l), r1 = lane_start(j->rows, j->lanes, l + 1);
        if (j->uncentred) {
            lt_gemm(false, true, r1 - r0, k, p, 1.0, j->x + r0 * p, j->v, 0.0, j->out + r0 * k);
            for (size_t i = r0; i < r1; i++)
                for (size_t c = 0; c < k; c++)
                    j->out[i * k + c] -= j->mv[c];
            continue;
        }
        double *buf = j->bufs + l * j->block * p;
        for (size_t b0 = r0; b0 < r1; b0 += j->block) {
            size_t b = b0 + j->block < r1 ? j->block : r1 - b0;
            if (j->xf)
                lt_widen_centre(buf, j->xf + b0 * p, b, p, j->mean);
            else
                centre_block(buf, j->x + b0 * p, b, p, j->mean);
            lt_gemm(false, true, b, k, p, 1.0, buf, j->v, 0.0, j->out + b0 * k);
        }
    }
}

/* lt_gram_project of X, or of XF when X is NULL. */
static int gram_project(const double *x, const float *xf, size_t rows, size_t cols,
                        const double *mean, const double *v, size_t k, bool uncentred, int threads,
                        double *out)
{
    if (!lt_linalg_fits(rows, cols) || !lt_linalg_fits(k, cols))
        return LT_LA_ETOOBIG;
    if (rows == 0 || k == 0)
        return LT_LA_OK;
    size_t p = cols, lanes = lane_count(rows, threads);
    /* Rows widened into a buffer anyway are centred on the way, for free. */
    uncentred = uncentred && !xf;
    struct project_job j = {.x = x, .xf = xf, .mean = mean, .v = v, .rows = rows, .cols = p, .k = k,
                            .lanes = lanes, .block = narrow_block(rows, lanes, p),
                            .uncentred = uncentred, .out = out};
    double *mv = NULL;
    if (uncentred)
        j.mv = mv = malloc(k * sizeof *mv);
    else
        j.bufs = malloc(lanes * j.block * p * sizeof *j.bufs);
    if (uncentred ? !mv : !j.bufs)
        return LT_LA_ENOMEM;
    if (uncentred)
        lt_gemm(false, true, 1, k, p, 1.0, mean, v, 0.0, mv);
    run_lanes(lanes, project_lane, &j);
    free(mv);
    free(j.bufs);
    return LT_LA_OK;
}

int lt_gram_project(const double *x, size_t rows, size_t cols, const double *mean,
                    const double *v, size_t k, bool uncentred, int threads, double *out)
{
    return gram_project(x, NULL, rows, cols, mean, v, k, uncentred, threads, out);
}

int lt_gram_project_f32(const float *x, size_t rows, size_t cols, const double *mean,
                        const double *v, size_t k, bool uncentred, int threads, double *out)
{
    return gram_project(NULL, x, rows, cols, mean, v, k, uncentred, threads, out);
}

/* X q and X^T y of float32 rows, lane by lane, a widened block at a time. */
struct times_job {
    const float *x;
    const double *q; /* cols x c (X q) or rows x c (X^T y) */
    size_t rows, cols, c, lanes, block;
    bool transposed; /* X^T y */
    double *bufs;    /* lanes x block x cols */
    double *parts;   /* X^T y: lanes - 1 results (cols x c) beside OUT */
    double *out;
};

static void times_lane(void *arg, size_t lo, size_t hi)
{
    struct times_job *j = arg;
    size_t p = j->cols, c = j->c;
    for (size_t l = lo; l < hi; l++) {
        double *buf = j->bufs + l * j->block * p;
        double *sum = l ? j->parts + (l - 1) * p * c : j->out;
        size_t r0 = lane_start(j->rows, j->lanes, l), r1 = lane_start(j->rows, j->lanes, l + 1);
        for (size_t b0 = r0; b0 < r1; b0 += j->block) {
            size_t b = b0 + j->block < r1 ? j->block : r1 - b0;
            lt_widen_centre(buf, j->x + b0 * p, b, p, NULL);
            if (j->transposed)
                lt_gemm(true, false, p, c, b, 1.0, buf, j->q + b0 * c, b0 == r0 ? 0.0 : 1.0, sum);
            else
                lt_gemm(false, false, b, c, p, 1.0, buf, j->q, 0.0, j->out + b0 * c);
        }
        if (j->transposed && r0 == r1)
            memset(sum, 0, p * c * sizeof *sum);
    }
}

static int times_f32(const float *x, size_t rows, size_t cols, const double *q, size_t c,
                     bool transposed, int threads, double *out)
{
    if (!lt_linalg_fits(rows, cols) || !lt_linalg_fits(cols, c) || !lt_linalg_fits(rows, c))
        return LT_LA_ETOOBIG;
    size_t p = cols, lanes = lane_count(rows, threads);
    if (rows == 0 || c == 0) {
        if (transposed)
            memset(out, 0, p * c * sizeof *out);
        return LT_LA_OK;
    }
    struct times_job j = {.x = x, .q = q, .rows = rows, .cols = p, .c = c, .lanes = lanes,
                          .block = narrow_block(rows, lanes, p), .transposed = transposed,
                          .out = out};
    j.bufs = malloc(lanes * j.block * p * sizeof *j.bufs);
    if (transposed && lanes > 1)
        j.parts = malloc((lanes - 1) * p * c * sizeof *j.parts);
    if (!j.bufs || (transposed && lanes > 1 && !j.parts)) {
        free(j.bufs);
        free(j.parts);
        return LT_LA_ENOMEM;
    }
    run_lanes(lanes, times_lane, &j);
    /* The lanes' parts of X^T y, added in lane order. */
    for (size_t l = 1; transposed && l < lanes; l++)
        for (size_t i = 0; i < p * c; i++)
            out[i] += j.parts[(l - 1) * p * c + i];
    free(j.bufs);
    free(j.parts);
    return LT_LA_OK;
}

int lt_gram_times_f32(const float *x, size_t rows, size_t cols, const double *q, size_t c,
                      int threads, double *out)
{
    return times_f32(x, rows, cols, q, c, false, threads, out);
}

int lt_gram_tr_times_f32(const float *x, size_t rows, size_t cols, const double *y, size_t c,
                         int threads, double *out)
{
    return times_f32(x, rows, cols, y, c, true, threads, out);
}
