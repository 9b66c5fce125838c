#include "nn/eval.h"

#include <string.h>

void lt_nn_evaluate(lt_net *net, lt_loss loss_kind, const lt_spec *metric_specs,
                    size_t n_metrics, const float *x, const float *t, size_t n, double *loss,
                    double *metrics)
{
    size_t in = net->in_size, out = net->layers[net->n_layers - 1].out_size;
    double sum = 0;
    for (size_t k = 0; k < n_metrics; k++)
        metrics[k] = 0;
    for (size_t start = 0; start < n; start += net->batch) {
        size_t rows = n - start < net->batch ? n - start : net->batch;
        const float *y = lt_net_forward(net, x + start * in, rows, net->n_layers, false);
        const float *target = t + start * out;
        sum += lt_loss_sum(loss_kind, y, target, rows * out, 0, NULL);
        for (size_t k = 0; k < n_metrics; k++)
            metrics[k] += lt_metric_of(&metric_specs[k])->sum(y, target, rows * out);
    }
    double count = (double)n * (double)out;
    *loss = n ? sum / count : 0;
    for (size_t k = 0; k < n_metrics; k++)
        metrics[k] = n ? metrics[k] / count : 0;
}

void lt_nn_predict(lt_net *net, const float *x, size_t n, size_t upto, float *out)
{
    size_t in = net->in_size, width = upto ? net->layers[upto - 1].out_size : in;
    for (size_t start = 0; start < n; start += net->batch) {
        size_t rows = n - start < net->batch ? n - start : net->batch;
        const float *y = lt_net_forward(net, x + start * in, rows, upto, false);
        memcpy(out + start * width, y, rows * width * sizeof *out);
    }
}
