/* The Barnes-Hut repulsion in 2-D for a group of nearby points at once: one
 * forward walk over the tree's depth-first node array serves up to
 * LT_BH_GROUP points, one per SIMD lane.
 *
 * Each lane keeps the result of its own walk: a lane that takes a cell (or
 * skips the leaf of its own point) waits until the walk has left that cell's
 * subtree, and the walk descends into a cell when any lane opens it, so
 * every lane meets, tests and adds exactly the cells its single-point walk
 * would, in the same order, with the same operations (no fused
 * multiply-adds). The sums are therefore bit-identical to the one-point
 * walk's on every kernel. Points taken in the tree's leaf order share most
 * of their cells, so the group's walk is little longer than one point's. */
#ifndef LATENT_MATH_TSNE_WALK_H
#define LATENT_MATH_TSNE_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "math/tsne.h"
#include "math/tsne_tree.h"

/* Points one group walk handles: two AVX-512 registers of lanes (16 took
 * 8% less time than 8 on Zen 4, with AVX-512 and with AVX2). */
#define LT_BH_GROUP 16

/* Whether this processor runs kernel WHICH. */
bool lt_bh_walk_runs(lt_tsne_bh_kernel which);

/* The best kernel this processor runs. */
lt_tsne_bh_kernel lt_bh_walk_best(void);

/* For the 2-D points idx[0 .. m) of Y (n x 2), 1 <= m <= LT_BH_GROUP: into
 * neg[2 i], neg[2 i + 1] the sums over cells of count w^2 (y_i - com) and
 * into z[i] the sums of count w, with w = 1 / (1 + d^2) and scikit-learn's
 * test (a cell stands for its points when width^2 < theta2 d^2). WHICH
 * must run here (LT_TSNE_BH_PLAIN always does). */
void lt_bh_repel2(lt_tsne_bh_kernel which, const lt_bh_tree *t, const double *y,
                  const uint32_t *idx, size_t m, double theta2, double *neg, double *z);

#endif
