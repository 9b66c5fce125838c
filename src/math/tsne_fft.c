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
 *   Z      = sum_i (sum_j w_ij) - n          (kernel w, charge 1)
 *   rep_i  = y_i sum_j w_ij^2 - sum_j w_ij^2 y_j   (kernel w^2, charges 1, y)
 *
 * so 1 + dim charges and 2 + dim convolutions per gradient. Coordinates are
 * taken from the centre of the square to keep the cancellation in rep_i
 * small. The attraction over P's entries and the KL divergence are as in
 * Barnes-Hut (tsne_grad.c). Each charge's grid scatter runs in point
 * order in one task, FFTW plans are FFTW_ESTIMATE (deterministic), and per-point work
 * lands in arrays summed in index order: the same result for any thread
 * count. */
#include <fftw3.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "math/tsne.h"

enum { NODES = 3, MIN_BOXES = 50, MAX_DIM = 2, TASKS = 2 + MAX_DIM };

/* The Barnes-Hut error's floor (tsne_grad.c). */
static const double TINY = 1.1754943508222875e-38;

struct lt_tsne_fft {
    size_t n, dim;
    double *neg;     /* n x dim: interpolated sum_j w_ij^2 (y_i - y_j) */
    double *zrow;    /* n: interpolated sum_{j != i} w_ij */
    double *kl;      /* n: error terms of each row of P */
    double *wts;     /* n x dim x NODES: Lagrange weights of each point */
    size_t *base;    /* n x dim: first node of each point's box per axis */
    double *yc;      /* n x dim: coordinates from the square's centre */
    /* The grid of the current size (rebuilt when the box count changes). */
    size_t nodes;    /* N per axis */
    size_t m;        /* 2 N: the circular transform's length per axis */
    size_t total;    /* m^dim real values */
    size_t ctotal;   /* their spectrum's complex values */
    /* Scratch of the transforms, one per concurrent task: TASKS real
     * arrays of total values and as many complex ones of ctotal. */
    double *real[TASKS];
    fftw_complex *cwork[2 + MAX_DIM];
    fftw_complex *charge[1 + MAX_DIM];   /* spectra of the charges */
    /* The kernels are even along each axis, so their spectra are real and
     * come from a DCT-I of the (N + 1)^dim quadrant: a quarter (in 2-D) of
     * the full transform. dct holds two pairs (in, out) of quadrants. */
    double *dct[4];
    double *kern[2];                     /* ctotal: spectra of w and w^2 */
    double *pot;     /* (2 + dim) x N^dim node potentials */
    /* 1-D: fwd and inv are the whole transforms. 2-D: the padded grids are
     * zero beyond row N (charges) or wanted only up to row N (potentials),
     * so the transforms are split into rows (fwd, inv: N rows) and columns
     * (cols_fwd, cols_inv: all m / 2 + 1, in place), a quarter less work. */
    fftw_plan fwd, inv, even, cols_fwd, cols_inv;
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
    f->kl = malloc(m * sizeof *f->kl);
    f->wts = malloc(m * dim * NODES * sizeof *f->wts);
    f->base = malloc(m * dim * sizeof *f->base);
    f->yc = malloc(m * dim * sizeof *f->yc);
    if (!f->neg || !f->zrow || !f->kl || !f->wts || !f->base || !f->yc) {
        lt_tsne_fft_free(f);
        return NULL;
    }
    return f;
}

static void free_grid(lt_tsne_fft *f)
{
    if (f->fwd)
        fftw_destroy_plan(f->fwd);
    if (f->inv)
        fftw_destroy_plan(f->inv);
    if (f->even)
        fftw_destroy_plan(f->even);
    if (f->cols_fwd)
        fftw_destroy_plan(f->cols_fwd);
    if (f->cols_inv)
        fftw_destroy_plan(f->cols_inv);
    f->fwd = f->inv = f->even = f->cols_fwd = f->cols_inv = NULL;
    for (int t = 0; t < 4; t++)
        fftw_free(f->dct[t]);
    memset(f->dct, 0, sizeof f->dct);
    for (int t = 0; t < TASKS; t++)
        fftw_free(f->real[t]);
    for (int t = 0; t < TASKS; t++)
        fftw_free(f->cwork[t]);
    for (int c = 0; c < 1 + MAX_DIM; c++)
        fftw_free(f->charge[c]);
    fftw_free(f->kern[0]);
    fftw_free(f->kern[1]);
    free(f->pot);
    memset(f->real, 0, sizeof f->real);
    memset(f->cwork, 0, sizeof f->cwork);
    memset(f->charge, 0, sizeof f->charge);
    memset(f->kern, 0, sizeof f->kern);
    f->pot = NULL;
    f->nodes = f->m = 0;
}

