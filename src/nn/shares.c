#include "nn/shares.h"

#include <math.h>
#include <stdlib.h>

#include "nn/metric.h"
#include "nn/parallel.h"

/* Fewer rows than this per share, and a share's products are too small for
 * the split to pay off. */
#define MIN_SHARE_ROWS 8

/* Weights per block when the shares' gradients are added up. */
#define SUM_BLOCK 8192

/* Whether layer L may run in a share: a dense layer, or a view. */
static bool shareable(const lt_layer *l)
{
    return l->kind->view || l->kind == &lt_layer_dense;
}

int lt_shares_init(lt_shares *s, lt_net *net, int threads, size_t n_metrics)
{
    *s = (lt_shares){0};
    if (threads < 2 || net->batch < (size_t)threads * MIN_SHARE_ROWS || !net->n_layers)
        return 0;
    size_t split = net->n_layers;
    while (split > 0 && shareable(&net->layers[split - 1]))
        split--;
    for (size_t i = 0; i < split; i++)
        if (net->layers[i].n_weights)
            return 0;
    if (split == net->n_layers)
        return 0;
    size_t t = (size_t)threads, share_batch = (net->batch + t - 1) / t;
    s->net = net;
    s->split = split;
    s->n_shares = t;
    s->replicas = calloc(t - 1, sizeof *s->replicas);
    s->loss = calloc(t, sizeof *s->loss);
    s->metric = calloc(t * (n_metrics ? n_metrics : 1), sizeof *s->metric);
    if (!s->replicas || !s->loss || !s->metric) {
        lt_shares_free(s);
        return -1;
    }
    for (size_t i = 0; i + 1 < t; i++)
        if (lt_net_replica(&s->replicas[i], net, share_batch) != LT_NET_OK) {
            lt_shares_free(s);
            return -1;
        }
    return 1;
}

void lt_shares_free(lt_shares *s)
{
    for (size_t i = 0; s->replicas && i + 1 < s->n_shares; i++)
        lt_net_replica_free(&s->replicas[i]);
    free(s->replicas);
    free(s->loss);
    free(s->metric);
    *s = (lt_shares){0};
}

struct batch_job {
    lt_shares *s;
    const float *in;      /* layer split's input for the whole batch */
    const float *x;       /* the targets */
    size_t rows, count, shares;
    lt_loss loss;
    const lt_spec *metrics;
    size_t n_metrics;
    float sgd_rate;
};

static lt_net *share_net(lt_shares *s, size_t share)
{
    return share ? &s->replicas[share - 1] : s->net;
}

/* Share B's rows [lo, hi) through layers [split, n): forward, loss and
 * metric sums, backward into its own gradient. */
static void share_block(void *arg, size_t b)
{
    struct batch_job *j = arg;
    lt_shares *s = j->s;
    lt_net *net = share_net(s, b);
    size_t lo = j->rows * b / j->shares, hi = j->rows * (b + 1) / j->shares, rows = hi - lo;
    size_t in = s->net->layers[s->split].in_size, out = net->layers[net->n_layers - 1].out_size;
    const float *y = lt_net_forward_range(net, j->in + lo * in, rows, s->split, net->n_layers, true);
    const float *t = j->x + lo * out;
    s->loss[b] = lt_loss_sum(j->loss, y, t, rows * out, 1.0f / (float)j->count,
                             lt_net_output_grad(net));
    for (size_t k = 0; k < j->n_metrics; k++)
        s->metric[b * j->n_metrics + k] = lt_metric_of(&j->metrics[k])->sum(y, t, rows * out);
    lt_net_backward(net, rows, NULL);
}

/* Weights [SUM_BLOCK b, SUM_BLOCK (b + 1)): the shares' gradients added in
 * share order into net->g, or straight into an SGD step. */
static void sum_block(void *arg, size_t b)
{
    struct batch_job *j = arg;
    lt_net *net = j->s->net;
    size_t from = b * SUM_BLOCK, to = from + SUM_BLOCK < net->n_weights ? from + SUM_BLOCK : net->n_weights;
    float *g = net->g, *w = net->w;
    if (j->sgd_rate > 0 && j->shares == 2) {
        /* The common case in one pass: two cores, plain SGD. */
        const float *g1 = share_net(j->s, 1)->g;
        for (size_t i = from; i < to; i++)
            w[i] -= j->sgd_rate * (g[i] + g1[i]);
        return;
    }
    for (size_t share = 1; share < j->shares; share++) {
        const float *gs = share_net(j->s, share)->g;
        for (size_t i = from; i < to; i++)
            g[i] += gs[i];
    }
    if (j->sgd_rate > 0)
        for (size_t i = from; i < to; i++)
            w[i] -= j->sgd_rate * g[i];
}

double lt_shares_batch(lt_shares *s, const float *x, size_t rows, lt_loss loss,
                       const lt_spec *metrics, size_t n_metrics, double *sums, float sgd_rate)
{
    lt_net *net = s->net;
    size_t out = net->layers[net->n_layers - 1].out_size;
    /* Noise and dropout ahead of the dense layers draw from the network's
     * stream on the whole batch, in the order they do unshared. */
    const float *in = lt_net_forward_range(net, x, rows, 0, s->split, true);
    struct batch_job j = {.s = s, .in = in, .x = x, .rows = rows, .count = rows * out,
                          .shares = rows < s->n_shares ? rows : s->n_shares, .loss = loss,
                          .metrics = metrics, .n_metrics = n_metrics, .sgd_rate = sgd_rate};
    lt_nn_parallel_for(share_block, &j, j.shares);
    double total = 0;
    for (size_t b = 0; b < j.shares; b++)
        total += s->loss[b];
    /* A batch whose loss is not finite stops training, without a step. */
    if (!isfinite(total))
        return total;
    lt_nn_parallel_for(sum_block, &j, (net->n_weights + SUM_BLOCK - 1) / SUM_BLOCK);
    for (size_t k = 0; k < n_metrics; k++) {
        double m = 0;
        for (size_t b = 0; b < j.shares; b++)
            m += s->metric[b * n_metrics + k];
        sums[k] += m;
    }
    return total;
}
