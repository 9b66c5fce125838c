/* Running a built network over a whole data set, batch by batch: its mean
 * loss and metrics, or its outputs. */
#ifndef LATENT_NN_EVAL_H
#define LATENT_NN_EVAL_H

#include <stddef.h>

#include "nn/loss.h"
#include "nn/metric.h"
#include "nn/net.h"

/* The mean loss (*loss) and the N_METRICS metrics (metrics[k]; the specs'
 * kinds are lt_metric_kind) of the network's output on the n samples x
 * against the targets t (one output-sized row per sample; for an
 * autoencoder t is x). Inference mode: dropout and noise are off. */
void lt_nn_evaluate(lt_net *net, lt_loss loss_kind, const lt_spec *metric_specs,
                    size_t n_metrics, const float *x, const float *t, size_t n, double *loss,
                    double *metrics);

/* Writes the output of layer upto - 1 for the n samples x into out (n rows
 * of that layer's out_size floats; the input itself when upto is 0). */
void lt_nn_predict(lt_net *net, const float *x, size_t n, size_t upto, float *out);

#endif