void lt_tsne_fft_free(lt_tsne_fft *f)
{
    if (!f)
        return;
    free_grid(f);
    free(f->neg);
    free(f->zrow);
    free(f->kl);
    free(f->wts);
    free(f->base);
    free(f->yc);
    free(f);
}

/* The buffers and plans of a grid of B boxes per axis; false when out of
 * memory (the grid is then empty). */
static bool make_grid(lt_tsne_fft *f, size_t boxes)
{
    size_t nodes = boxes * NODES;
    if (nodes == f->nodes)
        return true;
    free_grid(f);
    size_t m = 2 * nodes, dim = f->dim;
    size_t total = dim == 1 ? m : m * m;
    size_t ctotal = dim == 1 ? m / 2 + 1 : m * (m / 2 + 1);
    size_t grid = dim == 1 ? nodes : nodes * nodes;
    bool ok = true;
    for (size_t t = 0; t < 2 + dim; t++)
        ok = (f->real[t] = fftw_malloc(total * sizeof(double))) && ok;
    for (size_t t = 0; t < 2 + dim; t++)
        ok = (f->cwork[t] = fftw_malloc(ctotal * sizeof(fftw_complex))) && ok;
    for (size_t c = 0; c < 1 + dim; c++)
        ok = (f->charge[c] = fftw_malloc(ctotal * sizeof(fftw_complex))) && ok;
    for (int k = 0; k < 2; k++)
        ok = (f->kern[k] = fftw_malloc(ctotal * sizeof(double))) && ok;
    size_t quadrant = dim == 1 ? nodes + 1 : (nodes + 1) * (nodes + 1);
    for (int t = 0; t < 4; t++)
        ok = (f->dct[t] = fftw_malloc(quadrant * sizeof(double))) && ok;
    ok = (f->pot = malloc((2 + dim) * grid * sizeof *f->pot)) && ok;
    if (ok) {
        int len[2] = {(int)m, (int)m};
        if (dim == 1) {
            f->fwd = fftw_plan_dft_r2c(1, len, f->real[0], f->cwork[0], FFTW_ESTIMATE);
            f->inv = fftw_plan_dft_c2r(1, len, f->cwork[0], f->real[0], FFTW_ESTIMATE);
            f->cols_fwd = f->cols_inv = NULL;
        } else {
            int half = (int)m / 2 + 1, rows = (int)nodes;
            f->fwd = fftw_plan_many_dft_r2c(1, len, rows, f->real[0], NULL, 1, (int)m,
                                            f->cwork[0], NULL, 1, half, FFTW_ESTIMATE);
            f->inv = fftw_plan_many_dft_c2r(1, len, rows, f->cwork[0], NULL, 1, half,
                                            f->real[0], NULL, 1, (int)m, FFTW_ESTIMATE);
            f->cols_fwd = fftw_plan_many_dft(1, len, half, f->cwork[0], NULL, half, 1,
                                             f->cwork[0], NULL, half, 1, FFTW_FORWARD,
                                             FFTW_ESTIMATE);
            f->cols_inv = fftw_plan_many_dft(1, len, half, f->cwork[0], NULL, half, 1,
                                             f->cwork[0], NULL, half, 1, FFTW_BACKWARD,
                                             FFTW_ESTIMATE);
        }
        int half[2] = {(int)nodes + 1, (int)nodes + 1};
        fftw_r2r_kind kinds[2] = {FFTW_REDFT00, FFTW_REDFT00};
        f->even = fftw_plan_r2r((int)dim, half, f->dct[0], f->dct[1], kinds, FFTW_ESTIMATE);
        ok = f->fwd && f->inv && f->even && (dim == 1 || (f->cols_fwd && f->cols_inv));
    }
    if (!ok) {
        free_grid(f);
        return false;
    }
    f->nodes = nodes;
    f->m = m;
    f->total = total;
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
    static const double x[NODES] = {1.0 / 6, 3.0 / 6, 5.0 / 6};
    for (int k = 0; k < NODES; k++) {
        double v = 1;
        for (int l = 0; l < NODES; l++)
            if (l != k)
                v *= (t - x[l]) / (x[k] - x[l]);
        w[k] = v;
    }
}

