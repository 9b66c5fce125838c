/* pca: principal component analysis fitted on train, applied to every split,
 * with scikit-learn's numbers and sign convention (see math/pca.h). Its
 * outputs: the projection (default), the reconstruction (inverse_transform
 * of the projection) and the spectrum. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dist.h"
#include "io/csv_matrix.h"
#include "latent/stage.h"
#include "stages/embedding.h"
#include "math/pca.h"

struct pca_config {
    double n_components;
    int solver; /* index into solver_choices: the lt_pca_solver value */
    bool whiten;
    /* randomized (the rows' `when`); an "unset" value means the row's
     * def_text, resolved in fit() and told to the runner */
    int n_oversamples;
    int iterated_power;         /* -1: auto */
    int power_iteration_normalizer; /* the lt_pca_normalizer value */
    int64_t random_state;       /* -1: the pipeline's seed */
    /* incremental */
    int batch_size; /* 0: 5 x features */
};

static const char *const solver_choices[] = {"auto", "full", "covariance",
                                             "randomized", "incremental", NULL};
static const char *const normalizer_choices[] = {"auto", "none", "LU", "QR", NULL};

#define CFG struct pca_config
static const lt_param pca_params[] = {
    LT_NCOMP(CFG, n_components,
             "components to keep: an integer >= 1, a fraction in (0, 1) of the "
             "variance to keep, or null/\"all\" for min(rows, features)"),
    LT_CHOICE(CFG, solver, "auto", solver_choices,
              "full: SVD of the centred data (scikit-learn's svd_solver='full'); "
              "covariance: eigenpairs of the covariance, faster when rows >> "
              "features; auto: covariance when rows >= 2 features and "
              "rows * features^2 >= 2^24, else full; randomized: a few "
              "leading components by randomized SVD (scikit-learn's "
              "svd_solver='randomized'); incremental: scikit-learn's "
              "IncrementalPCA, batch by batch (reads a streamed dataset "
              "without holding it)"),
    LT_BOOL(CFG, whiten, false, "divide each projected column by its standard deviation"),
    LT_INT_WHEN(CFG, n_oversamples, 10, 0, 100000, LT_NULLABLE, "solver=randomized", NULL,
                "random columns beyond n_components"),
    LT_INT_WHEN(CFG, iterated_power, -1, 0, 1000, LT_NULLABLE, "solver=randomized",
                "7 when n_components < 0.1 min(rows, features), else 4", "power iterations"),
    LT_CHOICE_WHEN(CFG, power_iteration_normalizer, "auto", normalizer_choices, "solver=randomized",
                   "how each power iteration is renormalised; auto: none for up to 2 iterations, else LU"),
    LT_SEED_WHEN(CFG, random_state, -1, "solver=randomized",
                 "seed of the Gaussian test matrix (numpy's RandomState)"),
    LT_INT_WHEN(CFG, batch_size, 0, 2, 100000000, LT_NULLABLE, "solver=incremental", "5 x features",
                "rows per batch; the last batch takes in a remainder shorter than n_components"),
};
#undef CFG

enum { OUT_PROJECTION, OUT_RECONSTRUCTION, OUT_SPECTRUM };
static const lt_output pca_outputs[] = {
    [OUT_PROJECTION] = {"projection", LT_DATASET,
                        "every split projected on the components (whitened if asked): columns PC1..PCk"},
    [OUT_RECONSTRUCTION] = {"reconstruction", LT_DATASET,
                            "every split mapped back from the components to the input's features, "
                            "as inverse_transform (whitening does not change it)"},
    [OUT_SPECTRUM] = {"spectrum", LT_SPECTRUM,
                      "the explained variance of every component the solver computed, for plot.variance"},
};

