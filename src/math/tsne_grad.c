/* t-SNE's objective: KL(P || Q) and its gradient, exact or Barnes-Hut.
 *
 * With the Student-t kernel w_ij = (1 + d_ij^2 / a)^(-(a + 1) / 2) of a
 * degrees of freedom and Z = sum_{k != l} w_kl, q_ij = w_ij / Z and
 *
 *   dKL/dy_i = c sum_j (p_ij - q_ij) w_ij (y_i - y_j),   c = 2 (a + 1) / a,
 *
 * which is scikit-learn's expression (for a = 1, its only case in 2-D,
 * w_ij equals the usual (1 + d^2)^-1 factor). Barnes-Hut splits it into an
 * attractive part over P's sparse entries and a repulsive part
 * sum_j w_ij^2 (y_i - y_j) / Z in which far cells of the tree stand for
 * their points. Every per-point quantity lands in an array and sums are
 * taken over it in index order, so threads change nothing. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "math/tsne.h"
#include "math/tsne_attract.h"
#include "math/tsne_tree.h"
#include "math/tsne_walk.h"

static double dof_of(size_t dim)
{
    return dim > 1 ? (double)dim - 1.0 : 1.0;
}

/* The kernel for squared distance d2. */
static inline double kernel(double d2, double dof)
{
    if (dof == 1.0)
        return 1.0 / (1.0 + d2);
    return pow(dof / (dof + d2), (dof + 1.0) / 2.0);
}

/* The kernel in the Barnes-Hut dimensions, DIM a constant at the call site
 * so that the common case (1 degree of freedom) needs no test. */
static inline __attribute__((always_inline)) double kernel_in(double d2, size_t dim)
{
    return dim < 3 ? 1.0 / (1.0 + d2) : pow(2.0 / (2.0 + d2), 1.5);
}

/* ---- exact ------------------------------------------------------------------ */

struct exact_job {
    const double *p, *y;
    size_t n, dim;
    double dof, z, c;
    double *row_z;    /* pass 1: sum_j w_ij per row */
    double *row_kl;   /* pass 2: sum_j p_ij log(p_ij / q_ij) per row */
    double *grad;
    bool want_error;
};

static void exact_z(void *arg, size_t begin, size_t end)
{
    const struct exact_job *job = arg;
    size_t n = job->n, dim = job->dim;
    for (size_t i = begin; i < end; i++) {
        double s = 0;
        const double *yi = job->y + i * dim;
        for (size_t j = 0; j < n; j++) {
            if (j == i)
                continue;
            double d2 = 0;
            for (size_t k = 0; k < dim; k++) {
                double t = yi[k] - job->y[j * dim + k];
                d2 += t * t;
            }
            s += kernel(d2, job->dof);
        }
        job->row_z[i] = s;
    }
}

static void exact_grad(void *arg, size_t begin, size_t end)
{
    const struct exact_job *job = arg;
    size_t n = job->n, dim = job->dim;
    for (size_t i = begin; i < end; i++) {
        const double *yi = job->y + i * dim, *pi = job->p + i * n;
        double *gi = job->grad + i * dim, kl = 0;
        memset(gi, 0, dim * sizeof *gi);
        for (size_t j = 0; j < n; j++) {
            if (j == i)
                continue;
            double d2 = 0;
            for (size_t k = 0; k < dim; k++) {
                double t = yi[k] - job->y[j * dim + k];
                d2 += t * t;
            }
            double w = kernel(d2, job->dof);
            double q = w / job->z;
            if (q < DBL_EPSILON)
                q = DBL_EPSILON;
            double f = (pi[j] - q) * w;
            for (size_t k = 0; k < dim; k++)
                gi[k] += f * (yi[k] - job->y[j * dim + k]);
            if (job->want_error)
                kl += pi[j] * log(pi[j] / q);
        }
        for (size_t k = 0; k < dim; k++)
            gi[k] *= job->c;
        job->row_kl[i] = kl;
    }
}