/* The spectrum of kernel w^power sampled at the circular offsets of node
 * spacing h, divided by the transform's length (FFTW does not normalise),
 * laid out as the r2c spectra (m x (m/2 + 1), or m/2 + 1 in 1-D). Offset
 * index u of the circle stands for min(u, m - u) nodes; u = N is never
 * reached by two nodes of the grid, and its value keeps the kernel even. */
static void kernel_spectrum(lt_tsne_fft *f, double h, int power, double *in, double *out,
                            double *spectrum)
{
    size_t nodes = f->nodes, q = nodes + 1, half = f->m / 2 + 1;
    double scale = 1.0 / (double)f->total;
    for (size_t a = 0; a < (f->dim == 1 ? 1 : q); a++)
        for (size_t b = 0; b < q; b++) {
            double d2 = ((double)a * (double)a + (double)b * (double)b) * h * h;
            double w = 1.0 / (1.0 + d2);
            in[a * q + b] = (power == 1 ? w : w * w) * scale;
        }
    fftw_execute_r2r(f->even, in, out);
    if (f->dim == 1) {
        memcpy(spectrum, out, half * sizeof *spectrum);
        return;
    }
    for (size_t u = 0; u < f->m; u++) {
        size_t a = u <= nodes ? u : f->m - u;
        memcpy(spectrum + u * half, out + a * q, half * sizeof *spectrum);
    }
}

/* Spreads charge c (0: 1, else coordinate c - 1) onto the padded grid and
 * transforms it. */
static void charge_spectrum(lt_tsne_fft *f, size_t c, double *real)
{
    size_t dim = f->dim, m = f->m;
    /* Only the first N rows are ever nonzero (and transformed, in 2-D). */
    memset(real, 0, (dim == 1 ? m : f->nodes * m) * sizeof *real);
    for (size_t i = 0; i < f->n; i++) {
        double q = c == 0 ? 1.0 : f->yc[i * dim + c - 1];
        const double *w = f->wts + i * dim * NODES;
        const size_t *b = f->base + i * dim;
        if (dim == 1) {
            for (int k = 0; k < NODES; k++)
                real[b[0] + (size_t)k] += w[k] * q;
            continue;
        }
        for (int k = 0; k < NODES; k++) {
            double *row = real + (b[0] + (size_t)k) * m + b[1];
            double wq = w[k] * q;
            for (int l = 0; l < NODES; l++)
                row[l] += wq * w[NODES + l];
        }
    }
    fftw_complex *out = f->charge[c];
    fftw_execute_dft_r2c(f->fwd, real, out);
    if (dim == 2) {
        size_t half = m / 2 + 1;
        memset(out + f->nodes * half, 0, (m - f->nodes) * half * sizeof *out);
        fftw_execute_dft(f->cols_fwd, out, out);
    }
}