static int check(lt_ctx *ctx, const void *config)
{
    const struct pca_config *cfg = config;
    double k = cfg->n_components;
    if (!(k == 0 || (k > 0 && k < 1) || (k >= 1 && k == (double)(long long)k)))
        return lt_fail_param(ctx, LT_EINPUT, "n_components",
                       "n_components is %g; expected an integer >= 1, a fraction "
                       "in (0, 1) or null for all",
                       k);
    if (cfg->solver == LT_PCA_RANDOMIZED && k < 1)
        return lt_fail_param(ctx, LT_EINPUT, "n_components",
                       "the randomized solver needs n_components as an integer >= 1, "
                       "not %s",
                       k == 0 ? "null" : "a variance fraction");
    if (cfg->solver == LT_PCA_INCREMENTAL && k > 0 && k < 1)
        return lt_fail_param(ctx, LT_EINPUT, "n_components",
                       "the incremental solver needs n_components as an integer >= 1 "
                       "or null, not a variance fraction");
    /* A parameter of another solver is refused by its row's `when`. */
    if (cfg->solver == LT_PCA_INCREMENTAL && cfg->batch_size > 0 && k >= 1 &&
        (double)cfg->batch_size < k)
        return lt_fail_param(ctx, LT_EINPUT, "batch_size",
                       "batch_size is %d but each batch needs at least n_components "
                       "(%g) rows",
                       cfg->batch_size, k);
    return LT_OK;
}

/* Writes artifact "<stage>.<what>.csv": a header of feature names (x0, x1,
 * ... when the data have none), then rows of %.17g values. */
static int write_csv(lt_ctx *ctx, const char *what, char *const *names,
                     const double *v, size_t rows, size_t cols)
{
    char name[512];
    snprintf(name, sizeof name, "%s.%s.csv", lt_ctx_stage(ctx), what);
    const char *path = lt_ctx_artifact(ctx, name);
    if (!path)
        return LT_ERUNTIME;
    if (lt_csv_write_matrix(path, names, v, rows, cols) != 0)
        return lt_fail(ctx, LT_ERUNTIME, "cannot write %s: %s", path, strerror(errno));
    return LT_OK;
}

static int fail_fit(lt_ctx *ctx, int status, const struct pca_config *cfg)
{
    switch (status) {
    case LT_PCA_EZEROVAR:
        return lt_fail(ctx, LT_EINPUT,
                       "n_components is a variance fraction (%g) but the training "
                       "data have zero variance; give an integer instead",
                       cfg->n_components);
    case LT_PCA_ETOOBIG:
        return lt_fail(ctx, LT_ERUNTIME,
                       "the training data are too large for BLAS (a dimension "
                       "over 2^31 - 1)");
    case LT_PCA_ENOCONV:
        return lt_fail(ctx, LT_ERUNTIME, "LAPACK did not converge (%s solver)",
                       solver_choices[cfg->solver]);
    default:
        return lt_fail(ctx, LT_ERUNTIME, "out of memory");
    }
}

/* The projection of one split (whitened if asked) into *proj_out and,
 * when REC_OUT is not NULL, its reconstruction into *rec_out. *scores, when
 * not NULL, is the split's unwhitened projection from the fit (rows x k,
 * malloc'ed): the projection takes it over (*scores becomes NULL) instead
 * of copying it. Returns 0, or -1 when out of memory. */
/* lt_pca_transform of X's rows, float64 or float32 as X holds them. */
static int transform(const lt_pca *m, const lt_mat *x, size_t rows, double *out)
{
    return x->f ? lt_pca_transform_f32(m, x->f, rows, false, out)
                : lt_pca_transform(m, x->v, rows, false, out);
}

static int output_split(const lt_pca *m, const struct pca_config *cfg, const lt_mat *x, double **scores,
                        lt_mat **proj_out, lt_mat **rec_out)
{
    size_t n = x->rows, k = m->n_components;
    lt_mat *proj = lt_mat_new(scores ? 0 : n, k);
    if (!proj)
        return -1;
    if (scores) {
        proj->rows = n;
        proj->v = *scores;
        *scores = NULL;
    } else if (transform(m, x, n, proj->v) != LT_PCA_OK) {
        lt_mat_free(&proj);
        return -1;
    }
    if (rec_out) {
        lt_mat *rec = lt_mat_new(n, m->n_features);
        if (!rec || lt_pca_inverse(m, proj->v, n, rec->v) != LT_PCA_OK) {
            lt_mat_free(&rec);
            lt_mat_free(&proj);
            return -1;
        }
        *rec_out = rec;
    }
    if (cfg->whiten)
        lt_pca_whiten(m, proj->v, n);
    *proj_out = proj;
    return 0;
}

