/* t-SNE's gradient with the repulsion interpolated onto a grid and
 * convolved by FFT (Linderman et al. 2019, "Fast interpolation-based
 * t-SNE"; FIt-SNE and openTSNE's method "fft"), in 1 or 2 dimensions.
 *
 * The square [lo, hi]^dim around the embedding is cut into B boxes per
 * axis, B = max(50, hi - lo) rounded up to a number with no prime factor
 * above 5 (one box per unit of embedding length: the kernel varies on that
 * scale), each with 3 equispaced Lagrange nodes per axis, so N = 3 B
 * equispaced nodes per axis. A point's charge is spread onto the 3^dim
 * nodes of its box with the Lagrange weights of its position; the node
 * potentials sum_m K(x_n - x_m) c_m are a discrete convolution, done as a
 * circular one of size 2 N per axis by FFTW; a point's potential is the
 * same weighted sum of its box's node potentials. With w = 1 / (1 + d^2):
 *
 *   Z      = sum_i (sum_j w_ij - s_i)        (kernel w, charge 1)
 *   rep_i  = y_i sum_j w_ij^2 - sum_j w_ij^2 y_j   (kernel w^2, charges 1, y)
 *
 * where s_i is point i's own term as the grid interpolates it (gather), and
 * so 1 + dim charges and 2 + dim convolutions per gradient. Coordinates are
 * taken from the centre of the square to keep the cancellation in rep_i
 * small. The attraction over P's entries and the KL divergence are as in
 * Barnes-Hut (tsne_grad.c). Each charge's grid scatter runs in point
 * order in one task, FFTW plans are FFTW_ESTIMATE (deterministic), and
 * per-point work lands in arrays summed in index order: the same result for
 * any thread count. NODES = 4 (4/3 the nodes per axis) brings the 5000 x 30
 * bench's KL within 0.5% of scikit-learn's at 1.85 times the time
 * (bench/RESULTS.md); 3 is FIt-SNE's and openTSNE's default. */
#include <fftw3.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "math/tsne.h"
#include "math/tsne_attract.h"
#include "math/tsne_walk.h"

enum { NODES = 3, MIN_BOXES = 50, MAX_DIM = 2, TASKS = 2 + MAX_DIM };

/* The grids and their transforms are single precision: FFTW's float
 * kernels do twice the work per instruction on half the memory traffic,
 * and float's rounding (1e-7 of the largest potential) is far below the
 * interpolation's own error (1e-3 to 1e-2 of the force at unit boxes).
 * Points, weights and the sums over them stay double. */
struct lt_tsne_fft {
    size_t n, dim;
    double *neg;     /* n x dim: interpolated sum_j w_ij^2 (y_i - y_j) */
    double *zrow;    /* n: interpolated sum_{j != i} w_ij */
    double *pos;     /* n x dim: the attraction along P's rows */
    double *kl;      /* n: error terms of each row of P */
    lt_tsne_bh_kernel attract; /* the attraction's 2-D kernel */
    double *wts;     /* n x dim x NODES: Lagrange weights of each point */
    size_t *base;    /* n x dim: first node of each point's box per axis */
    /* w at node offsets (a, b) h, a, b < NODES: the self-interaction's
     * interpolation (see gather). */
    double near[NODES][NODES];
    double *yc;      /* n x dim: coordinates from the square's centre */
    /* The grid of the current size (rebuilt when the box count changes). */
    size_t nodes;    /* N per axis */
    size_t m;        /* 2 N: the circular transform's length per axis */
    size_t total;    /* m^dim real values */
    size_t ctotal;   /* their spectrum's complex values */
    /* Charges on the padded grid (N rows of m in 2-D, only the N x N
     * corner ever nonzero: the padding is zeroed once, and r2c out of place
     * leaves its input alone), and the potentials' padded grids. */
    float *grid[1 + MAX_DIM];
    float *out[TASKS];
    fftwf_complex *cwork[TASKS];
    fftwf_complex *charge[1 + MAX_DIM];  /* spectra of the charges */
    /* The kernels are even along each axis, so their spectra are real: a
     * DCT-I of the (N + 1)^dim quadrant, done as real transforms of the
     * even extensions, N + 1 rows then N + 1 columns (FFTW's own REDFT00
     * took three times as long). Each of the two kernels has its
     * extensions (kext: (N + 1) x m reals) and their spectra (kspec). */
    float *kext[2];
    fftwf_complex *kspec[2];
    float *kern[2];                      /* ctotal: spectra of w and w^2 */
    /* 1-D: fwd and inv are the whole transforms. 2-D: the padded grids are
     * zero beyond row N (charges) or wanted only up to row N (potentials),
     * so the transforms are split into N row transforms (fwd, inv) and
     * m / 2 + 1 column transforms (cols_fwd, cols_inv, in place). The
     * spectra are stored transposed, frequency along the rows major, so
     * that each column transform runs over contiguous memory (strided
     * columns cost FFTW twice as much). */
    fftwf_plan fwd, inv, even, cols_fwd, cols_inv; /* even: kext's rows */
};