/* Node potentials of convolution v: kernel K times charge C, into pot. */
static void convolve(lt_tsne_fft *f, const double *k, const fftw_complex *c,
                     double *real, fftw_complex *cwork, double *pot)
{
    for (size_t e = 0; e < f->ctotal; e++) {
        cwork[e][0] = k[e] * c[e][0];
        cwork[e][1] = k[e] * c[e][1];
    }
    if (f->dim == 2)
        fftw_execute_dft(f->cols_inv, cwork, cwork);
    fftw_execute_dft_c2r(f->inv, cwork, real);
    size_t nodes = f->nodes, m = f->m;
    if (f->dim == 1) {
        memcpy(pot, real, nodes * sizeof *pot);
        return;
    }
    for (size_t a = 0; a < nodes; a++)
        memcpy(pot + a * nodes, real + a * m, nodes * sizeof *pot);
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
    size_t dim = f->dim, nodes = f->nodes, grid = dim == 1 ? nodes : nodes * nodes;
    for (size_t i = begin; i < end; i++) {
        const double *w = f->wts + i * dim * NODES;
        const size_t *b = f->base + i * dim;
        double phi[2 + MAX_DIM] = {0};
        for (size_t v = 0; v < 2 + dim; v++) {
            const double *pot = f->pot + v * grid;
            double s = 0;
            if (dim == 1) {
                for (int k = 0; k < NODES; k++)
                    s += w[k] * pot[b[0] + (size_t)k];
            } else {
                for (int k = 0; k < NODES; k++) {
                    const double *row = pot + (b[0] + (size_t)k) * nodes + b[1];
                    double r = 0;
                    for (int l = 0; l < NODES; l++)
                        r += w[NODES + l] * row[l];
                    s += w[k] * r;
                }
            }
            phi[v] = s;
        }
        f->zrow[i] = phi[0] - 1.0; /* less the point's own w_ii = 1 */
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
            kernel_spectrum(f, job->h, (int)t + 1, f->dct[2 * t], f->dct[2 * t + 1],
                            f->kern[t]);
        else
            charge_spectrum(f, t - 2, f->real[t - 2]);
    }
}

/* Task 0: w * charge 1 (Z); 1 + c: w^2 * charge c (the repulsion). */
static void potentials(void *arg, size_t begin, size_t end)
{
    const struct transform_job *job = arg;
    lt_tsne_fft *f = job->f;
    size_t grid = f->dim == 1 ? f->nodes : f->nodes * f->nodes;
    for (size_t t = begin; t < end; t++)
        convolve(f, f->kern[t ? 1 : 0], f->charge[t ? t - 1 : 0], f->real[t], f->cwork[t],
                 f->pot + t * grid);
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
    lt_pool_for(pool, 3 + dim, 1, spectra, &tj);
    lt_pool_for(pool, 2 + dim, 1, potentials, &tj);
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
    bool want_error;
    double *grad;
};

/* Attraction along each row of P, the total force (c = 4 for one degree of
 * freedom) and the error terms, as Barnes-Hut's. */
static void attract(void *arg, size_t begin, size_t end)
{
    const struct attract_job *job = arg;
    lt_tsne_fft *f = job->f;
    const lt_tsne_sparse *p = job->p;
    size_t dim = f->dim;
    for (size_t i = begin; i < end; i++) {
        const double *yi = job->y + i * dim;
        double pos[MAX_DIM] = {0}, kl = 0;
        for (size_t e = p->row[i]; e < p->row[i + 1]; e++) {
            const double *yj = job->y + (size_t)p->col[e] * dim;
            double delta[MAX_DIM], d2 = 0;
            for (size_t k = 0; k < dim; k++) {
                delta[k] = yi[k] - yj[k];
                d2 += delta[k] * delta[k];
            }
            double w = 1.0 / (1.0 + d2), pw = p->val[e] * w;
            for (size_t k = 0; k < dim; k++)
                pos[k] += pw * delta[k];
            if (job->want_error) {
                double pij = p->val[e], q = w / job->z;
                kl += pij * log((pij > TINY ? pij : TINY) / (q > TINY ? q : TINY));
            }
        }
        for (size_t k = 0; k < dim; k++)
            job->grad[i * dim + k] = 4.0 * (pos[k] - f->neg[i * dim + k] / job->z);
        f->kl[i] = kl;
    }
}

double lt_tsne_gradient_fft(lt_tsne_fft *f, const lt_tsne_sparse *p, const double *y,
                            bool want_error, lt_pool *pool, double *grad, bool *ok)
{
    double z = lt_tsne_repulsion_fft(f, y, pool, NULL);
    *ok = !isnan(z);
    if (!*ok)
        return NAN;
    struct attract_job job = {.f = f, .p = p, .y = y, .z = z, .want_error = want_error,
                              .grad = grad};
    lt_pool_for(pool, f->n, 0, attract, &job);
    if (!want_error)
        return NAN;
    double kl = 0;
    for (size_t i = 0; i < f->n; i++)
        kl += f->kl[i];
    return kl;
}