static int report(lt_ctx *ctx, const lt_pca *m, double mse)
{
    size_t k = m->n_components, p = m->n_features;
    double *cumulative = malloc(k * sizeof *cumulative);
    if (!cumulative)
        return lt_fail(ctx, LT_ERUNTIME, "out of memory");
    double sum = 0;
    for (size_t j = 0; j < k; j++)
        cumulative[j] = sum += m->variance_ratio[j];
    lt_report_int(ctx, "n_components", (long long)k);
    lt_report_str(ctx, "solver", lt_pca_solver_name(m->solver));
    lt_report_vec(ctx, "explained_variance", m->variance, k);
    lt_report_vec(ctx, "explained_variance_ratio", m->variance_ratio, k);
    lt_report_vec(ctx, "cumulative_variance_ratio", cumulative, k);
    lt_report_vec(ctx, "singular_values", m->singular_values, k);
    /* Small models in metrics.json, so expect: can pin entries; a large one
     * (182 x 784 for Fashion-MNIST) would bury the metrics, and its CSV
     * artifacts hold it whole anyway. */
    if (k * p <= 4096) {
        lt_report_mat(ctx, "components", m->components, k, p);
        lt_report_vec(ctx, "mean", m->mean, p);
    }
    /* Only the exact solvers know the whole spectrum that count needs. */
    if (m->solver == LT_PCA_FULL || m->solver == LT_PCA_COVARIANCE)
        lt_report_int(ctx, "components_for_95",
                      (long long)lt_pca_count_reaching(m->variance_ratio, m->n_spectrum, 0.95));
    if (m->solver == LT_PCA_RANDOMIZED) {
        lt_report_int(ctx, "n_iter", m->n_iter);
        lt_report_str(ctx, "power_iteration_normalizer", lt_pca_normalizer_name(m->normalizer));
    }
    if (m->solver == LT_PCA_INCREMENTAL)
        lt_report_int(ctx, "n_batches", (long long)m->n_batches);
    lt_report_num(ctx, "total_variance", m->total_variance);
    lt_report_num(ctx, "noise_variance", m->noise_variance);
    lt_report_num(ctx, "reconstruction_mse", mse);
    free(cumulative);
    return LT_OK;
}

/* The incremental solver's rows per batch. */
static size_t batch_rows(const struct pca_config *cfg, size_t p)
{
    return cfg->batch_size > 0 ? (size_t)cfg->batch_size : 5 * p;
}

/* The incremental solver, batch by batch over TRAIN (dense or streamed),
 * with scikit-learn's batches: gen_batches(rows, batch_size,
 * min_batch_size=n_components). */
static int fit_incremental(lt_ctx *ctx, const struct pca_config *cfg, const lt_data *in,
                           const lt_mat *train, lt_pca *m)
{
    size_t n = lt_dist_rows(in, train), p = train->cols, k = (size_t)cfg->n_components;
    /* Rows spread over MPI ranks: each rank reads its part of every batch
     * (the rows of the batch inside its own block) and the parts are
     * gathered on every rank in rank order, which is row order, so that the
     * update is the one-process one, batch for batch. */
    size_t mine = 0, count = train->rows;
    if (in->row_blocks)
        lt_dist_block(n, &mine, &count);
    size_t batch = batch_rows(cfg, p);
    if (cfg->batch_size <= 0)
        lt_ctx_resolved(ctx, "batch_size", (double)batch);
    size_t widest = 0;
    for (size_t start = 0, end; start < n; start = end) {
        end = lt_ipca_batch_end(start, n, batch, k);
        if (end - start > widest)
            widest = end - start;
    }
    lt_ipca *fit = lt_ipca_new(p, k);
    double *buf = malloc(widest * p * sizeof *buf + 1);
    int status = fit && buf ? LT_OK : lt_fail(ctx, LT_ERUNTIME, "out of memory");
    for (size_t start = 0, end; status == LT_OK && start < n; start = end) {
        end = lt_ipca_batch_end(start, n, batch, k);
        char why[512];
        double *rows = buf, *whole = NULL;
        if (in->row_blocks) {
            size_t lo = start > mine ? start : mine, hi = end < mine + count ? end : mine + count;
            size_t part = hi > lo ? hi - lo : 0, got;
            if (part && lt_mat_read_rows(train, lo - mine, part, buf, why, sizeof why) != 0)
                status = lt_fail(ctx, LT_EINPUT, "%s", why);
            if ((status = lt_dist_check(ctx, in, status)) == LT_OK &&
                lt_dist_allgather(buf, part, p, &whole, &got) != 0)
                status = lt_fail(ctx, LT_ERUNTIME, "out of memory");
            rows = whole;
        } else if (lt_mat_read_rows(train, start, end - start, buf, why, sizeof why) != 0) {
            status = lt_fail(ctx, LT_EINPUT, "%s", why);
        }
        if (status == LT_OK && start == 0 && end - start < 2)
            status = lt_fail(ctx, LT_EINPUT,
                             "the first batch has 1 row; give a batch_size of at least 2");
        else if (status == LT_OK) {
            int fitted = lt_ipca_partial_fit(fit, rows, end - start);
            if (fitted != LT_PCA_OK)
                status = fail_fit(ctx, fitted, cfg);
        }
        free(whole);
    }
    if (status == LT_OK && lt_ipca_finish(fit, m) != LT_PCA_OK)
        status = lt_fail(ctx, LT_ERUNTIME, "out of memory");
    free(buf);
    lt_ipca_free(&fit);
    return status;
}

