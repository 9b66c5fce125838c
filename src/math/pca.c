#include "math/pca.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "math/gram.h"
#include "math/linalg.h"

const char *lt_pca_solver_name(lt_pca_solver s)
{
    switch (s) {
    case LT_PCA_FULL: return "full";
    case LT_PCA_COVARIANCE: return "covariance";
    case LT_PCA_RANDOMIZED: return "randomized";
    case LT_PCA_INCREMENTAL: return "incremental";
    default: return "auto";
    }
}

lt_pca_solver lt_pca_pick_solver(size_t rows, size_t cols)
{
    double work = (double)rows * (double)cols * (double)cols;
    return rows >= 2 * cols && work >= 16777216.0 ? LT_PCA_COVARIANCE : LT_PCA_FULL;
}

size_t lt_pca_count_for_fraction(const double *ratio, size_t n, double fraction)
{
    double cumulative = 0;
    for (size_t i = 0; i < n; i++) {
        cumulative += ratio[i];
        if (cumulative > fraction)
            return i + 1;
    }
    return n;
}

size_t lt_pca_count_reaching(const double *ratio, size_t n, double fraction)
{
    double cumulative = 0;
    for (size_t i = 0; i < n; i++) {
        cumulative += ratio[i];
        if (cumulative >= fraction)
            return i + 1;
    }
    return n;
}

void lt_pca_free(lt_pca *m)
{
    if (!m)
        return;
    free(m->mean);
    free(m->variance);
    free(m->variance_ratio);
    free(m->singular_values);
    free(m->components);
    memset(m, 0, sizeof *m);
}

int lt_pca_status_from_la(int la)
{
    switch (la) {
    case LT_LA_OK: return LT_PCA_OK;
    case LT_LA_ENOMEM: return LT_PCA_ENOMEM;
    case LT_LA_ETOOBIG: return LT_PCA_ETOOBIG;
    default: return LT_PCA_ENOCONV;
    }
}

double lt_pca_sign_of_largest(const double *v, size_t n, size_t stride)
{
    double best = -1, sign = 1;
    for (size_t i = 0; i < n; i++) {
        double x = v[i * stride];
        if (fabs(x) > best) {
            best = fabs(x);
            sign = x < 0 ? -1.0 : 1.0;
        }
    }
    return sign;
}

/* A running search, over the first k columns of row-major blocks, for the
 * entry of largest magnitude in each column (the first such on ties, as
 * numpy's argmax): its sign is the sign of the component. */
struct sign_search {
    size_t k;
    double *best; /* k largest magnitudes so far */
    double *sign; /* k signs of those entries, +1 or -1 (caller's array) */
};

static int sign_search_init(struct sign_search *s, size_t k, double *sign)
{
    s->k = k;
    s->sign = sign;
    s->best = malloc(k * sizeof *s->best + 1);
    if (!s->best)
        return LT_PCA_ENOMEM;
    for (size_t j = 0; j < k; j++) {
        s->best[j] = -1;
        sign[j] = 1;
    }
    return LT_PCA_OK;
}

/* Feeds rows x cols more entries (rows in order, k <= cols). */
static void sign_search_feed(struct sign_search *s, const double *a, size_t rows,
                             size_t cols)
{
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < s->k; j++) {
            double v = a[i * cols + j];
            if (fabs(v) > s->best[j]) {
                s->best[j] = fabs(v);
                s->sign[j] = v < 0 ? -1.0 : 1.0;
            }
        }
}

static void sign_search_done(struct sign_search *s) { free(s->best); }

/* Whether rows may be projected uncentred, as X V^T - mean V^T. The
 * rounding error of a projected row grows from ~eps |x - mean| (centred
 * first) to ~eps (|x - mean| + 2 |mean|); with |mean| at most 15 times the
 * data's rms spread sqrt(total variance) that stays within ~30 eps of the
 * spread, far below anything PCA is compared on, and it saves a pass over
 * the data and all but one BLAS call. Data further off the origin are
 * centred block by block. */
static bool uncentred_ok(const lt_pca *m)
{
    double norm2 = 0;
    for (size_t j = 0; j < m->n_features; j++)
        norm2 += m->mean[j] * m->mean[j];
    return norm2 <= 225.0 * m->total_variance;
}

/* The data rows: float64 (x), or float32 (xf, held images), which the
 * covariance solver's products widen block by block as they read them.
 * Exactly one is set; float32 rows only ever reach the covariance solver
 * and the projection. */
struct rows_in {
    const double *x;
    const float *xf;
};

