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
#include "math/tsne_tree.h"
#include "math/tsne_walk.h"

/* scikit-learn floors p and q at the float32 tiny in the Barnes-Hut error. */
static const double TINY = 1.1754943508222875e-38;

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
    bh->kl = malloc(m * sizeof *bh->kl);
    if (lt_bh_tree_init(&bh->tree, n, dim) != 0 || !bh->neg || !bh->z || !bh->kl) {
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
    const lt_tsne_bh *bh;
    const lt_tsne_sparse *p;
    const double *y;
    double theta2, z, c;
    bool want_error;
    double *grad;
};

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

/* Attraction of point i along its row of P, its total force, and its error
 * terms. */
static inline __attribute__((always_inline)) void
attract(const struct bh_job *job, size_t i, size_t dim)
{
    const lt_tsne_bh *bh = job->bh;
    const lt_tsne_sparse *p = job->p;
    const double *yi = job->y + i * dim;
    double pos[LT_BH_MAX_DIM] = {0}, kl = 0;
    for (size_t e = p->row[i]; e < p->row[i + 1]; e++) {
        const double *yj = job->y + (size_t)p->col[e] * dim;
        double delta[LT_BH_MAX_DIM], d2 = 0;
        for (size_t k = 0; k < dim; k++) {
            delta[k] = yi[k] - yj[k];
            d2 += delta[k] * delta[k];
        }
        double w = kernel_in(d2, dim), pw = p->val[e] * w;
        for (size_t k = 0; k < dim; k++)
            pos[k] += pw * delta[k];
        if (job->want_error) {
            double pij = p->val[e], q = w / job->z;
            kl += pij * log((pij > TINY ? pij : TINY) / (q > TINY ? q : TINY));
        }
    }
    for (size_t k = 0; k < dim; k++)
        job->grad[i * dim + k] = job->c * (pos[k] - bh->neg[i * dim + k] / job->z);
    bh->kl[i] = kl;
}

/* attract for 2-D points without the error terms, which the descent asks
 * for only every 50th iteration: the same sums, in a loop with nothing
 * else in it (a third faster).
 *
 * Not SIMD: a kernel that gives each of 8 rows a lane and gathers y_j
 * (bit-identical sums) took longer than this loop on AMD Zen 4, whose
 * gathers are slow; so did its 4-lane AVX2 twin. */
static void bh_attract2(const struct bh_job *job, size_t begin, size_t end)
{
    const lt_tsne_bh *bh = job->bh;
    const lt_tsne_sparse *p = job->p;
    const double *y = job->y;
    for (size_t i = begin; i < end; i++) {
        double yx = y[2 * i], yy = y[2 * i + 1], sx = 0, sy = 0;
        for (size_t e = p->row[i]; e < p->row[i + 1]; e++) {
            const double *yj = y + 2 * (size_t)p->col[e];
            double dx = yx - yj[0], dy = yy - yj[1];
            double w = 1.0 / (1.0 + (dx * dx + dy * dy)), pw = p->val[e] * w;
            sx += pw * dx;
            sy += pw * dy;
        }
        job->grad[2 * i] = job->c * (sx - bh->neg[2 * i] / job->z);
        job->grad[2 * i + 1] = job->c * (sy - bh->neg[2 * i + 1] / job->z);
        bh->kl[i] = 0;
    }
}

static void bh_attract(void *arg, size_t begin, size_t end)
{
    const struct bh_job *job = arg;
    if (job->bh->dim == 2 && !job->want_error) {
        bh_attract2(job, begin, end);
        return;
    }
    for (size_t i = begin; i < end; i++)
        switch (job->bh->dim) {
        case 1: attract(job, i, 1); break;
        case 2: attract(job, i, 2); break;
        default: attract(job, i, 3); break;
        }
}

double lt_tsne_gradient_bh(lt_tsne_bh *bh, const lt_tsne_sparse *p, const double *y,
                           double angle, bool want_error, lt_pool *pool,
                           double *grad, bool *ok)
{
    *ok = lt_bh_tree_build(&bh->tree, y) == 0;
    if (!*ok)
        return NAN;
    double dof = dof_of(bh->dim);
    struct bh_job job = {.bh = bh, .p = p, .y = y, .theta2 = angle * angle,
                         .c = 2.0 * (dof + 1.0) / dof, .want_error = want_error,
                         .grad = grad};
    /* The pool's usual 8 chunks a thread, rounded to whole groups of the
     * walk. */
    size_t grain = bh->n / (8 * (size_t)lt_pool_threads(pool));
    grain = (grain + LT_BH_GROUP - 1) / LT_BH_GROUP * LT_BH_GROUP;
    lt_pool_for(pool, bh->n, grain ? grain : LT_BH_GROUP, bh_repel, &job);
    double z = 0;
    for (size_t i = 0; i < bh->n; i++)
        z += bh->z[i];
    job.z = z;
    lt_pool_for(pool, bh->n, 0, bh_attract, &job);
    if (!want_error)
        return NAN;
    double kl = 0;
    for (size_t i = 0; i < bh->n; i++)
        kl += bh->kl[i];
    return kl;
}
