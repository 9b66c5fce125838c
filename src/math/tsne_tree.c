#include "math/tsne_tree.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Deeper than any split can go before cells narrow below LT_BH_DUPLICATE
 * for coordinates of sane size; a cell this deep becomes a leaf. */
enum { MAX_DEPTH = 96 };

int lt_bh_tree_init(lt_bh_tree *t, size_t n, size_t dim)
{
    memset(t, 0, sizeof *t);
    t->dim = dim;
    t->n_points = n;
    t->cap = 2 * n + 16;
    t->nodes = malloc(t->cap * sizeof *t->nodes);
    t->perm = malloc((n ? n : 1) * sizeof *t->perm);
    t->scratch = malloc((n ? n : 1) * sizeof *t->scratch);
    t->coords = malloc((n ? n : 1) * dim * sizeof *t->coords);
    t->coords_scratch = malloc((n ? n : 1) * dim * sizeof *t->coords_scratch);
    if (!t->nodes || !t->perm || !t->scratch || !t->coords || !t->coords_scratch) {
        lt_bh_tree_free(t);
        return -1;
    }
    return 0;
}

void lt_bh_tree_free(lt_bh_tree *t)
{
    free(t->nodes);
    free(t->perm);
    free(t->scratch);
    free(t->coords);
    free(t->coords_scratch);
    memset(t, 0, sizeof *t);
}

static int new_node(lt_bh_tree *t, size_t *index)
{
    if (t->n_nodes == t->cap) {
        size_t cap = t->cap * 2;
        lt_bh_node *nodes = realloc(t->nodes, cap * sizeof *nodes);
        if (!nodes)
            return -1;
        t->nodes = nodes;
        t->cap = cap;
    }
    *index = t->n_nodes++;
    return 0;
}

/* True when every point of [lo, hi) coincides with the first. DIM is a
 * constant at each call site. */
static inline __attribute__((always_inline)) bool all_duplicates(const lt_bh_tree *t, size_t lo,
                                                                 size_t hi, size_t dim)
{
    const double *first = t->coords + lo * dim;
    for (size_t a = lo + 1; a < hi; a++) {
        const double *p = t->coords + a * dim;
        for (size_t k = 0; k < dim; k++)
            if (!(fabs(p[k] - first[k]) <= LT_BH_DUPLICATE))
                return false;
    }
    return true;
}

/* The child (0 .. 2^dim - 1) of a point: one bit per axis, set when the
 * coordinate is at or above the centre, the first axis highest. */
static inline __attribute__((always_inline)) unsigned child_of(const double *p,
                                                               const double *center, size_t dim)
{
    unsigned c = 0;
    for (size_t k = 0; k < dim; k++)
        c = 2 * c + (p[k] >= center[k]);
    return c;
}

static int grow_1(lt_bh_tree *t, size_t lo, size_t hi, const double *lo_b, const double *hi_b,
                  int depth);
static int grow_2(lt_bh_tree *t, size_t lo, size_t hi, const double *lo_b, const double *hi_b,
                  int depth);
static int grow_3(lt_bh_tree *t, size_t lo, size_t hi, const double *lo_b, const double *hi_b,
                  int depth);

/* Grows the subtree of the points [lo, hi) (of perm and coords) inside
 * [lo_b, hi_b). DIM is a constant at each call site (grow_in). */