lt_tsne_fft *lt_tsne_fft_new(size_t n, size_t dim)
{
    if (dim < 1 || dim > MAX_DIM)
        return NULL;
    lt_tsne_fft *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->n = n;
    f->dim = dim;
    size_t m = n ? n : 1;
    f->neg = malloc(m * dim * sizeof *f->neg);
    f->zrow = malloc(m * sizeof *f->zrow);
    f->pos = malloc(m * dim * sizeof *f->pos);
    f->kl = malloc(m * sizeof *f->kl);
    f->attract = lt_bh_walk_best();
    f->wts = malloc(m * dim * NODES * sizeof *f->wts);
    f->base = malloc(m * dim * sizeof *f->base);
    f->yc = malloc(m * dim * sizeof *f->yc);
    if (!f->neg || !f->zrow || !f->pos || !f->kl || !f->wts || !f->base || !f->yc) {
        lt_tsne_fft_free(f);
        return NULL;
    }
    return f;
}

static void free_grid(lt_tsne_fft *f)
{
    fftwf_plan *plans[] = {&f->fwd, &f->inv, &f->even, &f->cols_fwd, &f->cols_inv};
    for (size_t k = 0; k < sizeof plans / sizeof *plans; k++) {
        if (*plans[k])
            fftwf_destroy_plan(*plans[k]);
        *plans[k] = NULL;
    }
    for (int k = 0; k < 2; k++) {
        fftwf_free(f->kext[k]);
        fftwf_free(f->kspec[k]);
    }
    for (int t = 0; t < TASKS; t++) {
        fftwf_free(f->out[t]);
        fftwf_free(f->cwork[t]);
    }
    for (int c = 0; c < 1 + MAX_DIM; c++) {
        fftwf_free(f->grid[c]);
        fftwf_free(f->charge[c]);
    }
    fftwf_free(f->kern[0]);
    fftwf_free(f->kern[1]);
    memset(f->kext, 0, sizeof f->kext);
    memset(f->kspec, 0, sizeof f->kspec);
    memset(f->out, 0, sizeof f->out);
    memset(f->cwork, 0, sizeof f->cwork);
    memset(f->grid, 0, sizeof f->grid);
    memset(f->charge, 0, sizeof f->charge);
    memset(f->kern, 0, sizeof f->kern);
    f->nodes = f->m = 0;
}

void lt_tsne_fft_free(lt_tsne_fft *f)
{
    if (!f)
        return;
    free_grid(f);
    free(f->neg);
    free(f->zrow);
    free(f->pos);
    free(f->kl);
    free(f->wts);
    free(f->base);
    free(f->yc);
    free(f);
}

/* The buffers and plans of a grid of B boxes per axis; false when out of
 * memory (the grid is then empty). Plans are FFTW_ESTIMATE: chosen without
 * timing, so the same on every run (FFTW_MEASURE's choice, and with it the
 * last bits of every result, would depend on the machine's load). */
