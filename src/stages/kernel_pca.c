/* kernel_pca: kernel principal component analysis fitted on train and
 * applied to every split, with scikit-learn 1.2's KernelPCA numbers and
 * sign convention (see math/kpca.h).
 *
 * gamma, degree, coef0 and alpha have scikit-learn's defaults (1/features,
 * 3, 1, 1) and a `when` each, so that a parameter given for a kernel that
 * ignores it, which scikit-learn silently drops, is refused.
 *
 * Outputs: the projection (default) and, when read, the reconstruction:
 * every split's pre-images (inverse_transform), which fits the pre-image
 * map whether or not fit_inverse_transform asks for it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "latent/stage.h"
#include "stages/embedding.h"
#include "math/kpca.h"
#include "math/linalg.h"

struct kernel_pca_config {
    int n_components;
    int kernel;       /* index into kernel_choices: the lt_kernel_kind value */
    double gamma;     /* NaN: 1 / features */
    double degree;
    double coef0;
    int eigen_solver; /* index into solver_choices */
    bool fit_inverse_transform;
    double alpha;
    int64_t random_state;
};

static const char *const kernel_choices[] = {"linear", "poly", "rbf", "sigmoid",
                                             "cosine", "laplacian", NULL};
enum { SOLVER_AUTO, SOLVER_DENSE, SOLVER_ARPACK, SOLVER_RANDOMIZED };
static const char *const solver_choices[] = {"auto", "dense", "arpack", "randomized",
                                             NULL};

#define CFG struct kernel_pca_config
static const lt_param params[] = {
    LT_INT(CFG, n_components, 2, 1, 1e9, 0, "components to keep (at most the training rows)"),
    LT_CHOICE(CFG, kernel, "linear", kernel_choices,
              "linear <x,y>; poly (gamma <x,y> + coef0)^degree; rbf "
              "exp(-gamma |x-y|^2); sigmoid tanh(gamma <x,y> + coef0); cosine "
              "<x,y>/(|x||y|); laplacian exp(-gamma |x-y|_1)"),
    LT_REAL_WHEN(CFG, gamma, NAN, 0, 1e300, LT_NULLABLE, "kernel=rbf|poly|sigmoid|laplacian",
                 "1 / features (the pre-image map: 1 / n_components)", "kernel coefficient"),
    LT_REAL_WHEN(CFG, degree, 3, 0, 1000, 0, "kernel=poly", NULL, "degree of the kernel, a whole number"),
    LT_REAL_WHEN(CFG, coef0, 1, -1e300, 1e300, 0, "kernel=poly|sigmoid", NULL, "constant term of the kernel"),
    LT_CHOICE(CFG, eigen_solver, "auto", solver_choices,
              "dense: LAPACK for the top eigenpairs only (O(n^3)); arpack: "
              "ARPACK's Lanczos; randomized: block Lanczos (8 vectors a pass over "
              "the kernel's packed triangle) with a fully orthogonal basis from a "
              "random start, run to convergence (the fewest passes over the kernel); "
              "all three give the same answer. auto: randomized when rows > 200 and "
              "n_components < 10 (where scikit-learn picks arpack), else dense"),
    LT_BOOL(CFG, fit_inverse_transform, false,
            "learn the pre-image map (kernel ridge regression from the "
            "projections back to the data) and report reconstruction_mse; reading "
            "the reconstruction output learns it too"),
    LT_REAL_WHEN(CFG, alpha, 1, 0, 1e300, 0, "fit_inverse_transform=true", NULL, "ridge of the pre-image map"),
    LT_SEED(CFG, random_state,
            "start of the arpack and randomized solvers (null: the pipeline's seed)"),
};
#undef CFG

/* A parameter of a kernel that ignores it is refused by its row's `when`. */
static int check(lt_ctx *ctx, const void *config)
{
    const struct kernel_pca_config *cfg = config;
    if (cfg->degree != floor(cfg->degree))
        return lt_fail_param(ctx, LT_EINPUT, "degree", "degree is %g; expected a whole number", cfg->degree);
    return LT_OK;
}