/* out (rows x k) = (X - mean) components^T; when sign is not NULL, also the
 * sign search over out. */
static int project(const lt_pca *m, struct rows_in x, size_t rows, int threads, double *out,
                   double *sign, double *best)
{
    size_t p = m->n_features, k = m->n_components;
    struct sign_search search = {0};
    if (sign && sign_search_init(&search, k, sign) != LT_PCA_OK)
        return LT_PCA_ENOMEM;
    bool uncentred = uncentred_ok(m);
    int status = lt_pca_status_from_la(
        x.xf ? lt_gram_project_f32(x.xf, rows, p, m->mean, m->components, k, uncentred, threads, out)
             : lt_gram_project(x.x, rows, p, m->mean, m->components, k, uncentred, threads, out));
    if (status == LT_PCA_OK && sign) {
        sign_search_feed(&search, out, rows, k);
        if (best)
            memcpy(best, search.best, k * sizeof *best);
    }
    if (sign)
        sign_search_done(&search);
    return status;
}

/* Full solver, step one: the SVD of the centred data. Fills the spectrum
 * and hands back U (n x q) and Vt (q x p), owned by the caller. */
static int decompose_full(lt_pca *m, const double *x, double **u, double **vt)
{
    size_t n = m->n_samples, p = m->n_features, q = m->n_spectrum;
    *u = lt_big_alloc(n * q * sizeof **u);
    *vt = lt_big_alloc(q * p * sizeof **vt);
    if (!*u || !*vt)
        return LT_PCA_ENOMEM;
    int status = lt_pca_status_from_la(lt_svd_thin(x, n, p, m->mean, *u, m->singular_values, *vt));
    for (size_t i = 0; status == LT_PCA_OK && i < q; i++)
        m->variance[i] =
            m->singular_values[i] * m->singular_values[i] / (double)(n - 1);
    return status;
}

/* Full solver, step one, for rows spread over processes: the SVD of the
 * centred data from that of R, the triangle of its QR factorisation (the
 * centred data are Q R with Q orthonormal, so both have the same singular
 * values and right singular vectors). Each process factors its own centred
 * block (rows x p, R: min(rows, p) x p), the triangles are gathered in
 * process order and every process takes the SVD of their stack (at most
 * P p rows) on the same numbers. Each step is backward stable, as the SVD
 * of the whole is: the spectrum agrees with one process's to rounding,
 * which the covariance's squared condition number would not give. Fills
 * the spectrum and hands back Vt (at least q x p), owned by the caller. */
static int decompose_full_rows(lt_pca *m, const double *x, size_t rows, const lt_pca_rows *spread,
                               double **vt)
{
    size_t n = m->n_samples, p = m->n_features, q = m->n_spectrum, d = rows < p ? rows : p;
    double *a = lt_big_alloc(rows * p * sizeof *a + 1);
    double *tau = malloc((d + 1) * sizeof *tau);
    int status = a && tau ? LT_PCA_OK : LT_PCA_ENOMEM;
    if (status == LT_PCA_OK && d) {
        lt_center(a, x, rows, p, m->mean);
        lapack_int info = LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, (lapack_int)rows, (lapack_int)p, a,
                                         (lapack_int)p, tau);
        status = info == 0 ? LT_PCA_OK : info < 0 ? LT_PCA_ENOMEM : LT_PCA_ENOCONV;
        for (size_t i = 0; i < d; i++) /* below the diagonal: the reflectors */
            for (size_t j = 0; j < i; j++)
                a[i * p + j] = 0.0;
    }
    free(tau);
    double *stack = NULL;
    size_t total = 0;
    if (status != LT_PCA_OK)
        spread->sum(NULL, 0); /* fails the others' gather with this one */
    else if (spread->allgather(a, d, p, &stack, &total) != 0)
        status = LT_PCA_ENOMEM;
    free(a);
    size_t w = total < p ? total : p; /* >= q: each block gives min(its rows, p) */
    double *u = NULL, *s = NULL;
    if (status == LT_PCA_OK && (!(u = lt_big_alloc(total * w * sizeof *u + 1)) ||
                                !(s = malloc(w * sizeof *s + 1)) ||
                                !(*vt = lt_big_alloc(w * p * sizeof **vt + 1))))
        status = LT_PCA_ENOMEM;
    if (status == LT_PCA_OK)
        status = lt_pca_status_from_la(lt_svd_thin(stack, total, p, NULL, u, s, *vt));
    for (size_t i = 0; status == LT_PCA_OK && i < q; i++) {
        m->singular_values[i] = s[i];
        m->variance[i] = s[i] * s[i] / (double)(n - 1);
    }
    free(stack);
    free(u);
    free(s);
    return status;
}

