/* Randomized PCA: the leading components from a random subspace sharpened
 * by power iterations (Halko, Martinsson and Tropp 2011, algorithms 4.3 and
 * 4.4), step for step as scikit-learn's randomized_svd computes it, so that
 * the same random_state gives the same test matrix and the same answer. */
#include "math/pca.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "math/gram.h"
#include "math/linalg.h"
#include "math/rng.h"

const char *lt_pca_normalizer_name(lt_pca_normalizer n)
{
    switch (n) {
    case LT_PCA_NORM_NONE: return "none";
    case LT_PCA_NORM_LU: return "LU";
    case LT_PCA_NORM_QR: return "QR";
    default: return "auto";
    }
}

/* The matrix the sketch is taken of: the centred data A = X - 1 mean^T
 * (n x p) or, when it is wide, its transpose, as scikit-learn decides.
 * Products go through BLAS's transpose flags, so A is never transposed in
 * memory; and when the data lie near the origin A is never formed either:
 * each product with X is corrected by a rank-one term for the mean (see
 * uncentred_ok in pca.c for why that costs no accuracy there). That saves
 * a copy of the data and a pass over it. */
typedef struct sketch_op {
    const double *x;    /* X, or the centred copy when mean is NULL */
    const float *xf;    /* or X as float32 rows (x NULL), widened as read:
                           tall data on one process only */
    const double *mean; /* p: subtract implicitly; NULL: x is centred */
    size_t n, p;        /* X is n x p */
    bool transposed;    /* M = A^T */
    size_t mr, mc;      /* M is mr x mc */
    /* Rows spread over processes (NULL: x holds all n): x holds rows
     * [first, first + rows). Every matrix with a row per sample (M q, or q
     * itself when M = A^T) is whole in every process all the same: it is
     * k + oversamples wide, small next to the data, and keeping it whole
     * lets the normalisations and the small SVD run unchanged, on the same
     * numbers everywhere. */
    const lt_pca_rows *spread;
    size_t rows, first;
} sketch_op;

/* A process that fails on its own, while the others may be on their way
 * into a collective, makes that collective fail for them too. STATUS is
 * returned. */
static int fail_others(const sketch_op *op, int status)
{
    if (op->spread && status != LT_PCA_OK)
        op->spread->sum(NULL, 0);
    return status;
}

/* out (n x c) = X q, q p x c: this process's rows, gathered in process
 * order when the rows are spread. */
static int x_times(const sketch_op *op, const double *q, size_t c, double *out)
{
    double *mine = out + op->first * c;
    if (op->xf)
        return lt_gram_times_f32(op->xf, op->rows, op->p, q, c, openblas_get_num_threads(), mine);
    int la = lt_gemm(false, false, op->rows, c, op->p, 1.0, op->x, q, 0.0, mine);
    if (!op->spread)
        return la;
    if (la != LT_LA_OK) {
        op->spread->sum(NULL, 0);
        return la;
    }
    double *all = NULL;
    size_t total = 0;
    if (op->spread->allgather(mine, op->rows, c, &all, &total) != 0)
        return LT_LA_ENOMEM;
    memcpy(out, all, op->n * c * sizeof *out);
    free(all);
    return LT_LA_OK;
}

/* out (p x c) = X^T y, y n x c: this process's rows' part, summed over
 * the processes when the rows are spread. */
static int xt_times(const sketch_op *op, const double *y, size_t c, double *out)
{
    if (op->xf)
        return lt_gram_tr_times_f32(op->xf, op->rows, op->p, y, c, openblas_get_num_threads(),
                                    out);
    int la = lt_gemm(true, false, op->p, c, op->rows, 1.0, op->x, y + op->first * c, 0.0, out);
    if (op->spread && op->spread->sum(la == LT_LA_OK ? out : NULL, op->p * c) != 0 &&
        la == LT_LA_OK)
        la = LT_LA_ENOMEM;
    return la;
}

