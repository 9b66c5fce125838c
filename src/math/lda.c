#include "math/lda.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "math/linalg.h"

/* scikit-learn's default tol: singular values at or below it (relative to
 * the largest in the second SVD) count as zero. */
static const double TOL = 1e-4;

void lt_lda_free(lt_lda *m)
{
    free(m->scalings);
    free(m->xbar);
    free(m->priors);
    free(m->means);
    free(m->coef);
    free(m->intercept);
    free(m->explained_variance_ratio);
    memset(m, 0, sizeof *m);
}

/* Class priors and means, means accumulated row by row (np.add.at). */
static void class_stats(lt_lda *m, const double *x, const int *y, size_t n,
                        size_t *count)
{
    size_t p = m->n_features, k = (size_t)m->n_classes;
    memset(m->means, 0, k * p * sizeof *m->means);
    memset(count, 0, k * sizeof *count);
    for (size_t i = 0; i < n; i++) {
        count[y[i]]++;
        for (size_t j = 0; j < p; j++)
            m->means[(size_t)y[i] * p + j] += x[i * p + j];
    }
    for (size_t g = 0; g < k; g++) {
        m->priors[g] = (double)count[g] / (double)n;
        for (size_t j = 0; j < p; j++)
            m->means[g * p + j] /= (double)count[g];
    }
}

/* ---- svd solver --------------------------------------------------------------- */

