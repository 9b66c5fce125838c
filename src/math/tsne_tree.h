/* The space-partitioning tree behind t-SNE's Barnes-Hut gradient: a
 * quadtree in 2-D (binary tree in 1-D, octree in 3-D) over the embedding,
 * grown the way scikit-learn's _QuadTree grows, stored flat in depth-first
 * order so that a query walks the array forwards.
 *
 * The root is the points' bounding box with its upper corner pushed out a
 * little (as scikit-learn: max(M (1 + 1e-3 sign M), M + 1e-3)), so every
 * point lies strictly inside. A cell splits at its centre into 2^dim
 * children until it holds a single point or only points that coincide
 * (every coordinate within LT_BH_DUPLICATE of the first one's): such
 * duplicates share one leaf. Cells are rectangles; a cell's "width" is its
 * longest side.
 *
 * After a build, perm lists the points in the order of their leaves, which
 * is the order in which queries share the most of their walks. */
#ifndef LATENT_MATH_TSNE_TREE_H
#define LATENT_MATH_TSNE_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LT_BH_MAX_DIM 3
/* Points closer than this in every coordinate are one point to the tree
 * (scikit-learn's EPSILON in _quad_tree.pyx). */
#define LT_BH_DUPLICATE 1e-6

typedef struct lt_bh_node {
    double com[LT_BH_MAX_DIM]; /* centre of mass of the cell's points */
    double width2;             /* squared longest side of the cell; -1 for a
                                  leaf, which stands for its points from any
                                  distance */
    uint32_t count;            /* points in the cell, duplicates included */
    uint32_t next;             /* index of the first node after the subtree */
} lt_bh_node;

typedef struct lt_bh_tree {
    size_t dim;
    lt_bh_node *nodes;  /* n_nodes in depth-first order; nodes[0] is the root */
    size_t n_nodes, cap;
    uint32_t *perm;     /* point indices grouped by cell, in leaf order */
    uint32_t *scratch;  /* build scratch: the same size */
    double *coords;     /* n x dim: the points' coordinates in perm's order
                           (read in sequence, not through perm) */
    double *coords_scratch; /* build scratch: the same size */
    size_t n_points;
} lt_bh_tree;

/* Prepares an empty tree for up to n points in dim (1..3) dimensions.
 * Returns 0, or -1 when out of memory (the tree is then empty and safe to
 * free). */
int lt_bh_tree_init(lt_bh_tree *t, size_t n, size_t dim);

/* (Re)builds the tree over the n x dim points Y (n as at init, n >= 1).
 * Returns 0, or -1 when out of memory. */
int lt_bh_tree_build(lt_bh_tree *t, const double *y);

void lt_bh_tree_free(lt_bh_tree *t);

#endif