/* v (c) = the column sums of the r x c matrix y. */
static void column_sums(const double *y, size_t r, size_t c, double *v)
{
    memset(v, 0, c * sizeof *v);
    for (size_t i = 0; i < r; i++)
        for (size_t j = 0; j < c; j++)
            v[j] += y[i * c + j];
}

/* out (r x c) -= u v^T; u NULL stands for a vector of ones. */
static void subtract_outer(double *out, size_t r, size_t c, const double *u, const double *v)
{
    for (size_t i = 0; i < r; i++) {
        double ui = u ? u[i] : 1.0;
        for (size_t j = 0; j < c; j++)
            out[i * c + j] -= ui * v[j];
    }
}

/* out (mr x c) = M q, q mc x c. */
static int times_m(const sketch_op *op, const double *q, size_t c, double *out, double *v)
{
    int la = op->transposed ? xt_times(op, q, c, out) : x_times(op, q, c, out);
    if (la != LT_LA_OK || !op->mean)
        return la;
    if (op->transposed) { /* X^T q - mean (1^T q) */
        column_sums(q, op->n, c, v);
        subtract_outer(out, op->p, c, op->mean, v);
    } else { /* X q - 1 (mean^T q) */
        la = lt_gemm(false, false, 1, c, op->p, 1.0, op->mean, q, 0.0, v);
        subtract_outer(out, op->n, c, NULL, v);
    }
    return la;
}

/* out (mc x c) = M^T y, y mr x c. */
static int times_mt(const sketch_op *op, const double *y, size_t c, double *out, double *v)
{
    int la = op->transposed ? x_times(op, y, c, out) : xt_times(op, y, c, out);
    if (la != LT_LA_OK || !op->mean)
        return la;
    if (op->transposed) { /* X y - 1 (mean^T y) */
        la = lt_gemm(false, false, 1, c, op->p, 1.0, op->mean, y, 0.0, v);
        subtract_outer(out, op->n, c, NULL, v);
    } else { /* X^T y - mean (1^T y) */
        column_sums(y, op->n, c, v);
        subtract_outer(out, op->p, c, op->mean, v);
    }
    return la;
}

/* Replaces the m x *c matrix *y by P L of its LU factorisation (what
 * scipy.linalg.lu(y, permute_l=True) returns first): m x min(m, *c). A zero
 * pivot is not an error here; the factorisation only normalises. */
static int lu_normalise(double **y, size_t m, size_t *c)
{
    size_t w = *c, d = m < w ? m : w;
    lapack_int *ipiv = malloc((d + 1) * sizeof *ipiv);
    double *l = lt_big_alloc(m * d * sizeof *l + 1);
    if (!ipiv || !l) {
        free(ipiv);
        free(l);
        return LT_PCA_ENOMEM;
    }
    lapack_int info = LAPACKE_dgetrf(LAPACK_ROW_MAJOR, (lapack_int)m, (lapack_int)w, *y,
                                     (lapack_int)w, ipiv);
    if (info < 0) {
        free(ipiv);
        free(l);
        return info == LAPACK_WORK_MEMORY_ERROR || info == LAPACK_TRANSPOSE_MEMORY_ERROR
                   ? LT_PCA_ENOMEM
                   : LT_PCA_ENOCONV;
    }
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < d; j++)
            l[i * d + j] = i > j ? (*y)[i * w + j] : i == j ? 1.0 : 0.0;
    /* getrf swapped row i with row ipiv[i] - 1 in order; undo the swaps
     * from the last, which turns L into P L. */
    for (size_t i = d; i-- > 0;) {
        size_t r = (size_t)ipiv[i] - 1;
        if (r != i)
            for (size_t j = 0; j < d; j++) {
                double t = l[i * d + j];
                l[i * d + j] = l[r * d + j];
                l[r * d + j] = t;
            }
    }
    free(ipiv);
    free(*y);
    *y = l;
    *c = d;
    return LT_PCA_OK;
}

