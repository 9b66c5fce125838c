#include "nn/eval.h"

#include <stdlib.h>
#include <string.h>

#include "nn/parallel.h"
#include "nn/shares.h"

/* With two or more threads, evaluation and prediction hand each thread a
 * run of whole batches on its own replica of the network, where every
 * layer allows that (lt_shares_layer_fits: the recurrent layers, for one,
 * run single-threaded inside a batch). A batch computes the same numbers on
 * whichever replica runs it, and its sums land in its own slot, added in
 * batch order afterwards: the same bits on any thread count from 2 on.
 * Against one thread, recurrent and convolutional networks give the same
 * bits too; dense layers differ in the last bits (1e-9 of a loss), since on
 * one thread they cut wide products into column blocks and a replica's
 * batch, running inside a thread of its own, does not (nn/layer_dense.c). */
struct eval_job {
    lt_net *net, *replicas;
    size_t parts, batches;
    const float *x, *t;
    size_t n;
    /* evaluate: */
    lt_loss loss;
    const lt_spec *metrics;
    size_t n_metrics;
    double *sums; /* batches x (1 + n_metrics): loss, then each metric */
    /* predict: */
    size_t upto;
    float *out;
};

/* Threads to share the batches among: 1 when unshared. */
static size_t parts_for(const lt_net *net, size_t batches)
{
    size_t threads = (size_t)lt_nn_parallel_threads();
    if (threads < 2 || batches < 2 || lt_nn_parallel_nested())
        return 1;
    for (size_t i = 0; i < net->n_layers; i++)
        if (!lt_shares_layer_fits(&net->layers[i]))
            return 1;
    return threads < batches ? threads : batches;
}

/* Batch B's first row; *ROWS gets its rows (the last batch may be short). */
static size_t batch_start(const struct eval_job *j, size_t b, size_t *rows)
{
    size_t start = b * j->net->batch;
    *rows = j->n - start < j->net->batch ? j->n - start : j->net->batch;
    return start;
}

/* Adds batch B's loss sum to *LOSS and its metric sums to METRICS[k]. */
static void eval_batch(lt_net *net, const struct eval_job *j, size_t b, double *loss,
                       double *metrics)
{
    size_t in = j->net->in_size, out = j->net->layers[j->net->n_layers - 1].out_size, rows;
    size_t start = batch_start(j, b, &rows);
    const float *y = lt_net_forward(net, j->x + start * in, rows, net->n_layers, false);
    const float *target = j->t + start * out;
    *loss += lt_loss_sum(j->loss, y, target, rows * out, 0, NULL);
    for (size_t k = 0; k < j->n_metrics; k++)
        metrics[k] += lt_metric_of(&j->metrics[k])->sum(y, target, rows * out);
}

static void predict_batch(lt_net *net, const struct eval_job *j, size_t b)
{
    size_t in = j->net->in_size;
    size_t width = j->upto ? j->net->layers[j->upto - 1].out_size : in, rows;
    size_t start = batch_start(j, b, &rows);
    const float *y = lt_net_forward(net, j->x + start * in, rows, j->upto, false);
    memcpy(j->out + start * width, y, rows * width * sizeof *j->out);
}

/* Part P's run of batches, on the network (P = 0) or replica P - 1. */
static void run_part(void *arg, size_t p)
{
    const struct eval_job *j = arg;
    lt_net *net = p ? &j->replicas[p - 1] : j->net;
    for (size_t b = j->batches * p / j->parts; b < j->batches * (p + 1) / j->parts; b++) {
        double *slot = j->sums ? j->sums + b * (1 + j->n_metrics) : NULL;
        if (slot)
            eval_batch(net, j, b, slot, slot + 1);
        else
            predict_batch(net, j, b);
    }
}

/* Runs J's batches on as many threads as it can have replicas for. */
static void run_batches(struct eval_job *j)
{
    j->parts = parts_for(j->net, j->batches);
    j->replicas = j->parts > 1 ? lt_shares_replicas(j->net, j->parts, j->net->batch) : NULL;
    if (!j->replicas)
        j->parts = 1; /* out of memory for replicas: one thread, the same numbers */
    if (j->parts > 1)
        lt_nn_parallel_for(run_part, j, j->parts);
    else
        run_part(j, 0); /* not as a block: the layers' own blocks then run on the threads */
    lt_shares_replicas_free(j->replicas, j->parts);
}

void lt_nn_evaluate(lt_net *net, lt_loss loss_kind, const lt_spec *metric_specs,
                    size_t n_metrics, const float *x, const float *t, size_t n, double *loss,
                    double *metrics)
{
    size_t out = net->layers[net->n_layers - 1].out_size;
    struct eval_job j = {.net = net, .batches = (n + net->batch - 1) / net->batch, .x = x,
                         .t = t, .n = n, .loss = loss_kind, .metrics = metric_specs,
                         .n_metrics = n_metrics};
    double sum = 0;
    for (size_t k = 0; k < n_metrics; k++)
        metrics[k] = 0;
    j.sums = calloc(j.batches ? j.batches : 1, (1 + n_metrics) * sizeof *j.sums);
    if (j.sums) {
        run_batches(&j);
        for (size_t b = 0; b < j.batches; b++) {
            const double *slot = j.sums + b * (1 + n_metrics);
            sum += slot[0];
            for (size_t k = 0; k < n_metrics; k++)
                metrics[k] += slot[1 + k];
        }
        free(j.sums);
    } else {
        /* No room for the slots: batch after batch on this thread, adding
         * in the same order. */
        for (size_t b = 0; b < j.batches; b++)
            eval_batch(net, &j, b, &sum, metrics);
    }
    double count = (double)n * (double)out;
    *loss = n ? sum / count : 0;
    for (size_t k = 0; k < n_metrics; k++)
        metrics[k] = n ? metrics[k] / count : 0;
}

void lt_nn_predict(lt_net *net, const float *x, size_t n, size_t upto, float *out)
{
    struct eval_job j = {.net = net, .batches = (n + net->batch - 1) / net->batch, .x = x,
                         .n = n, .upto = upto, .out = out};
    run_batches(&j);
}
