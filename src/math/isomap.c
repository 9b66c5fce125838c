#include "math/isomap.h"

#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "math/knn.h"
#include "math/linalg.h"
#include "math/topeig.h"

static double dot(const double *a, const double *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

/* g . column c of the n x k matrix V. */
static double column_dot(const double *g, const double *v, size_t n, size_t k, size_t c)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += g[i] * v[i * k + c];
    return s;
}

/* ---- the neighbour graph ----------------------------------------------------- */

/* An undirected weighted graph: both directions of every edge, CSR. */
typedef struct graph {
    size_t n;
    size_t *row;  /* n + 1 */
    int *col;
    double *w;
} graph;

static void graph_free(graph *g)
{
    free(g->row);
    free(g->col);
    free(g->w);
    memset(g, 0, sizeof *g);
}

/* An edge list: (a, b, weight), each stored once. */
typedef struct edges {
    size_t n, cap;
    int *a, *b;
    double *w;
} edges;

static int edges_add(edges *e, int a, int b, double w)
{
    if (e->n == e->cap) {
        size_t cap = e->cap ? 2 * e->cap : 64;
        int *na = realloc(e->a, cap * sizeof *na);
        if (na)
            e->a = na;
        int *nb = realloc(e->b, cap * sizeof *nb);
        if (nb)
            e->b = nb;
        double *nw = realloc(e->w, cap * sizeof *nw);
        if (nw)
            e->w = nw;
        if (!na || !nb || !nw)
            return -1;
        e->cap = cap;
    }
    e->a[e->n] = a, e->b[e->n] = b, e->w[e->n] = w;
    e->n++;
    return 0;
}

static void edges_free(edges *e)
{
    free(e->a);
    free(e->b);
    free(e->w);
    memset(e, 0, sizeof *e);
}

/* Both directions of every edge, grouped by source in edge-list order. */
static int graph_from(const edges *e, size_t n, graph *g)
{
    g->n = n;
    g->row = calloc(n + 1, sizeof *g->row);
    g->col = malloc((2 * e->n + 1) * sizeof *g->col);
    g->w = malloc((2 * e->n + 1) * sizeof *g->w);
    size_t *fill = malloc((n ? n : 1) * sizeof *fill);
    if (!g->row || !g->col || !g->w || !fill) {
        free(fill);
        graph_free(g);
        return -1;
    }
    for (size_t t = 0; t < e->n; t++) {
        g->row[e->a[t] + 1]++;
        g->row[e->b[t] + 1]++;
    }
    for (size_t i = 0; i < n; i++)
        g->row[i + 1] += g->row[i];
    memcpy(fill, g->row, n * sizeof *fill);
    for (size_t t = 0; t < e->n; t++) {
        size_t at = fill[e->a[t]]++;
        g->col[at] = e->b[t], g->w[at] = e->w[t];
        at = fill[e->b[t]]++;
        g->col[at] = e->a[t], g->w[at] = e->w[t];
    }
    free(fill);
    return 0;
}

/* Labels the connected components of g (0, 1, ... in order of their lowest
 * row); returns how many there are. stack is scratch of n entries. */
static size_t components(const graph *g, int *label, int *stack)
{
    size_t count = 0;
    for (size_t i = 0; i < g->n; i++)
        label[i] = -1;
    for (size_t s = 0; s < g->n; s++) {
        if (label[s] >= 0)
            continue;
        size_t top = 0;
        label[s] = (int)count;
        stack[top++] = (int)s;
        while (top) {
            int u = stack[--top];
            for (size_t e = g->row[u]; e < g->row[u + 1]; e++)
                if (label[g->col[e]] < 0) {
                    label[g->col[e]] = (int)count;
                    stack[top++] = g->col[e];
                }
        }
        count++;
    }
    return count;
}

/* Joins every pair of components by its closest pair of rows, distances by
 * the gemm formula as scikit-learn's pairwise_distances; the first closest
 * pair in row order wins ties. Members are grouped by component first, so
 * all the pairs together cost O(n^2 d). */