double lt_tsne_gradient_exact(const double *p, const double *y, size_t n, size_t dim,
                              bool want_error, lt_pool *pool, double *grad,
                              bool *grad_ok)
{
    double *rows = malloc(2 * (n ? n : 1) * sizeof *rows);
    *grad_ok = rows != NULL;
    if (!rows)
        return NAN;
    double dof = dof_of(dim);
    struct exact_job job = {.p = p, .y = y, .n = n, .dim = dim, .dof = dof,
                            .c = 2.0 * (dof + 1.0) / dof, .row_z = rows,
                            .row_kl = rows + n, .grad = grad, .want_error = want_error};
    lt_pool_for(pool, n, 0, exact_z, &job);
    double z = 0;
    for (size_t i = 0; i < n; i++)
        z += rows[i];
    job.z = z;
    lt_pool_for(pool, n, 0, exact_grad, &job);
    double kl = 0;
    for (size_t i = 0; i < n; i++)
        kl += rows[n + i];
    free(rows);
    return want_error ? kl : NAN;
}

/* ---- Barnes-Hut ----------------------------------------------------------- */

struct lt_tsne_bh {
    size_t n, dim;
    lt_bh_tree tree;
    lt_tsne_bh_kernel kernel; /* of the 2-D walk */
    double *neg;    /* n x dim: sum over cells of count w^2 (y_i - com) */
    double *z;      /* n: sum over cells of count w */
    double *pos;    /* n x dim: the attraction along P's rows */
    double *kl;     /* n: the error terms of each row of P */
};

lt_tsne_bh *lt_tsne_bh_new(size_t n, size_t dim)
{
    lt_tsne_bh *bh = calloc(1, sizeof *bh);
    if (!bh)
        return NULL;
    bh->n = n;
    bh->dim = dim;
    bh->kernel = lt_bh_walk_best();
    size_t m = n ? n : 1;
    bh->neg = malloc(m * dim * sizeof *bh->neg);
    bh->z = malloc(m * sizeof *bh->z);
    bh->pos = malloc(m * dim * sizeof *bh->pos);
    bh->kl = malloc(m * sizeof *bh->kl);
    if (lt_bh_tree_init(&bh->tree, n, dim) != 0 || !bh->neg || !bh->z || !bh->pos || !bh->kl) {
        lt_tsne_bh_free(bh);
        return NULL;
    }
    return bh;
}

void lt_tsne_bh_free(lt_tsne_bh *bh)
{
    if (!bh)
        return;
    lt_bh_tree_free(&bh->tree);
    free(bh->neg);
    free(bh->z);
    free(bh->pos);
    free(bh->kl);
    free(bh);
}

bool lt_tsne_bh_use(lt_tsne_bh *bh, lt_tsne_bh_kernel which)
{
    bool runs = lt_bh_walk_runs(which);
    if (runs)
        bh->kernel = which;
    return runs;
}

struct bh_job {
    lt_tsne_bh *bh;
    const lt_tsne_sparse *p;
    const double *y;
    double theta2, z;
    bool tree_ok; /* written by the thread that grows the tree */
};

/* Rows of the attraction a chunk of phase one takes. */
#define ATTRACT_GRAIN 64

/* The repulsive sums of point yi: a forward walk over the depth-first node
 * array that jumps over the subtree of every cell it summarises. DIM is a
 * constant at each call site so the loops over coordinates unroll. */
static inline __attribute__((always_inline)) void
repel(const lt_bh_tree *t, const double *yi, double theta2, size_t dim, double *neg,
      double *z_out)
{
    const lt_bh_node *nodes = t->nodes;
    const double same2 = (double)dim * LT_BH_DUPLICATE * LT_BH_DUPLICATE;
    size_t n_nodes = t->n_nodes, at = 0;
    double f[LT_BH_MAX_DIM] = {0}, z = 0;
    while (at < n_nodes) {
        const lt_bh_node *nd = &nodes[at];
        double delta[LT_BH_MAX_DIM], d2 = 0;
        for (size_t k = 0; k < dim; k++) {
            delta[k] = yi[k] - nd->com[k];
            d2 += delta[k] * delta[k];
        }
        if (!(nd->width2 < theta2 * d2)) {
            at++; /* open the cell: its first child follows it */
            continue;
        }
        if (nd->width2 < 0 && d2 <= same2) {
            /* A leaf this close may be the point itself (or duplicates of
             * it): skipped when every coordinate is within the tolerance. */
            bool same = true;
            for (size_t k = 0; k < dim; k++)
                same = same && fabs(delta[k]) <= LT_BH_DUPLICATE;
            if (same) {
                at = nd->next;
                continue;
            }
        }
        double w = kernel_in(d2, dim), cw = (double)nd->count * w;
        z += cw;
        for (size_t k = 0; k < dim; k++)
            f[k] += cw * w * delta[k];
        at = nd->next;
    }
    for (size_t k = 0; k < dim; k++)
        neg[k] = f[k];
    *z_out = z;
}