/* The projection of split X (and its reconstruction when REC_OUT is not
 * NULL) a batch at a time, for the incremental solver (X may be streamed:
 * only a batch of it is in memory at once). Adds the split's squared
 * reconstruction error to *sse when sse is not NULL. */
static int output_blocks(lt_ctx *ctx, const lt_pca *m, const struct pca_config *cfg, const lt_mat *x,
                         double *sse, lt_mat **proj_out, lt_mat **rec_out)
{
    size_t n = x->rows, p = m->n_features, k = m->n_components;
    size_t block = batch_rows(cfg, p) < n ? batch_rows(cfg, p) : n;
    lt_mat *proj = lt_mat_new(n, k), *rec = rec_out ? lt_mat_new(n, p) : NULL;
    double *buf = malloc(block * p * sizeof *buf + 1);
    int status = proj && (rec || !rec_out) && buf ? LT_OK : lt_fail(ctx, LT_ERUNTIME, "out of memory");
    for (size_t r0 = 0; status == LT_OK && r0 < n; r0 += block) {
        size_t b = r0 + block < n ? block : n - r0;
        double *scores = proj->v + r0 * k;
        char why[512];
        double mse = 0;
        if (lt_mat_read_rows(x, r0, b, buf, why, sizeof why) != 0) {
            status = lt_fail(ctx, LT_EINPUT, "%s", why);
            break;
        }
        if (lt_pca_transform(m, buf, b, false, scores) != LT_PCA_OK ||
            (sse && lt_pca_reconstruction_mse(m, buf, scores, b, &mse) != LT_PCA_OK) ||
            (rec && lt_pca_inverse(m, scores, b, rec->v + r0 * p) != LT_PCA_OK)) {
            status = lt_fail(ctx, LT_ERUNTIME, "out of memory");
            break;
        }
        if (sse)
            *sse += mse * (double)b * (double)p;
        if (cfg->whiten)
            lt_pca_whiten(m, scores, b);
    }
    free(buf);
    if (status != LT_OK) {
        lt_mat_free(&proj);
        lt_mat_free(&rec);
    }
    *proj_out = proj;
    if (rec_out)
        *rec_out = rec;
    return status;
}

/* The reconstruction error of the training rows: over every rank's rows
 * when they are spread over several. */
static int pca_mse(const lt_data *in, const lt_pca *m, const lt_mat *train, const double *scores,
                   double *mse)
{
    /* An exact fit's spectrum gives it without another pass, over every
     * rank's rows at once. */
    if (lt_pca_training_mse(m, mse))
        return LT_PCA_OK;
    int status = train->f ? lt_pca_reconstruction_mse_f32(m, train->f, scores, train->rows, mse)
                          : lt_pca_reconstruction_mse(m, train->v, scores, train->rows, mse);
    if (!in->row_blocks)
        return status;
    double sse[2] = {*mse * (double)train->rows * (double)train->cols, (double)train->rows};
    if (lt_dist_sum(status == LT_PCA_OK ? sse : NULL, 2) != 0)
        return LT_PCA_ENOMEM;
    *mse = sse[1] > 0 ? sse[0] / (sse[1] * (double)train->cols) : 0.0;
    return LT_PCA_OK;
}

/* Fits the model on the train split; *scores receives the training
 * projection when the solver computes it on the way (else NULL). */
