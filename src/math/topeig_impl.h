/* The methods behind lt_top_eigh (topeig.h), one file each, with its
 * contract (1 <= k <= n checked by the caller; values descending, vectors
 * n x k row-major; an LT_LA_* or LT_EIG_* status). Not for use outside
 * math/. */
#ifndef LATENT_MATH_TOPEIG_IMPL_H
#define LATENT_MATH_TOPEIG_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "math/topeig.h"

/* topeig_arpack.c; needs k < n. */
int lt_top_eigh_arpack(const lt_sym_matrix *m, size_t k, uint32_t seed, double *values,
                       double *vectors, int *products);
/* topeig_krylov.c */
int lt_top_eigh_krylov(const lt_sym_matrix *m, size_t k, uint32_t seed, double *values,
                       double *vectors, int *products);

/* topeig.c: turns the products Y = A X of COLS columns (column-major, X
 * with leading dimension ldx, Y with ldy) into products with M's centred
 * matrix; nothing when M has no means. */
void lt_sym_centre_products(const lt_sym_matrix *m, const double *x, size_t ldx,
                            double *y, size_t ldy, size_t cols);

/* topeig.c: column-major n x k results in ascending order (LAPACK's and
 * ARPACK's) into descending values and row-major vectors. */
void lt_store_descending(const double *w, const double *z, size_t n, size_t k,
                         double *values, double *vectors);

#endif