static int fit_svd(lt_lda *m, const double *x, const int *y, size_t n, size_t max_comp)
{
    size_t p = m->n_features, k = (size_t)m->n_classes;
    size_t r1 = n < p ? n : p;
    double *xc = malloc(n * p * sizeof *xc);
    double *sd = malloc(p * sizeof *sd);
    double *s = malloc(r1 * sizeof *s);
    double *vt = malloc(r1 * p * sizeof *vt);
    double *scal = malloc(p * r1 * sizeof *scal);
    double *centres = malloc(k * r1 * sizeof *centres);
    double *s2 = malloc(k * sizeof *s2);
    double *vt2 = malloc(k * r1 * sizeof *vt2);
    double *coef_r = malloc(k * k * sizeof *coef_r);
    int status = LT_LDA_ENOMEM;
    if (!xc || !sd || !s || !vt || !scal || !centres || !s2 || !vt2 || !coef_r)
        goto done;

    /* The rows centred on their class mean, grouped by class. */
    size_t row = 0;
    for (size_t g = 0; g < k; g++)
        for (size_t i = 0; i < n; i++)
            if ((size_t)y[i] == g) {
                for (size_t j = 0; j < p; j++)
                    xc[row * p + j] = x[i * p + j] - m->means[g * p + j];
                row++;
            }
    for (size_t j = 0; j < p; j++) {
        m->xbar[j] = 0;
        for (size_t g = 0; g < k; g++)
            m->xbar[j] += m->priors[g] * m->means[g * p + j];
    }
    /* np.std of each column (1/n), zeros replaced by 1. */
    for (size_t j = 0; j < p; j++) {
        double mean = 0, var = 0;
        for (size_t i = 0; i < n; i++)
            mean += xc[i * p + j];
        mean /= (double)n;
        for (size_t i = 0; i < n; i++)
            var += (xc[i * p + j] - mean) * (xc[i * p + j] - mean);
        sd[j] = sqrt(var / (double)n);
        if (sd[j] == 0)
            sd[j] = 1;
    }
    double within = sqrt(1.0 / (double)(n - k));
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < p; j++)
            xc[i * p + j] = within * (xc[i * p + j] / sd[j]);
    int rc = lt_svd_thin(xc, n, p, NULL, NULL, s, vt);
    if (rc != LT_LA_OK) {
        status = rc == LT_LA_ENOMEM ? LT_LDA_ENOMEM
                 : rc == LT_LA_ETOOBIG ? LT_LDA_ETOOBIG : LT_LDA_ENOCONV;
        goto done;
    }
    size_t rank = 0;
    while (rank < r1 && s[rank] > TOL)
        rank++;
    /* The whitening map: scal[j][r] = vt[r][j] / sd[j] / s[r]. */
    for (size_t j = 0; j < p; j++)
        for (size_t r = 0; r < rank; r++)
            scal[j * rank + r] = (vt[r * p + j] / sd[j]) / s[r];

    /* The class centres in the whitened space, weighted by their size. */
    double between = k == 1 ? 1.0 : 1.0 / (double)(k - 1);
    for (size_t g = 0; g < k; g++) {
        double w = sqrt(((double)n * m->priors[g]) * between);
        for (size_t r = 0; r < rank; r++) {
            double v = 0;
            for (size_t j = 0; j < p; j++)
                v += (w * (m->means[g * p + j] - m->xbar[j])) * scal[j * rank + r];
            centres[g * rank + r] = v;
        }
    }
    size_t r2 = k < rank ? k : rank;
    rc = rank ? lt_svd_thin(centres, k, rank, NULL, NULL, s2, vt2) : LT_LA_OK;
    if (rc != LT_LA_OK) {
        status = rc == LT_LA_ENOMEM ? LT_LDA_ENOMEM : LT_LDA_ENOCONV;
        goto done;
    }
    double total = 0;
    for (size_t c = 0; c < r2; c++)
        total += s2[c] * s2[c];
    size_t rank2 = 0;
    while (rank2 < r2 && s2[rank2] > TOL * s2[0])
        rank2++;
    m->n_scalings = rank2;
    m->n_components = max_comp < rank2 ? max_comp : rank2;
    size_t n_ratio = max_comp < r2 ? max_comp : r2;
    m->scalings = malloc((rank2 ? p * rank2 : 1) * sizeof *m->scalings);
    m->explained_variance_ratio = malloc((n_ratio ? n_ratio : 1) * sizeof(double));
    if (!m->scalings || !m->explained_variance_ratio)
        goto done;
    for (size_t c = 0; c < n_ratio; c++)
        m->explained_variance_ratio[c] = s2[c] * s2[c] / total;
    for (size_t j = 0; j < p; j++)
        for (size_t c = 0; c < rank2; c++) {
            double v = 0;
            for (size_t r = 0; r < rank; r++)
                v += scal[j * rank + r] * vt2[c * rank + r];
            m->scalings[j * rank2 + c] = v;
        }

    /* The classifier: scores of the centres in the discriminant space. */
    for (size_t g = 0; g < k; g++) {
        double sq = 0;
        for (size_t c = 0; c < rank2; c++) {
            double v = 0;
            for (size_t j = 0; j < p; j++)
                v += (m->means[g * p + j] - m->xbar[j]) * m->scalings[j * rank2 + c];
            coef_r[g * rank2 + c] = v;
            sq += v * v;
        }
        m->intercept[g] = -0.5 * sq + log(m->priors[g]);
        for (size_t j = 0; j < p; j++) {
            double v = 0;
            for (size_t c = 0; c < rank2; c++)
                v += coef_r[g * rank2 + c] * m->scalings[j * rank2 + c];
            m->coef[g * p + j] = v;
        }
        double shift = 0;
        for (size_t j = 0; j < p; j++)
            shift += m->xbar[j] * m->coef[g * p + j];
        m->intercept[g] -= shift;
    }
    status = LT_LDA_OK;
done:
    free(xc);
    free(sd);
    free(s);
    free(vt);
    free(scal);
    free(centres);
    free(s2);
    free(vt2);
    free(coef_r);
    return status;
}

/* ---- eigen solver ------------------------------------------------------------- */

/* acc += weight * (X - mean)^T (X - mean) / rows over the rows of X whose
 * label is g (all rows when g < 0). Returns 0, or -1 when out of memory. */