static int fit(lt_ctx *ctx, const struct pca_config *cfg, const lt_data *in, const lt_mat *train,
               lt_pca *m, double **scores)
{
    *scores = NULL;
    int status;
    /* Rows spread over MPI ranks: every rank's part of each sum over rows,
     * added in rank order (core/dist.h). */
    lt_pca_rows spread = {.sum = lt_dist_sum, .allgather = lt_dist_allgather,
                          .rank = lt_dist_rank(), .size = lt_dist_size()};
    /* The same test matrix on every rank: it is features x columns (or,
     * for wide data, all rows x columns), drawn whole from the seed. */
    lt_pca_randomized opt = {
        .n_oversamples = (size_t)cfg->n_oversamples,
        .n_iter = cfg->iterated_power,
        .normalizer = (lt_pca_normalizer)cfg->power_iteration_normalizer,
        .seed = cfg->random_state >= 0 ? (uint32_t)cfg->random_state : lt_ctx_seed(ctx),
    };
    switch (cfg->solver) {
    case LT_PCA_INCREMENTAL:
        return fit_incremental(ctx, cfg, in, train, m);
    case LT_PCA_RANDOMIZED:
        if (in->row_blocks)
            status = lt_pca_fit_randomized_rows(m, train->v, train->rows, train->cols,
                                                (size_t)cfg->n_components, &opt, &spread, scores);
        else if (train->f)
            status = lt_pca_fit_randomized_f32(m, train->f, train->rows, train->cols,
                                               (size_t)cfg->n_components, &opt, scores);
        else
            status = lt_pca_fit_randomized(m, train->v, train->rows, train->cols,
                                           (size_t)cfg->n_components, &opt, scores);
        if (status == LT_PCA_OK && cfg->iterated_power < 0)
            lt_ctx_resolved(ctx, "iterated_power", m->n_iter);
        break;
    default:
        if (in->row_blocks) { /* the covariance's sums, or the full SVD by QR blocks */
            status = lt_pca_fit_rows(m, train->v, train->rows, train->cols, cfg->n_components,
                                     (lt_pca_solver)cfg->solver, &spread, scores);
            break;
        }
        status = train->f ? lt_pca_fit_f32(m, train->f, train->rows, train->cols,
                                           cfg->n_components, scores)
                          : lt_pca_fit(m, train->v, train->rows, train->cols, cfg->n_components,
                                       (lt_pca_solver)cfg->solver, scores);
    }
    return status == LT_PCA_OK ? LT_OK : fail_fit(ctx, status, cfg);
}

/* A copy of the saved vector NAME (N numbers) into *out (owned). */
static int saved_copy(lt_ctx *ctx, const lt_model *saved, const char *name, size_t n,
                      double **out)
{
    const double *v = lt_model_vec(ctx, saved, name, n);
    if (!v)
        return LT_EINPUT;
    if (!(*out = malloc(n * sizeof **out + 1)))
        return lt_fail(ctx, LT_ERUNTIME, "out of memory");
    memcpy(*out, v, n * sizeof **out);
    return LT_OK;
}