/* Covariance solver, step one: the eigenvalues of the sample covariance.
 * Fills the spectrum and hands back the reduction from which step two
 * computes only the eigenvectors it keeps. */
static int decompose_covariance(lt_pca *m, struct rows_in x, size_t rows, const lt_pca_rows *spread,
                                int threads, lt_symeig *eig)
{
    size_t n = m->n_samples, p = m->n_features, q = m->n_spectrum;
    double *cov = malloc(p * p * sizeof *cov);
    double *values = malloc(p * sizeof *values);
    memset(eig, 0, sizeof *eig);
    int status = cov && values ? LT_PCA_OK : LT_PCA_ENOMEM;
    if (status == LT_PCA_OK && !spread) {
        /* The means and the scatter matrix in one pass over X. */
        status = lt_pca_status_from_la(x.xf ? lt_gram_centred_f32(x.xf, n, p, threads, m->mean, cov)
                                            : lt_gram_centred(x.x, n, p, threads, m->mean, cov));
        for (size_t i = 0; status == LT_PCA_OK && i < p * p; i++)
            cov[i] *= 1.0 / (double)(n - 1);
    } else if (spread) {
        /* Rows spread over processes: the blocks' scatter matrices, summed.
         * Every process sums, a failed one with NULL, so all fail together. */
        if (status == LT_PCA_OK)
            status = lt_pca_status_from_la(lt_scatter(x.x, rows, p, m->mean, cov));
        if (spread->sum(status == LT_PCA_OK ? cov : NULL, p * p) != 0 && status == LT_PCA_OK)
            status = LT_PCA_ENOMEM;
        for (size_t i = 0; status == LT_PCA_OK && i < p * p; i++)
            cov[i] *= 1.0 / (double)(n - 1);
    }
    if (status == LT_PCA_OK)
        status = lt_pca_status_from_la(lt_symeig_values(eig, cov, p, values));
    /* Eigenvalues that rounding pushed below zero are zero variances. */
    for (size_t i = 0; status == LT_PCA_OK && i < q; i++) {
        m->variance[i] = values[i] > 0 ? values[i] : 0.0;
        m->singular_values[i] = sqrt(m->variance[i] * (double)(n - 1));
    }
    free(cov);
    free(values);
    return status;
}

/* Fills the ratios and total from the variances and resolves the request
 * into a count; 0 means a fraction was asked of data with no variance. */
static size_t resolve_count(lt_pca *m, double request)
{
    size_t q = m->n_spectrum;
    m->total_variance = 0;
    for (size_t i = 0; i < q; i++)
        m->total_variance += m->variance[i];
    for (size_t i = 0; i < q; i++)
        m->variance_ratio[i] =
            m->total_variance > 0 ? m->variance[i] / m->total_variance : 0.0;
    if (request == 0)
        return q;
    if (request < 1)
        return m->total_variance > 0
                   ? lt_pca_count_for_fraction(m->variance_ratio, q, request)
                   : 0;
    size_t k = (size_t)request;
    return k < q ? k : q;
}

/* Multiplies component j and score column j by sign[j]; a no-op pass is
 * skipped, which is the common case for the scores of a tall matrix. */
static void apply_signs(lt_pca *m, double *scores, size_t n, const double *sign)
{
    size_t p = m->n_features, k = m->n_components;
    bool any = false;
    for (size_t j = 0; j < k; j++)
        any |= sign[j] < 0;
    if (!any)
        return;
    for (size_t j = 0; j < k; j++)
        for (size_t c = 0; c < p; c++)
            m->components[j * p + c] *= sign[j];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < k; j++)
            scores[i * k + j] *= sign[j];
}

/* Step two of the full solver: keep k rows of Vt and U S, with the sign
 * that makes the largest-magnitude entry of each column of U positive. */
static int keep_full(lt_pca *m, const double *u, const double *vt, double *scores)
{
    size_t n = m->n_samples, p = m->n_features, q = m->n_spectrum;
    size_t k = m->n_components;
    memcpy(m->components, vt, k * p * sizeof *vt);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < k; j++)
            scores[i * k + j] = u[i * q + j] * m->singular_values[j];
    struct sign_search search;
    double *sign = malloc(k * sizeof *sign);
    if (!sign || sign_search_init(&search, k, sign) != LT_PCA_OK) {
        free(sign);
        return LT_PCA_ENOMEM;
    }
    sign_search_feed(&search, u, n, q);
    sign_search_done(&search);
    apply_signs(m, scores, n, sign);
    free(sign);
    return LT_PCA_OK;
}

