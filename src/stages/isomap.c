/* isomap: Isomap embedding fitted on train and applied to every split, as
 * scikit-learn 1.2.1's Isomap (see math/isomap.h). */
#include <stdlib.h>
#include <string.h>

#include "latent/stage.h"
#include "math/isomap.h"
#include "stages/embedding.h"
#include "stages/isomap.h"

#define CFG struct isomap_config
static const lt_param params[] = {
    LT_INT(CFG, n_neighbors, 5, 1, 1000000, 0,
           "neighbours of each training row in the graph (fewer than the rows)"),
    LT_INT(CFG, n_components, 2, 1, 1000000, 0,
           "dimension of the embedding (at most the training rows)"),
};
#undef CFG

static int fail_fit(lt_ctx *ctx, int status, size_t n)
{
    switch (status) {
    case LT_ISOMAP_ETOOBIG:
        return lt_fail(ctx, LT_ERUNTIME, "the data are too large for BLAS");
    case LT_ISOMAP_ENOCONV:
        return lt_fail(ctx, LT_ERUNTIME, "LAPACK did not converge on the isomap kernel");
    case LT_ISOMAP_ENEGATIVE:
        return lt_fail(ctx, LT_ERUNTIME,
                       "the isomap kernel has significantly negative leading "
                       "eigenvalues; ask for fewer components or more neighbours");
    default:
        return lt_fail(ctx, LT_ERUNTIME,
                       "out of memory (isomap keeps %zu x %zu geodesic distances)", n, n);
    }
}

/* The model with scikit-learn's names (Isomap's embedding_, dist_matrix_;
 * its kernel_pca_'s eigenvalues_, eigenvectors_ and centerer K_fit_rows_,
 * K_fit_all_; X_fit_, the rows its neighbour search holds). */
static void save(lt_ctx *ctx, const lt_isomap *m)
{
    lt_model *o = lt_ctx_model_out(ctx);
    size_t n = m->n, k = m->n_components;
    lt_model_put_mat(o, "embedding_", m->embedding, n, k);
    lt_model_put_mat(o, "dist_matrix_", m->dist, n, n);
    lt_model_put_mat(o, "X_fit_", m->x, n, m->d);
    lt_model_put_vec(o, "eigenvalues_", m->values, k);
    lt_model_put_mat(o, "eigenvectors_", m->vectors, n, k);
    lt_model_put_vec(o, "K_fit_rows_", m->col_mean, n);
    lt_model_put_num(o, "K_fit_all_", m->all_mean);
    lt_model_put_num(o, "reconstruction_error", m->reconstruction_error);
    lt_model_put_int(o, "latent.graph_components", (long long)m->n_components_graph);
    lt_model_put_int(o, "latent.n_zeroed", (long long)m->n_zeroed);
}

/* A copy of saved array NAME (ROWS x COLS; COLS 0 for a vector) into *out. */
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

static int load(lt_ctx *ctx, const lt_model *saved, const struct isomap_config *cfg, size_t d,
                lt_isomap *m)
{
    memset(m, 0, sizeof *m);
    size_t n = LT_ANY, dd = d, zero = 0;
    double graph = 0, zeroed = 0;
    if (!lt_model_get(ctx, saved, "X_fit_", &n, &dd))
        return LT_EINPUT;
    size_t k = LT_ANY;
    if (!lt_model_get(ctx, saved, "eigenvalues_", &k, &zero))
        return LT_EINPUT;
    m->n = n;
    m->d = d;
    m->n_neighbors = (size_t)cfg->n_neighbors;
    m->n_components = k;
    int rc = copy_saved(ctx, saved, "X_fit_", n, d, &m->x);
    if (rc == LT_OK)
        rc = copy_saved(ctx, saved, "dist_matrix_", n, n, &m->dist);
    if (rc == LT_OK)
        rc = copy_saved(ctx, saved, "K_fit_rows_", n, 0, &m->col_mean);
    if (rc == LT_OK)
        rc = copy_saved(ctx, saved, "eigenvalues_", k, 0, &m->values);
    if (rc == LT_OK)
        rc = copy_saved(ctx, saved, "eigenvectors_", n, k, &m->vectors);
    if (rc == LT_OK)
        rc = copy_saved(ctx, saved, "embedding_", n, k, &m->embedding);
    if (rc == LT_OK)
        rc = lt_model_num(ctx, saved, "K_fit_all_", &m->all_mean);
    if (rc == LT_OK)
        rc = lt_model_num(ctx, saved, "reconstruction_error", &m->reconstruction_error);
    if (rc == LT_OK)
        rc = lt_model_num(ctx, saved, "latent.graph_components", &graph);
    if (rc == LT_OK)
        rc = lt_model_num(ctx, saved, "latent.n_zeroed", &zeroed);
    m->n_components_graph = (size_t)graph;
    m->n_zeroed = (size_t)zeroed;
    return rc;
}