/* The model saved by save(), for a stage with `from:`. */
static int load(lt_ctx *ctx, const lt_model *saved, size_t p, lt_pca *m)
{
    double k = 0, spectrum = 0, solver = 0, rows = 0, n_iter = 0, batches = 0, norm = 0;
    size_t kk = LT_ANY, pp = p;
    int rc = lt_model_num(ctx, saved, "n_components_", &k);
    if (rc == LT_OK)
        rc = lt_model_num(ctx, saved, "latent.n_spectrum", &spectrum);
    if (rc == LT_OK)
        rc = lt_model_num(ctx, saved, "latent.solver", &solver);
    if (rc == LT_OK)
        rc = lt_model_num(ctx, saved, "n_samples_", &rows);
    if (rc == LT_OK)
        rc = lt_model_num(ctx, saved, "latent.n_iter", &n_iter);
    if (rc == LT_OK)
        rc = lt_model_num(ctx, saved, "latent.normalizer", &norm);
    if (rc == LT_OK)
        rc = lt_model_num(ctx, saved, "latent.n_batches", &batches);
    if (rc == LT_OK)
        rc = lt_model_num(ctx, saved, "latent.total_variance", &m->total_variance);
    if (rc == LT_OK)
        rc = lt_model_num(ctx, saved, "noise_variance_", &m->noise_variance);
    if (rc != LT_OK)
        return rc;
    m->n_components = (size_t)k;
    m->n_spectrum = (size_t)spectrum;
    m->n_features = p;
    m->n_samples = (size_t)rows;
    m->solver = (lt_pca_solver)solver;
    m->n_iter = (int)n_iter;
    m->normalizer = (lt_pca_normalizer)norm;
    m->n_batches = (size_t)batches;
    kk = m->n_components;
    const double *comp = lt_model_get(ctx, saved, "components_", &kk, &pp);
    if (!comp)
        return LT_EINPUT;
    if (!(m->components = malloc(kk * pp * sizeof *m->components + 1)))
        return lt_fail(ctx, LT_ERUNTIME, "out of memory");
    memcpy(m->components, comp, kk * pp * sizeof *m->components);
    rc = saved_copy(ctx, saved, "mean_", p, &m->mean);
    if (rc == LT_OK)
        rc = saved_copy(ctx, saved, "latent.spectrum.explained_variance", m->n_spectrum, &m->variance);
    if (rc == LT_OK)
        rc = saved_copy(ctx, saved, "latent.spectrum.explained_variance_ratio", m->n_spectrum,
                        &m->variance_ratio);
    if (rc == LT_OK)
        rc = saved_copy(ctx, saved, "latent.spectrum.singular_values", m->n_spectrum,
                        &m->singular_values);
    return rc;
}

/* The model with scikit-learn's attribute names (PCA and IncrementalPCA
 * keep the kept components' spectrum), and the whole spectrum for load(). */
static void save(lt_ctx *ctx, const lt_pca *m)
{
    lt_model *o = lt_ctx_model_out(ctx);
    size_t k = m->n_components;
    lt_model_put_mat(o, "components_", m->components, k, m->n_features);
    lt_model_put_vec(o, "explained_variance_", m->variance, k);
    lt_model_put_vec(o, "explained_variance_ratio_", m->variance_ratio, k);
    lt_model_put_vec(o, "singular_values_", m->singular_values, k);
    lt_model_put_vec(o, "mean_", m->mean, m->n_features);
    lt_model_put_num(o, "noise_variance_", m->noise_variance);
    lt_model_put_int(o, "n_components_", (long long)k);
    lt_model_put_int(o, "n_samples_", (long long)m->n_samples);
    lt_model_put_int(o, "latent.n_spectrum", (long long)m->n_spectrum);
    lt_model_put_vec(o, "latent.spectrum.explained_variance", m->variance, m->n_spectrum);
    lt_model_put_vec(o, "latent.spectrum.explained_variance_ratio", m->variance_ratio,
                     m->n_spectrum);
    lt_model_put_vec(o, "latent.spectrum.singular_values", m->singular_values, m->n_spectrum);
    lt_model_put_num(o, "latent.total_variance", m->total_variance);
    lt_model_put_int(o, "latent.solver", (long long)m->solver);
    lt_model_put_int(o, "latent.n_iter", m->n_iter);
    lt_model_put_int(o, "latent.normalizer", (long long)m->normalizer);
    lt_model_put_int(o, "latent.n_batches", (long long)m->n_batches);
}

/* Whether this run reads held float32 rows as they are: when it only
 * projects (a saved model) or its solver does (lt_pca_reads_f32), on one
 * process (the rows spread over ranks go through the float64 sums). */
static bool reads_f32(lt_ctx *ctx, const struct pca_config *cfg, const lt_data *in)
{
    const lt_mat *train = in->split[LT_TRAIN].x;
    if (in->row_blocks || !train)
        return false;
    if (lt_ctx_model_in(ctx))
        return true;
    lt_pca_solver solver = (lt_pca_solver)cfg->solver;
    if (solver == LT_PCA_AUTO)
        solver = lt_pca_pick_solver(train->rows, train->cols);
    return lt_pca_reads_f32(solver, train->rows, train->cols);
}