/* The signs of the search over every process's rows: each process's best
 * magnitudes and signs go to its own slots of one vector that the sum
 * fills in, and the first process (the earliest rows) holding the largest
 * magnitude decides, as numpy's argmax over all rows would. BEST NULL: this
 * process failed, and so do the others. */
static int spread_signs(const lt_pca_rows *spread, size_t k, const double *best, double *sign)
{
    size_t P = (size_t)spread->size, r = (size_t)spread->rank;
    double *all = best ? calloc(2 * P * k + 1, sizeof *all) : NULL;
    if (!all) {
        spread->sum(NULL, 0); /* fails every process's sum with this one's */
        return LT_PCA_ENOMEM;
    }
    memcpy(all + r * k, best, k * sizeof *all);
    memcpy(all + (P + r) * k, sign, k * sizeof *all);
    if (spread->sum(all, 2 * P * k) != 0) {
        free(all);
        return LT_PCA_ENOMEM;
    }
    for (size_t j = 0; j < k; j++) {
        double top = -1;
        for (size_t q = 0; q < P; q++)
            if (all[q * k + j] > top) {
                top = all[q * k + j];
                sign[j] = all[(P + q) * k + j];
            }
    }
    free(all);
    return LT_PCA_OK;
}

/* The projection on the components (STATUS: whether they were found),
 * whose column j is column j of U S, so it decides the sign of component j,
 * over every process's rows under SPREAD. */
static int keep_projected(lt_pca *m, struct rows_in x, size_t rows, const lt_pca_rows *spread,
                          int threads, int status, double *scores)
{
    size_t k = m->n_components;
    double *sign = malloc(k * sizeof *sign);
    double *best = malloc(k * sizeof *best);
    if (!sign || !best)
        status = LT_PCA_ENOMEM;
    if (status == LT_PCA_OK)
        status = project(m, x, rows, threads, scores, sign, best);
    if (spread)
        status = spread_signs(spread, k, status == LT_PCA_OK ? best : NULL, sign);
    if (status == LT_PCA_OK)
        apply_signs(m, scores, rows, sign);
    free(sign);
    free(best);
    return status;
}

/* Step two of the covariance solver: the k leading eigenvectors, and the
 * projection; (X - mean) v is column j of U S, so it decides the sign. */
static int keep_covariance(lt_pca *m, struct rows_in x, size_t rows, const lt_pca_rows *spread,
                           int threads, const lt_symeig *eig, double *scores)
{
    int status = lt_pca_status_from_la(lt_symeig_vectors(eig, m->n_components, m->components));
    return keep_projected(m, x, rows, spread, threads, status, scores);
}

/* Step two of the full solver on spread rows: k rows of Vt, signed by the
 * projection as the covariance solver's are. */
static int keep_full_rows(lt_pca *m, const double *x, size_t rows, const lt_pca_rows *spread,
                          int threads, const double *vt, double *scores)
{
    memcpy(m->components, vt, m->n_components * m->n_features * sizeof *vt);
    return keep_projected(m, (struct rows_in){.x = x}, rows, spread, threads, LT_PCA_OK, scores);
}

int lt_pca_rows_means(const lt_pca_rows *spread, const double *x, size_t rows, size_t cols, size_t n,
                        double *mean)
{
    memset(mean, 0, cols * sizeof *mean);
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++)
            mean[j] += x[i * cols + j];
    if (spread->sum(mean, cols) != 0)
        return LT_PCA_ENOMEM;
    for (size_t j = 0; j < cols; j++)
        mean[j] /= (double)n;
    return LT_PCA_OK;
}

