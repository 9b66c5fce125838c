/* pca: principal component analysis fitted on train, applied to every split,
 * with scikit-learn's numbers and sign convention (see math/pca.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/csv.h"
#include "latent/stage.h"
#include "math/pca.h"

struct pca_config {
    double n_components;
    int solver; /* index into solver_choices: the lt_pca_solver value */
    bool whiten;
    bool inverse;
};

static const char *const solver_choices[] = {"auto", "full", "covariance", NULL};

static const lt_param pca_params[] = {
    LT_NCOMP(struct pca_config, n_components,
             "components to keep: an integer >= 1, a fraction in (0, 1) of the "
             "variance to keep, or null/\"all\" for min(rows, features)"),
    LT_CHOICE(struct pca_config, solver, "auto", solver_choices,
              "full: SVD of the centred data (scikit-learn's svd_solver='full'); "
              "covariance: eigenpairs of the covariance, faster when rows >> "
              "features; auto: covariance when rows >= 2 features and "
              "rows * features^2 >= 2^24, else full"),
    LT_BOOL(struct pca_config, whiten, false,
            "divide each projected column by its standard deviation"),
    LT_BOOL(struct pca_config, inverse, false,
            "output the reconstruction in the original feature space instead "
            "of the projection (whitening does not change it)"),
};

static int check(lt_ctx *ctx, const void *config)
{
    const struct pca_config *cfg = config;
    double k = cfg->n_components;
    if (!(k == 0 || (k > 0 && k < 1) || (k >= 1 && k == (double)(long long)k)))
        return lt_fail(ctx, LT_EINPUT,
                       "n_components is %g; expected an integer >= 1, a fraction "
                       "in (0, 1) or null for all",
                       k);
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
    FILE *f = fopen(path, "w");
    if (!f)
        return lt_fail(ctx, LT_ERUNTIME, "cannot write %s: %s", path, strerror(errno));
    for (size_t j = 0; j < cols; j++) {
        if (j)
            fputc(',', f);
        if (names && names[j])
            lt_csv_write_field(f, names[j]);
        else
            fprintf(f, "x%zu", j);
    }
    fputc('\n', f);
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++)
            fprintf(f, "%.17g%c", v[i * cols + j], j + 1 < cols ? ',' : '\n');
    if (ferror(f) | fclose(f))
        return lt_fail(ctx, LT_ERUNTIME, "cannot write %s", path);
    return LT_OK;
}

