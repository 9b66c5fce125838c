/* Per-sample tensor shapes of a network's layers.
 *
 * A shape describes one sample, without the batch axis, as Keras prints it
 * without its leading None: [28, 28] for an image, [784] after flatten,
 * [7, 7, 32] for a channels-last feature map. Before the data are seen a
 * shape may be partly unknown: rank LT_NN_UNKNOWN means nothing is known, a
 * dimension LT_NN_UNKNOWN that only its extent is unknown. Shape rules pass
 * unknowns through and check what they can, so `latent validate` catches
 * layer lists that cannot chain whatever the input. */
#ifndef LATENT_NN_SHAPE_H
#define LATENT_NN_SHAPE_H

#include <stdbool.h>
#include <stddef.h>

#define LT_NN_MAX_RANK 4
#define LT_NN_UNKNOWN (-1)

typedef struct lt_nn_shape {
    int rank;                 /* 1..LT_NN_MAX_RANK, or LT_NN_UNKNOWN */
    int dim[LT_NN_MAX_RANK];  /* >= 1 each, or LT_NN_UNKNOWN */
} lt_nn_shape;

/* The fully unknown shape, and [a], [a, b]. */
lt_nn_shape lt_nn_shape_unknown(void);
lt_nn_shape lt_nn_shape_1d(int a);
lt_nn_shape lt_nn_shape_2d(int a, int b);

/* True when the rank and every dimension are known. */
bool lt_nn_shape_known(const lt_nn_shape *s);
/* The number of values per sample, or 0 when any part is unknown. */
size_t lt_nn_shape_size(const lt_nn_shape *s);
/* True when both are known and equal. */
bool lt_nn_shape_equal(const lt_nn_shape *a, const lt_nn_shape *b);
/* "[28, 28]", "[?, 784]" or "[?]" (unknown rank) into BUF; returns BUF. */
char *lt_nn_shape_text(const lt_nn_shape *s, char *buf, size_t size);

#endif