static int fail_fit(lt_ctx *ctx, int status, const lt_kpca *m, const char *solver)
{
    switch (status) {
    case LT_KPCA_ENOMEM:
        return lt_fail(ctx, LT_ERUNTIME, "out of memory");
    case LT_KPCA_ETOOBIG:
        return lt_fail(ctx, LT_ERUNTIME,
                       "the training split is too large for BLAS (rows^2 over 2^31 - 1)");
    case LT_KPCA_ENEGATIVE:
        return lt_fail(ctx, LT_EINPUT,
                       "the centred kernel has significant negative eigenvalues (down to "
                       "%.6g, %.3g of the largest): it is not positive semi-definite on "
                       "these data; try another kernel, gamma or coef0, or fewer components",
                       m->min_eigenvalue,
                       m->max_eigenvalue > 0 ? -m->min_eigenvalue / m->max_eigenvalue : 0.0);
    case LT_KPCA_ESINGULAR:
        return lt_fail(ctx, LT_EINPUT,
                       "the pre-image map's kernel plus alpha is not positive definite: "
                       "use a larger alpha");
    case LT_KPCA_ENOCONV:
        return lt_fail(ctx, LT_ERUNTIME, "the %s eigen-solver did not converge", solver);
    default:
        return lt_fail(ctx, LT_ERUNTIME, "the %s eigen-solver failed", solver);
    }
}

/* Mean of (x - x_hat)^2 over every entry of the n x p training rows, with
 * x_hat the pre-images of the training projections: scikit-learn's
 * mean_squared_error(X, inverse_transform(fit_transform(X))). */
static int preimage_mse(const lt_kpca *m, const double *z, int threads, double *mse)
{
    size_t n = m->n, p = m->p;
    double *rec = malloc((n * p > 0 ? n * p : 1) * sizeof *rec);
    if (!rec)
        return LT_KPCA_ENOMEM;
    int status = lt_kpca_inverse(m, z, n, threads, rec);
    if (status == LT_KPCA_OK) {
        double s = 0;
        for (size_t i = 0; i < n * p; i++) {
            double d = m->x_fit[i] - rec[i];
            s += d * d;
        }
        *mse = n * p > 0 ? s / (double)(n * p) : 0;
    }
    free(rec);
    return status;
}

#define HEAD_ROWS 5

enum { OUT_PROJECTION, OUT_RECONSTRUCTION, OUT_SPECTRUM };
static const lt_output outputs_table[] = {
    [OUT_PROJECTION] = {"projection", LT_DATASET, "every split projected on the kernel components: columns KPC1..KPCk"},
    [OUT_RECONSTRUCTION] = {"reconstruction", LT_DATASET,
                            "every split's pre-images in the input's features (inverse_transform of the "
                            "projection)"},
    [OUT_SPECTRUM] = {"spectrum", LT_SPECTRUM,
                      "the kept components' eigenvalues, each as a share of the centred kernel's trace "
                      "(the variance in feature space), for plot.variance"},
};

/* The spectrum of the K kept components: their eigenvalues and their
 * share of the centred training kernel's trace, which is the sum of every
 * eigenvalue (for the linear kernel, PCA's explained_variance_ratio). The
 * trace is sum_i K(x_i, x_i) - n * mean(K), so it needs the kernel's
 * diagonal only. Returns an LT_KPCA_ status. */
static int kernel_spectrum(const lt_kpca *m, const lt_kernel *kernel, const double *x, lt_spectrum **out)
{
    lt_spectrum *s = lt_spectrum_new(m->k);
    if (!s)
        return LT_KPCA_ENOMEM;
    double trace = 0;
    for (size_t i = 0; i < m->n; i++) {
        double kii;
        if (lt_kernel_matrix(kernel, x + i * m->p, 1, x + i * m->p, 1, m->p, 1, &kii, NULL) != LT_LA_OK) {
            lt_spectrum_free(&s);
            return LT_KPCA_ENOMEM;
        }
        trace += kii;
    }
    trace -= (double)m->n * m->kernel_mean;
    for (size_t j = 0; j < m->k; j++) {
        s->variance[j] = m->eigenvalues[j];
        s->ratio[j] = trace > 0 ? m->eigenvalues[j] / trace : 0;
    }
    s->n_kept = m->k;
    *out = s;
    return LT_KPCA_OK;
}

/* The pre-images of every split of PROJ (the projections of IN) into
 * *OUT: a new value with IN's metadata. Returns an LT_KPCA_ status. */
static int preimages(const lt_kpca *m, const lt_data *in, const lt_data *proj, int threads, lt_data **out)
{
    lt_data *rec = lt_data_new();
    int status = rec && lt_data_copy_meta(rec, in) == 0 ? LT_KPCA_OK : LT_KPCA_ENOMEM;
    for (int s = 0; s < LT_N_SPLITS && status == LT_KPCA_OK; s++) {
        const lt_mat *z = proj->split[s].x;
        if (!z)
            continue;
        if (!(rec->split[s].x = lt_mat_new(z->rows, m->p)))
            status = LT_KPCA_ENOMEM;
        else if (z->rows)
            status = lt_kpca_inverse(m, z->v, z->rows, threads, rec->split[s].x->v);
    }
    if (status == LT_KPCA_OK && lt_data_copy_rowinfo(rec, in) != 0)
        status = LT_KPCA_ENOMEM;
    if (status != LT_KPCA_OK)
        lt_data_free(&rec);
    *out = rec;
    return status;
}

