#include "nn/train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/eval.h"
#include "nn/parallel.h"
#include "nn/shares.h"

/* The buffers of one training run, allocated before the first batch. */
struct workspace {
    size_t *order;  /* the epoch's sample order */
    float *batch;   /* the gathered inputs (also the targets) */
    float *ahead;   /* shared batches: the next batch, gathered ahead (lt_shares_ahead) */
    double *chunk_loss; /* the batch's loss, chunk by chunk (batch_loss) */
    double *sums;   /* the epoch's metric sums */
    double *means, *val_means; /* metrics as shown */
    float *best;    /* the best epoch's weights, for restore_best */
    double *parts;  /* data parallel: gradient, loss and metric sums to add up */
    lt_shares shares; /* the batch shared among the threads, when n_shares */
    float sgd_rate; /* plain SGD's rate when shared (then not fused), or 0 */
};

static int history_alloc(lt_history *h, int epochs, size_t n_metrics, bool has_valid)
{
    size_t cap = epochs > 0 ? (size_t)epochs : 1, m = n_metrics ? n_metrics : 1;
    *h = (lt_history){.n_metrics = n_metrics, .capacity = cap, .has_valid = has_valid};
    h->loss = calloc(cap, sizeof *h->loss);
    h->val_loss = calloc(cap, sizeof *h->val_loss);
    h->metric = calloc(cap * m, sizeof *h->metric);
    h->val_metric = calloc(cap * m, sizeof *h->val_metric);
    return h->loss && h->val_loss && h->metric && h->val_metric ? 0 : -1;
}

void lt_history_free(lt_history *h)
{
    free(h->loss);
    free(h->val_loss);
    free(h->metric);
    free(h->val_metric);
    *h = (lt_history){0};
}

/* Plain SGD is fused into the layers' backward passes when every layer
 * with weights can take it (see lt_layer.sgd_rate): returns whether it is,
 * after setting (rate) or clearing (0) each layer's rate. */
static bool fuse_sgd(lt_net *net, float rate)
{
    for (size_t i = 0; rate > 0 && i < net->n_layers; i++)
        if (net->layers[i].n_weights && !net->layers[i].kind->fuses_sgd)
            rate = 0;
    for (size_t i = 0; i < net->n_layers; i++)
        net->layers[i].sgd_rate = rate;
    return rate > 0;
}

/* One batch's loss, its chunks shared among the threads. */
struct loss_pass {
    lt_loss loss;
    const float *y, *t;
    float *grad, scale;
    size_t count, chunks, blocks;
    double *chunk_loss;
};

/* Chunks per block: few enough blocks that each is worth a thread. */
#define LOSS_BLOCK_CHUNKS 16

static void loss_block(void *arg, size_t b)
{
    struct loss_pass *p = arg;
    size_t c1 = (b + 1) * LOSS_BLOCK_CHUNKS < p->chunks ? (b + 1) * LOSS_BLOCK_CHUNKS : p->chunks;
    for (size_t c = b * LOSS_BLOCK_CHUNKS; c < c1; c++) {
        size_t at = c * LT_LOSS_CHUNK, n = p->count - at < LT_LOSS_CHUNK ? p->count - at : LT_LOSS_CHUNK;
        p->chunk_loss[c] = lt_loss_sum(p->loss, p->y + at, p->t + at, n, p->scale, p->grad + at);
    }
}

/* lt_loss_sum of the batch, with its gradient: the same bits on any number
 * of threads, since the chunks' sums are added in order here. */
static double batch_loss(lt_loss loss, const float *y, const float *t, size_t count, float *grad,
                         double *chunk_loss)
{
    struct loss_pass p = {.loss = loss, .y = y, .t = t, .grad = grad, .scale = 1.0f / (float)count,
                          .count = count, .chunks = (count + LT_LOSS_CHUNK - 1) / LT_LOSS_CHUNK,
                          .chunk_loss = chunk_loss};
    lt_nn_parallel_for(loss_block, &p, (p.chunks + LOSS_BLOCK_CHUNKS - 1) / LOSS_BLOCK_CHUNKS);
    double sum = 0;
    for (size_t c = 0; c < p.chunks; c++)
        sum += chunk_loss[c];
    return sum;
}