static bool make_grid(lt_tsne_fft *f, size_t boxes)
{
    size_t nodes = boxes * NODES;
    if (nodes == f->nodes)
        return true;
    free_grid(f);
    size_t m = 2 * nodes, dim = f->dim, half = m / 2 + 1;
    size_t rows = dim == 1 ? 1 : nodes; /* rows of the padded grids kept */
    size_t ctotal = dim == 1 ? half : m * half;
    bool ok = true;
    for (size_t c = 0; c < 1 + dim; c++) {
        ok = (f->grid[c] = fftwf_malloc(rows * m * sizeof(float))) && ok;
        ok = (f->charge[c] = fftwf_malloc(ctotal * sizeof(fftwf_complex))) && ok;
    }
    for (size_t t = 0; t < 2 + dim; t++) {
        ok = (f->out[t] = fftwf_malloc(rows * m * sizeof(float))) && ok;
        ok = (f->cwork[t] = fftwf_malloc(ctotal * sizeof(fftwf_complex))) && ok;
    }
    for (int k = 0; k < 2; k++)
        ok = (f->kern[k] = fftwf_malloc(ctotal * sizeof(float))) && ok;
    size_t krows = dim == 1 ? 1 : nodes + 1;
    for (int k = 0; k < 2; k++) {
        ok = (f->kext[k] = fftwf_malloc(krows * m * sizeof(float))) && ok;
        ok = (f->kspec[k] = fftwf_malloc(krows * half * sizeof(fftwf_complex))) && ok;
    }
    if (ok) {
        for (size_t c = 0; c < 1 + dim; c++)
            memset(f->grid[c], 0, rows * m * sizeof(float));
        int len = (int)m, hm = (int)half, r = (int)rows, im = (int)m;
        if (dim == 1) {
            f->fwd = fftwf_plan_dft_r2c_1d(len, f->grid[0], f->charge[0], FFTW_ESTIMATE);
            f->inv = fftwf_plan_dft_c2r_1d(len, f->cwork[0], f->out[0], FFTW_ESTIMATE);
        } else {
            /* Row i's frequency k lands at k m + i (transposed). */
            f->fwd = fftwf_plan_many_dft_r2c(1, &len, r, f->grid[0], NULL, 1, im,
                                             f->charge[0], NULL, im, 1, FFTW_ESTIMATE);
            f->inv = fftwf_plan_many_dft_c2r(1, &len, r, f->cwork[0], NULL, im, 1,
                                             f->out[0], NULL, 1, im, FFTW_ESTIMATE);
            f->cols_fwd = fftwf_plan_many_dft(1, &len, hm, f->charge[0], NULL, 1, im,
                                              f->charge[0], NULL, 1, im, FFTW_FORWARD,
                                              FFTW_ESTIMATE);
            f->cols_inv = fftwf_plan_many_dft(1, &len, hm, f->cwork[0], NULL, 1, im,
                                              f->cwork[0], NULL, 1, im, FFTW_BACKWARD,
                                              FFTW_ESTIMATE);
        }
        f->even = fftwf_plan_many_dft_r2c(1, &len, (int)krows, f->kext[0], NULL, 1, im,
                                          f->kspec[0], NULL, 1, hm, FFTW_ESTIMATE);
        ok = f->fwd && f->inv && f->even && (dim == 1 || (f->cols_fwd && f->cols_inv));
    }
    if (!ok) {
        free_grid(f);
        return false;
    }
    f->nodes = nodes;
    f->m = m;
    f->total = dim == 1 ? m : m * m;
    f->ctotal = ctotal;
    return true;
}

/* The smallest number >= b with no prime factor above 5: FFTW is fastest
 * on such lengths. */
static size_t smooth(size_t b)
{
    for (;; b++) {
        size_t r = b;
        while (r % 2 == 0)
            r /= 2;
        while (r % 3 == 0)
            r /= 3;
        while (r % 5 == 0)
            r /= 5;
        if (r == 1)
            return b;
    }
}

/* Lagrange weights at local position t in [0, 1] of the nodes at
 * (k + 1/2) / NODES. */
static void lagrange(double t, double *w)
{
    for (int k = 0; k < NODES; k++) {
        double v = 1;
        for (int l = 0; l < NODES; l++)
            if (l != k)
                v *= (t * NODES - 0.5 - l) / (double)(k - l);
        w[k] = v;
    }
}

