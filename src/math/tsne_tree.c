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
    /* About 64 tasks: cells SPLIT levels down, 2^dim children each. The
     * plan holds fewer than 2 tasks nodes (the levels above and the
     * placeholders), so it never grows. */
    t->split = (int)(6 / dim);
    size_t tasks = (size_t)1 << (dim * (size_t)t->split), plan = 2 * tasks;
    t->tasks = malloc(tasks * sizeof *t->tasks);
    t->sinks = calloc(tasks, sizeof *t->sinks);
    t->shift = malloc((plan + 1) * sizeof *t->shift);
    t->plan.nodes = malloc(plan * sizeof *t->plan.nodes);
    t->plan.cap = plan;
    t->n_sinks = tasks;
    if (!t->nodes || !t->perm || !t->scratch || !t->tasks || !t->sinks || !t->shift ||
        !t->plan.nodes) {
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
    for (size_t k = 0; t->sinks && k < t->n_sinks; k++)
        free(t->sinks[k].nodes);
    free(t->sinks);
    free(t->tasks);
    free(t->shift);
    free(t->plan.nodes);
    memset(t, 0, sizeof *t);
}

/* Appends a node to SINK, growing it; its index into *index. */
static int new_node(struct lt_bh_sink *sink, size_t *index)
{
    if (sink->n == sink->cap) {
        size_t cap = sink->cap ? sink->cap * 2 : 64;
        lt_bh_node *nodes = realloc(sink->nodes, cap * sizeof *nodes);
        if (!nodes)
            return -1;
        sink->nodes = nodes;
        sink->cap = cap;
    }
    *index = sink->n++;
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

/* Grows the subtree of the points perm[lo, hi) inside [lo_b, hi_b) into
 * SINK, its next indices relative to the sink. With PLAN, a cell at depth
 * t->split that would split becomes a task (grown later, into a sink of
 * its own) and a placeholder node. */
static int grow(lt_bh_tree *t, struct lt_bh_sink *sink, bool plan, const double *y, size_t lo,
                size_t hi, const double *lo_b, const double *hi_b, int depth)
{
    size_t dim = t->dim, me;
    if (new_node(sink, &me) != 0)
        return -1;
    if (plan && depth == t->split && hi - lo > 1) {
        struct lt_bh_task *task = &t->tasks[t->n_tasks++];
        task->lo = lo;
        task->hi = hi;
        task->at = me;
        task->depth = depth;
        memcpy(task->lo_b, lo_b, dim * sizeof *lo_b);
        memcpy(task->hi_b, hi_b, dim * sizeof *hi_b);
        return 0;
    }
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
            if (grow(t, sink, plan, y, clo, chi, lo_c, hi_c, depth + 1) != 0)
                return -1;
        }
    }
    lt_bh_node *node = &sink->nodes[me];
    memcpy(node->com, com, sizeof com);
    node->width2 = leaf ? -1.0 : width2;
    node->count = (uint32_t)(hi - lo);
    node->next = (uint32_t)sink->n;
    return 0;
}

struct build_job {
    lt_bh_tree *t;
    const double *y;
    bool failed; /* a task ran out of memory (set by any thread: only ever to true) */
};

/* Tasks own disjoint ranges of perm and scratch and their own sinks. */
static void grow_tasks(void *arg, size_t begin, size_t end)
{
    struct build_job *job = arg;
    lt_bh_tree *t = job->t;
    for (size_t k = begin; k < end; k++) {
        struct lt_bh_task *task = &t->tasks[k];
        t->sinks[k].n = 0;
        if (grow(t, &t->sinks[k], false, job->y, task->lo, task->hi, task->lo_b, task->hi_b,
                 task->depth) != 0)
            __atomic_store_n(&job->failed, true, __ATOMIC_RELAXED);
    }
}

/* The plan's nodes with each placeholder replaced by its task's subtree,
 * into t->nodes: the depth-first array one serial grow would make. */
static int assemble(lt_bh_tree *t)
{
    /* shift[j]: how much later plan node j lands, the growth of the tasks
     * before it. */
    size_t *shift = t->shift, total = t->plan.n, k = 0;
    for (size_t j = 0; j <= t->plan.n; j++) {
        shift[j] = j ? shift[j - 1] : 0;
        if (j && k < t->n_tasks && t->tasks[k].at == j - 1)
            shift[j] += t->sinks[k++].n - 1;
    }
    total += shift[t->plan.n];
    if (total > t->cap) {
        lt_bh_node *nodes = realloc(t->nodes, total * sizeof *nodes);
        if (!nodes)
            return -1;
        t->nodes = nodes;
        t->cap = total;
    }
    k = 0;
    for (size_t j = 0; j < t->plan.n; j++) {
        lt_bh_node *out = t->nodes + j + shift[j];
        if (k < t->n_tasks && t->tasks[k].at == j) {
            const struct lt_bh_sink *sub = &t->sinks[k++];
            uint32_t base = (uint32_t)(j + shift[j]);
            for (size_t a = 0; a < sub->n; a++) {
                out[a] = sub->nodes[a];
                out[a].next += base;
            }
            continue;
        }
        *out = t->plan.nodes[j];
        out->next = (uint32_t)(out->next + shift[out->next]);
    }
    t->n_nodes = total;
    return 0;
}

int lt_bh_tree_build(lt_bh_tree *t, const double *y, lt_pool *pool)
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
    t->n_tasks = 0;
    t->plan.n = 0;
    if (grow(t, &t->plan, true, y, 0, n, lo_b, hi_b, 0) != 0)
        return -1;
    struct build_job job = {.t = t, .y = y, .failed = false};
    lt_pool_for(pool, t->n_tasks, 1, grow_tasks, &job);
    return job.failed ? -1 : assemble(t);
}
