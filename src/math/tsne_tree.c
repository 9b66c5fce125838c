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
    if (!t->nodes || !t->perm || !t->scratch) {
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

/* True when every point of perm[lo, hi) coincides with the first. */
static bool all_duplicates(const lt_bh_tree *t, const double *y, size_t lo, size_t hi)
{
    size_t dim = t->dim;
    const double *first = y + (size_t)t->perm[lo] * dim;
    for (size_t a = lo + 1; a < hi; a++) {
        const double *p = y + (size_t)t->perm[a] * dim;
        for (size_t k = 0; k < dim; k++)
            if (!(fabs(p[k] - first[k]) <= LT_BH_DUPLICATE))
                return false;
    }
    return true;
}

/* The child (0 .. 2^dim - 1) of a point: one bit per axis, set when the
 * coordinate is at or above the centre, the first axis highest. */
static unsigned child_of(const double *p, const double *center, size_t dim)
{
    unsigned c = 0;
    for (size_t k = 0; k < dim; k++)
        c = 2 * c + (p[k] >= center[k]);
    return c;
}

/* Grows the subtree of the points perm[lo, hi) inside [lo_b, hi_b). */
static int grow(lt_bh_tree *t, const double *y, size_t lo, size_t hi,
                const double *lo_b, const double *hi_b, int depth)
{
    size_t dim = t->dim, me;
    if (new_node(t, &me) != 0)
        return -1;
    double com[LT_BH_MAX_DIM] = {0}, width2 = 0;
    for (size_t a = lo; a < hi; a++)
        for (size_t k = 0; k < dim; k++)
            com[k] += y[(size_t)t->perm[a] * dim + k];
    for (size_t k = 0; k < dim; k++) {
        com[k] /= (double)(hi - lo);
        double w = hi_b[k] - lo_b[k];
        if (w * w > width2)
            width2 = w * w;
    }
    bool leaf = hi - lo == 1 || depth >= MAX_DEPTH || all_duplicates(t, y, lo, hi);
    if (!leaf) {
        double center[LT_BH_MAX_DIM];
        for (size_t k = 0; k < dim; k++)
            center[k] = (lo_b[k] + hi_b[k]) / 2.0;
        /* Counting sort of the cell's points by child, stable. */
        size_t start[(1 << LT_BH_MAX_DIM) + 1] = {0};
        unsigned n_children = 1u << dim;
        for (size_t a = lo; a < hi; a++)
            start[child_of(y + (size_t)t->perm[a] * dim, center, dim) + 1]++;
        for (unsigned c = 0; c < n_children; c++)
            start[c + 1] += start[c];
        size_t fill[1 << LT_BH_MAX_DIM];
        for (unsigned c = 0; c < n_children; c++)
            fill[c] = lo + start[c];
        for (size_t a = lo; a < hi; a++) {
            uint32_t i = t->perm[a];
            t->scratch[fill[child_of(y + (size_t)i * dim, center, dim)]++] = i;
        }
        memcpy(t->perm + lo, t->scratch + lo, (hi - lo) * sizeof *t->perm);
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
            if (grow(t, y, clo, chi, lo_c, hi_c, depth + 1) != 0)
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
    t->n_nodes = 0;
    return grow(t, y, 0, n, lo_b, hi_b, 0);
}