/* lt_pca_fit, or with SPREAD lt_pca_fit_rows. */
static int fit(lt_pca *m, struct rows_in in, size_t rows, size_t cols, double n_components,
               lt_pca_solver solver, const lt_pca_rows *spread, double **scores_out)
{
    memset(m, 0, sizeof *m);
    if (!lt_linalg_fits(rows, cols))
        return LT_PCA_ETOOBIG;
    double n_all = (double)rows; /* exact: row counts are far below 2^53 */
    if (spread && spread->sum(&n_all, 1) != 0)
        return LT_PCA_ENOMEM;
    /* auto picks by all the rows, so that it means one solver at any
     * number of processes. */
    if (solver == LT_PCA_AUTO)
        solver = lt_pca_pick_solver((size_t)n_all, cols);
    if (in.xf && (solver != LT_PCA_COVARIANCE || spread))
        return LT_PCA_ETOOBIG; /* a caller's error: see lt_pca_reads_f32 */
    const double *x = in.x;
    m->solver = solver;
    /* The covariance solver's two products run on per-thread lanes of
     * single-threaded BLAS (math/gram.h); the eigensolver between them runs
     * single-threaded too, so that no OpenBLAS worker is left spinning (it
     * polls for a tenth of a second after a threaded call) on a core a lane
     * needs. It costs the small eigenproblem a little. */
    int threads = openblas_get_num_threads();
    bool single = solver == LT_PCA_COVARIANCE && !spread && threads > 1;
    if (single)
        openblas_set_num_threads(1);
    m->n_samples = (size_t)n_all;
    m->n_features = cols;
    m->n_spectrum = m->n_samples < cols ? m->n_samples : cols;
    size_t q = m->n_spectrum;
    m->mean = malloc(cols * sizeof *m->mean);
    m->variance = malloc(q * sizeof *m->variance);
    m->variance_ratio = malloc(q * sizeof *m->variance_ratio);
    m->singular_values = malloc(q * sizeof *m->singular_values);
    double *u = NULL, *vt = NULL, *scores = NULL; /* the full path's SVD (u: one process's) */
    lt_symeig eig = {0};                          /* the covariance path's */
    int status = LT_PCA_ENOMEM;
    bool ready = m->mean && m->variance && m->variance_ratio && m->singular_values;
    if (spread) {
        status = ready ? lt_pca_rows_means(spread, x, rows, cols, m->n_samples, m->mean) : LT_PCA_ENOMEM;
        if (!ready)
            spread->sum(NULL, 0); /* fails every process's sum with this one's */
        if (status == LT_PCA_OK)
            status = solver == LT_PCA_FULL ? decompose_full_rows(m, x, rows, spread, &vt)
                                           : decompose_covariance(m, in, rows, spread, threads, &eig);
    } else if (ready) {
        if (solver == LT_PCA_FULL)
            lt_col_means(x, rows, cols, m->mean);
        status = solver == LT_PCA_FULL ? decompose_full(m, x, &u, &vt)
                                       : decompose_covariance(m, in, rows, NULL, threads, &eig);
    }
    if (status == LT_PCA_OK) {
        m->n_components = resolve_count(m, n_components);
        size_t k = m->n_components;
        if (k == 0)
            status = LT_PCA_EZEROVAR;
        else if (!(m->components = malloc(k * cols * sizeof *m->components)) ||
                 !(scores = lt_big_alloc(rows * k * sizeof *scores + 1)))
            status = LT_PCA_ENOMEM;
    }
    /* A process that stops here meets the others' sign search with a failure. */
    if (spread && status != LT_PCA_OK)
        spread->sum(NULL, 0);
    if (status == LT_PCA_OK) {
        status = solver == LT_PCA_FULL ? spread ? keep_full_rows(m, x, rows, spread, threads, vt, scores)
                                                : keep_full(m, u, vt, scores)
                                       : keep_covariance(m, in, rows, spread, threads, &eig, scores);
    }
    if (single)
        openblas_set_num_threads(threads);
    free(u);
    free(vt);
    lt_symeig_free(&eig);
    if (status != LT_PCA_OK) {
        free(scores);
        lt_pca_free(m);
        return status;
    }
    size_t k = m->n_components;
    double rest = 0;
    for (size_t i = k; i < q; i++)
        rest += m->variance[i];
    m->noise_variance = k < q ? rest / (double)(q - k) : 0.0;
    if (scores_out)
        *scores_out = scores;
    else
        free(scores);
    return LT_PCA_OK;
}

int lt_pca_fit(lt_pca *m, const double *x, size_t rows, size_t cols,
               double n_components, lt_pca_solver solver, double **scores)
{
    return fit(m, (struct rows_in){.x = x}, rows, cols, n_components, solver, NULL, scores);
}

bool lt_pca_reads_f32(lt_pca_solver solver, size_t rows, size_t cols)
{
    return solver == LT_PCA_COVARIANCE || (solver == LT_PCA_RANDOMIZED && rows >= cols);
}