static int join_components(const double *x, size_t n, size_t d, const int *label,
                           size_t n_comp, edges *e)
{
    double *sq = malloc(n * sizeof *sq);
    size_t *start = calloc(n_comp + 1, sizeof *start), *fill = malloc(n_comp * sizeof *fill);
    int *member = malloc(n * sizeof *member);
    int status = -1;
    if (!sq || !start || !fill || !member)
        goto done;
    lt_row_sqnorms(x, n, d, sq);
    for (size_t i = 0; i < n; i++)
        start[label[i] + 1]++;
    for (size_t c = 0; c < n_comp; c++)
        start[c + 1] += start[c];
    memcpy(fill, start, n_comp * sizeof *fill);
    for (size_t i = 0; i < n; i++)
        member[fill[label[i]]++] = (int)i;
    for (size_t ci = 1; ci < n_comp; ci++)
        for (size_t cj = 0; cj < ci; cj++) {
            double best = INFINITY;
            int bi = -1, bj = -1;
            for (size_t a = start[ci]; a < start[ci + 1]; a++)
                for (size_t b = start[cj]; b < start[cj + 1]; b++) {
                    size_t i = (size_t)member[a], j = (size_t)member[b];
                    double v = (-2.0 * dot(x + i * d, x + j * d, d) + sq[i]) + sq[j];
                    double dist = sqrt(v > 0 ? v : 0);
                    if (dist < best)
                        best = dist, bi = (int)i, bj = (int)j;
                }
            if (edges_add(e, bi, bj, best) != 0)
                goto done;
        }
    status = 0;
done:
    free(sq);
    free(start);
    free(fill);
    free(member);
    return status;
}

/* ---- geodesic distances ------------------------------------------------------ */

struct dijkstra_job {
    const graph *g;
    double *dist;    /* n x n */
    char *failed;    /* per source: out of memory */
};

/* A binary min-heap of (distance, node) with lazy deletion. */
typedef struct heap {
    double *key;
    int *node;
    size_t n;
} heap;

static void heap_push(heap *h, double key, int node)
{
    size_t i = h->n++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!(key < h->key[parent]))
            break;
        h->key[i] = h->key[parent], h->node[i] = h->node[parent];
        i = parent;
    }
    h->key[i] = key, h->node[i] = node;
}

static void heap_pop(heap *h)
{
    double key = h->key[--h->n];
    int node = h->node[h->n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, least = i;
        double lk = key;
        if (l < h->n && h->key[l] < lk)
            least = l, lk = h->key[l];
        if (r < h->n && h->key[r] < lk)
            least = r;
        if (least == i)
            break;
        h->key[i] = h->key[least], h->node[i] = h->node[least];
        i = least;
    }
    h->key[i] = key, h->node[i] = node;
}

static void dijkstra_sources(void *arg, size_t begin, size_t end)
{
    const struct dijkstra_job *job = arg;
    const graph *g = job->g;
    size_t n = g->n, cap = g->row[n] + 1;
    heap h = {malloc(cap * sizeof *h.key), malloc(cap * sizeof *h.node), 0};
    for (size_t s = begin; s < end; s++) {
        if (!h.key || !h.node) {
            job->failed[s] = 1;
            continue;
        }
        double *dist = job->dist + s * n;
        for (size_t i = 0; i < n; i++)
            dist[i] = INFINITY;
        dist[s] = 0;
        h.n = 0;
        heap_push(&h, 0, (int)s);
        while (h.n) {
            double du = h.key[0];
            int u = h.node[0];
            heap_pop(&h);
            if (du > dist[u])
                continue;
            for (size_t e = g->row[u]; e < g->row[u + 1]; e++) {
                int v = g->col[e];
                double dv = du + g->w[e];
                if (dv < dist[v]) {
                    dist[v] = dv;
                    heap_push(&h, dv, v);
                }
            }
        }
    }
    free(h.key);
    free(h.node);
}

/* ---- kernel and eigenpairs ------------------------------------------------------ */

/* K = -D^2 / 2 into k, its column means (KernelCenterer's, kept in m) and
 * the squared Frobenius norm of the centred kernel, which the
 * reconstruction error needs; the eigensolver centres K itself. */
static double kernel_and_means(lt_isomap *m, double *k)
{
    size_t n = m->n;
    for (size_t e = 0; e < n * n; e++)
        k[e] = (m->dist[e] * m->dist[e]) * -0.5;
    memset(m->col_mean, 0, n * sizeof *m->col_mean);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            m->col_mean[j] += k[i * n + j];
    double all = 0;
    for (size_t j = 0; j < n; j++)
        all += m->col_mean[j] /= (double)n;
    m->all_mean = all / (double)n;
    /* K is symmetric, so its row means are its column means. */
    double frob = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double v = ((k[i * n + j] - m->col_mean[j]) - m->col_mean[i]) + m->all_mean;
            frob += v * v;
        }
    return frob;
}

/* scikit-learn's _check_psd_eigenvalues on descending values: errors for
 * negative ones that matter, zeroes the rest of the negative and the tiny
 * positive ones. */
