/* tsne: t-distributed stochastic neighbour embedding of one split, as
 * scikit-learn 1.2.1's TSNE (see math/tsne.h), with its KL divergence and
 * the trustworthiness of the embedding. t-SNE has no out-of-sample
 * transform: the output holds the embedded split only. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "latent/stage.h"
#include "math/knn.h"
#include "math/tsne.h"
#include "stages/embedding.h"
#include "stages/tsne.h"

static const char *const init_choices[] = {"pca", "random", NULL};
static const char *const method_choices[] = {"barnes_hut", "exact", "fft", NULL};

#define CFG struct tsne_config
static const lt_param params[] = {
    LT_INT(CFG, n_components, 2, 1, 1000, 0,
           "dimension of the embedding (at most 3 for barnes_hut, 2 for fft)"),
    LT_REAL(CFG, perplexity, 30.0, 0, INFINITY, LT_MIN_OPEN | LT_MAX_OPEN,
            "effective number of neighbours of each point; must be below the number of rows"),
    LT_REAL(CFG, early_exaggeration, 12.0, 0, INFINITY, LT_MIN_OPEN | LT_MAX_OPEN,
            "factor on P during the first 250 iterations"),
    LT_REAL_WHEN(CFG, learning_rate, 0, 0, INFINITY, LT_MIN_OPEN | LT_MAX_OPEN | LT_NULLABLE, NULL,
                 "max(rows / early_exaggeration / 4, 50), scikit-learn's learning_rate=\"auto\"",
                 "gradient step"),
    LT_INT(CFG, max_iter, 1000, LT_TSNE_EXPLORATION_ITER, 100000000, 0,
           "iterations at most, the 250 exaggerated ones included (scikit-learn's n_iter)"),
    LT_INT(CFG, n_iter_without_progress, 300, 1, 100000000, 0,
           "stop when the KL divergence (checked every 50 iterations) has not "
           "improved for this many iterations"),
    LT_REAL(CFG, min_grad_norm, 1e-7, 0, INFINITY, LT_MAX_OPEN,
            "stop when the gradient norm falls to this"),
    LT_CHOICE(CFG, init, "pca", init_choices,
              "pca: principal components scaled to standard deviation 1e-4; random: "
              "1e-4 standard normals from numpy's RandomState(random_state)"),
    LT_CHOICE(CFG, method, "barnes_hut", method_choices,
              "barnes_hut: O(n log n) gradient, P over the 3 perplexity + 1 nearest "
              "neighbours; exact: O(n^2) over all pairs; fft: barnes_hut's P with the "
              "repulsion interpolated on a grid (3 nodes per box, boxes of unit width, "
              "at least 50 per axis) and convolved by FFT, O(n), as FIt-SNE / openTSNE "
              "(not in scikit-learn)"),
    LT_REAL(CFG, angle, 0.5, 0, 1, 0,
            "barnes_hut: a cell stands for its points when its width over its distance "
            "is below this"),
    LT_SEED(CFG, random_state, "seed of init random; unset: the pipeline's seed"),
    LT_CHOICE(CFG, split, "train", embed_split_choices,
              "the split to embed; the output holds its embedding under the same name"),
    LT_INT(CFG, trust_neighbors, 5, 0, 1000000, 0,
           "neighbours k of the reported trustworthiness (O(rows^2) to compute); 0: skip it"),
};
#undef CFG

static int check(lt_ctx *ctx, const void *config)
{
    const struct tsne_config *cfg = config;
    if (cfg->method == LT_TSNE_BARNES_HUT && cfg->n_components > 3)
        return lt_fail_param(ctx, LT_EINPUT, "n_components",
                       "n_components is %d but barnes_hut embeds in at most 3 "
                       "dimensions; use method: exact for more",
                       cfg->n_components);
    if (cfg->method == LT_TSNE_FFT && cfg->n_components > 2)
        return lt_fail_param(ctx, LT_EINPUT, "n_components",
                       "n_components is %d but fft embeds in at most 2 dimensions; "
                       "use method: barnes_hut or exact for more",
                       cfg->n_components);
    return LT_OK;
}

static int fail_fit(lt_ctx *ctx, int status)
{
    switch (status) {
    case LT_TSNE_ETOOBIG:
        return lt_fail(ctx, LT_ERUNTIME, "the data are too large to index (a dimension "
                       "over 2^31 - 1)");
    case LT_TSNE_EPCA:
        return lt_fail(ctx, LT_ERUNTIME, "LAPACK did not converge computing the pca "
                       "initialisation; try init: random");
    default:
        return lt_fail(ctx, LT_ERUNTIME, "out of memory");
    }
}

/* True when every row of X equals the first. */
static bool all_rows_equal(const lt_mat *x)
{
    for (size_t e = x->cols; e < x->rows * x->cols; e++)
        if (x->v[e] != x->v[e % x->cols])
            return false;
    return true;
}