/* The model with scikit-learn's names (KernelPCA and its KernelCenterer's
 * K_fit_rows_, K_fit_all_; the pre-image map's X_transformed_fit_ and
 * dual_coef_ when fitted) and what load() needs besides. */
static void save(lt_ctx *ctx, const lt_kpca *m, const lt_kernel *kernel)
{
    lt_model *o = lt_ctx_model_out(ctx);
    lt_model_put_vec(o, "eigenvalues_", m->eigenvalues, m->k);
    lt_model_put_mat(o, "eigenvectors_", m->eigenvectors, m->n, m->k);
    lt_model_put_mat(o, "X_fit_", m->x_fit, m->n, m->p);
    lt_model_put_vec(o, "K_fit_rows_", m->kernel_means, m->n);
    lt_model_put_num(o, "K_fit_all_", m->kernel_mean);
    lt_model_put_num(o, "gamma_", lt_kernel_gamma(kernel, m->p));
    lt_model_put_str(o, "kernel", lt_kernel_name(kernel->kind));
    lt_model_put_num(o, "degree", kernel->degree);
    lt_model_put_num(o, "coef0", kernel->coef0);
    lt_model_put_int(o, "latent.eigen_solver", (long long)m->method);
    lt_model_put_int(o, "latent.kernel_products", m->products);
    lt_model_put_num(o, "latent.min_eigenvalue", m->min_eigenvalue);
    lt_model_put_num(o, "latent.max_eigenvalue", m->max_eigenvalue);
    if (m->dual) {
        lt_model_put_mat(o, "X_transformed_fit_", m->z_fit, m->n, m->k);
        lt_model_put_mat(o, "dual_coef_", m->dual, m->n, m->p);
        lt_model_put_num(o, "alpha", m->alpha);
    }
}

/* A copy of saved array NAME (ROWS x COLS) into *out (owned). */
static int copy_saved(lt_ctx *ctx, const lt_model *saved, const char *name, size_t rows,
                      size_t cols, double **out)
{
    const double *v = lt_model_get(ctx, saved, name, &rows, &cols);
    size_t count = rows * (cols ? cols : 1);
    if (!v)
        return LT_EINPUT;
    if (!(*out = malloc(count * sizeof **out + 1)))
        return lt_fail(ctx, LT_ERUNTIME, "out of memory");
    memcpy(*out, v, count * sizeof **out);
    return LT_OK;
}

/* The model save() wrote; its x_fit points into SAVED, which outlives it. */
static int load(lt_ctx *ctx, const lt_model *saved, const lt_kernel *kernel, size_t p,
                lt_kpca *m)
{
    memset(m, 0, sizeof *m);
    size_t n = LT_ANY, pp = p, k = LT_ANY;
    double method = 0, products = 0;
    const double *x_fit = lt_model_get(ctx, saved, "X_fit_", &n, &pp);
    if (!x_fit || !lt_model_get(ctx, saved, "eigenvalues_", &k, &(size_t){0}))
        return LT_EINPUT;
    m->kernel = *kernel;
    m->n = n;
    m->p = p;
    m->k = k;
    m->x_fit = x_fit;
    int rc = copy_saved(ctx, saved, "eigenvalues_", k, 0, &m->eigenvalues);
    if (rc == LT_OK)
        rc = copy_saved(ctx, saved, "eigenvectors_", n, k, &m->eigenvectors);
    if (rc == LT_OK)
        rc = copy_saved(ctx, saved, "K_fit_rows_", n, 0, &m->kernel_means);
    if (rc == LT_OK)
        rc = lt_model_num(ctx, saved, "K_fit_all_", &m->kernel_mean);
    if (rc == LT_OK)
        rc = lt_model_num(ctx, saved, "latent.eigen_solver", &method);
    if (rc == LT_OK)
        rc = lt_model_num(ctx, saved, "latent.kernel_products", &products);
    if (rc == LT_OK)
        rc = lt_model_num(ctx, saved, "latent.min_eigenvalue", &m->min_eigenvalue);
    if (rc == LT_OK)
        rc = lt_model_num(ctx, saved, "latent.max_eigenvalue", &m->max_eigenvalue);
    m->method = (lt_eig_method)method;
    m->products = (int)products;
    if (rc == LT_OK && lt_model_has(saved, "dual_coef_")) {
        rc = copy_saved(ctx, saved, "X_transformed_fit_", n, k, &m->z_fit);
        if (rc == LT_OK)
            rc = copy_saved(ctx, saved, "dual_coef_", n, p, &m->dual);
        if (rc == LT_OK)
            rc = lt_model_num(ctx, saved, "alpha", &m->alpha);
    }
    return rc;
}

