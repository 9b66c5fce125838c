/* Loops the convolutional layers share over their rows (pixels) of
 * channels: a bias on every row, its gradient (the sum of the rows of
 * dL/dz), and adding up the gradient shares of a batch's blocks. */
#ifndef LATENT_NN_ROWOPS_H
#define LATENT_NN_ROWOPS_H

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

/* g[i] += v[i]. */
static inline void lt_vec_add(float *restrict g, const float *restrict v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        g[i] += v[i];
}

#endif