/* One batch of a data-parallel epoch: forward and backward over this
 * process's ROWS samples of the epoch's order from FIRST on, the loss's
 * gradient scaled by the whole batch's COUNT, then the gradient, the loss
 * (*batch_loss) and the metric sums added up over the processes. Returns 0,
 * or -1 when the sum failed (on every process). */
static int parallel_batch(lt_net *net, const lt_train_config *cfg, const float *x,
                          struct workspace *ws, size_t first, size_t rows, size_t count,
                          double *batch_loss)
{
    size_t in = net->in_size, out = net->layers[net->n_layers - 1].out_size, w = net->n_weights;
    double *parts = ws->parts;
    memset(parts, 0, (w + 1 + cfg->n_metrics) * sizeof *parts);
    if (rows) {
        for (size_t r = 0; r < rows; r++)
            memcpy(ws->batch + r * in, x + ws->order[first + r] * in, in * sizeof *x);
        const float *y = lt_net_forward(net, ws->batch, rows, net->n_layers, true);
        parts[w] = lt_loss_sum(cfg->loss, y, ws->batch, rows * out, 1.0f / (float)count,
                               lt_net_output_grad(net));
        for (size_t k = 0; k < cfg->n_metrics; k++)
            parts[w + 1 + k] = lt_metric_of(&cfg->metrics[k])->sum(y, ws->batch, rows * out);
        lt_net_backward(net, rows, NULL);
        for (size_t i = 0; i < w; i++)
            parts[i] = net->g[i];
    }
    if (cfg->sum(parts, w + 1 + cfg->n_metrics) != 0)
        return -1;
    for (size_t i = 0; i < w; i++)
        net->g[i] = (float)parts[i];
    *batch_loss = parts[w];
    for (size_t k = 0; k < cfg->n_metrics; k++)
        ws->sums[k] += parts[w + 1 + k];
    return 0;
}

struct gather_job {
    float *dst;
    const float *x;
    const size_t *order;
    size_t rows, in;
};

/* Block B of 2: its half of the rows. */
static void gather_block(void *arg, size_t b)
{
    struct gather_job *j = arg;
    for (size_t r = j->rows * b / 2; r < j->rows * (b + 1) / 2; r++)
        memcpy(j->dst + r * j->in, j->x + j->order[r] * j->in, j->in * sizeof *j->x);
}

/* ROWS samples of X in the order ORDER into DST, on two threads where the
 * pool has them: the rows come from memory at random, and a shared batch's
 * other thread would otherwise wait. */
static void gather(float *dst, const float *x, const size_t *order, size_t rows, size_t in)
{
    struct gather_job j = {.dst = dst, .x = x, .order = order, .rows = rows, .in = in};
    lt_nn_parallel_for(gather_block, &j, 2);
}

