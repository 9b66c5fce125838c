/* Incremental PCA (Ross, Lim, Lin and Yang 2008), batch by batch as
 * scikit-learn's IncrementalPCA.partial_fit computes it: see math/pca.h. */
#include "math/pca.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "math/linalg.h"

struct lt_ipca {
    size_t p, k;           /* features; components (0 until the first batch) */
    size_t seen;           /* rows fitted so far */
    size_t batches;
    double *mean, *var;    /* p each: the running mean and (ddof 0) variance */
    double *components;    /* k x p, valid once seen > 0 */
    double *singular;      /* k */
    double *variance;      /* k: explained variance of the last update */
    double noise_variance;
    /* Scratch for the stacked matrix, grown as batches need. */
    double *stack, *s, *vt;
    size_t stack_rows;
    double *batch_sum, *batch_mean, *prev_mean; /* p each */
};

size_t lt_ipca_batch_end(size_t start, size_t n, size_t batch, size_t min)
{
    if (batch == 0 || start >= n)
        return n;
    return n - start >= batch && n - start - batch >= min ? start + batch : n;
}

lt_ipca *lt_ipca_new(size_t cols, size_t k)
{
    lt_ipca *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->p = cols;
    s->k = k;
    s->mean = calloc(cols + 1, sizeof *s->mean);
    s->var = calloc(cols + 1, sizeof *s->var);
    s->batch_sum = malloc((cols + 1) * sizeof *s->batch_sum);
    s->batch_mean = malloc((cols + 1) * sizeof *s->batch_mean);
    s->prev_mean = malloc((cols + 1) * sizeof *s->prev_mean);
    if (!s->mean || !s->var || !s->batch_sum || !s->batch_mean || !s->prev_mean)
        lt_ipca_free(&s);
    return s;
}

void lt_ipca_free(lt_ipca **s)
{
    if (!s || !*s)
        return;
    lt_ipca *t = *s;
    free(t->mean);
    free(t->var);
    free(t->components);
    free(t->singular);
    free(t->variance);
    free(t->stack);
    free(t->s);
    free(t->vt);
    free(t->batch_sum);
    free(t->batch_mean);
    free(t->prev_mean);
    free(t);
    *s = NULL;
}

size_t lt_ipca_components(const lt_ipca *s) { return s->k; }

/* Folds the batch's column statistics into the running mean and variance
 * (Chan, Golub and LeVeque's pairwise update, with the corrected two-pass
 * sums of scikit-learn's _incremental_mean_and_var). Leaves the batch mean
 * in s->batch_mean. */
static void update_moments(lt_ipca *s, const double *x, size_t rows)
{
    size_t p = s->p;
    double n_old = (double)s->seen, n_new = (double)rows, n_all = n_old + n_new;
    memset(s->batch_sum, 0, p * sizeof *s->batch_sum);
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < p; j++)
            s->batch_sum[j] += x[i * p + j];
    for (size_t j = 0; j < p; j++) {
        double sum = s->batch_sum[j], mean_b = sum / n_new;
        double corr = 0, sq = 0;
        for (size_t i = 0; i < rows; i++) {
            double d = x[i * p + j] - mean_b;
            corr += d;
            sq += d * d;
        }
        double unnorm = sq - corr * corr / n_new;
        double last_sum = s->mean[j] * n_old;
        if (s->seen > 0) {
            double ratio = n_old / n_new, gap = last_sum / ratio - sum;
            unnorm += s->var[j] * n_old + ratio / n_all * gap * gap;
        }
        s->mean[j] = (last_sum + sum) / n_all;
        s->var[j] = unnorm / n_all;
        s->batch_mean[j] = mean_b;
    }
}

static int grow_scratch(lt_ipca *s, size_t rows)
{
    if (rows <= s->stack_rows)
        return LT_PCA_OK;
    size_t p = s->p, q = rows < p ? rows : p;
    free(s->stack);
    free(s->s);
    free(s->vt);
    s->stack = lt_big_alloc(rows * p * sizeof *s->stack);
    s->s = malloc(q * sizeof *s->s);
    s->vt = lt_big_alloc(q * p * sizeof *s->vt);
    if (!s->stack || !s->s || !s->vt)
        return LT_PCA_ENOMEM;
    s->stack_rows = rows;
    return LT_PCA_OK;
}