/* Replaces the m x *c matrix *y by the Q of its economic QR factorisation
 * (scipy.linalg.qr(y, mode='economic')): m x min(m, *c). */
static int qr_normalise(double **y, size_t m, size_t *c)
{
    size_t w = *c, d = m < w ? m : w;
    double *tau = malloc((d + 1) * sizeof *tau);
    double *q = lt_big_alloc(m * d * sizeof *q + 1);
    lapack_int info = -1;
    if (tau && q)
        info = LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, (lapack_int)m, (lapack_int)w, *y,
                              (lapack_int)w, tau);
    if (info == 0) {
        for (size_t i = 0; i < m; i++)
            memcpy(q + i * d, *y + i * w, d * sizeof *q);
        info = LAPACKE_dorgqr(LAPACK_ROW_MAJOR, (lapack_int)m, (lapack_int)d, (lapack_int)d,
                              q, (lapack_int)d, tau);
    }
    free(tau);
    if (info != 0) {
        free(q);
        return info == -1 || info == LAPACK_WORK_MEMORY_ERROR ||
                       info == LAPACK_TRANSPOSE_MEMORY_ERROR
                   ? LT_PCA_ENOMEM
                   : LT_PCA_ENOCONV;
    }
    free(*y);
    *y = q;
    *c = d;
    return LT_PCA_OK;
}

/* One product q -> M q (or M^T q) into a new buffer that replaces *q. */
static int apply(const sketch_op *op, bool transpose, double **q, size_t c)
{
    size_t rows = transpose ? op->mc : op->mr;
    double *out = lt_big_alloc(rows * c * sizeof *out + 1);
    double *v = malloc((c + 1) * sizeof *v);
    int status = out && v ? lt_pca_status_from_la(transpose ? times_mt(op, *q, c, out, v)
                                              : times_m(op, *q, c, out, v))
                          : fail_others(op, LT_PCA_ENOMEM);
    free(v);
    free(*q);
    *q = out;
    return status;
}

static int normalise(lt_pca_normalizer how, double **y, size_t m, size_t *c)
{
    switch (how) {
    case LT_PCA_NORM_LU: return lu_normalise(y, m, c);
    case LT_PCA_NORM_QR: return qr_normalise(y, m, c);
    default: return LT_PCA_OK;
    }
}

/* q (p x c) := G q, G p x p: a power iteration of M^T M by its Gram
 * matrix. */
static int times_gram(const double *gram, size_t p, double **q, size_t c)
{
    double *out = lt_big_alloc(p * c * sizeof *out + 1);
    int status = out ? lt_pca_status_from_la(lt_gemm(false, false, p, c, p, 1.0, gram, *q, 0.0, out))
                     : LT_PCA_ENOMEM;
    free(*q);
    *q = out;
    return status;
}

/* An orthonormal basis (mr x *c, owned, into *basis) of the range of M
 * sampled by *c Gaussian columns and n_iter power iterations
 * (scikit-learn's randomized_range_finder).
 *
 * With GRAM (M^T M, mc x mc) each iteration is one product with it in
 * place of the two passes over the data, M q and M^T (M q), normalised
 * once instead of twice. Normalising only rescales a basis within its
 * span, so every iteration spans what scikit-learn's does, (M^T M)^i
 * times the test matrix, and so does the basis M q found from it: the
 * same subspace, hence the same components, to rounding. */