/* Runs one epoch; returns LT_TRAIN_OK or LT_TRAIN_NONFINITE. */
static int run_epoch(lt_net *net, lt_optim *opt, const lt_train_config *cfg, const float *x,
                     size_t n, struct workspace *ws, lt_progress *progress, lt_history *h, int e)
{
    bool fused = net->n_layers && net->layers[0].sgd_rate > 0;
    size_t in = net->in_size, out = net->layers[net->n_layers - 1].out_size;
    if (cfg->shuffle)
        lt_rng_permutation(&net->rng, ws->order, n);
    else
        for (size_t i = 0; i < n; i++)
            ws->order[i] = i;
    double loss_sum = 0, seen = 0;
    for (size_t k = 0; k < cfg->n_metrics; k++)
        ws->sums[k] = 0;
    size_t batch_no = 0;
    for (size_t start = 0; start < n; start += net->batch) {
        size_t rows = n - start < net->batch ? n - start : net->batch, count = rows * out;
        batch_no++;
        /* Data parallel: this process's share [lo, hi) of the batch. */
        size_t lo = cfg->sum ? rows * (size_t)cfg->rank / (size_t)cfg->size : 0;
        size_t hi = cfg->sum ? rows * (size_t)(cfg->rank + 1) / (size_t)cfg->size : rows;
        double loss;
        bool stepped; /* the optimizer step was already taken on the way */
        if (cfg->sum) {
            if (parallel_batch(net, cfg, x, ws, start + lo, hi - lo, count, &loss) != 0)
                return LT_TRAIN_ENOMEM;
            stepped = false;
        } else {
            /* Shared, every batch but an epoch's first was gathered ahead. */
            if (!ws->shares.n_shares || !start)
                gather(ws->batch, x, ws->order + start, rows, in);
            if (ws->shares.n_shares) {
                size_t next = start + rows,
                       next_rows = n - next < net->batch ? n - next : net->batch;
                if (next_rows) {
                    gather(ws->ahead, x, ws->order + next, next_rows, in);
                    lt_shares_ahead(&ws->shares, ws->ahead, next_rows);
                }
                loss = lt_shares_batch(&ws->shares, ws->batch, rows, cfg->loss, cfg->metrics,
                                       cfg->n_metrics, ws->sums, ws->sgd_rate);
                stepped = ws->sgd_rate > 0; /* plain SGD done with the shares' sum */
                float *t = ws->batch;
                ws->batch = ws->ahead;
                ws->ahead = t;
            } else {
                const float *y = lt_net_forward(net, ws->batch, rows, net->n_layers, true);
                loss = batch_loss(cfg->loss, y, ws->batch, count, lt_net_output_grad(net),
                                  ws->chunk_loss);
                if (isfinite(loss)) {
                    for (size_t k = 0; k < cfg->n_metrics; k++)
                        ws->sums[k] += lt_metric_of(&cfg->metrics[k])->sum(y, ws->batch, count);
                    lt_net_backward(net, rows, NULL);
                }
                stepped = fused;
            }
        }
        if (!isfinite(loss)) {
            h->bad_epoch = e + 1;
            h->bad_batch = batch_no;
            h->bad_loss = loss;
            return LT_TRAIN_NONFINITE;
        }
        if (!stepped)
            lt_optim_step(opt, net->w, net->g);
        loss_sum += loss;
        seen += (double)count;
        if (progress->live) { /* sums and counts are the whole batch's, on ranks too */
            for (size_t k = 0; k < cfg->n_metrics; k++)
                ws->means[k] = ws->sums[k] / seen;
            lt_progress_batch(progress, batch_no, loss_sum / seen, ws->means);
        }
    }
    h->loss[e] = loss_sum / seen;
    for (size_t k = 0; k < cfg->n_metrics; k++)
        h->metric[k * h->capacity + (size_t)e] = ws->sums[k] / seen;
    return LT_TRAIN_OK;
}