static int add_covariance(double *acc, double weight, const double *x, const int *y,
                           size_t n, size_t p, int g, const double *mean)
{
    size_t rows = 0;
    double *c = calloc(p * p, sizeof *c);
    if (!c)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (g >= 0 && y[i] != g)
            continue;
        rows++;
        for (size_t a = 0; a < p; a++) {
            double da = x[i * p + a] - mean[a];
            for (size_t b = 0; b < p; b++)
                c[a * p + b] += da * (x[i * p + b] - mean[b]);
        }
    }
    for (size_t e = 0; e < p * p; e++)
        acc[e] += weight * (c[e] / (double)rows);
    free(c);
    return 0;
}

static int fit_eigen(lt_lda *m, const double *x, const int *y, size_t n, size_t max_comp)
{
    size_t p = m->n_features, k = (size_t)m->n_classes;
    double *sw = calloc(p * p, sizeof *sw);
    double *sb = calloc(p * p, sizeof *sb);
    double *mean = malloc(p * sizeof *mean);
    double *w = malloc(p * sizeof *w);
    double *proj = malloc(k * p * sizeof *proj);
    int status = LT_LDA_ENOMEM;
    m->scalings = malloc(p * p * sizeof *m->scalings);
    m->explained_variance_ratio = malloc(max_comp * sizeof(double));
    if (!sw || !sb || !mean || !w || !proj || !m->scalings || !m->explained_variance_ratio)
        goto done;
    for (size_t g = 0; g < k; g++)
        if (add_covariance(sw, m->priors[g], x, y, n, p, (int)g, m->means + g * p) != 0)
            goto done;
    lt_col_means(x, n, p, mean);
    if (add_covariance(sb, 1.0, x, y, n, p, -1, mean) != 0)
        goto done;
    for (size_t e = 0; e < p * p; e++)
        sb[e] -= sw[e];
    lapack_int info = LAPACKE_dsygvd(LAPACK_ROW_MAJOR, 1, 'V', 'L', (lapack_int)p, sb,
                                     (lapack_int)p, sw, (lapack_int)p, w);
    if (info != 0) {
        status = info > (lapack_int)p ? LT_LDA_ESINGULAR
                 : info == LAPACK_WORK_MEMORY_ERROR ? LT_LDA_ENOMEM : LT_LDA_ENOCONV;
        goto done;
    }
    /* Ascending from LAPACK; scikit-learn orders them descending. */
    double total = 0;
    for (size_t c = 0; c < p; c++)
        total += w[c];
    for (size_t c = 0; c < p; c++)
        for (size_t j = 0; j < p; j++)
            m->scalings[j * p + c] = sb[j * p + (p - 1 - c)];
    for (size_t c = 0; c < max_comp; c++)
        m->explained_variance_ratio[c] = w[p - 1 - c] / total;
    m->n_scalings = p;
    m->n_components = max_comp;

    /* coef = means V V^T, intercept = -means . coef / 2 + log prior. */
    for (size_t g = 0; g < k; g++)
        for (size_t c = 0; c < p; c++) {
            double v = 0;
            for (size_t j = 0; j < p; j++)
                v += m->means[g * p + j] * m->scalings[j * p + c];
            proj[g * p + c] = v;
        }
    for (size_t g = 0; g < k; g++) {
        double diag = 0;
        for (size_t j = 0; j < p; j++) {
            double v = 0;
            for (size_t c = 0; c < p; c++)
                v += proj[g * p + c] * m->scalings[j * p + c];
            m->coef[g * p + j] = v;
            diag += m->means[g * p + j] * v;
        }
        m->intercept[g] = -0.5 * diag + log(m->priors[g]);
    }
    status = LT_LDA_OK;
done:
    free(sw);
    free(sb);
    free(mean);
    free(w);
    free(proj);
    return status;
}

