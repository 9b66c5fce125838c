/* mds: metric multidimensional scaling (SMACOF) of one split, as
 * scikit-learn 1.2.1's MDS (see math/mds.h). MDS has no out-of-sample
 * transform: the output holds the embedded split only. */
#include <stdlib.h>
#include <string.h>

#include "latent/stage.h"
#include "math/mds.h"
#include "stages/embedding.h"
#include "stages/mds.h"

#define CFG struct mds_config
static const lt_param params[] = {
    LT_INT(CFG, n_components, 2, 1, 1000000, 0, "dimension of the embedding (at most the rows)"),
    LT_INT(CFG, n_init, 4, 1, 1000000, 0,
           "runs from different random starts; the one of lowest stress is kept"),
    LT_INT(CFG, max_iter, 300, 1, 100000000, 0, "SMACOF iterations of each run at most"),
    LT_REAL(CFG, eps, 1e-3, 0, 1e300, 0,
            "a run stops when its stress over sum_i ||x_i|| falls by less than this"),
    LT_SEED(CFG, random_state,
            "seed of numpy's RandomState drawing the starts; unset: the pipeline's seed"),
    LT_CHOICE(CFG, split, "train", embed_split_choices,
              "the split to embed; the output holds its embedding under the same name"),
};
#undef CFG

static int run(lt_ctx *ctx, const void *config, const lt_value *inputs,
               int n_inputs, lt_value *outputs)
{
    (void)n_inputs;
    const struct mds_config *cfg = config;
    const lt_data *in = inputs[0].data;
    const lt_mat *x = embed_rows(ctx, in, cfg->split, 2);
    if (!x)
        return LT_EINPUT;
    size_t n = x->rows, k = (size_t)cfg->n_components;
    if (k > n)
        return lt_fail(ctx, LT_EINPUT,
                       "n_components is %zu but the %s split has only %zu rows", k,
                       lt_split_name(cfg->split), n);

    lt_mds_options opt = {
        .n_components = cfg->n_components,
        .n_init = cfg->n_init,
        .max_iter = cfg->max_iter,
        .eps = cfg->eps,
        .seed = cfg->random_state < 0 ? lt_ctx_seed(ctx) : (uint32_t)cfg->random_state,
    };
    embed_warn_dropped(ctx, in, cfg->split, "MDS");
    lt_pool *pool = lt_pool_new(lt_ctx_threads(ctx));
    lt_mds_result res;
    int status = lt_mds_fit(x->v, n, x->cols, &opt, pool, &res);
    lt_pool_free(pool);
    lt_data *d = NULL;
    lt_mat *m = NULL;
    if (status != LT_MDS_OK) {
        status = status == LT_MDS_ETOOBIG
                     ? lt_fail(ctx, LT_ERUNTIME, "the data are too large for BLAS")
                     : lt_fail(ctx, LT_ERUNTIME, "out of memory (mds keeps %zu x %zu "
                               "distances)", n, n);
        goto done;
    }
    if (!(d = embed_new(in, "mds", k)) || !(m = lt_mat_new(n, k))) {
        status = lt_fail(ctx, LT_ERUNTIME, "out of memory");
        goto done;
    }
    memcpy(m->v, res.embedding, n * k * sizeof *m->v);
    status = embed_put(ctx, d, in, cfg->split, m);
    if (status != LT_OK)
        goto done;
    lt_report_num(ctx, "stress", res.stress);
    lt_report_int(ctx, "n_iter", res.n_iter);
    lt_report_int(ctx, "best_init", res.best_init);
    lt_report_int(ctx, "n_samples", (long long)n);
done:
    free(res.embedding);
    if (status != LT_OK) {
        lt_data_free(&d);
        return status;
    }
    outputs[0].data = d;
    return LT_OK;
}

static const lt_output outputs_table[] = {
    {"embedding", LT_DATASET, "the embedding of the chosen split"},
};

static const lt_metric mds_metrics[] = {
    {"stress", "the best run's raw stress, as scikit-learn's MDS.stress_"},
    {"n_iter", "SMACOF iterations of the best run"},
    {"best_init", "which initialisation won (0-based)"},
    {"n_samples", "rows embedded"},
};

const lt_stage_def mds_stage = {
    .abi = LT_ABI_VERSION,
    .name = "mds",
    .summary = "metric multidimensional scaling (SMACOF) of one split, as "
               "scikit-learn's MDS: stress",
    .params = params,
    .n_params = LT_COUNT(params),
    .config_size = sizeof(struct mds_config),
    .min_inputs = 1,
    .max_inputs = 1,
    .outputs = outputs_table,
    .n_outputs = LT_COUNT(outputs_table),
    .run = run,
    .metrics = mds_metrics,
    .n_metrics = LT_COUNT(mds_metrics),
};
