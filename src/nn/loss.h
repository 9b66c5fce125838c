/* Training losses, as Keras defines them, averaged over every value of a
 * batch (Keras averages over the last axis, then over the rest; for outputs
 * of one shape that is the mean over all values).
 *
 *   mse                  (y - t)^2
 *   binary_crossentropy  -(t log(p + e) + (1 - t) log(1 - p + e)), with the
 *                        prediction p first clipped to [e, 1 - e] and
 *                        e = 1e-7 (Keras's epsilon); for outputs that are
 *                        probabilities (a sigmoid layer), not logits. Where
 *                        the clip is active the gradient is zero, as in
 *                        Keras's clip_by_value. */
#ifndef LATENT_NN_LOSS_H
#define LATENT_NN_LOSS_H

#include <stddef.h>

typedef enum lt_loss {
    LT_LOSS_MSE,
    LT_LOSS_BINARY_CROSSENTROPY,
} lt_loss;

/* The names users write, indexed by lt_loss, NULL-terminated. */
extern const char *const lt_loss_names[];

#define LT_KERAS_EPSILON 1e-7f

/* lt_loss_sum adds its terms LT_LOSS_CHUNK at a time: the sum of each chunk
 * of terms, then those sums in order, starting from 0. A caller that splits
 * COUNT at multiples of LT_LOSS_CHUNK and adds the parts' chunk sums in the
 * same order gets the same bits (nn/train.c does, to share a batch's loss
 * among threads). */
#define LT_LOSS_CHUNK 256

/* The sum of the loss terms of the COUNT predictions y against targets t
 * (summed in double). When GRAD is not NULL it receives SCALE times the
 * derivative of each term: with SCALE = 1 / COUNT that is the gradient of
 * the batch's mean loss. */
double lt_loss_sum(lt_loss loss, const float *y, const float *t, size_t count, float scale,
                   float *grad);

/* The loss terms of COUNT predictions into TERMS, and GRAD as lt_loss_sum
 * sets it: for a caller that computes a batch's terms in pieces (a
 * thread's columns, nn/dense_shares.h) and then adds them all up. */
void lt_loss_terms(lt_loss loss, const float *y, const float *t, size_t count, float scale,
                   float *grad, float *terms);

/* The sum of COUNT terms, added as lt_loss_sum adds its own: the same
 * bits as lt_loss_sum of the predictions they came from. */
double lt_loss_sum_terms(const float *terms, size_t count);

#endif