int lt_train(lt_net *net, lt_optim *opt, const lt_train_config *cfg, const float *x, size_t n,
             const float *vx, size_t vn, lt_progress *progress, lt_history *h)
{
    struct workspace ws = {0};
    int rc = history_alloc(h, cfg->epochs, cfg->n_metrics, vn > 0) ? LT_TRAIN_ENOMEM : LT_TRAIN_OK;
    ws.order = malloc((n ? n : 1) * sizeof *ws.order);
    ws.batch = malloc(net->batch * net->in_size * sizeof *ws.batch);
    ws.ahead = malloc(net->batch * net->in_size * sizeof *ws.ahead);
    size_t out_size = net->n_layers ? net->layers[net->n_layers - 1].out_size : net->in_size;
    ws.chunk_loss = malloc((net->batch * out_size / LT_LOSS_CHUNK + 1) * sizeof *ws.chunk_loss);
    size_t m = cfg->n_metrics ? cfg->n_metrics : 1;
    ws.sums = calloc(m, sizeof *ws.sums);
    ws.means = calloc(m, sizeof *ws.means);
    ws.val_means = calloc(m, sizeof *ws.val_means);
    if (cfg->restore_best)
        ws.best = malloc((net->n_weights ? net->n_weights : 1) * sizeof *ws.best);
    if (cfg->sum)
        ws.parts = malloc((net->n_weights + 1 + m) * sizeof *ws.parts);
    if (!ws.order || !ws.batch || !ws.ahead || !ws.chunk_loss || !ws.sums || !ws.means ||
        !ws.val_means || (cfg->restore_best && !ws.best) || (cfg->sum && !ws.parts))
        rc = LT_TRAIN_ENOMEM;
    /* A process out of memory fails the others' first sum with it. */
    if (cfg->sum && rc != LT_TRAIN_OK)
        cfg->sum(NULL, 0);

    /* Fused SGD updates the weights inside backward, before the gradients
     * of a data-parallel batch are added up: not then. */
    /* Threads share each batch by rows where the network allows it
     * (nn/shares.h); SGD then steps after the shares' gradients are added. */
    int shared = cfg->sum || rc != LT_TRAIN_OK
                     ? 0
                     : lt_shares_init(&ws.shares, net, lt_nn_parallel_threads(), cfg->n_metrics);
    if (shared < 0)
        rc = LT_TRAIN_ENOMEM;
    if (shared > 0)
        ws.sgd_rate = lt_optim_plain_sgd_rate(opt);
    fuse_sgd(net, cfg->sum || shared ? 0 : lt_optim_plain_sgd_rate(opt));
    double best = INFINITY;
    int waited = 0;
    for (int e = 0; rc == LT_TRAIN_OK && e < cfg->epochs; e++) {
        lt_progress_epoch(progress, e + 1);
        rc = run_epoch(net, opt, cfg, x, n, &ws, progress, h, e);
        lt_shares_sync(&ws.shares);
        if (rc != LT_TRAIN_OK)
            break;
        size_t cap = h->capacity;
        if (vn)
            lt_nn_evaluate(net, cfg->loss, cfg->metrics, cfg->n_metrics, vx, vx, vn,
                           &h->val_loss[e], ws.val_means);
        for (size_t k = 0; k < cfg->n_metrics; k++) {
            ws.means[k] = h->metric[k * cap + (size_t)e];
            h->val_metric[k * cap + (size_t)e] = vn ? ws.val_means[k] : 0;
        }
        h->epochs = e + 1;
        h->final_epoch = e + 1;
        lt_progress_end(progress, h->loss[e], ws.means, h->val_loss[e], vn ? ws.val_means : NULL);
        double monitored = vn ? h->val_loss[e] : h->loss[e];
        if (monitored < best) {
            best = monitored;
            h->best_epoch = e + 1;
            waited = 0;
            if (ws.best)
                memcpy(ws.best, net->w, net->n_weights * sizeof *ws.best);
        } else if (cfg->patience > 0 && ++waited >= cfg->patience) {
            h->stopped_early = e + 1 < cfg->epochs;
            break;
        }
    }
    fuse_sgd(net, 0);
    if (rc == LT_TRAIN_OK && ws.best && h->best_epoch && h->best_epoch != h->epochs) {
        memcpy(net->w, ws.best, net->n_weights * sizeof *ws.best);
        h->final_epoch = h->best_epoch;
    }
    free(ws.order);
    free(ws.batch);
    free(ws.ahead);
    free(ws.chunk_loss);
    free(ws.sums);
    free(ws.means);
    free(ws.val_means);
    free(ws.best);
    free(ws.parts);
    lt_shares_free(&ws.shares);
    return rc;
}
