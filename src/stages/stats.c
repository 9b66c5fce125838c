/* stats: the lecture's descriptive statistics of each split, as metrics:
 * mean vector, sample covariance (n - 1), correlation, and the eigenpairs of
 * the covariance in descending order with the share of the first. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "latent/stage.h"
#include "math/linalg.h"

struct stats_config {
    int max_features;
};

static const lt_param stats_params[] = {
    LT_INT(struct stats_config, max_features, 100, 1, 100000, 0,
           "report the matrices and eigenpairs only up to this many features "
           "(the mean is always reported)"),
};

/* corr_ij = cov_ij / sqrt(cov_ii cov_jj), clipped to [-1, 1] as numpy's
 * corrcoef does; NAN where a variance is zero. Returns how many features
 * had zero variance. */
static size_t correlation(const double *cov, size_t p, double *corr)
{
    size_t flat = 0;
    for (size_t i = 0; i < p; i++)
        flat += !(cov[i * p + i] > 0);
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < p; j++) {
            double r = cov[i * p + j] / sqrt(cov[i * p + i]) / sqrt(cov[j * p + j]);
            corr[i * p + j] = r > 1 ? 1 : r < -1 ? -1 : r;
        }
    return flat;
}

/* Signs each eigenvector (a row) so that its entry of largest magnitude,
 * the first on ties, is positive: a deterministic choice LAPACK leaves open. */
static void sign_rows(double *v, size_t p)
{
    for (size_t i = 0; i < p; i++) {
        double *row = v + i * p, best = 0;
        for (size_t j = 0; j < p; j++)
            if (fabs(row[j]) > fabs(best))
                best = row[j];
        if (best < 0)
            for (size_t j = 0; j < p; j++)
                row[j] = -row[j];
    }
}

/* "train.cov" and the like, in a caller's buffer of 64 bytes. */
static const char *key(char *buf, const char *split, const char *what)
{
    snprintf(buf, 64, "%s.%s", split, what);
    return buf;
}

/* buf holds 2p + 3p^2 doubles (only p when p > max_features). */
static int split_stats(lt_ctx *ctx, const struct stats_config *cfg, const char *split,
                       const lt_mat *x, double *buf)
{
    size_t n = x->rows, p = x->cols;
    double *mean = buf, *cov = mean + p, *corr = cov + p * p;
    double *values = corr + p * p, *vectors = values + p;
    lt_col_means(x->v, n, p, mean);
    char name[64];
    lt_report_vec(ctx, key(name, split, "mean"), mean, p);
    if (p > (size_t)cfg->max_features) {
        lt_warn(ctx, "split '%s' has %zu features, more than max_features (%d): "
                     "covariance, correlation and eigenpairs left out",
                split, p, cfg->max_features);
        return LT_OK;
    }
    int la = lt_covariance(x->v, n, p, mean, cov);
    if (la == LT_LA_OK)
        la = lt_eigh_desc(cov, p, values, vectors);
    if (la == LT_LA_ENOCONV)
        return lt_fail(ctx, LT_ERUNTIME, "the eigen-decomposition of the %s covariance "
                                         "did not converge", split);
    if (la != LT_LA_OK)
        return lt_fail(ctx, LT_ERUNTIME, "out of memory");
    /* A run's results are finite numbers, so an undefined correlation is
     * never written as null: the matrix is left out, and the warning says why. */
    bool undefined = correlation(cov, p, corr) > 0;
    if (undefined)
        lt_warn(ctx, "split '%s' has features of zero variance: their correlations "
                     "are undefined, so %s is left out", split, key(name, split, "corr"));
    sign_rows(vectors, p);
    double total = 0;
    for (size_t i = 0; i < p; i++)
        total += values[i];
    double first = total > 0 ? values[0] / total : 0;
    lt_report_mat(ctx, key(name, split, "cov"), cov, p, p);
    if (!undefined)
        lt_report_mat(ctx, key(name, split, "corr"), corr, p, p);
    lt_report_vec(ctx, key(name, split, "eigenvalues"), values, p);
    lt_report_mat(ctx, key(name, split, "eigenvectors"), vectors, p, p);
    lt_report_num(ctx, key(name, split, "first_ratio"), first);
    return LT_OK;
}

static int stats_run(lt_ctx *ctx, const void *config, const lt_value *inputs,
                     int n_inputs, lt_value *outputs)
{
    (void)n_inputs;
    (void)outputs;
    const struct stats_config *cfg = config;
    const lt_data *in = inputs[0].data;
    for (int s = 0; s < LT_N_SPLITS; s++) {
        const lt_mat *x = in->split[s].x;
        if (!x)
            continue;
        if (x->rows < 2 || x->cols == 0)
            return lt_fail(ctx, LT_EINPUT,
                           "stats needs at least 2 rows and 1 feature in split '%s', "
                           "got %zu x %zu",
                           lt_split_name(s), x->rows, x->cols);
        size_t p = x->cols;
        size_t m = p <= (size_t)cfg->max_features ? p : 0;
        double *buf = malloc((2 * p + 3 * m * m) * sizeof *buf);
        if (!buf)
            return lt_fail(ctx, LT_ERUNTIME, "out of memory");
        int status = split_stats(ctx, cfg, lt_split_name(s), x, buf);
        free(buf);
        if (status != LT_OK)
            return status;
    }
    return LT_OK;
}

static const lt_metric stats_metrics[] = {
    {"{split}.mean", "the split's column means"},
    {"{split}.cov", "the split's covariance matrix (n - 1 denominator)"},
    {"{split}.corr", "the split's correlation matrix"},
    {"{split}.eigenvalues", "the covariance matrix's eigenvalues, largest first"},
    {"{split}.eigenvectors", "their eigenvectors, one per row"},
    {"{split}.first_ratio", "the largest eigenvalue's share of the total"},
};

const lt_stage_def stats_stage = {
    .abi = LT_ABI_VERSION,
    .name = "stats",
    .summary = "mean, covariance (n - 1), correlation and covariance eigenpairs "
               "of each split",
    .params = stats_params,
    .n_params = LT_COUNT(stats_params),
    .config_size = sizeof(struct stats_config),
    .min_inputs = 1,
    .max_inputs = 1,
    .run = stats_run,
    .metrics = stats_metrics,
    .n_metrics = LT_COUNT(stats_metrics),
};
