/* t-SNE's attraction along the rows of the sparse P, shared by the
 * Barnes-Hut and FFT gradients: for row i the sums
 *
 *   pos_i = sum_e p_e w_ie (y_i - y_col(e)),   w = kernel of the distance,
 *
 * edge after edge in the row's order, and, apart, the row's error terms
 * p log(p / q) once Z is known.
 *
 * In 2-D (a third of an iteration's time before SIMD) the AVX-512 and AVX2
 * kernels read P's lane view (tsne.h, lt_tsne_lanes): one vector holds the
 * k-th edges of 8 rows, so each lane still adds its row's terms one after
 * another, with the plain loop's operations (no fused multiply-adds). All
 * kernels therefore give the same bits as the plain one. */
#ifndef LATENT_MATH_TSNE_ATTRACT_H
#define LATENT_MATH_TSNE_ATTRACT_H

#include <stdbool.h>
#include <stddef.h>

#include "math/tsne.h"

/* Lays out P's lane view (p->lanes) from its rows. Returns 0, or -1 when
 * out of memory (P is then unchanged). */
int lt_tsne_lanes_lay(lt_tsne_sparse *p);

void lt_tsne_lanes_free(lt_tsne_lanes *l);

/* Multiplies P's values by f, or divides them by f when undo, the lane
 * view's alike: t-SNE's early exaggeration on and off. */
void lt_tsne_sparse_scale(lt_tsne_sparse *p, double f, bool undo);

/* The units lt_tsne_attract counts in for kernel WHICH in DIM dimensions:
 * groups of the lane view where that kernel reads it, else rows. */
size_t lt_tsne_attract_units(const lt_tsne_sparse *p, size_t dim, lt_tsne_bh_kernel which);

/* Into pos (n x dim) the attractive sums at Y (n x dim, dim 1..3) of the
 * rows in units [begin, end), w the Student-t kernel of dim - 1 degrees of
 * freedom (one in 1-D). WHICH picks the 2-D kernel and must run here (as
 * lt_bh_walk_runs); other dimensions ignore it. */
void lt_tsne_attract(lt_tsne_bh_kernel which, const lt_tsne_sparse *p, const double *y, size_t dim,
                     size_t begin, size_t end, double *pos);

/* Into kl[i], for rows [begin, end), sum_e p_e log(p_e / q_e) with
 * q = w / Z, p and q floored at the float32 tiny as scikit-learn does. */
void lt_tsne_attract_error(const lt_tsne_sparse *p, const double *y, size_t dim, double z,
                           size_t begin, size_t end, double *kl);

#endif