/* Points are taken in the tree's leaf order: neighbours in a chunk walk
 * nearly the same cells, which keeps those in cache. */
static void bh_repel(void *arg, size_t begin, size_t end)
{
    const struct bh_job *job = arg;
    const lt_tsne_bh *bh = job->bh;
    size_t dim = bh->dim;
    if (dim == 2) {
        for (size_t a = begin; a < end; a += LT_BH_GROUP) {
            size_t m = end - a < LT_BH_GROUP ? end - a : LT_BH_GROUP;
            lt_bh_repel2(bh->kernel, &bh->tree, job->y, bh->tree.perm + a, m, job->theta2, bh->neg,
                         bh->z);
        }
        return;
    }
    for (size_t a = begin; a < end; a++) {
        size_t i = bh->tree.perm[a];
        const double *yi = job->y + i * dim;
        double *neg = bh->neg + i * dim, *z = bh->z + i;
        switch (dim) {
        case 1: repel(&bh->tree, yi, job->theta2, 1, neg, z); break;
        default: repel(&bh->tree, yi, job->theta2, 3, neg, z); break;
        }
    }
}

/* Phase one of an iteration: item 0 grows the tree, which only the
 * repulsion needs, while items 1 .. units are the attraction's (rows or
 * groups of rows), which the other threads sum meanwhile (the tree, a
 * seventh of the gradient's work, cannot be split between threads). */
static void grow_and_attract(void *arg, size_t begin, size_t end)
{
    struct bh_job *job = arg;
    lt_tsne_bh *bh = job->bh;
    if (begin == 0) {
        job->tree_ok = lt_bh_tree_build(&bh->tree, job->y) == 0;
        begin = 1;
    }
    if (begin < end)
        lt_tsne_attract(bh->kernel, job->p, job->y, bh->dim, begin - 1, end - 1, bh->pos);
}

static void row_errors(void *arg, size_t begin, size_t end)
{
    const struct bh_job *job = arg;
    lt_tsne_attract_error(job->p, job->y, job->bh->dim, job->z, begin, end, job->bh->kl);
}

double lt_tsne_gradient_bh(lt_tsne_bh *bh, const lt_tsne_sparse *p, const double *y,
                           double angle, bool want_error, lt_pool *pool,
                           double *grad, bool *ok)
{
    size_t n = bh->n, dim = bh->dim;
    double dof = dof_of(dim);
    struct bh_job job = {.bh = bh, .p = p, .y = y, .theta2 = angle * angle};
    size_t units = lt_tsne_attract_units(p, dim, bh->kernel);
    lt_pool_for(pool, units + 1, units < n ? ATTRACT_GRAIN / LT_TSNE_LANES : ATTRACT_GRAIN,
                grow_and_attract, &job);
    *ok = job.tree_ok;
    if (!*ok)
        return NAN;
    /* The pool's usual 8 chunks a thread, rounded to whole groups of the
     * walk. */
    size_t grain = n / (8 * (size_t)lt_pool_threads(pool));
    grain = (grain + LT_BH_GROUP - 1) / LT_BH_GROUP * LT_BH_GROUP;
    lt_pool_for(pool, n, grain ? grain : LT_BH_GROUP, bh_repel, &job);
    double z = 0;
    for (size_t i = 0; i < n; i++)
        z += bh->z[i];
    double c = 2.0 * (dof + 1.0) / dof;
    for (size_t i = 0; i < n * dim; i++)
        grad[i] = c * (bh->pos[i] - bh->neg[i] / z);
    if (!want_error)
        return NAN;
    job.z = z;
    lt_pool_for(pool, n, 0, row_errors, &job);
    double kl = 0;
    for (size_t i = 0; i < n; i++)
        kl += bh->kl[i];
    return kl;
}
