/* t-SNE's driver: initial embedding and the two-phase gradient descent
 * (see tsne.h). */
#include "math/tsne.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "math/pca.h"
#include "math/rng.h"
#include "math/tsne_attract.h"

static const double MIN_GAIN = 0.01;

lt_tsne_options lt_tsne_defaults(void)
{
    return (lt_tsne_options){
        .n_components = 2,
        .perplexity = 30.0,
        .early_exaggeration = 12.0,
        .learning_rate = 0, /* auto */
        .max_iter = 1000,
        .n_iter_without_progress = 300,
        .min_grad_norm = 1e-7,
        .init = LT_TSNE_INIT_PCA,
        .method = LT_TSNE_BARNES_HUT,
        .angle = 0.5,
        .seed = 0,
    };
}

/* The objective of any method at Y: gradient into grad, KL when asked. */
typedef struct objective {
    lt_tsne_method method;
    size_t n, dim;
    double angle;
    lt_pool *pool;
    double *dense;          /* exact P (n x n) */
    lt_tsne_sparse sparse;  /* barnes_hut P */
    lt_tsne_bh *bh;
    lt_tsne_fft *fft;
} objective;

static double evaluate(objective *o, const double *y, bool want_error, double *grad,
                       bool *ok)
{
    if (o->method == LT_TSNE_EXACT)
        return lt_tsne_gradient_exact(o->dense, y, o->n, o->dim, want_error, o->pool,
                                      grad, ok);
    if (o->method == LT_TSNE_FFT)
        return lt_tsne_gradient_fft(o->fft, &o->sparse, y, want_error, o->pool, grad, ok);
    return lt_tsne_gradient_bh(o->bh, &o->sparse, y, o->angle, want_error, o->pool,
                               grad, ok);
}

/* Multiplies P by f, or divides it by f when undo: the exaggeration on
 * and off, in place as scikit-learn does (so the P of phase 2 is P * f / f,
 * rounding included). */
static void exaggerate(objective *o, double f, bool undo)
{
    if (o->method != LT_TSNE_EXACT) {
        lt_tsne_sparse_scale(&o->sparse, f, undo);
        return;
    }
    for (size_t e = 0; e < o->n * o->n; e++)
        o->dense[e] = undo ? o->dense[e] / f : o->dense[e] * f;
}

/* One call of scikit-learn's _gradient_descent: iterations [first, last)
 * with fresh gains and update. Returns the last iteration run into *it and
 * the last evaluated error into *error; false when out of memory. */
struct phase {
    int first, last;
    double momentum, learning_rate, min_grad_norm;
    int patience; /* n_iter_without_progress */
};

static bool descend(objective *o, double *y, const struct phase *ph, int *it,
                    double *error)
{
    size_t m = o->n * o->dim;
    double *grad = malloc(m * sizeof *grad);
    double *update = calloc(m, sizeof *update);
    double *gains = malloc(m * sizeof *gains);
    bool ok = grad && update && gains;
    for (size_t e = 0; ok && e < m; e++)
        gains[e] = 1.0;
    double best = DBL_MAX;
    int best_iter = ph->first, i = ph->first;
    *error = DBL_MAX;
    for (; ok && i < ph->last; i++) {
        bool check = (i + 1) % LT_TSNE_CHECK_EVERY == 0;
        double err = evaluate(o, y, check || i == ph->last - 1, grad, &ok);
        if (!ok)
            break;
        if (check || i == ph->last - 1)
            *error = err;
        double norm2 = 0;
        for (size_t e = 0; e < m; e++) {
            if (update[e] * grad[e] < 0.0)
                gains[e] += 0.2;
            else
                gains[e] *= 0.8;
            if (gains[e] < MIN_GAIN)
                gains[e] = MIN_GAIN;
            grad[e] *= gains[e];
            update[e] = ph->momentum * update[e] - ph->learning_rate * grad[e];
            y[e] += update[e];
            norm2 += grad[e] * grad[e];
        }
        if (!check)
            continue;
        if (err < best) {
            best = err;
            best_iter = i;
        } else if (i - best_iter > ph->patience) {
            break;
        }
        if (sqrt(norm2) <= ph->min_grad_norm)
            break;
    }
    /* The loop's last iteration, as scikit-learn's loop variable ends. */
    *it = i < ph->last ? i : ph->last - 1;
    free(grad);
    free(update);
    free(gains);
    return ok;
}