/* The spectrum of kernel w^power sampled at the circular offsets of node
 * spacing h, divided by the transform's length (FFTW does not normalise),
 * laid out as the charges' spectra (transposed in 2-D: row frequency k
 * major, column frequency u minor). Offset index u of the circle stands
 * for min(u, m - u) nodes; u = N is never reached by two nodes of the
 * grid, and its value keeps the kernel even. The transform of an even
 * sequence of length m is real and even, and its first N + 1 values are
 * the DCT-I of the sequence's first N + 1: pass one transforms the even
 * rows, pass two the even columns of pass one's result. */
static void kernel_spectrum(lt_tsne_fft *f, double h, int power, float *ext,
                            fftwf_complex *spec, float *spectrum)
{
    size_t nodes = f->nodes, q = nodes + 1, m = f->m, half = m / 2 + 1;
    double scale = 1.0 / (double)f->total;
    size_t rows = f->dim == 1 ? 1 : q;
    for (size_t a = 0; a < rows; a++) {
        float *row = ext + a * m;
        for (size_t b = 0; b < q; b++) {
            double d2 = ((double)a * (double)a + (double)b * (double)b) * h * h;
            double w = 1.0 / (1.0 + d2);
            row[b] = (float)((power == 1 ? w : w * w) * scale);
        }
        for (size_t b = q; b < m; b++)
            row[b] = row[m - b];
    }
    fftwf_execute_dft_r2c(f->even, ext, spec);
    if (f->dim == 1) {
        for (size_t u = 0; u < half; u++)
            spectrum[u] = spec[u][0];
        return;
    }
    /* Row k of pass two: column k of pass one, extended evenly. */
    for (size_t k = 0; k < q; k++) {
        float *row = ext + k * m;
        for (size_t a = 0; a < q; a++)
            row[a] = spec[a * half + k][0];
        for (size_t a = q; a < m; a++)
            row[a] = row[m - a];
    }
    fftwf_execute_dft_r2c(f->even, ext, spec);
    for (size_t k = 0; k < q; k++) {
        const fftwf_complex *src = spec + k * half;
        float *dst = spectrum + k * m;
        for (size_t u = 0; u <= nodes; u++)
            dst[u] = src[u][0];
        for (size_t u = nodes + 1; u < m; u++)
            dst[u] = src[m - u][0];
    }
}

/* Spreads charge c (0: 1, else coordinate c - 1) onto its padded grid and
 * transforms it. */
static void charge_spectrum(lt_tsne_fft *f, size_t c)
{
    size_t dim = f->dim, m = f->m, nodes = f->nodes;
    float *real = f->grid[c];
    /* Only the N x N corner is ever nonzero. */
    for (size_t a = 0; a < (dim == 1 ? 1 : nodes); a++)
        memset(real + a * m, 0, nodes * sizeof *real);
    for (size_t i = 0; i < f->n; i++) {
        double q = c == 0 ? 1.0 : f->yc[i * dim + c - 1];
        const double *w = f->wts + i * dim * NODES;
        const size_t *b = f->base + i * dim;
        if (dim == 1) {
            for (int k = 0; k < NODES; k++)
                real[b[0] + (size_t)k] += (float)(w[k] * q);
            continue;
        }
        for (int k = 0; k < NODES; k++) {
            float *row = real + (b[0] + (size_t)k) * m + b[1];
            double wq = w[k] * q;
            for (int l = 0; l < NODES; l++)
                row[l] += (float)(wq * w[NODES + l]);
        }
    }
    fftwf_complex *out = f->charge[c];
    fftwf_execute_dft_r2c(f->fwd, real, out);
    if (dim == 2) {
        /* Rows N.. of the padded grid are zero: so is their part of each
         * column before the column transforms. */
        for (size_t k = 0; k < m / 2 + 1; k++)
            memset(out + k * m + nodes, 0, (m - nodes) * sizeof *out);
        fftwf_execute_dft(f->cols_fwd, out, out);
    }
}

/* Node potentials of convolution t: kernel K times charge C, into f->out[t]
 * (the first N of each padded row). */
