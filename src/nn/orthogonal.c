#include "nn/orthogonal.h"

#include <math.h>

void lt_init_orthogonal(float *w, size_t rows, size_t cols, lt_rng *rng)
{
    /* A's column j (j < k) is vector j of length m; Q's columns land in
     * w's rows when rows < cols (Keras transposes Q), else in its columns. */
    size_t m = rows < cols ? cols : rows, k = rows < cols ? rows : cols;
    size_t along = rows < cols ? 1 : cols, apart = rows < cols ? cols : 1;
#define Q(i, j) w[(j) * apart + (i) * along]
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < k; j++)
            Q(i, j) = (float)lt_rng_gauss(rng);
    for (size_t j = 0; j < k; j++) {
        for (size_t p = 0; p < j; p++) {
            double dot = 0;
            for (size_t i = 0; i < m; i++)
                dot += (double)Q(i, p) * Q(i, j);
            for (size_t i = 0; i < m; i++)
                Q(i, j) = (float)(Q(i, j) - dot * Q(i, p));
        }
        double norm = 0;
        for (size_t i = 0; i < m; i++)
            norm += (double)Q(i, j) * Q(i, j);
        /* A zero column (probability 0) stays zero, as Keras's sign(0) makes it. */
        double scale = norm > 0 ? 1.0 / sqrt(norm) : 0.0;
        for (size_t i = 0; i < m; i++)
            Q(i, j) = (float)(Q(i, j) * scale);
    }
#undef Q
}