/* The initial embedding into y (n x dim). */
static int initialise(const double *x, size_t n, size_t d, const lt_tsne_options *opt,
                      double *y)
{
    size_t dim = (size_t)opt->n_components;
    if (opt->init == LT_TSNE_INIT_RANDOM) {
        lt_rng rng;
        lt_rng_seed(&rng, opt->seed);
        for (size_t e = 0; e < n * dim; e++)
            y[e] = 1e-4 * lt_rng_gauss(&rng);
        return LT_TSNE_OK;
    }
    /* The leading principal components, scaled so that the first has
     * standard deviation 1e-4 (population std, as np.std). scikit-learn
     * rounds the components to float32 first and scales in float32; so do
     * we, which also hides the last-bit differences OpenBLAS's thread
     * count makes in the SVD. */
    lt_pca pca;
    double *scores = NULL;
    int rc = lt_pca_fit(&pca, x, n, d, (double)dim, LT_PCA_FULL, &scores);
    if (rc != LT_PCA_OK)
        return rc == LT_PCA_ENOMEM ? LT_TSNE_ENOMEM
               : rc == LT_PCA_ETOOBIG ? LT_TSNE_ETOOBIG : LT_TSNE_EPCA;
    for (size_t e = 0; e < n * dim; e++)
        scores[e] = (float)scores[e];
    double mean = 0, var = 0;
    for (size_t i = 0; i < n; i++)
        mean += scores[i * dim];
    mean /= (double)n;
    for (size_t i = 0; i < n; i++)
        var += (scores[i * dim] - mean) * (scores[i * dim] - mean);
    float sd = (float)sqrt(var / (double)n);
    for (size_t e = 0; e < n * dim; e++)
        y[e] = sd > 0 ? (float)((float)scores[e] / sd * 1e-4f) : scores[e];
    free(scores);
    lt_pca_free(&pca);
    return LT_TSNE_OK;
}

int lt_tsne_fit(const double *x, size_t n, size_t d, const lt_tsne_options *opt,
                lt_pool *pool, lt_tsne_result *res)
{
    memset(res, 0, sizeof *res);
    size_t dim = (size_t)opt->n_components;
    objective o = {.method = opt->method, .n = n, .dim = dim, .angle = opt->angle,
                   .pool = pool};
    double *y = malloc(n * dim * sizeof *y);
    int status = y ? LT_TSNE_OK : LT_TSNE_ENOMEM;
    if (status == LT_TSNE_OK && opt->method == LT_TSNE_EXACT) {
        status = lt_tsne_joint_dense(x, n, d, opt->perplexity, pool, &o.dense);
        res->n_neighbors = n - 1;
    } else if (status == LT_TSNE_OK) {
        /* scikit-learn: min(n - 1, int(3 perplexity + 1)) neighbours. */
        size_t k = (size_t)(3.0 * opt->perplexity + 1.0);
        if (k > n - 1)
            k = n - 1;
        res->n_neighbors = k;
        status = lt_tsne_joint_sparse(x, n, d, k, opt->perplexity, pool, &o.sparse);
        if (status == LT_TSNE_OK && opt->method == LT_TSNE_FFT) {
            if (!(o.fft = lt_tsne_fft_new(n, dim)))
                status = LT_TSNE_ENOMEM;
        } else if (status == LT_TSNE_OK && !(o.bh = lt_tsne_bh_new(n, dim))) {
            status = LT_TSNE_ENOMEM;
        }
    }
    if (status == LT_TSNE_OK)
        status = initialise(x, n, d, opt, y);
    if (status != LT_TSNE_OK)
        goto done;

    double rate = opt->learning_rate;
    if (rate <= 0) {
        rate = (double)n / opt->early_exaggeration / 4.0;
        if (rate < 50)
            rate = 50;
    }
    res->learning_rate = rate;

    /* Phase 1: exaggerated P, momentum 0.5, patience of the whole phase. */
    struct phase ph = {.first = 0, .last = LT_TSNE_EXPLORATION_ITER, .momentum = 0.5,
                       .learning_rate = rate, .min_grad_norm = opt->min_grad_norm,
                       .patience = LT_TSNE_EXPLORATION_ITER};
    int it;
    double error;
    exaggerate(&o, opt->early_exaggeration, false);
    if (!descend(&o, y, &ph, &it, &error)) {
        status = LT_TSNE_ENOMEM;
        goto done;
    }
    res->kl_exaggerated = error;
    exaggerate(&o, opt->early_exaggeration, true);

    /* Phase 2: the real P, momentum 0.8, until max_iter. */
    ph.first = it + 1;
    ph.last = opt->max_iter;
    ph.momentum = 0.8;
    ph.patience = opt->n_iter_without_progress;
    bool ok = true;
    if (ph.first < ph.last) {
        ok = descend(&o, y, &ph, &it, &error);
    } else {
        /* Nothing left for phase 2 (max_iter 250): scikit-learn would
         * report its initial error, DBL_MAX; report the KL divergence of
         * the final embedding instead. */
        double *grad = malloc(n * dim * sizeof *grad);
        ok = grad != NULL;
        if (ok)
            error = evaluate(&o, y, true, grad, &ok);
        free(grad);
    }
    if (!ok) {
        status = LT_TSNE_ENOMEM;
        goto done;
    }
    res->kl_divergence = error;
    res->n_iter = it + 1;
    res->embedding = y;
    y = NULL;
done:
    free(y);
    free(o.dense);
    lt_tsne_sparse_free(&o.sparse);
    lt_tsne_bh_free(o.bh);
    lt_tsne_fft_free(o.fft);
    return status;
}