int lt_ipca_partial_fit(lt_ipca *s, const double *x, size_t rows)
{
    size_t p = s->p;
    if (!lt_linalg_fits(rows + s->k + 1, p))
        return LT_PCA_ETOOBIG;
    if (s->k == 0)
        s->k = rows < p ? rows : p;
    size_t k = s->k;
    if (!s->components) {
        s->components = malloc(k * p * sizeof *s->components);
        s->singular = malloc(k * sizeof *s->singular);
        s->variance = malloc(k * sizeof *s->variance);
        if (!s->components || !s->singular || !s->variance)
            return LT_PCA_ENOMEM;
    }
    bool first = s->seen == 0;
    size_t stacked = first ? rows : k + rows + 1;
    if (grow_scratch(s, stacked) != LT_PCA_OK)
        return LT_PCA_ENOMEM;
    double n_old = (double)s->seen;
    memcpy(s->prev_mean, s->mean, p * sizeof *s->mean);
    update_moments(s, x, rows);
    double n_all = (double)(s->seen + rows);

    /* The matrix whose SVD is the update: on the first batch the batch
     * centred on its mean; afterwards the old components scaled by their
     * singular values, the batch centred on its own mean, and one row that
     * carries the shift between the old mean and the batch's. */
    double *row = s->stack;
    if (!first) {
        for (size_t j = 0; j < k; j++, row += p)
            for (size_t c = 0; c < p; c++)
                row[c] = s->singular[j] * s->components[j * p + c];
    }
    lt_center(row, x, rows, p, s->batch_mean);
    if (!first) {
        row += rows * p;
        double scale = sqrt(n_old / n_all * (double)rows);
        for (size_t c = 0; c < p; c++)
            row[c] = scale * (s->prev_mean[c] - s->batch_mean[c]);
    }
    /* Only the k leading singular vectors are kept: when that is fewer
     * than the SVD has, ask for those alone, and get the sum of the other
     * squared singular values (for the noise variance) from the Frobenius
     * norm, which the stacked matrix keeps. */
    size_t q = stacked < p ? stacked : p;
    double frobenius = 0;
    for (size_t i = 0; i < stacked * p; i++)
        frobenius += s->stack[i] * s->stack[i];
    int la = k < q ? lt_svd_top_right(s->stack, stacked, p, k, s->s, s->vt)
                   : lt_svd_thin(s->stack, stacked, p, NULL, NULL, s->s, s->vt);
    if (la != LT_LA_OK)
        return lt_pca_status_from_la(la);
    /* IncrementalPCA flips on the components' side: the largest-magnitude
     * entry of each right singular vector (the first on ties) is made
     * positive. */
    double kept = 0;
    for (size_t j = 0; j < k; j++) {
        const double *v = s->vt + j * p;
        double sign = lt_pca_sign_of_largest(v, p, 1);
        for (size_t c = 0; c < p; c++)
            s->components[j * p + c] = sign * v[c];
        s->singular[j] = s->s[j];
        s->variance[j] = s->s[j] * s->s[j] / (n_all - 1);
        kept += s->s[j] * s->s[j];
    }
    double rest = frobenius > kept ? (frobenius - kept) / (n_all - 1) : 0.0;
    s->noise_variance = k != rows && k != p && q > k ? rest / (double)(q - k) : 0.0;
    s->seen += rows;
    s->batches++;
    return LT_PCA_OK;
}

int lt_ipca_finish(lt_ipca *s, lt_pca *m)
{
    memset(m, 0, sizeof *m);
    size_t p = s->p, k = s->k, n = s->seen;
    m->solver = LT_PCA_INCREMENTAL;
    m->n_samples = n;
    m->n_features = p;
    m->n_spectrum = m->n_components = k;
    m->n_batches = s->batches;
    m->variance_ratio = malloc(k * sizeof *m->variance_ratio + 1);
    if (!m->variance_ratio)
        return LT_PCA_ENOMEM;
    /* IncrementalPCA's ratio is S^2 / (n * sum of the ddof-0 variances),
     * which is variance / total with the total in n - 1 terms. */
    double total = 0;
    for (size_t c = 0; c < p; c++)
        total += s->var[c];
    m->total_variance = n > 1 ? total * (double)n / (double)(n - 1) : 0.0;
    for (size_t j = 0; j < k; j++)
        m->variance_ratio[j] = m->total_variance > 0 ? s->variance[j] / m->total_variance : 0.0;
    m->mean = s->mean;
    m->variance = s->variance;
    m->singular_values = s->singular;
    m->components = s->components;
    m->noise_variance = s->noise_variance;
    s->mean = s->variance = s->singular = s->components = NULL;
    return LT_PCA_OK;
}
