#include "nn/shares.h"

#include <math.h>
#include <stdlib.h>

#include "nn/metric.h"
#include "nn/parallel.h"

/* Weights per block when the shares' gradients are added up. */
#define SUM_BLOCK 8192

bool lt_shares_layer_fits(const lt_layer *l)
{
    return l->kind->view || (l->kind->by_rows && l->kind->by_rows(l));
}

int lt_shares_init(lt_shares *s, lt_net *net, int threads, size_t n_metrics)
{
    *s = (lt_shares){0};
    if (threads < 2 || net->batch < (size_t)threads * LT_SHARES_MIN_ROWS || !net->n_layers)
        return 0;
    size_t split = net->n_layers;
    while (split > 0 && lt_shares_layer_fits(&net->layers[split - 1]))
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
    int rc = 0;
    if (lt_dense_shares_fit(net, split))
        rc = lt_dense_shares_init(&s->dense, net, split, n_metrics);
    else if (!(s->replicas = lt_shares_replicas(net, t, share_batch)))
        rc = -1;
    s->loss = calloc(t, sizeof *s->loss);
    s->metric = calloc(t * (n_metrics ? n_metrics : 1), sizeof *s->metric);
    if (rc || !s->loss || !s->metric) {
        lt_shares_free(s);
        return -1;
    }
    return 1;
}

void lt_shares_ahead(lt_shares *s, const float *x, size_t rows)
{
    if (s->dense.block)
        lt_dense_shares_ahead(&s->dense, x, rows);
}

void lt_shares_sync(lt_shares *s)
{
    if (s->dense.block)
        lt_dense_shares_sync(&s->dense, s->net);
}

void lt_shares_free(lt_shares *s)
{
    lt_shares_replicas_free(s->replicas, s->n_shares);
    lt_dense_shares_free(&s->dense);
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
};

/* The network share SHARE runs on: the first on the network itself, the
 * others on their replicas. */
static lt_net *share_net(lt_shares *s, size_t share)
{
    return share ? &s->replicas[share - 1] : s->net;
}

lt_net *lt_shares_replicas(const lt_net *net, size_t n_shares, size_t batch)
{
    lt_net *r = calloc(n_shares - 1, sizeof *r);
    for (size_t i = 0; r && i + 1 < n_shares; i++)
        if (lt_net_replica(&r[i], net, batch) != LT_NET_OK) {
            lt_shares_replicas_free(r, n_shares);
            return NULL;
        }
    return r;
}

void lt_shares_replicas_free(lt_net *replicas, size_t n_shares)
{
    /* lt_net_replica_free takes a zeroed replica too: one not yet made. */
    for (size_t i = 0; replicas && i + 1 < n_shares; i++)
        lt_net_replica_free(&replicas[i]);
    free(replicas);
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
    const float *y =
        lt_net_forward_range(net, j->in + lo * in, rows, s->split, net->n_layers, true);
    const float *t = j->x + lo * out;
    s->loss[b] = lt_loss_sum(j->loss, y, t, rows * out, 1.0f / (float)j->count,
                             lt_net_output_grad(net));
    for (size_t k = 0; k < j->n_metrics; k++)
        s->metric[b * j->n_metrics + k] = lt_metric_of(&j->metrics[k])->sum(y, t, rows * out);
    lt_net_backward(net, rows, NULL);
}

struct sum_job {
    lt_net *net, *replicas;
    size_t n_shares;
    float sgd_rate;
};

/* Weights [SUM_BLOCK b, SUM_BLOCK (b + 1)): the shares' gradients added in
 * share order into net->g, or straight into an SGD step. */
static void sum_block(void *arg, size_t b)
{
    struct sum_job *j = arg;
    lt_net *net = j->net;
    size_t from = b * SUM_BLOCK, to = from + SUM_BLOCK < net->n_weights ? from + SUM_BLOCK : net->n_weights;
    float *g = net->g, *w = net->w;
    if (j->sgd_rate > 0 && j->n_shares == 2) {
        /* The common case in one pass: two cores, plain SGD. */
        const float *g1 = j->replicas[0].g;
        for (size_t i = from; i < to; i++)
            w[i] -= j->sgd_rate * (g[i] + g1[i]);
        return;
    }
    for (size_t share = 1; share < j->n_shares; share++) {
        const float *gs = j->replicas[share - 1].g;
        for (size_t i = from; i < to; i++)
            g[i] += gs[i];
    }
    if (j->sgd_rate > 0)
        for (size_t i = from; i < to; i++)
            w[i] -= j->sgd_rate * g[i];
}

void lt_shares_add_gradients(lt_net *net, lt_net *replicas, size_t n_shares, float sgd_rate)
{
    struct sum_job j = {.net = net, .replicas = replicas, .n_shares = n_shares,
                        .sgd_rate = sgd_rate};
    lt_nn_parallel_for(sum_block, &j, (net->n_weights + SUM_BLOCK - 1) / SUM_BLOCK);
}

double lt_shares_batch(lt_shares *s, const float *x, size_t rows, lt_loss loss,
                       const lt_spec *metrics, size_t n_metrics, double *sums, float sgd_rate)
{
    lt_net *net = s->net;
    if (s->dense.block)
        return lt_dense_shares_batch(&s->dense, net, x, rows, s->split, loss, metrics, sums,
                                     sgd_rate);
    size_t out = net->layers[net->n_layers - 1].out_size;
    /* Noise and dropout ahead of the shared layers draw from the network's
     * stream on the whole batch, in the order they do unshared. */
    const float *in = lt_net_forward_range(net, x, rows, 0, s->split, true);
    struct batch_job j = {.s = s, .in = in, .x = x, .rows = rows, .count = rows * out,
                          .shares = rows < s->n_shares ? rows : s->n_shares, .loss = loss,
                          .metrics = metrics, .n_metrics = n_metrics};
    lt_nn_parallel_for(share_block, &j, j.shares);
    double total = 0;
    for (size_t b = 0; b < j.shares; b++)
        total += s->loss[b];
    /* A batch whose loss is not finite stops training, without a step. */
    if (!isfinite(total))
        return total;
    lt_shares_add_gradients(net, s->replicas, j.shares, sgd_rate);
    for (size_t k = 0; k < n_metrics; k++) {
        double m = 0;
        for (size_t b = 0; b < j.shares; b++)
            m += s->metric[b * n_metrics + k];
        sums[k] += m;
    }
    return total;
}
