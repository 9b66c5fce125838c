/* Activation functions of the network engine, with Keras's definitions.
 *
 * Every derivative is computed from the activation's output alone, so a
 * layer keeps only its output for the backward pass and activates in place:
 *   linear      x                                  1
 *   relu        max(x, 0)                          y > 0
 *   leaky_relu  x, or 0.3 x below 0 (Keras's       1, or 0.3
 *               LeakyReLU layer default)
 *   elu         x, or exp(x) - 1 below 0 (TF's     1, or y + 1
 *               form, not expm1)
 *   selu        scale * elu with alpha (Klambauer  scale, or y + scale * alpha
 *               et al.'s constants, as Keras)
 *   sigmoid     1 / (1 + exp(-x))                  y (1 - y)
 *   tanh        tanh(x)                            1 - y^2
 *   softmax     exp(x_i) / sum_j exp(x_j) over     Jacobian product per row
 *               each row (the last axis)
 * Values are float32; sums (softmax) are float32 too, as in Keras. exp is
 * nn/vmath.h's, so the loops vectorise. */
#ifndef LATENT_NN_ACTIVATION_H
#define LATENT_NN_ACTIVATION_H

#include <stddef.h>

typedef enum lt_act {
    LT_ACT_LINEAR,
    LT_ACT_RELU,
    LT_ACT_LEAKY_RELU,
    LT_ACT_ELU,
    LT_ACT_SELU,
    LT_ACT_SIGMOID,
    LT_ACT_TANH,
    LT_ACT_SOFTMAX,
} lt_act;

/* The names users write, indexed by lt_act, NULL-terminated (an
 * LT_CHOICE list). */
extern const char *const lt_act_names[];

#define LT_LEAKY_RELU_SLOPE 0.3f
#define LT_SELU_ALPHA 1.6732632423543772848170429916717
#define LT_SELU_SCALE 1.0507009873554804934193349852946

/* y = act(y) in place, for ROWS rows of COLS values (softmax normalises
 * each row; the others act elementwise). */
void lt_act_forward(lt_act act, float *y, size_t rows, size_t cols);

/* y = act(y + b) in place, b (COLS values) added to every row: a dense
 * layer's bias and activation in one pass. */
void lt_act_forward_bias(lt_act act, float *y, const float *b, size_t rows, size_t cols);

/* d = d * act'(x) in place, where y = act(x) is the forward output and d
 * holds dL/dy on entry and dL/dx on return. */
void lt_act_backward(lt_act act, const float *y, float *d, size_t rows, size_t cols);

#endif