static int range_finder(const sketch_op *op, const double *gram, size_t size, int n_iter,
                        lt_pca_normalizer how, uint32_t seed, double **basis, size_t *c)
{
    *c = size;
    double *q = lt_big_alloc(op->mc * size * sizeof *q + 1);
    if (!q)
        return fail_others(op, LT_PCA_ENOMEM);
    /* random_state.normal(size=(M.shape[1], size)), row by row. */
    lt_rng rng;
    lt_rng_seed(&rng, seed);
    lt_rng_randn(&rng, q, op->mc * size);
    int status = LT_PCA_OK;
    for (int it = 0; gram && it < n_iter && status == LT_PCA_OK; it++) {
        status = times_gram(gram, op->mc, &q, *c);
        if (status == LT_PCA_OK)
            status = normalise(how, &q, op->mc, c);
        status = fail_others(op, status);
    }
    for (int it = 0; !gram && it < n_iter && status == LT_PCA_OK; it++) {
        status = apply(op, false, &q, *c);
        if (status == LT_PCA_OK && (status = normalise(how, &q, op->mr, c)) != LT_PCA_OK)
            fail_others(op, status);
        if (status == LT_PCA_OK)
            status = apply(op, true, &q, *c);
        if (status == LT_PCA_OK && (status = normalise(how, &q, op->mc, c)) != LT_PCA_OK)
            fail_others(op, status);
    }
    if (status == LT_PCA_OK)
        status = apply(op, false, &q, *c);
    if (status == LT_PCA_OK && (status = qr_normalise(&q, op->mr, c)) != LT_PCA_OK)
        fail_others(op, status);
    if (status != LT_PCA_OK) {
        free(q);
        return status;
    }
    *basis = q;
    return LT_PCA_OK;
}

/* b (c x mc) = Q^T M for the basis Q (mr x c). */
static int image(const sketch_op *op, const double *basis, size_t c, double *b)
{
    size_t n = op->n, p = op->p;
    if (op->xf) { /* (X^T Q)^T: float32 rows are read as X^T's */
        double *t = malloc(p * c * sizeof *t + 1);
        int la = t ? lt_gram_tr_times_f32(op->xf, op->rows, p, basis, c, openblas_get_num_threads(), t)
                   : LT_LA_ENOMEM;
        for (size_t f = 0; la == LT_LA_OK && f < p; f++)
            for (size_t j = 0; j < c; j++)
                b[j * p + f] = t[f * c + j];
        free(t);
        return la;
    }
    if (!op->transposed) { /* Q^T X: this process's rows' part, summed */
        int la = lt_gemm(true, false, c, p, op->rows, 1.0, basis + op->first * c, op->x, 0.0, b);
        if (op->spread && op->spread->sum(la == LT_LA_OK ? b : NULL, c * p) != 0 && la == LT_LA_OK)
            la = LT_LA_ENOMEM;
        return la;
    }
    if (!op->spread) /* Q^T X^T */
        return lt_gemm(true, true, c, n, p, 1.0, basis, op->x, 0.0, b);
    /* (X Q)^T: a row per sample, gathered, then turned. */
    double *t = lt_big_alloc(n * c * sizeof *t + 1);
    if (!t) {
        fail_others(op, LT_PCA_ENOMEM);
        return LT_LA_ENOMEM;
    }
    int la = x_times(op, basis, c, t);
    for (size_t i = 0; la == LT_LA_OK && i < n; i++)
        for (size_t j = 0; j < c; j++)
            b[j * n + i] = t[i * c + j];
    free(t);
    return la;
}

/* The SVD of the basis' image B = Q^T M, lifted back: fills the model's k
 * components and singular values and the training scores, with
 * scikit-learn's signs (its svd_flip decides on the side of the samples). */