/* Replaces the feature names of d (copied from the input) by PC1..PCk. */
static int name_components(lt_data *d, size_t k)
{
    if (d->feature_names)
        for (size_t j = 0; j < d->n_features; j++)
            free(d->feature_names[j]);
    free(d->feature_names);
    d->n_features = k;
    d->feature_names = calloc(k ? k : 1, sizeof *d->feature_names);
    if (!d->feature_names)
        return -1;
    for (size_t j = 0; j < k; j++) {
        char buf[32];
        snprintf(buf, sizeof buf, "PC%zu", j + 1);
        if (!(d->feature_names[j] = strdup(buf)))
            return -1;
    }
    return 0;
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

/* The output matrix of one split: its projection (whitened if asked) or
 * its reconstruction. *scores, when not NULL, is the split's unwhitened
 * projection from the fit (rows x k, malloc'ed): the projection output takes
 * it over (*scores becomes NULL) instead of copying it. */
static lt_mat *output_split(const lt_pca *m, const struct pca_config *cfg,
                            const lt_mat *x, double **scores)
{
    size_t n = x->rows, k = m->n_components;
    lt_mat *proj = lt_mat_new(scores ? 0 : n, k);
    if (!proj)
        return NULL;
    if (scores) {
        proj->rows = n;
        proj->v = *scores;
        *scores = NULL;
    } else if (lt_pca_transform(m, x->v, n, false, proj->v) != LT_PCA_OK)
        goto fail;
    if (!cfg->inverse) {
        if (cfg->whiten)
            lt_pca_whiten(m, proj->v, n);
        return proj;
    }
    lt_mat *rec = lt_mat_new(n, m->n_features);
    if (!rec || lt_pca_inverse(m, proj->v, n, rec->v) != LT_PCA_OK) {
        lt_mat_free(&rec);
        goto fail;
    }
    lt_mat_free(&proj);
    return rec;
fail:
    lt_mat_free(&proj);
    return NULL;
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
    lt_report_int(ctx, "components_for_95",
                  (long long)lt_pca_count_reaching(m->variance_ratio, m->n_spectrum, 0.95));
    lt_report_num(ctx, "noise_variance", m->noise_variance);
    lt_report_num(ctx, "reconstruction_mse", mse);
    free(cumulative);
    return LT_OK;
}

static int run(lt_ctx *ctx, const void *config, const lt_data *const *inputs,
               int n_inputs, lt_data **out)
{
    (void)n_inputs;
    const struct pca_config *cfg = config;
    const lt_data *in = inputs[0];
    const lt_mat *train = in->split[LT_TRAIN].x;
    if (!train)
        return lt_fail(ctx, LT_EINPUT, "the input has no train split to fit on");
    size_t n = train->rows, p = train->cols;
    if (n < 2)
        return lt_fail(ctx, LT_EINPUT, "pca needs at least 2 training rows, got %zu", n);
    if (p == 0)
        return lt_fail(ctx, LT_EINPUT, "the input has no features");
    for (int s = 0; s < LT_N_SPLITS; s++)
        if (in->split[s].x && in->split[s].x->cols != p)
            return lt_fail(ctx, LT_EINPUT,
                           "split '%s' has %zu features but train has %zu",
                           lt_split_name(s), in->split[s].x->cols, p);
    size_t most = n < p ? n : p;
    if (cfg->n_components >= 1 && cfg->n_components > (double)most)
        return lt_fail(ctx, LT_EINPUT,
                       "n_components is %g but the data allow at most %zu "
                       "(min(rows, features))",
                       cfg->n_components, most);

    lt_pca m;
    double *scores = NULL;
    int status = lt_pca_fit(&m, train->v, n, p, cfg->n_components,
                            (lt_pca_solver)cfg->solver, &scores);
    if (status != LT_PCA_OK)
        return fail_fit(ctx, status, cfg);
    if (m.total_variance == 0)
        lt_warn(ctx, "the training data have zero variance: the components are "
                     "arbitrary and the variance ratios are reported as 0");

    double mse = 0;
    lt_data *res = lt_data_new();
    status = LT_OK;
    if (!res || lt_data_copy_meta(res, in) != 0 ||
        lt_pca_reconstruction_mse(&m, train->v, scores, n, &mse) != LT_PCA_OK ||
        (!cfg->inverse && name_components(res, m.n_components) != 0)) {
        status = lt_fail(ctx, LT_ERUNTIME, "out of memory");
        goto done;
    }
    if (!cfg->inverse)
        res->image_rows = res->image_cols = 0;
    for (int s = 0; s < LT_N_SPLITS; s++) {
        const lt_mat *x = in->split[s].x;
        if (x && !(res->split[s].x =
                       output_split(&m, cfg, x, s == LT_TRAIN ? &scores : NULL))) {
            status = lt_fail(ctx, LT_ERUNTIME, "out of memory");
            goto done;
        }
    }
    if (lt_data_copy_rowinfo(res, in) != 0 ||
        !(res->explained_variance_ratio = malloc(m.n_spectrum * sizeof(double)))) {
        status = lt_fail(ctx, LT_ERUNTIME, "out of memory");
        goto done;
    }
    memcpy(res->explained_variance_ratio, m.variance_ratio, m.n_spectrum * sizeof(double));
    res->n_spectrum = m.n_spectrum;
    res->variance_threshold =
        cfg->n_components > 0 && cfg->n_components < 1 ? cfg->n_components : 0;

    status = report(ctx, &m, mse);
    if (status == LT_OK)
        status = write_csv(ctx, "components", in->feature_names, m.components,
                           m.n_components, p);
    if (status == LT_OK)
        status = write_csv(ctx, "mean", in->feature_names, m.mean, 1, p);
done:
    free(scores);
    lt_pca_free(&m);
    if (status != LT_OK) {
        lt_data_free(&res);
        return status;
    }
    *out = res;
    return LT_OK;
}

const lt_stage_def pca_stage = {
    .abi = LT_ABI_VERSION,
    .name = "pca",
    .summary = "principal component analysis fitted on train, as scikit-learn's PCA",
    .params = pca_params,
    .n_params = LT_COUNT(pca_params),
    .config_size = sizeof(struct pca_config),
    .min_inputs = 1,
    .max_inputs = 1,
    .produces = true,
    .check = check,
    .run = run,
};
