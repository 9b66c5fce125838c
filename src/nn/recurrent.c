#include "nn/recurrent.h"

#include "nn/smallmm.h"

#include <cblas.h>
#include <stdio.h>
#include <string.h>

#include "nn/init.h"
#include "nn/orthogonal.h"

lt_rnn_dims lt_rnn_dims_of(const lt_layer *l, size_t gates)
{
    const lt_rnn_config *c = l->config;
    size_t units = (size_t)c->units;
    return (lt_rnn_dims){.steps = (size_t)l->in.dim[0], .features = (size_t)l->in.dim[1],
                         .units = units, .gates = gates * units};
}

const float *lt_rnn_step_dy(const lt_rnn_config *c, const float *dy, size_t steps, size_t s,
                            size_t t)
{
    size_t u = (size_t)c->units;
    if (c->return_sequences)
        return dy + (s * steps + t) * u;
    return t == steps - 1 ? dy + s * u : NULL;
}

int lt_rnn_infer(const lt_rnn_config *c, const lt_nn_shape *in, lt_nn_shape *out, lt_diag *d)
{
    if (in->rank != LT_NN_UNKNOWN && in->rank != 2) {
        char a[64];
        return lt_layer_refuse(d, NULL,
                               "input %s is not a sequence [timesteps, features] (an image [28, 28] is 28 "
                               "steps of 28 values)",
                               lt_nn_shape_text(in, a, sizeof a));
    }
    int steps = in->rank == 2 ? in->dim[0] : LT_NN_UNKNOWN;
    *out = c->return_sequences ? lt_nn_shape_2d(steps, c->units) : lt_nn_shape_1d(c->units);
    return 0;
}

void lt_rnn_init(lt_layer *l, const lt_rnn_dims *d, lt_rng *rng)
{
    size_t kernel = d->features * d->gates, recurrent = d->units * d->gates;
    lt_init_fill(LT_INIT_GLOROT_UNIFORM, l->w, kernel, d->features, d->gates, rng);
    lt_init_orthogonal(l->w + kernel, d->units, d->gates, rng);
    memset(l->w + kernel + recurrent, 0, (l->n_weights - kernel - recurrent) * sizeof *l->w);
}

void lt_rnn_project(const lt_layer *l, const lt_rnn_dims *d, const float *x, size_t rows,
                    const float *bias, float *z)
{
    size_t g = d->gates;
    if (bias)
        for (size_t r = 0; r < rows; r++)
            memcpy(z + r * g, bias, g * sizeof *z);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, (int)g, (int)d->features,
                1.0f, x, (int)d->features, l->w, (int)g, bias ? 1.0f : 0.0f, z, (int)g);
}

const float *lt_rnn_recurrent_transposed(lt_layer *l, const lt_rnn_dims *d)
{
    size_t g = d->gates, u = d->units;
    float *rt = l->g + d->features * g;
    lt_transpose(l->w + d->features * g, u, g, rt);
    return rt;
}

void lt_rnn_input_grads(lt_layer *l, const lt_rnn_dims *d, const float *x, const float *dz,
                        size_t rows, float *dx)
{
    int f = (int)d->features, g = (int)d->gates;
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, f, g, (int)rows, 1.0f, x, f, dz, g,
                0.0f, l->g, g);
    if (dx)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, f, g, 1.0f, dz, g, l->w,
                    g, 0.0f, dx, f);
}

void lt_rnn_recurrent_grad(lt_layer *l, const lt_rnn_dims *d, const float *h, float *dz,
                           size_t n)
{
    size_t t = d->steps, u = d->units, g = d->gates, rows = n * t;
    float *gr = l->g + d->features * g;
    for (size_t s = 0; s < n; s++)
        memset(dz + s * t * g, 0, g * sizeof *dz);
    /* Row r of h (sample s, step t) meets row r + 1 of dz (step t + 1 of
     * the same sample, or the zeroed step 0 of the next). */
    if (rows < 2) {
        memset(gr, 0, u * g * sizeof *gr);
        return;
    }
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)u, (int)g, (int)(rows - 1), 1.0f,
                h, (int)u, dz + g, (int)g, 0.0f, gr, (int)g);
}

void lt_rnn_column_sums(const float *a, size_t rows, size_t cols, float *sum)
{
    memset(sum, 0, cols * sizeof *sum);
    for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < cols; j++)
            sum[j] += a[r * cols + j];
}