static int run(lt_ctx *ctx, const void *config, const lt_value *inputs,
               int n_inputs, lt_value *outputs)
{
    (void)n_inputs;
    const struct isomap_config *cfg = config;
    const lt_data *in = inputs[0].data;
    const lt_model *saved = lt_ctx_model_in(ctx);
    const lt_mat *train = embed_rows(ctx, in, LT_TRAIN, saved ? 1 : 2);
    if (!train)
        return LT_EINPUT;
    size_t n = train->rows, k = (size_t)cfg->n_components;
    if (saved)
        ; /* the rows are new: nothing is fitted on them */
    else if ((size_t)cfg->n_neighbors >= n)
        return lt_fail(ctx, LT_EINPUT,
                       "n_neighbors is %d but must be less than the training rows (%zu)",
                       cfg->n_neighbors, n);
    else if (k > n)
        return lt_fail(ctx, LT_EINPUT,
                       "n_components is %zu but the training split has only %zu rows", k, n);
    for (int s = LT_TRAIN + 1; s < LT_N_SPLITS; s++)
        if (in->split[s].x && !embed_rows(ctx, in, s, 0))
            return LT_EINPUT;

    lt_pool *pool = lt_pool_new(lt_ctx_threads(ctx));
    lt_isomap m;
    lt_data *d = NULL;
    int status = saved ? LT_ISOMAP_OK
                       : lt_isomap_fit(&m, train->v, n, train->cols, (size_t)cfg->n_neighbors, k,
                                       pool);
    if (saved && (status = load(ctx, saved, cfg, train->cols, &m)) != LT_OK)
        goto done;
    if (!saved && status == LT_ISOMAP_OK)
        save(ctx, &m);
    if (status != LT_ISOMAP_OK) {
        status = fail_fit(ctx, status, n);
        goto done;
    }
    k = m.n_components;
    if (m.n_components_graph > 1 && !saved)
        lt_warn(ctx, "the neighbour graph has %zu connected components; they were "
                "joined by their closest pairs (more neighbours avoid this)",
                m.n_components_graph);
    if (!(d = embed_new(in, "isomap", k))) {
        status = lt_fail(ctx, LT_ERUNTIME, "out of memory");
        goto done;
    }
    for (int s = 0; s < LT_N_SPLITS && status == LT_OK; s++) {
        const lt_mat *x = in->split[s].x;
        if (!x)
            continue;
        lt_mat *e = lt_mat_new(x->rows, k);
        if (!e) {
            status = lt_fail(ctx, LT_ERUNTIME, "out of memory");
            break;
        }
        if (s == LT_TRAIN && !saved) {
            for (size_t i = 0; i < n * k; i++)
                e->v[i] = m.embedding[i];
        } else if (lt_isomap_transform(&m, x->v, x->rows, pool, e->v) != LT_ISOMAP_OK) {
            lt_mat_free(&e);
            status = lt_fail(ctx, LT_ERUNTIME, "out of memory");
            break;
        }
        status = embed_put(ctx, d, in, s, e);
    }
    if (status != LT_OK)
        goto done;
    lt_report_num(ctx, "reconstruction_error", m.reconstruction_error);
    lt_report_vec(ctx, "eigenvalues", m.values, k);
    lt_report_int(ctx, "graph_components", (long long)m.n_components_graph);
    lt_report_int(ctx, "n_samples", (long long)m.n);
done:
    lt_pool_free(pool);
    lt_isomap_free(&m);
    if (status != LT_OK) {
        lt_data_free(&d);
        return status;
    }
    outputs[0].data = d;
    return LT_OK;
}

static const lt_output outputs_table[] = {
    {"embedding", LT_DATASET, "the embedding of every split"},
};

static const lt_metric isomap_metrics[] = {
    {"reconstruction_error", "scikit-learn's Isomap.reconstruction_error()"},
    {"eigenvalues", "the kept eigenvalues of the centred geodesic kernel"},
    {"graph_components", "connected components of the neighbour graph"},
    {"n_samples", "rows embedded"},
};

const lt_stage_def isomap_stage = {
    .abi = LT_ABI_VERSION,
    .name = "isomap",
    .summary = "Isomap embedding fitted on train and applied to every split, as "
               "scikit-learn's Isomap: reconstruction error",
    .params = params,
    .n_params = LT_COUNT(params),
    .config_size = sizeof(struct isomap_config),
    .min_inputs = 1,
    .max_inputs = 1,
    .outputs = outputs_table,
    .n_outputs = LT_COUNT(outputs_table),
    .fits = true,
    .run = run,
    .metrics = isomap_metrics,
    .n_metrics = LT_COUNT(isomap_metrics),
};