static int run(lt_ctx *ctx, const void *config, const lt_value *inputs,
               int n_inputs, lt_value *outputs)
{
    (void)n_inputs;
    const struct tsne_config *cfg = config;
    const lt_data *in = inputs[0].data;
    const lt_mat *x = embed_rows(ctx, in, cfg->split, 2);
    if (!x)
        return LT_EINPUT;
    size_t n = x->rows, k = (size_t)cfg->n_components;
    if (all_rows_equal(x))
        return lt_fail(ctx, LT_EINPUT,
                       "all %zu rows of the %s split are the same point; t-SNE needs "
                       "distinct points", n, lt_split_name(cfg->split));
    if (cfg->perplexity >= (double)n)
        return lt_fail(ctx, LT_EINPUT,
                       "perplexity is %g but must be less than the number of rows (%zu)",
                       cfg->perplexity, n);
    size_t most = n < x->cols ? n : x->cols;
    if (cfg->init == LT_TSNE_INIT_PCA && k > most)
        return lt_fail(ctx, LT_EINPUT,
                       "n_components is %zu but init pca allows at most %zu "
                       "(min(rows, features)); use init: random",
                       k, most);
    size_t trust_k = (size_t)cfg->trust_neighbors;
    if (trust_k && 2 * trust_k >= n)
        return lt_fail(ctx, LT_EINPUT,
                       "trust_neighbors is %zu but must be less than half the rows (%zu); "
                       "set it lower or to 0",
                       trust_k, n);

    lt_tsne_options opt = lt_tsne_defaults();
    opt.n_components = cfg->n_components;
    opt.perplexity = cfg->perplexity;
    opt.early_exaggeration = cfg->early_exaggeration;
    opt.learning_rate = cfg->learning_rate;
    opt.max_iter = cfg->max_iter;
    opt.n_iter_without_progress = cfg->n_iter_without_progress;
    opt.min_grad_norm = cfg->min_grad_norm;
    opt.init = (lt_tsne_init)cfg->init;
    opt.method = (lt_tsne_method)cfg->method;
    opt.angle = cfg->angle;
    opt.seed = cfg->random_state < 0 ? lt_ctx_seed(ctx) : (uint32_t)cfg->random_state;

    embed_warn_dropped(ctx, in, cfg->split, "t-SNE");
    lt_pool *pool = lt_pool_new(lt_ctx_threads(ctx));
    lt_tsne_result res;
    int status = lt_tsne_fit(x->v, n, x->cols, &opt, pool, &res);
    lt_data *d = NULL;
    lt_mat *m = NULL;
    if (status != LT_TSNE_OK) {
        status = fail_fit(ctx, status);
        goto done;
    }
    double trust = NAN;
    if (trust_k && lt_trustworthiness(x->v, x->cols, res.embedding, k, n, trust_k, pool,
                                      &trust) != LT_KNN_OK) {
        status = lt_fail(ctx, LT_ERUNTIME, "out of memory computing trustworthiness");
        goto done;
    }
    if (!(d = embed_new(in, "tsne", k)) || !(m = lt_mat_new(n, k))) {
        status = lt_fail(ctx, LT_ERUNTIME, "out of memory");
        goto done;
    }
    memcpy(m->v, res.embedding, n * k * sizeof *m->v);
    status = embed_put(ctx, d, in, cfg->split, m);
    if (status != LT_OK)
        goto done;

    lt_report_num(ctx, "kl_divergence", res.kl_divergence);
    if (trust_k)
        lt_report_num(ctx, "trustworthiness", trust);
    lt_report_int(ctx, "n_iter", res.n_iter);
    lt_report_num(ctx, "kl_divergence_exaggerated", res.kl_exaggerated);
    lt_report_num(ctx, "learning_rate", res.learning_rate);
    if (!(cfg->learning_rate > 0))
        lt_ctx_resolved(ctx, "learning_rate", res.learning_rate);
    lt_report_int(ctx, "n_neighbors", (long long)res.n_neighbors);
    lt_report_int(ctx, "n_samples", (long long)n);
done:
    free(res.embedding);
    lt_pool_free(pool);
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

static const lt_metric tsne_metrics[] = {
    {"kl_divergence", "scikit-learn's kl_divergence_"},
    {"trustworthiness", "scikit-learn's trustworthiness of the embedding"},
    {"n_iter", "iterations run"},
    {"kl_divergence_exaggerated", "the KL divergence at the end of early exaggeration"},
    {"learning_rate", "the learning rate used ('auto' resolved)"},
    {"n_neighbors", "neighbours per point in the affinities"},
    {"n_samples", "rows embedded"},
};

const lt_stage_def tsne_stage = {
    .abi = LT_ABI_VERSION,
    .name = "tsne",
    .summary = "t-SNE embedding of one split, as scikit-learn's TSNE (Barnes-Hut or "
               "exact) or FFT-interpolated (FIt-SNE): KL divergence, trustworthiness",
    .params = params,
    .n_params = LT_COUNT(params),
    .config_size = sizeof(struct tsne_config),
    .min_inputs = 1,
    .max_inputs = 1,
    .outputs = outputs_table,
    .n_outputs = LT_COUNT(outputs_table),
    .check = check,
    .run = run,
    .metrics = tsne_metrics,
    .n_metrics = LT_COUNT(tsne_metrics),
};
