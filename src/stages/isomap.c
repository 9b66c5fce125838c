/* isomap: Isomap embedding fitted on train and applied to every split, as
 * scikit-learn 1.2.1's Isomap (see math/isomap.h). */
#include <stdlib.h>

#include "latent/stage.h"
#include "math/isomap.h"
#include "stages/embedding.h"
#include "stages/isomap.h"

#define CFG struct isomap_config
static const lt_param params[] = {
    LT_INT(CFG, n_neighbors, 5, 1, 1000000,
           "neighbours of each training row in the graph (fewer than the rows)"),
    LT_INT(CFG, n_components, 2, 1, 1000000,
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

static int run(lt_ctx *ctx, const void *config, const lt_value *inputs,
               int n_inputs, lt_value *outputs)
{
    (void)n_inputs;
    const struct isomap_config *cfg = config;
    const lt_data *in = inputs[0].data;
    const lt_mat *train = embed_rows(ctx, in, LT_TRAIN, 2);
    if (!train)
        return LT_EINPUT;
    size_t n = train->rows, k = (size_t)cfg->n_components;
    if ((size_t)cfg->n_neighbors >= n)
        return lt_fail(ctx, LT_EINPUT,
                       "n_neighbors is %d but must be less than the training rows (%zu)",
                       cfg->n_neighbors, n);
    if (k > n)
        return lt_fail(ctx, LT_EINPUT,
                       "n_components is %zu but the training split has only %zu rows", k, n);
    for (int s = LT_TRAIN + 1; s < LT_N_SPLITS; s++)
        if (in->split[s].x && !embed_rows(ctx, in, s, 0))
            return LT_EINPUT;

    lt_pool *pool = lt_pool_new(lt_ctx_threads(ctx));
    lt_isomap m;
    lt_data *d = NULL;
    int status = lt_isomap_fit(&m, train->v, n, train->cols, (size_t)cfg->n_neighbors, k,
                               pool);
    if (status != LT_ISOMAP_OK) {
        status = fail_fit(ctx, status, n);
        goto done;
    }
    if (m.n_components_graph > 1)
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
        if (s == LT_TRAIN) {
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
    lt_report_int(ctx, "n_samples", (long long)n);
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
    .run = run,
};
