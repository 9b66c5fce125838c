/* What the recurrent layers (lstm, gru) share: their common parameters,
 * shape rule, initialisation and the matrix products that are the same
 * in both.
 *
 * A recurrent layer reads a sample as a sequence [timesteps, features]
 * (an image as its rows, as in the lecture) and keeps a hidden state of
 * `units` values. Its weights, in Keras's layout and order, are
 *   kernel W            [features, G]  applied to each step's input
 *   recurrent kernel R  [units, G]     applied to the previous state
 *   bias                G values (LSTM) or 2 x G (GRU)
 * where G = gates * units holds the gates side by side in Keras's order.
 * Keras's initialisers: glorot_uniform W, orthogonal R, zero bias.
 *
 * Batches are laid out sample-major: row (s, t) of a [n * T, G] matrix is
 * sample s's step t, so the input projection x W of every step of every
 * sample is one sgemm, and step t of all samples is rows t, t + T, ...:
 * a matrix with leading dimension T * G that sgemm takes as it is. */
#ifndef LATENT_NN_RECURRENT_H
#define LATENT_NN_RECURRENT_H

#include <stdbool.h>
#include <stddef.h>

#include "nn/activation.h"
#include "nn/layer.h"

typedef struct lt_rnn_config {
    int units;
    int activation;           /* lt_act: the candidate and output squashing */
    int recurrent_activation; /* lt_act: the gates */
    bool use_bias;
    bool return_sequences;
} lt_rnn_config;

/* The parameter rows of an lt_rnn_config held as field `rnn` of ST. */
#define LT_RNN_PARAMS(ST)                                                                       \
    {.name = "units", .help = "size of the hidden state: values per time step out",            \
     .offset = LT_FIELD(ST, rnn.units, int), .type = LT_P_INT, .flags = LT_REQUIRED, .min = 1,  \
     .max = 1 << 20},                                                                           \
    {.name = "return_sequences",                                                               \
     .help = "output the state after every step [timesteps, units], not only the last [units]", \
     .offset = LT_FIELD(ST, rnn.return_sequences, bool), .type = LT_P_BOOL, .def = 0},          \
    {.name = "activation", .help = "squashes the candidate state and the output",              \
     .offset = LT_FIELD(ST, rnn.activation, int), .type = LT_P_CHOICE, .def_str = "tanh",      \
     .choices = lt_act_names},                                                                  \
    {.name = "recurrent_activation", .help = "squashes the gates",                             \
     .offset = LT_FIELD(ST, rnn.recurrent_activation, int), .type = LT_P_CHOICE,               \
     .def_str = "sigmoid", .choices = lt_act_names},                                            \
    {.name = "use_bias", .help = "add bias vectors (initialised to zero)",                     \
     .offset = LT_FIELD(ST, rnn.use_bias, bool), .type = LT_P_BOOL, .def = 1}

/* The sizes a recurrent layer works with. */
typedef struct lt_rnn_dims {
    size_t steps, features, units, gates; /* T, F, U and G = gates * U */
} lt_rnn_dims;

/* For a planned layer (l->in known) with GATES gates per unit. */
lt_rnn_dims lt_rnn_dims_of(const lt_layer *l, size_t gates);

/* The shape rule of both kinds: [T, F] -> [T, units], or [units] without
 * return_sequences. */
int lt_rnn_infer(const lt_rnn_config *c, const lt_nn_shape *in, lt_nn_shape *out, lt_diag *d);

/* Sample s's output gradient at step t of STEPS, within dy as backward gets
 * it ([n, T, units], or [n, units] without return_sequences, which only the
 * last step receives): its row, or NULL where the step has none. */
const float *lt_rnn_step_dy(const lt_rnn_config *c, const float *dy, size_t steps, size_t s,
                            size_t t);

/* Keras's initial weights: glorot_uniform W, orthogonal R, then zeros for
 * every bias value after them. */
void lt_rnn_init(lt_layer *l, const lt_rnn_dims *d, lt_rng *rng);

/* z = x W + bias for ROWS rows of x (bias may be NULL): the input's part
 * of every gate at every step. */
void lt_rnn_project(const lt_layer *l, const lt_rnn_dims *d, const float *x, size_t rows,
                    const float *bias, float *z);

/* R^T [G, U], for the steps of a backward pass (dL/dh_{t-1} = dz_t R^T as
 * an untransposed product, nn/smallmm.h). It is written into the
 * recurrent kernel's part of l->g, which lt_rnn_recurrent_grad fills only
 * after the steps: until then that room, of R's size, is free. */
const float *lt_rnn_recurrent_transposed(lt_layer *l, const lt_rnn_dims *d);

/* With dz = dL/dz for z = x W (ROWS rows): sets dL/dW in l->g and, when dx
 * is not NULL, dx = dz W^T. */
void lt_rnn_input_grads(lt_layer *l, const lt_rnn_dims *d, const float *x, const float *dz,
                        size_t rows, float *dx);

/* With dz = dL/dz for the recurrent part z_t = h_{t-1} R of n samples
 * ([n * T, G], sample-major) and h the states ([n * T, U]): sets dL/dR in
 * l->g. Overwrites dz's rows for t = 0 (whose h_{-1} is zero): that makes
 * dL/dR a single product of the states with dz shifted by one row. */
void lt_rnn_recurrent_grad(lt_layer *l, const lt_rnn_dims *d, const float *h, float *dz,
                           size_t n);

/* sum[j] = sum over ROWS rows of a[r * cols + j]: a bias's gradient. */
void lt_rnn_column_sums(const float *a, size_t rows, size_t cols, float *sum);

#endif