static int svd_of_image(lt_pca *m, const sketch_op *op, const double *basis, size_t c,
                        double *scores)
{
    size_t n = op->n, p = op->p, k = m->n_components;
    size_t q = c < op->mc ? c : op->mc;
    double *b = lt_big_alloc(c * op->mc * sizeof *b + 1);
    double *uhat = malloc(c * q * sizeof *uhat + 1);
    double *s = malloc(q * sizeof *s + 1);
    double *vt = lt_big_alloc(q * op->mc * sizeof *vt + 1);
    double *u = lt_big_alloc(op->mr * q * sizeof *u + 1);
    double *terms = malloc((c + 1) * sizeof *terms);
    int status = b && uhat && s && vt && u && terms ? LT_PCA_OK : fail_others(op, LT_PCA_ENOMEM);
    if (status == LT_PCA_OK) /* B = Q^T M */
        status = lt_pca_status_from_la(image(op, basis, c, b));
    if (status == LT_PCA_OK && op->mean) {
        if (op->transposed) { /* Q^T X^T - (Q^T mean) 1^T */
            status = lt_pca_status_from_la(lt_gemm(false, false, 1, c, p, 1.0, op->mean, basis, 0.0, terms));
            for (size_t j = 0; j < c; j++)
                for (size_t i = 0; i < n; i++)
                    b[j * n + i] -= terms[j];
        } else { /* Q^T X - (Q^T 1) mean^T */
            column_sums(basis, n, c, terms);
            subtract_outer(b, c, p, terms, op->mean);
        }
    }
    free(terms);
    if (status == LT_PCA_OK)
        status = lt_pca_status_from_la(lt_svd_thin(b, c, op->mc, NULL, uhat, s, vt));
    if (status == LT_PCA_OK)
        status = lt_pca_status_from_la(lt_gemm(false, false, op->mr, q, c, 1.0, basis, uhat, 0.0, u));
    for (size_t j = 0; status == LT_PCA_OK && j < k; j++) {
        m->singular_values[j] = s[j];
        if (!op->transposed) {
            /* U (n x q) is the samples' side: columns of U, rows of Vt. */
            double sign = lt_pca_sign_of_largest(u + j, n, q);
            for (size_t i = 0; i < n; i++)
                scores[i * k + j] = sign * u[i * q + j] * s[j];
            for (size_t f = 0; f < p; f++)
                m->components[j * p + f] = sign * vt[j * p + f];
        } else {
            /* M = A^T: Vt (q x n) is the samples' side, U (p x q) the
             * features'. */
            double sign = lt_pca_sign_of_largest(vt + j * n, n, 1);
            for (size_t i = 0; i < n; i++)
                scores[i * k + j] = sign * vt[j * n + i] * s[j];
            for (size_t f = 0; f < p; f++)
                m->components[j * p + f] = sign * u[f * q + j];
        }
    }
    free(b);
    free(uhat);
    free(s);
    free(vt);
    free(u);
    return status;
}

/* Where this process's ROWS lie among all the processes' rows: *first and
 * the total *n, from a sum of every process's count in its own slot. ROWS
 * SIZE_MAX: this process failed (and so do the others). */
static int spread_place(const lt_pca_rows *spread, size_t rows, size_t *first, size_t *n)
{
    size_t P = (size_t)spread->size, r = (size_t)spread->rank;
    double *counts = rows != SIZE_MAX ? calloc(P, sizeof *counts) : NULL;
    if (counts)
        counts[r] = (double)rows; /* exact: row counts are far below 2^53 */
    if (spread->sum(counts, P) != 0) {
        free(counts);
        return LT_PCA_ENOMEM;
    }
    *first = *n = 0;
    for (size_t q = 0; q < P; q++) {
        *first += q < r ? (size_t)counts[q] : 0;
        *n += (size_t)counts[q];
    }
    free(counts);
    return LT_PCA_OK;
}

/* The means (cols) and the scatter matrix GRAM (cols x cols, NULL: only
 * the sum of squared deviations, into *total) of every process's rows: the
 * blocks' column sums added, then the blocks' scatter about that mean. */
static int spread_moments(const lt_pca_rows *spread, const double *x, size_t rows, size_t cols,
                          size_t n, double *mean, double *gram, double *total)
{
    if (lt_pca_rows_means(spread, x, rows, cols, n, mean) != LT_PCA_OK)
        return LT_PCA_ENOMEM;
    if (gram) {
        int status = lt_pca_status_from_la(lt_scatter(x, rows, cols, mean, gram));
        if (spread->sum(status == LT_PCA_OK ? gram : NULL, cols * cols) != 0)
            return status == LT_PCA_OK ? LT_PCA_ENOMEM : status;
        *total = 0;
        for (size_t j = 0; j < cols; j++)
            *total += gram[j * cols + j];
        return LT_PCA_OK;
    }
    *total = 0;
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++) {
            double d = x[i * cols + j] - mean[j];
            *total += d * d;
        }
    return spread->sum(total, 1) != 0 ? LT_PCA_ENOMEM : LT_PCA_OK;
}