/* Mean of (x - x_hat)^2 over the rows of X (rows x p) with x_hat the
 * pre-images of their projections Z: the pre-image error of new rows. */
static int applied_mse(const lt_kpca *m, const lt_mat *x, const double *z, int threads,
                       double *mse)
{
    size_t n = x->rows, p = m->p;
    double *rec = malloc((n * p > 0 ? n * p : 1) * sizeof *rec);
    if (!rec)
        return LT_KPCA_ENOMEM;
    int status = lt_kpca_inverse(m, z, n, threads, rec);
    if (status == LT_KPCA_OK) {
        double s = 0;
        for (size_t i = 0; i < n * p; i++) {
            double d = x->v[i] - rec[i];
            s += d * d;
        }
        *mse = n * p > 0 ? s / (double)(n * p) : 0;
    }
    free(rec);
    return status;
}

static int run(lt_ctx *ctx, const void *config, const lt_value *inputs,
               int n_inputs, lt_value *outputs)
{
    (void)n_inputs;
    const struct kernel_pca_config *cfg = config;
    const lt_data *in = inputs[0].data;
    const lt_mat *train = in->split[LT_TRAIN].x;
    if (!train)
        return lt_fail(ctx, LT_EINPUT, "the input has no train split to fit on");
    size_t n = train->rows, p = train->cols, k = (size_t)cfg->n_components;
    const lt_model *saved = lt_ctx_model_in(ctx);
    if (n < 2 && !saved)
        return lt_fail(ctx, LT_EINPUT, "kernel_pca needs at least 2 training rows, got %zu",
                       n);
    if (p == 0)
        return lt_fail(ctx, LT_EINPUT, "the input has no features");
    if (k > n && !saved)
        return lt_fail(ctx, LT_EINPUT,
                       "n_components is %zu but the train split has %zu rows (kernel PCA "
                       "finds at most one component per training row)",
                       k, n);
    lt_eig_method method = LT_EIG_DENSE;
    switch (cfg->eigen_solver) {
    case SOLVER_AUTO: method = n > 200 && k < 10 ? LT_EIG_KRYLOV : LT_EIG_DENSE; break;
    case SOLVER_ARPACK: method = LT_EIG_ARPACK; break;
    case SOLVER_RANDOMIZED: method = LT_EIG_KRYLOV; break;
    default: break;
    }
    if (method == LT_EIG_ARPACK && k >= n)
        return lt_fail(ctx, LT_EINPUT,
                       "eigen_solver arpack needs n_components below the training rows "
                       "(%zu), got %zu: use dense",
                       n, k);

    lt_kernel kernel = {(lt_kernel_kind)cfg->kernel, cfg->gamma, cfg->degree, cfg->coef0};
    uint32_t seed = cfg->random_state < 0 ? lt_ctx_seed(ctx) : (uint32_t)cfg->random_state;
    int threads = lt_ctx_threads(ctx);
    lt_kpca m;
    if (saved) {
        int rc = load(ctx, saved, &kernel, p, &m);
        if (rc != LT_OK) {
            lt_kpca_free(&m);
            return rc;
        }
        method = m.method;
        k = m.k;
    }
    int status = saved ? LT_KPCA_OK : lt_kpca_fit(&m, train->v, n, p, k, &kernel, method, seed, threads);
    if (status != LT_KPCA_OK) {
        int rc = fail_fit(ctx, status, &m, lt_eig_method_name(method));
        lt_kpca_free(&m);
        return rc;
    }

    lt_data *res = lt_data_new(), *rec = NULL;
    lt_spectrum *spectrum = NULL;
    bool want_rec = lt_ctx_wants(ctx, OUT_RECONSTRUCTION);
    bool inverse = cfg->fit_inverse_transform || want_rec;
    double mse = NAN;
    if (!res || lt_data_copy_meta(res, in) != 0 || embed_name_features(res, "KPC", k) != 0) {
        status = LT_KPCA_ENOMEM;
        goto done;
    }
    res->image_rows = res->image_cols = 0;
    for (int s = 0; s < LT_N_SPLITS && status == LT_KPCA_OK; s++) {
        const lt_mat *x = in->split[s].x;
        if (!x)
            continue;
        if (!(res->split[s].x = lt_mat_new(x->rows, k))) {
            status = LT_KPCA_ENOMEM;
            break;
        }
        /* A saved model has no training rows here: the rows are new. */
        if (s == LT_TRAIN && !saved)
            lt_kpca_train_projection(&m, res->split[s].x->v);
        else
            status = lt_kpca_transform(&m, x->v, x->rows, threads, res->split[s].x->v);
    }
    if (status == LT_KPCA_OK && lt_data_copy_rowinfo(res, in) != 0)
        status = LT_KPCA_ENOMEM;
    if (status == LT_KPCA_OK && saved && m.dual)
        status = applied_mse(&m, train, res->split[LT_TRAIN].x->v, threads, &mse);
    else if (status == LT_KPCA_OK && inverse) {
        const double *z = res->split[LT_TRAIN].x->v;
        status = lt_kpca_fit_inverse(&m, z, cfg->alpha, threads);
        if (status == LT_KPCA_OK)
            status = preimage_mse(&m, z, threads, &mse);
    }
    if (status == LT_KPCA_OK && want_rec)
        status = preimages(&m, in, res, threads, &rec);
    if (status == LT_KPCA_OK && lt_ctx_wants(ctx, OUT_SPECTRUM))
        status = kernel_spectrum(&m, &kernel, train->v, &spectrum);
    if (status == LT_KPCA_OK && !saved)
        save(ctx, &m, &kernel);
done:
    if (status != LT_KPCA_OK) {
        int rc = fail_fit(ctx, status, &m, lt_eig_method_name(method));
        lt_kpca_free(&m);
        lt_data_free(&res);
        lt_data_free(&rec);
        lt_spectrum_free(&spectrum);
        return rc;
    }
    lt_report_int(ctx, "n_components", (long long)k);
    lt_report_str(ctx, "kernel", lt_kernel_name(kernel.kind));
    if (cfg->kernel != LT_KERNEL_LINEAR && cfg->kernel != LT_KERNEL_COSINE) {
        lt_report_num(ctx, "gamma", lt_kernel_gamma(&kernel, p));
        /* An unset gamma is also the pre-image map's, where it means 1 /
         * n_components (scikit-learn's): only without that map is "the value
         * used" one number. */
        if (isnan(cfg->gamma) && !inverse)
            lt_ctx_resolved(ctx, "gamma", lt_kernel_gamma(&kernel, p));
    }
    lt_report_str(ctx, "eigen_solver", lt_eig_method_name(method));
    lt_report_int(ctx, "kernel_products", m.products);
    lt_report_vec(ctx, "eigenvalues", m.eigenvalues, k);
    lt_report_mat(ctx, "projection_head", res->split[LT_TRAIN].x->v,
                  n < HEAD_ROWS ? n : HEAD_ROWS, k);
    if (inverse)
        lt_report_num(ctx, "reconstruction_mse", mse);
    lt_kpca_free(&m);
    outputs[OUT_PROJECTION].data = res;
    outputs[OUT_RECONSTRUCTION].data = rec;
    outputs[OUT_SPECTRUM].spectrum = spectrum;
    return LT_OK;
}

static const lt_metric kernel_pca_metrics[] = {
    {"n_components", "components kept"},
    {"kernel", "the kernel used"},
    {"gamma", "the kernel's gamma as used (1 / n_features when unset)"},
    {"eigen_solver", "the eigensolver used"},
    {"kernel_products", "kernel matrix entries computed"},
    {"eigenvalues", "the kept eigenvalues of the centred kernel matrix"},
    {"projection_head", "the first rows of the train split's projection"},
    {"reconstruction_mse", "mean squared error of the pre-image reconstruction (fit_inverse_transform)"},
};

const lt_stage_def kernel_pca_stage = {
    .abi = LT_ABI_VERSION,
    .name = "kernel_pca",
    .summary = "kernel PCA fitted on train, as scikit-learn's KernelPCA, with an "
               "optional pre-image map",
    .params = params,
    .n_params = LT_COUNT(params),
    .config_size = sizeof(struct kernel_pca_config),
    .min_inputs = 1,
    .max_inputs = 1,
    .outputs = outputs_table,
    .n_outputs = LT_COUNT(outputs_table),
    .fits = true,
    .check = check,
    .run = run,
    .metrics = kernel_pca_metrics,
    .n_metrics = LT_COUNT(kernel_pca_metrics),
};