static int check_psd(lt_isomap *m)
{
    size_t k = m->n_components;
    double max = m->values[0], min = m->values[k - 1];
    if (max < 0 || (min < -1e-5 * max && min < -1e-10))
        return LT_ISOMAP_ENEGATIVE;
    for (size_t c = 0; c < k; c++)
        if (m->values[c] < 0 || (m->values[c] > 0 && m->values[c] < 1e-12 * max)) {
            m->values[c] = 0;
            m->n_zeroed++;
        }
    return LT_ISOMAP_OK;
}

/* svd_flip on the columns of the n x k V: each column's entry of largest
 * magnitude (the first such) made positive. */
static void flip_signs(double *v, size_t n, size_t k)
{
    for (size_t c = 0; c < k; c++) {
        size_t at = 0;
        for (size_t i = 1; i < n; i++)
            if (fabs(v[i * k + c]) > fabs(v[at * k + c]))
                at = i;
        if (v[at * k + c] < 0)
            for (size_t i = 0; i < n; i++)
                v[i * k + c] = -v[i * k + c];
    }
}

/* ---- fit and transform -------------------------------------------------------- */

void lt_isomap_free(lt_isomap *m)
{
    free(m->x);
    free(m->dist);
    free(m->col_mean);
    free(m->values);
    free(m->vectors);
    free(m->embedding);
    memset(m, 0, sizeof *m);
}

/* Steps 1 and 2 of the header: the graph, then every geodesic distance. */
static int geodesics(lt_isomap *m, lt_pool *pool)
{
    size_t n = m->n, k = m->n_neighbors;
    int *ind = malloc(n * k * sizeof *ind);
    double *d2 = malloc(n * k * sizeof *d2);
    int *label = malloc(n * sizeof *label);
    int *stack = malloc(n * sizeof *stack);
    char *failed = calloc(n, 1);
    edges e = {0};
    graph g = {0};
    int status = LT_ISOMAP_ENOMEM;
    if (!ind || !d2 || !label || !stack || !failed)
        goto done;
    int rc = lt_knn(m->x, n, m->d, k, pool, ind, d2);
    if (rc != LT_KNN_OK) {
        status = rc == LT_KNN_ENOMEM ? LT_ISOMAP_ENOMEM : LT_ISOMAP_ETOOBIG;
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t t = 0; t < k; t++)
            if (edges_add(&e, (int)i, ind[i * k + t], sqrt(d2[i * k + t])) != 0)
                goto done;
    if (graph_from(&e, n, &g) != 0)
        goto done;
    m->n_components_graph = components(&g, label, stack);
    if (m->n_components_graph > 1) {
        graph_free(&g);
        if (join_components(m->x, n, m->d, label, m->n_components_graph, &e) != 0 ||
            graph_from(&e, n, &g) != 0)
            goto done;
    }
    struct dijkstra_job job = {.g = &g, .dist = m->dist, .failed = failed};
    lt_pool_for(pool, n, 0, dijkstra_sources, &job);
    status = LT_ISOMAP_OK;
    for (size_t s = 0; s < n; s++)
        if (failed[s])
            status = LT_ISOMAP_ENOMEM;
done:
    free(ind);
    free(d2);
    free(label);
    free(stack);
    free(failed);
    edges_free(&e);
    graph_free(&g);
    return status;
}