/* lt_pca_fit_randomized, or with SPREAD lt_pca_fit_randomized_rows: ROWS
 * are this process's, N all of them. */
static int fit_randomized(lt_pca *m, const double *x, const float *xf, size_t rows, size_t cols,
                          size_t k, const lt_pca_randomized *opt, const lt_pca_rows *spread,
                          double **scores_out)
{
    memset(m, 0, sizeof *m);
    if (xf && (spread || !lt_pca_reads_f32(LT_PCA_RANDOMIZED, rows, cols)))
        return LT_PCA_ETOOBIG; /* a caller's error */
    size_t n = rows, first = 0;
    bool fits = lt_linalg_fits(rows, cols);
    if (spread && spread_place(spread, fits ? rows : SIZE_MAX, &first, &n) != LT_PCA_OK)
        return fits ? LT_PCA_ENOMEM : LT_PCA_ETOOBIG;
    if (!fits)
        return LT_PCA_ETOOBIG;
    size_t most = n < cols ? n : cols;
    m->solver = LT_PCA_RANDOMIZED;
    m->n_samples = n;
    m->n_features = cols;
    m->n_spectrum = m->n_components = k;
    int n_iter = opt->n_iter >= 0 ? opt->n_iter : (double)k < 0.1 * (double)most ? 7 : 4;
    lt_pca_normalizer how = opt->normalizer;
    if (how == LT_PCA_NORM_AUTO)
        how = n_iter <= 2 ? LT_PCA_NORM_NONE : LT_PCA_NORM_LU;
    m->n_iter = n_iter;
    m->normalizer = how;

    m->mean = malloc(cols * sizeof *m->mean);
    m->variance = malloc(k * sizeof *m->variance);
    m->variance_ratio = malloc(k * sizeof *m->variance_ratio);
    m->singular_values = malloc(k * sizeof *m->singular_values);
    m->components = malloc(k * cols * sizeof *m->components);
    /* U S of every row, also under SPREAD (see sketch_op); this process's
     * block of it is handed back. */
    double *scores = lt_big_alloc(n * k * sizeof *scores + 1);
    double *a = NULL, *basis = NULL, *gram = NULL;
    size_t size = k + opt->n_oversamples;
    /* The power iterations by the Gram matrix when that is less work: one
     * pass of n p^2 / 2 multiply-adds (dsyrk) against 2 n_iter passes of
     * n p size. Tall data only (M = A): for wide data M^T M is n x n. */
    bool by_gram = n >= cols && n_iter > 0 && (double)cols <= 4.0 * n_iter * (double)size &&
                   lt_linalg_fits(cols * cols, 1);
    sketch_op op = {.x = x, .xf = xf, .mean = m->mean, .n = n, .p = cols, .transposed = n < cols,
                    .spread = spread, .rows = rows, .first = first};
    int status = LT_PCA_ENOMEM;
    bool ready = m->mean && m->variance && m->variance_ratio && m->singular_values &&
                 m->components && scores && (!by_gram || (gram = malloc(cols * cols * sizeof *gram)));
    if (!ready) {
        fail_others(&op, status);
        goto done;
    }
    double total = 0, offset = 0;
    if (spread) {
        status = spread_moments(spread, x, rows, cols, n, m->mean, gram, &total);
        if (status != LT_PCA_OK)
            goto done;
    } else if (by_gram) {
        /* The means and the total variance come with the Gram matrix. */
        int threads = openblas_get_num_threads();
        status = lt_pca_status_from_la(xf ? lt_gram_centred_f32(xf, rows, cols, threads, m->mean, gram)
                                          : lt_gram_centred(x, rows, cols, threads, m->mean, gram));
        if (status != LT_PCA_OK)
            goto done;
        for (size_t j = 0; j < cols; j++)
            total += gram[j * cols + j];
    } else if (xf) {
        memset(m->mean, 0, cols * sizeof *m->mean);
        for (size_t i = 0; i < rows; i++)
            for (size_t j = 0; j < cols; j++)
                m->mean[j] += xf[i * cols + j];
        for (size_t j = 0; j < cols; j++)
            m->mean[j] /= (double)rows;
        for (size_t i = 0; i < rows; i++)
            for (size_t j = 0; j < cols; j++) {
                double d = xf[i * cols + j] - m->mean[j];
                total += d * d;
            }
    } else {
        lt_col_means(x, rows, cols, m->mean);
        for (size_t i = 0; i < rows; i++)
            for (size_t j = 0; j < cols; j++) {
                double d = x[i * cols + j] - m->mean[j];
                total += d * d;
            }
    }
    status = LT_PCA_ENOMEM;
    for (size_t j = 0; j < cols; j++)
        offset += m->mean[j] * m->mean[j];
    m->total_variance = total / (double)(n - 1);
    /* Data far from the origin are centred once, for accuracy. */
    if (offset > 225.0 * m->total_variance) {
        if (!(a = lt_big_alloc(rows * cols * sizeof *a + 1))) {
            fail_others(&op, status);
            goto done;
        }
        if (xf)
            lt_widen_centre(a, xf, rows, cols, m->mean);
        else
            lt_center(a, x, rows, cols, m->mean);
        op.x = a;
        op.xf = NULL;
        op.mean = NULL;
    }
    op.mr = op.transposed ? cols : n;
    op.mc = op.transposed ? n : cols;
    size_t c;
    status = range_finder(&op, gram, size, n_iter, how, opt->seed, &basis, &c);
    if (status == LT_PCA_OK)
        status = svd_of_image(m, &op, basis, c, scores);
done:
    free(a);
    free(basis);
    free(gram);
    if (status != LT_PCA_OK) {
        free(scores);
        lt_pca_free(m);
        return status;
    }
    double kept = 0;
    for (size_t j = 0; j < k; j++) {
        m->variance[j] = m->singular_values[j] * m->singular_values[j] / (double)(n - 1);
        m->variance_ratio[j] = m->total_variance > 0 ? m->variance[j] / m->total_variance : 0.0;
        kept += m->variance[j];
    }
    /* scikit-learn's estimate: the variance left over, spread evenly over
     * the components not kept. */
    m->noise_variance = k < most ? (m->total_variance - kept) / (double)(most - k) : 0.0;
    if (first)
        memmove(scores, scores + first * k, rows * k * sizeof *scores);
    if (scores_out)
        *scores_out = scores;
    else
        free(scores);
    return LT_PCA_OK;
}

int lt_pca_fit_randomized(lt_pca *m, const double *x, size_t rows, size_t cols, size_t k,
                          const lt_pca_randomized *opt, double **scores_out)
{
    return fit_randomized(m, x, NULL, rows, cols, k, opt, NULL, scores_out);
}

int lt_pca_fit_randomized_f32(lt_pca *m, const float *x, size_t rows, size_t cols, size_t k,
                              const lt_pca_randomized *opt, double **scores_out)
{
    return fit_randomized(m, NULL, x, rows, cols, k, opt, NULL, scores_out);
}

int lt_pca_fit_randomized_rows(lt_pca *m, const double *x, size_t rows, size_t cols, size_t k,
                               const lt_pca_randomized *opt, const lt_pca_rows *spread,
                               double **scores_out)
{
    return fit_randomized(m, x, NULL, rows, cols, k, opt, spread, scores_out);
}