static int run(lt_ctx *ctx, const void *config, const lt_value *inputs,
               int n_inputs, lt_value *outputs)
{
    (void)n_inputs;
    const struct pca_config *cfg = config;
    const lt_data *in = inputs[0].data;
    bool incremental = cfg->solver == LT_PCA_INCREMENTAL;
    /* The incremental solver reads batches of float64 rows from whatever
     * holds them (float32 images, a stream). The covariance and randomized
     * solvers and a saved model's projection read held float32 rows as they are,
     * widening them block by block (math/pca.h): no float64 copy of the
     * images, which would be twice their size. The others need the data
     * whole as float64. */
    lt_data *whole = NULL;
    if (!incremental && (lt_data_has_stream(in) || (lt_data_has_f32(in) && !reads_f32(ctx, cfg, in)))) {
        char why[512];
        if (!(whole = lt_data_to_f64(in, why, sizeof why)))
            return lt_fail(ctx, LT_EINPUT, "%s", why);
        in = whole;
    }
    const lt_mat *train = in->split[LT_TRAIN].x;
    int status = LT_OK;
    lt_pca m = {0};
    double *scores = NULL;
    lt_data *proj = NULL, *rec = NULL;
    lt_spectrum *spectrum = NULL;
    if (!train) {
        status = lt_fail(ctx, LT_EINPUT, "the input has no train split to fit on");
        goto done;
    }
    size_t n = lt_dist_rows(in, train), p = train->cols;
    const lt_model *saved = lt_ctx_model_in(ctx);
    if ((n < 2 && !saved) || p == 0) {
        status = n < 2 ? lt_fail(ctx, LT_EINPUT, "pca needs at least 2 training rows, got %zu", n)
                       : lt_fail(ctx, LT_EINPUT, "the input has no features");
        goto done;
    }
    for (int s = 0; s < LT_N_SPLITS; s++)
        if (in->split[s].x && in->split[s].x->cols != p) {
            status = lt_fail(ctx, LT_EINPUT, "split '%s' has %zu features but train has %zu",
                             lt_split_name(s), in->split[s].x->cols, p);
            goto done;
        }
    size_t most = n < p ? n : p;
    if (saved) {
        if ((status = load(ctx, saved, p, &m)) != LT_OK)
            goto done;
    } else if (cfg->n_components >= 1 && cfg->n_components > (double)most) {
        status = lt_fail(ctx, LT_EINPUT,
                         "n_components is %g but the data allow at most %zu "
                         "(min(rows, features))",
                         cfg->n_components, most);
        goto done;
    }

    if (!saved) {
        if ((status = fit(ctx, cfg, in, train, &m, &scores)) != LT_OK)
            goto done;
        save(ctx, &m);
    }
    /* The training rows go through transform(), as new rows do, so that a
     * saved model applied to them gives the very same bits; the full SVD's
     * U S is that to rounding. Randomized SVD's U S is not X V' (it is
     * fit_transform's approximation, which scikit-learn reports), so a
     * randomized fit keeps it. The covariance solver's scores are
     * transform()'s very bits already (the same projection, with signs
     * flipped exactly after), so that fit keeps them too. */
    bool keep = !saved && (m.solver == LT_PCA_RANDOMIZED || m.solver == LT_PCA_COVARIANCE);
    if (!keep) {
        free(scores);
        scores = NULL;
    }
    /* This process's rows: all of them, or its block under mpirun. */
    if (!incremental && !keep &&
        (!(scores = malloc(train->rows * m.n_components * sizeof *scores + 1)) ||
         transform(&m, train, train->rows, scores) != LT_PCA_OK)) {
        status = lt_fail(ctx, LT_ERUNTIME, "out of memory");
        goto done;
    }
    if (m.total_variance == 0 && !saved)
        lt_warn(ctx, "the training data have zero variance: the components are "
                     "arbitrary and the variance ratios are reported as 0");

    double mse = 0;
    bool want_rec = lt_ctx_wants(ctx, OUT_RECONSTRUCTION);
    proj = lt_data_new();
    rec = want_rec ? lt_data_new() : NULL;
    if (!proj || lt_data_copy_meta(proj, in) != 0 || (want_rec && (!rec || lt_data_copy_meta(rec, in) != 0)) ||
        (!incremental && pca_mse(in, &m, train, scores, &mse) != LT_PCA_OK) ||
        embed_name_features(proj, "PC", m.n_components) != 0) {
        status = lt_fail(ctx, LT_ERUNTIME, "out of memory");
        goto done;
    }
    proj->image_rows = proj->image_cols = 0;
    double sse = 0;
    for (int s = 0; s < LT_N_SPLITS && status == LT_OK; s++) {
        const lt_mat *x = in->split[s].x;
        lt_mat **rec_x = rec ? &rec->split[s].x : NULL;
        if (!x)
            continue;
        if (incremental)
            status = output_blocks(ctx, &m, cfg, x, s == LT_TRAIN ? &sse : NULL, &proj->split[s].x, rec_x);
        else if (output_split(&m, cfg, x, s == LT_TRAIN ? &scores : NULL, &proj->split[s].x, rec_x) != 0)
            status = lt_fail(ctx, LT_ERUNTIME, "out of memory");
    }
    /* A rank that could not read its rows stops the others here. */
    status = lt_dist_check(ctx, in, status);
    if (status == LT_OK && incremental && lt_dist_rows_sum(in, &sse, 1) != 0)
        status = lt_fail(ctx, LT_ERUNTIME, "out of memory");
    if (status != LT_OK)
        goto done;
    if (incremental)
        mse = sse / ((double)n * (double)p);
    if (lt_data_copy_rowinfo(proj, in) != 0 || (rec && lt_data_copy_rowinfo(rec, in) != 0) ||
        (lt_ctx_wants(ctx, OUT_SPECTRUM) && !(spectrum = lt_spectrum_new(m.n_spectrum)))) {
        status = lt_fail(ctx, LT_ERUNTIME, "out of memory");
        goto done;
    }
    if (spectrum) {
        memcpy(spectrum->variance, m.variance, m.n_spectrum * sizeof(double));
        memcpy(spectrum->ratio, m.variance_ratio, m.n_spectrum * sizeof(double));
        spectrum->n_kept = m.n_components;
        spectrum->threshold = cfg->n_components > 0 && cfg->n_components < 1 ? cfg->n_components : 0;
    }

    status = report(ctx, &m, mse);
    if (status == LT_OK)
        status = write_csv(ctx, "components", in->feature_names, m.components,
                           m.n_components, p);
    if (status == LT_OK)
        status = write_csv(ctx, "mean", in->feature_names, m.mean, 1, p);
done:
    free(scores);
    lt_pca_free(&m);
    lt_data_free(&whole);
    if (status != LT_OK) {
        lt_data_free(&proj);
        lt_data_free(&rec);
        lt_spectrum_free(&spectrum);
        return status;
    }
    outputs[OUT_PROJECTION].data = proj;
    outputs[OUT_RECONSTRUCTION].data = rec;
    outputs[OUT_SPECTRUM].spectrum = spectrum;
    return LT_OK;
}