int lt_isomap_fit(lt_isomap *m, const double *x, size_t n, size_t d,
                  size_t n_neighbors, size_t n_components, lt_pool *pool)
{
    memset(m, 0, sizeof *m);
    if (n > INT_MAX || !lt_linalg_fits(n, d))
        return LT_ISOMAP_ETOOBIG;
    size_t k = n_components;
    *m = (lt_isomap){.n = n, .d = d, .n_neighbors = n_neighbors, .n_components = k};
    m->x = malloc(n * d * sizeof *m->x);
    m->dist = malloc(n * n * sizeof *m->dist);
    m->col_mean = malloc(n * sizeof *m->col_mean);
    m->values = malloc(k * sizeof *m->values);
    m->vectors = malloc(n * k * sizeof *m->vectors);
    m->embedding = malloc(n * k * sizeof *m->embedding);
    double *kernel = malloc(n * n * sizeof *kernel);
    int status = LT_ISOMAP_ENOMEM;
    if (!m->x || !m->dist || !m->col_mean || !m->values || !m->vectors ||
        !m->embedding || !kernel)
        goto done;
    memcpy(m->x, x, n * d * sizeof *m->x);
    if ((status = geodesics(m, pool)) != LT_ISOMAP_OK)
        goto done;
    double frob = kernel_and_means(m, kernel);
    /* KernelPCA's auto choice: LAPACK up to 200 rows or from 10 components,
     * else an iterative solver (scikit-learn's ARPACK; here the Krylov one,
     * which needs fewer products and gives the same pairs to rounding). */
    lt_sym_matrix sym = {kernel, n, m->col_mean, m->all_mean, false};
    lt_eig_method method = n > 200 && k < 10 ? LT_EIG_KRYLOV : LT_EIG_DENSE;
    int rc = lt_top_eigh(&sym, k, method, 0, m->values, m->vectors, NULL);
    if (rc != LT_LA_OK) {
        status = rc == LT_LA_ENOMEM ? LT_ISOMAP_ENOMEM
                 : rc == LT_LA_ETOOBIG ? LT_ISOMAP_ETOOBIG : LT_ISOMAP_ENOCONV;
        goto done;
    }
    if ((status = check_psd(m)) != LT_ISOMAP_OK)
        goto done;
    flip_signs(m->vectors, n, k);
    double captured = 0;
    for (size_t c = 0; c < k; c++) {
        captured += m->values[c] * m->values[c];
        double s = sqrt(m->values[c]);
        for (size_t i = 0; i < n; i++)
            m->embedding[i * k + c] = m->vectors[i * k + c] * s;
    }
    m->reconstruction_error = sqrt(frob - captured) / (double)n;
done:
    free(kernel);
    if (status != LT_ISOMAP_OK)
        lt_isomap_free(m);
    return status;
}

struct transform_job {
    const lt_isomap *m;
    const int *ind;
    const double *d2;
    double *kernel; /* rows x n scratch */
    double *out;
};

static void transform_rows(void *arg, size_t begin, size_t end)
{
    const struct transform_job *job = arg;
    const lt_isomap *m = job->m;
    size_t n = m->n, k = m->n_neighbors, nc = m->n_components;
    for (size_t q = begin; q < end; q++) {
        double *g = job->kernel + q * n;
        for (size_t j = 0; j < n; j++)
            g[j] = INFINITY;
        for (size_t t = 0; t < k; t++) {
            const double *row = m->dist + (size_t)job->ind[q * k + t] * n;
            double step = sqrt(job->d2[q * k + t]);
            for (size_t j = 0; j < n; j++)
                if (row[j] + step < g[j])
                    g[j] = row[j] + step;
        }
        double mean = 0;
        for (size_t j = 0; j < n; j++) {
            g[j] = (g[j] * g[j]) * -0.5;
            mean += g[j];
        }
        mean /= (double)n;
        for (size_t j = 0; j < n; j++)
            g[j] = ((g[j] - m->col_mean[j]) - mean) + m->all_mean;
        for (size_t c = 0; c < nc; c++) {
            double s = 0;
            if (m->values[c] > 0)
                s = column_dot(g, m->vectors, n, nc, c) / sqrt(m->values[c]);
            job->out[q * nc + c] = s;
        }
    }
}

int lt_isomap_transform(const lt_isomap *m, const double *x, size_t rows, lt_pool *pool,
                        double *out)
{
    /* Rows per block: the kernel rows of a block take block x n doubles. */
    const size_t block = 256;
    size_t n = m->n, k = m->n_neighbors;
    int *ind = malloc(block * k * sizeof *ind);
    double *d2 = malloc(block * k * sizeof *d2);
    double *kernel = malloc(block * n * sizeof *kernel);
    int status = ind && d2 && kernel ? LT_ISOMAP_OK : LT_ISOMAP_ENOMEM;
    for (size_t r0 = 0; r0 < rows && status == LT_ISOMAP_OK; r0 += block) {
        size_t b = rows - r0 < block ? rows - r0 : block;
        int rc = lt_knn_query(m->x, n, x + r0 * m->d, b, m->d, k, pool, ind, d2);
        if (rc != LT_KNN_OK) {
            status = rc == LT_KNN_ENOMEM ? LT_ISOMAP_ENOMEM : LT_ISOMAP_ETOOBIG;
            break;
        }
        struct transform_job job = {.m = m, .ind = ind, .d2 = d2, .kernel = kernel,
                                    .out = out + r0 * m->n_components};
        lt_pool_for(pool, b, 0, transform_rows, &job);
    }
    free(ind);
    free(d2);
    free(kernel);
    return status;
}
