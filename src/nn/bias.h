/* A bias vector on every row of a layer's output, and its gradient (the
 * sum of the rows of dL/dz). Shared by the convolutional layers, whose rows
 * are pixels and whose columns are channels. */
#ifndef LATENT_NN_BIAS_H
#define LATENT_NN_BIAS_H

#include <stddef.h>

/* y[r][j] = b[j] for ROWS rows of COLS values: the starting point that a
 * product then adds onto (cblas_sgemm with beta 1). */
static inline void lt_bias_fill(float *restrict y, const float *restrict b, size_t rows,
                                size_t cols)
{
    for (size_t r = 0; r < rows; r++, y += cols)
        for (size_t j = 0; j < cols; j++)
            y[j] = b[j];
}

/* y[r][j] += b[j]. */
static inline void lt_bias_add(float *restrict y, const float *restrict b, size_t rows,
                               size_t cols)
{
    for (size_t r = 0; r < rows; r++, y += cols)
        for (size_t j = 0; j < cols; j++)
            y[j] += b[j];
}

/* g[j] += the sum over ROWS rows of d[r][j] (float32, row after row). */
static inline void lt_bias_gradient_add(float *restrict g, const float *restrict d, size_t rows,
                                        size_t cols)
{
    for (size_t r = 0; r < rows; r++, d += cols)
        for (size_t j = 0; j < cols; j++)
            g[j] += d[j];
}

#endif