static const lt_metric pca_metrics[] = {
    {"n_components", "components kept"},
    {"solver", "the solver used"},
    {"explained_variance", "variance along each component (n - 1 denominator)"},
    {"explained_variance_ratio", "variance share of each component"},
    {"cumulative_variance_ratio", "running sum of explained_variance_ratio"},
    {"singular_values", "singular values of the centred train split"},
    {"components", "the components, one per row (when at most 4096 numbers)"},
    {"mean", "the train split's column means (when components is reported)"},
    {"components_for_95", "components needed for 95% of the variance (exact solvers)"},
    {"n_iter", "power iterations (randomized solver)"},
    {"power_iteration_normalizer", "the normaliser between power iterations (randomized solver)"},
    {"n_batches", "batches seen (incremental solver)"},
    {"total_variance", "the train split's total variance"},
    {"noise_variance", "scikit-learn's noise_variance_"},
    {"reconstruction_mse", "mean squared error of the train split projected and mapped back"},
};

const lt_stage_def pca_stage = {
    .abi = LT_ABI_VERSION,
    .name = "pca",
    .summary = "principal component analysis fitted on train, as scikit-learn's PCA "
               "(full, covariance or randomized solver) and IncrementalPCA",
    .params = pca_params,
    .n_params = LT_COUNT(pca_params),
    .config_size = sizeof(struct pca_config),
    .min_inputs = 1,
    .max_inputs = 1,
    .outputs = pca_outputs,
    .n_outputs = LT_COUNT(pca_outputs),
    .distributed = true,
    .accepts_f32 = true,
    .accepts_stream = true,
    .fits = true,
    .check = check,
    .run = run,
    .metrics = pca_metrics,
    .n_metrics = LT_COUNT(pca_metrics),
};