static void convolve(lt_tsne_fft *f, const float *k, const fftwf_complex *c, size_t t)
{
    fftwf_complex *cwork = f->cwork[t];
    for (size_t e = 0; e < f->ctotal; e++) {
        cwork[e][0] = k[e] * c[e][0];
        cwork[e][1] = k[e] * c[e][1];
    }
    if (f->dim == 2)
        fftwf_execute_dft(f->cols_inv, cwork, cwork);
    fftwf_execute_dft_c2r(f->inv, cwork, f->out[t]);
}

/* Positions: the box and Lagrange weights of each point. */
struct place_job {
    lt_tsne_fft *f;
    const double *y;
    double lo, centre, box;
    size_t boxes;
};

static void place(void *arg, size_t begin, size_t end)
{
    const struct place_job *job = arg;
    lt_tsne_fft *f = job->f;
    size_t dim = f->dim;
    for (size_t i = begin; i < end; i++)
        for (size_t k = 0; k < dim; k++) {
            double v = job->y[i * dim + k];
            double s = (v - job->lo) / job->box;
            size_t b = s <= 0 ? 0 : (size_t)s;
            if (b >= job->boxes)
                b = job->boxes - 1;
            lagrange(s - (double)b, f->wts + (i * dim + k) * NODES);
            f->base[i * dim + k] = b * NODES;
            f->yc[i * dim + k] = v - job->centre;
        }
}

/* Gathers the node potentials back to the points: Z's row terms and the
 * repulsion. */
static void gather(void *arg, size_t begin, size_t end)
{
    lt_tsne_fft *f = arg;
    size_t dim = f->dim, m = f->m;
    for (size_t i = begin; i < end; i++) {
        const double *w = f->wts + i * dim * NODES;
        const size_t *b = f->base + i * dim;
        double phi[2 + MAX_DIM] = {0};
        for (size_t v = 0; v < 2 + dim; v++) {
            const float *pot = f->out[v];
            double s = 0;
            if (dim == 1) {
                for (int k = 0; k < NODES; k++)
                    s += w[k] * pot[b[0] + (size_t)k];
            } else {
                for (int k = 0; k < NODES; k++) {
                    const float *row = pot + (b[0] + (size_t)k) * m + b[1];
                    double r = 0;
                    for (int l = 0; l < NODES; l++)
                        r += w[NODES + l] * row[l];
                    s += w[k] * r;
                }
            }
            phi[v] = s;
        }
        /* Less the point's own term, as interpolated: sum over node pairs
         * (a, b) of its box of L_a(y_i) w(x_a - x_b) L_b(y_i), not w_ii = 1.
         * The interpolation errs most at distance 0, and always the same
         * way there, so subtracting 1 would leave n copies of that error in
         * Z (a few percent of Z at unit boxes); the pairs' errors mostly
         * cancel. (In the repulsion the self term is y_i phi_1 - phi_2's
         * own part, zero as interpolated.) Pairs of nodes at offset d per
         * axis weigh sum_{|k - l| = d} L_k L_l. */
        double pair[MAX_DIM][NODES];
        for (size_t k = 0; k < dim; k++) {
            const double *l = w + k * NODES;
            for (int d = 0; d < NODES; d++) {
                double v = 0;
                for (int a = 0; a + d < NODES; a++)
                    v += l[a] * l[a + d];
                pair[k][d] = d ? 2 * v : v;
            }
        }
        double own = 0;
        for (int a = 0; a < NODES; a++) {
            if (dim == 1) {
                own += pair[0][a] * f->near[a][0];
                continue;
            }
            for (int b = 0; b < NODES; b++)
                own += pair[0][a] * pair[1][b] * f->near[a][b];
        }
        f->zrow[i] = phi[0] - own;
        for (size_t k = 0; k < dim; k++)
            f->neg[i * dim + k] = f->yc[i * dim + k] * phi[1] - phi[2 + k];
    }
}

/* The transforms are independent tasks, each on its own scratch with the
 * shared plans (FFTW's new-array execute is thread-safe): which thread runs
 * one changes nothing in its result. */
struct transform_job {
    lt_tsne_fft *f;
    double h;
};