int lt_lda_fit(lt_lda *m, const double *x, const int *y, size_t n, size_t p,
               int n_classes, lt_lda_solver solver, size_t n_components)
{
    memset(m, 0, sizeof *m);
    if (!lt_linalg_fits(n, p))
        return LT_LDA_ETOOBIG;
    size_t k = (size_t)n_classes;
    size_t most = k - 1 < p ? k - 1 : p;
    size_t max_comp = n_components ? n_components : most;
    m->solver = solver;
    m->n_features = p;
    m->n_classes = n_classes;
    m->xbar = calloc(p, sizeof *m->xbar);
    m->priors = malloc(k * sizeof *m->priors);
    m->means = malloc(k * p * sizeof *m->means);
    m->coef = malloc(k * p * sizeof *m->coef);
    m->intercept = malloc(k * sizeof *m->intercept);
    size_t *count = malloc(k * sizeof *count);
    int status = LT_LDA_ENOMEM;
    if (m->xbar && m->priors && m->means && m->coef && m->intercept && count) {
        class_stats(m, x, y, n, count);
        status = solver == LT_LDA_SVD ? fit_svd(m, x, y, n, max_comp)
                                      : fit_eigen(m, x, y, n, max_comp);
    }
    free(count);
    if (status != LT_LDA_OK)
        lt_lda_free(m);
    return status;
}

void lt_lda_transform(const lt_lda *m, const double *x, size_t rows, double *out)
{
    size_t p = m->n_features, s = m->n_scalings, k = m->n_components;
    for (size_t i = 0; i < rows; i++)
        for (size_t c = 0; c < k; c++) {
            double v = 0;
            for (size_t j = 0; j < p; j++)
                v += (x[i * p + j] - m->xbar[j]) * m->scalings[j * s + c];
            out[i * k + c] = v;
        }
}

void lt_lda_predict(const lt_lda *m, const double *x, size_t rows, int *pred)
{
    size_t p = m->n_features, k = (size_t)m->n_classes;
    for (size_t i = 0; i < rows; i++) {
        const double *xi = x + i * p;
        if (k == 2) {
            /* scikit-learn folds the two rows into one difference. */
            double score = 0;
            for (size_t j = 0; j < p; j++)
                score += xi[j] * (m->coef[p + j] - m->coef[j]);
            score += m->intercept[1] - m->intercept[0];
            pred[i] = score > 0;
            continue;
        }
        int best = 0;
        double best_score = -INFINITY;
        for (size_t g = 0; g < k; g++) {
            double score = 0;
            for (size_t j = 0; j < p; j++)
                score += xi[j] * m->coef[g * p + j];
            score += m->intercept[g];
            if (score > best_score)
                best_score = score, best = (int)g;
        }
        pred[i] = best;
    }
}

void lt_lda_proba(const lt_lda *m, const double *x, size_t rows, double *proba)
{
    size_t p = m->n_features, k = (size_t)m->n_classes;
    for (size_t i = 0; i < rows; i++) {
        const double *xi = x + i * p;
        double *pi = proba + i * k;
        if (k == 2) {
            /* scikit-learn: the sigmoid of the folded score. */
            double score = 0;
            for (size_t j = 0; j < p; j++)
                score += xi[j] * (m->coef[p + j] - m->coef[j]);
            score += m->intercept[1] - m->intercept[0];
            pi[1] = 1 / (1 + exp(-score));
            pi[0] = 1 - pi[1];
            continue;
        }
        /* The softmax of the scores, shifted by their largest. */
        double top = -INFINITY, sum = 0;
        for (size_t g = 0; g < k; g++) {
            double score = 0;
            for (size_t j = 0; j < p; j++)
                score += xi[j] * m->coef[g * p + j];
            pi[g] = score + m->intercept[g];
            top = pi[g] > top ? pi[g] : top;
        }
        for (size_t g = 0; g < k; g++)
            sum += (pi[g] = exp(pi[g] - top));
        for (size_t g = 0; g < k; g++)
            pi[g] /= sum;
    }
}
