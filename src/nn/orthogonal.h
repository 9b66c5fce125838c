/* Keras's Orthogonal initialiser, the default for recurrent kernels.
 *
 * For a [rows, cols] matrix Keras draws a standard normal matrix A of
 * shape [max, min] (max and min of rows and cols), takes its QR
 * decomposition with R's diagonal made positive, and uses Q ([max, min],
 * orthonormal columns) as the weights, transposed when rows < cols: a
 * recurrent kernel [units, 4 units] gets orthonormal rows. Q with a
 * positive diagonal in R is what Gram-Schmidt makes of A's columns, so
 * that is how it is computed here (modified Gram-Schmidt, sums in double).
 * The normals come from numpy's legacy stream: given the seed, the result
 * equals numpy's QR of RandomState(seed).standard_normal((max, min)). */
#ifndef LATENT_NN_ORTHOGONAL_H
#define LATENT_NN_ORTHOGONAL_H

#include <stddef.h>

#include "math/rng.h"

/* Fills the row-major [rows, cols] matrix w (gain 1). */
void lt_init_orthogonal(float *w, size_t rows, size_t cols, lt_rng *rng);

#endif
