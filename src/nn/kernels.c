#include "nn/kernels.h"

#include <stdlib.h>

#include "nn/vmath.h"

/* Columns are summed in blocks held in a small buffer, so every row adds
 * to a block with one vectorised loop. */
#define BLOCK 256

LT_SIMD_CLONES
void lt_column_sums(const float *a, size_t rows, size_t cols, size_t lda, float scale,
                    bool overwrite, float *out)
{
    float sum[BLOCK];
    for (size_t j0 = 0; j0 < cols; j0 += BLOCK) {
        size_t w = cols - j0 < BLOCK ? cols - j0 : BLOCK;
        for (size_t j = 0; j < w; j++)
            sum[j] = 0;
        for (size_t r = 0; r < rows; r++) {
            const float *row = a + r * lda + j0;
            for (size_t j = 0; j < w; j++)
                sum[j] += row[j];
        }
        for (size_t j = 0; j < w; j++)
            out[j0 + j] = (overwrite ? 0 : out[j0 + j]) + scale * sum[j];
    }
}