static inline __attribute__((always_inline)) int grow_dim(lt_bh_tree *t, size_t lo, size_t hi,
                                                          const double *lo_b, const double *hi_b,
                                                          int depth, size_t dim)
{
    size_t me;
    if (new_node(t, &me) != 0)
        return -1;
    const double *pc = t->coords;
    if (hi - lo == 1) {
        /* A point's own leaf, most of the nodes: the general path's sums
         * (0 + x) / 1 without its loops. */
        lt_bh_node *node = &t->nodes[me];
        for (size_t k = 0; k < LT_BH_MAX_DIM; k++)
            node->com[k] = k < dim ? 0.0 + pc[lo * dim + k] : 0.0;
        node->width2 = -1.0;
        node->count = 1;
        node->next = (uint32_t)t->n_nodes;
        return 0;
    }
    double com[LT_BH_MAX_DIM] = {0}, width2 = 0, center[LT_BH_MAX_DIM];
    for (size_t k = 0; k < dim; k++)
        center[k] = (lo_b[k] + hi_b[k]) / 2.0;
    /* The centre of mass and the children's counts in one pass. */
    size_t start[(1 << LT_BH_MAX_DIM) + 1] = {0};
    if (dim == 2) {
        /* Counts kept in registers: a histogram in memory waits on its
         * own last increment whenever two points in a row share a child. */
        size_t upper_x = 0, upper_y = 0, both = 0;
        for (size_t a = lo; a < hi; a++) {
            com[0] += pc[2 * a];
            com[1] += pc[2 * a + 1];
            size_t ux = pc[2 * a] >= center[0], uy = pc[2 * a + 1] >= center[1];
            upper_x += ux;
            upper_y += uy;
            both += ux & uy;
        }
        start[4] = both;
        start[3] = upper_x - both;
        start[2] = upper_y - both;
        start[1] = (hi - lo) - upper_x - upper_y + both;
    } else {
        for (size_t a = lo; a < hi; a++) {
            for (size_t k = 0; k < dim; k++)
                com[k] += pc[a * dim + k];
            start[child_of(pc + a * dim, center, dim) + 1]++;
        }
    }
    for (size_t k = 0; k < dim; k++) {
        com[k] /= (double)(hi - lo);
        double w = hi_b[k] - lo_b[k];
        if (w * w > width2)
            width2 = w * w;
    }
    bool leaf = hi - lo == 1 || depth >= MAX_DEPTH || all_duplicates(t, lo, hi, dim);
    if (!leaf) {
        /* Counting sort of the cell's points by child, stable. */
        unsigned n_children = 1u << dim;
        for (unsigned c = 0; c < n_children; c++)
            start[c + 1] += start[c];
        size_t fill[1 << LT_BH_MAX_DIM];
        for (unsigned c = 0; c < n_children; c++)
            fill[c] = lo + start[c];
        if (dim == 2) {
            /* The four write positions in registers, for the same reason. */
            size_t f0 = fill[0], f1 = fill[1], f2 = fill[2], f3 = fill[3];
            for (size_t a = lo; a < hi; a++) {
                unsigned c = child_of(pc + 2 * a, center, 2);
                size_t to = c == 0 ? f0 : c == 1 ? f1 : c == 2 ? f2 : f3;
                f0 += c == 0;
                f1 += c == 1;
                f2 += c == 2;
                f3 += c == 3;
                t->scratch[to] = t->perm[a];
                t->coords_scratch[2 * to] = pc[2 * a];
                t->coords_scratch[2 * to + 1] = pc[2 * a + 1];
            }
        } else {
            for (size_t a = lo; a < hi; a++) {
                size_t to = fill[child_of(pc + a * dim, center, dim)]++;
                t->scratch[to] = t->perm[a];
                for (size_t k = 0; k < dim; k++)
                    t->coords_scratch[to * dim + k] = pc[a * dim + k];
            }
        }
        memcpy(t->perm + lo, t->scratch + lo, (hi - lo) * sizeof *t->perm);
        memcpy(t->coords + lo * dim, t->coords_scratch + lo * dim,
               (hi - lo) * dim * sizeof *t->coords);
        for (unsigned c = 0; c < n_children; c++) {
            size_t clo = lo + start[c], chi = lo + start[c + 1];
            if (clo == chi)
                continue;
            double lo_c[LT_BH_MAX_DIM], hi_c[LT_BH_MAX_DIM];
            for (size_t k = 0; k < dim; k++) {
                bool upper = (c >> (dim - 1 - k)) & 1u;
                lo_c[k] = upper ? center[k] : lo_b[k];
                hi_c[k] = upper ? hi_b[k] : center[k];
            }
            int rc = dim == 1   ? grow_1(t, clo, chi, lo_c, hi_c, depth + 1)
                     : dim == 2 ? grow_2(t, clo, chi, lo_c, hi_c, depth + 1)
                                : grow_3(t, clo, chi, lo_c, hi_c, depth + 1);
            if (rc != 0)
                return -1;
        }
    }
    lt_bh_node *node = &t->nodes[me];
    memcpy(node->com, com, sizeof com);
    node->width2 = leaf ? -1.0 : width2;
    node->count = (uint32_t)(hi - lo);
    node->next = (uint32_t)t->n_nodes;
    return 0;
}

/* One function a dimension, each recursing into itself: a single
 * dispatcher on t->dim in the recursion took 15% longer a build. */
static int grow_1(lt_bh_tree *t, size_t lo, size_t hi, const double *lo_b, const double *hi_b,
                  int depth)
{
    return grow_dim(t, lo, hi, lo_b, hi_b, depth, 1);
}

static int grow_2(lt_bh_tree *t, size_t lo, size_t hi, const double *lo_b, const double *hi_b,
                  int depth)
{
    return grow_dim(t, lo, hi, lo_b, hi_b, depth, 2);
}

static int grow_3(lt_bh_tree *t, size_t lo, size_t hi, const double *lo_b, const double *hi_b,
                  int depth)
{
    return grow_dim(t, lo, hi, lo_b, hi_b, depth, 3);
}

int lt_bh_tree_build(lt_bh_tree *t, const double *y)
{
    size_t n = t->n_points, dim = t->dim;
    double lo_b[LT_BH_MAX_DIM], hi_b[LT_BH_MAX_DIM];
    for (size_t k = 0; k < dim; k++) {
        double m = INFINITY, M = -INFINITY;
        for (size_t i = 0; i < n; i++) {
            double v = y[i * dim + k];
            m = v < m ? v : m;
            M = v > M ? v : M;
        }
        double sign = M > 0 ? 1.0 : M < 0 ? -1.0 : 0.0;
        double pushed = M * (1.0 + 1e-3 * sign);
        lo_b[k] = m;
        hi_b[k] = pushed > M + 1e-3 ? pushed : M + 1e-3;
    }
    for (size_t i = 0; i < n; i++)
        t->perm[i] = (uint32_t)i;
    memcpy(t->coords, y, n * dim * sizeof *y);
    t->n_nodes = 0;
    switch (dim) {
    case 1: return grow_1(t, 0, n, lo_b, hi_b, 0);
    case 2: return grow_2(t, 0, n, lo_b, hi_b, 0);
    default: return grow_3(t, 0, n, lo_b, hi_b, 0);
    }
}