int lt_pca_fit_f32(lt_pca *m, const float *x, size_t rows, size_t cols, double n_components,
                   double **scores)
{
    return fit(m, (struct rows_in){.xf = x}, rows, cols, n_components, LT_PCA_COVARIANCE, NULL,
               scores);
}

int lt_pca_fit_rows(lt_pca *m, const double *x, size_t rows, size_t cols, double n_components,
                    lt_pca_solver solver, const lt_pca_rows *spread, double **scores)
{
    return fit(m, (struct rows_in){.x = x}, rows, cols, n_components, solver, spread, scores);
}

int lt_pca_transform(const lt_pca *m, const double *x, size_t rows, bool whiten,
                     double *out)
{
    int status =
        project(m, (struct rows_in){.x = x}, rows, openblas_get_num_threads(), out, NULL, NULL);
    if (status == LT_PCA_OK && whiten)
        lt_pca_whiten(m, out, rows);
    return status;
}

int lt_pca_transform_f32(const lt_pca *m, const float *x, size_t rows, bool whiten, double *out)
{
    int status =
        project(m, (struct rows_in){.xf = x}, rows, openblas_get_num_threads(), out, NULL, NULL);
    if (status == LT_PCA_OK && whiten)
        lt_pca_whiten(m, out, rows);
    return status;
}

void lt_pca_whiten(const lt_pca *m, double *scores, size_t rows)
{
    size_t k = m->n_components;
    for (size_t j = 0; j < k; j++) {
        if (!(m->variance[j] > 0))
            continue;
        double sd = sqrt(m->variance[j]);
        for (size_t i = 0; i < rows; i++)
            scores[i * k + j] /= sd;
    }
}

int lt_pca_inverse(const lt_pca *m, const double *scores, size_t rows, double *out)
{
    size_t p = m->n_features, k = m->n_components;
    if (!lt_linalg_fits(rows, p))
        return LT_PCA_ETOOBIG;
    for (size_t i = 0; i < rows; i++)
        memcpy(out + i * p, m->mean, p * sizeof *out);
    return lt_pca_status_from_la(lt_gemm(false, false, rows, p, k, 1.0, scores, m->components, 1.0, out));
}

bool lt_pca_training_mse(const lt_pca *m, double *mse)
{
    size_t k = m->n_components, q = m->n_spectrum;
    if ((m->solver != LT_PCA_FULL && m->solver != LT_PCA_COVARIANCE) || m->n_samples < 2 ||
        m->n_features == 0)
        return false;
    double rest = 0;
    for (size_t i = k; i < q; i++)
        rest += m->variance[i];
    if (!(rest >= 1e-3 * m->total_variance) || !(rest > 0))
        return false;
    double n = (double)m->n_samples;
    *mse = rest * (n - 1) / (n * (double)m->n_features);
    return true;
}

static int reconstruction_mse(const lt_pca *m, struct rows_in x, const double *scores,
                              size_t rows, double *mse)
{
    size_t p = m->n_features, k = m->n_components;
    *mse = 0;
    if (rows == 0 || p == 0)
        return LT_PCA_OK;
    if (!lt_linalg_fits(rows, p))
        return LT_PCA_ETOOBIG;
    size_t block = lt_block_rows(p);
    if (block > rows)
        block = rows;
    double *buf = malloc(block * p * sizeof *buf);
    if (!buf)
        return LT_PCA_ENOMEM;
    double total = 0;
    for (size_t r0 = 0; r0 < rows; r0 += block) {
        size_t b = r0 + block < rows ? block : rows - r0;
        if (x.xf)
            lt_widen_centre(buf, x.xf + r0 * p, b, p, m->mean);
        else
            lt_center(buf, x.x + r0 * p, b, p, m->mean);
        /* residual = (X - mean) - scores components */
        lt_gemm(false, false, b, p, k, -1.0, scores + r0 * k, m->components, 1.0, buf);
        double part = 0;
        for (size_t i = 0; i < b * p; i++)
            part += buf[i] * buf[i];
        total += part;
    }
    free(buf);
    *mse = total / ((double)rows * (double)p);
    return LT_PCA_OK;
}

int lt_pca_reconstruction_mse(const lt_pca *m, const double *x, const double *scores,
                              size_t rows, double *mse)
{
    return reconstruction_mse(m, (struct rows_in){.x = x}, scores, rows, mse);
}

int lt_pca_reconstruction_mse_f32(const lt_pca *m, const float *x, const double *scores,
                                  size_t rows, double *mse)
{
    return reconstruction_mse(m, (struct rows_in){.xf = x}, scores, rows, mse);
}
