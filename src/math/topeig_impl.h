/* The methods behind lt_top_eigh (topeig.h), one file each. Same contract:
 * A is n x n symmetric with both triangles filled, 1 <= k <= n; values
 * descending, vectors n x k row-major; returns an LT_LA_* or LT_EIG_*
 * status. Not for use outside math/. */
#ifndef LATENT_MATH_TOPEIG_IMPL_H
#define LATENT_MATH_TOPEIG_IMPL_H

#include <stddef.h>
#include <stdint.h>

/* topeig_arpack.c; needs k < n. */
int lt_top_eigh_arpack(const double *a, size_t n, size_t k, uint32_t seed,
                       double *values, double *vectors, int *iterations);
/* topeig_krylov.c */
int lt_top_eigh_krylov(const double *a, size_t n, size_t k, uint32_t seed,
                       double *values, double *vectors, int *iterations);

/* topeig.c: column-major n x k results in ascending order (LAPACK's and
 * ARPACK's) into descending values and row-major vectors. */
void lt_store_descending(const double *w, const double *z, size_t n, size_t k,
                         double *values, double *vectors);

#endif