/* Tasks 0, 1: the spectra of w and w^2; 2 + c: that of charge c. */
static void spectra(void *arg, size_t begin, size_t end)
{
    const struct transform_job *job = arg;
    lt_tsne_fft *f = job->f;
    for (size_t t = begin; t < end; t++) {
        if (t < 2)
            kernel_spectrum(f, job->h, (int)t + 1, f->kext[t], f->kspec[t], f->kern[t]);
        else
            charge_spectrum(f, t - 2);
    }
}

/* Task 0: w * charge 1 (Z); 1 + c: w^2 * charge c (the repulsion). */
static void potentials(void *arg, size_t begin, size_t end)
{
    lt_tsne_fft *f = arg;
    for (size_t t = begin; t < end; t++)
        convolve(f, f->kern[t ? 1 : 0], f->charge[t ? t - 1 : 0], t);
}

double lt_tsne_repulsion_fft(lt_tsne_fft *f, const double *y, lt_pool *pool,
                             double *neg)
{
    size_t n = f->n, dim = f->dim;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t e = 0; e < n * dim; e++) {
        lo = fmin(lo, y[e]);
        hi = fmax(hi, y[e]);
    }
    double span = hi - lo;
    if (!(span > 0))
        span = 1e-12; /* all points on one spot: any box will do */
    /* One box per unit of length, at least MIN_BOXES (openTSNE's
     * ints_in_interval 1 and min_num_intervals 50). */
    size_t boxes = span > MIN_BOXES ? (size_t)ceil(span) : MIN_BOXES;
    boxes = smooth(boxes);
    if (!make_grid(f, boxes))
        return NAN;
    struct place_job job = {.f = f, .y = y, .lo = lo, .centre = lo + span / 2,
                            .box = span / (double)boxes, .boxes = boxes};
    lt_pool_for(pool, n, 0, place, &job);
    struct transform_job tj = {.f = f, .h = job.box / NODES};
    for (int a = 0; a < NODES; a++)
        for (int b = 0; b < NODES; b++)
            f->near[a][b] = 1.0 / (1.0 + (double)(a * a + b * b) * tj.h * tj.h);
    lt_pool_for(pool, 3 + dim, 1, spectra, &tj);
    lt_pool_for(pool, 2 + dim, 1, potentials, f);
    lt_pool_for(pool, n, 0, gather, f);
    double z = 0;
    for (size_t i = 0; i < n; i++)
        z += f->zrow[i];
    if (neg)
        memcpy(neg, f->neg, n * dim * sizeof *neg);
    return z;
}

struct attract_job {
    lt_tsne_fft *f;
    const lt_tsne_sparse *p;
    const double *y;
    double z;
};

static void attract(void *arg, size_t begin, size_t end)
{
    const struct attract_job *job = arg;
    lt_tsne_attract(job->f->attract, job->p, job->y, job->f->dim, begin, end, job->f->pos);
}

static void row_errors(void *arg, size_t begin, size_t end)
{
    const struct attract_job *job = arg;
    lt_tsne_attract_error(job->p, job->y, job->f->dim, job->z, begin, end, job->f->kl);
}

double lt_tsne_gradient_fft(lt_tsne_fft *f, const lt_tsne_sparse *p, const double *y,
                            bool want_error, lt_pool *pool, double *grad, bool *ok)
{
    double z = lt_tsne_repulsion_fft(f, y, pool, NULL);
    *ok = !isnan(z);
    if (!*ok)
        return NAN;
    /* The total force, c = 4 for one degree of freedom. */
    struct attract_job job = {.f = f, .p = p, .y = y, .z = z};
    lt_pool_for(pool, lt_tsne_attract_units(p, f->dim, f->attract), 0, attract, &job);
    for (size_t i = 0; i < f->n * f->dim; i++)
        grad[i] = 4.0 * (f->pos[i] - f->neg[i] / z);
    if (!want_error)
        return NAN;
    lt_pool_for(pool, f->n, 0, row_errors, &job);
    double kl = 0;
    for (size_t i = 0; i < f->n; i++)
        kl += f->kl[i];
    return kl;
}
