/* Data values across the ranks of a run: a source's rows cut into one
 * block per rank, and blocks gathered back to rank 0 for a stage that needs
 * every row at once. */
#include "core/dist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "math/linalg.h"

/* A stream that reads rows [first, first + rows) of another. */
struct block_stream {
    lt_stream base;
    lt_stream *inner; /* owned */
    size_t first;
};

static int block_read(lt_stream *s, size_t first, size_t n, double *out, char *err, size_t err_size)
{
    struct block_stream *b = (struct block_stream *)s;
    return b->inner->read(b->inner, b->first + first, n, out, err, err_size);
}

static void block_close(lt_stream *s)
{
    struct block_stream *b = (struct block_stream *)s;
    b->inner->close(b->inner);
    free(b);
}

/* A new array of this rank's COUNT items from FIRST of SRC (items of SIZE
 * bytes, WIDTH per row), replacing *SRC. Returns 0 or -1. */
static int keep_block(void **src, size_t first, size_t count, size_t width, size_t size)
{
    if (!*src)
        return 0;
    void *mine = malloc(count * width * size + 1);
    if (!mine)
        return -1;
    memcpy(mine, (char *)*src + first * width * size, count * width * size);
    free(*src);
    *src = mine;
    return 0;
}

int lt_dist_shard(lt_data *d)
{
    if (lt_dist_size() == 1)
        return 0;
    for (int s = 0; s < LT_N_SPLITS; s++) {
        lt_split *sp = &d->split[s];
        lt_mat *x = sp->x;
        if (!x)
            continue;
        size_t first, count;
        lt_dist_block(x->rows, &first, &count);
        if (x->stream) {
            struct block_stream *b = malloc(sizeof *b);
            if (!b)
                return -1;
            *b = (struct block_stream){.base = {.read = block_read, .close = block_close},
                                       .inner = x->stream, .first = first};
            x->stream = &b->base;
        } else if (keep_block((void **)&x->v, first, count, x->cols, sizeof(double)) != 0 ||
                   keep_block((void **)&x->f, first, count, x->cols, sizeof(float)) != 0) {
            return -1;
        }
        if (keep_block((void **)&sp->y, first, count, 1, sizeof(int)) != 0 ||
            keep_block((void **)&sp->t, first, count, 1, sizeof(double)) != 0 ||
            keep_block((void **)&sp->id, first, count, 1, sizeof(size_t)) != 0)
            return -1;
        x->rows = count;
    }
    d->row_blocks = true;
    return 0;
}

/* Gathers one split of D into W (rank 0) in the storage D holds it in. */
/* Gathers the row ids of SP (which has ROWS rows) into *ALL on rank 0, as
 * doubles on the wire: ids are row numbers, far below 2^53, so they travel
 * exactly. Returns 0 or -1. */
static int gather_ids(const lt_split *sp, size_t rows, size_t **all)
{
    size_t n = sp->id ? rows : 0;
    double *mine = malloc((n ? n : 1) * sizeof *mine), *every = NULL;
    int rc = mine ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < n; i++)
        mine[i] = (double)sp->id[i];
    size_t total = 0;
    if (lt_dist_max(rc) == 0)
        rc = lt_dist_gather(mine, n, 1, &every, &total);
    else
        rc = -1;
    free(mine);
    if (rc == 0 && lt_dist_rank() == 0) {
        if (!(*all = malloc((total ? total : 1) * sizeof **all)))
            rc = -1;
        for (size_t i = 0; rc == 0 && i < total; i++)
            (*all)[i] = (size_t)every[i];
    }
    free(every);
    return rc;
}

static int gather_split(const lt_split *sp, lt_split *w, bool any_y, bool any_t, bool any_id,
                        char *err, size_t err_size)
{
    const lt_mat *x = sp->x;
    size_t rows = 0;
    int rc = 0;
    lt_mat *dense = NULL;
    if (x->stream && !(dense = lt_mat_to_f64(x, err, err_size)))
        rc = -1;
    if (lt_dist_max(rc) != 0)
        return -1;
    const lt_mat *m = dense ? dense : x;
    double *v = NULL;
    float *f = NULL;
    if (m->f)
        rc = lt_dist_gather_f32(m->f, m->rows, m->cols, &f, &rows);
    else
        rc = lt_dist_gather(m->v, m->rows, m->cols, &v, &rows);
    lt_mat_free(&dense);
    int *y = NULL;
    double *t = NULL;
    size_t n;
    /* Labels travel when any rank has them; a block of 0 rows has none. */
    if (rc == 0 && any_y)
        rc = lt_dist_gather_int(sp->y, sp->y ? x->rows : 0, &y, &n);
    if (rc == 0 && any_t)
        rc = lt_dist_gather(sp->t, sp->t ? x->rows : 0, 1, &t, &n);
    size_t *id = NULL;
    if (rc == 0 && any_id)
        rc = gather_ids(sp, x->rows, &id);
    if (rc != 0) {
        snprintf(err, err_size, "out of memory gathering the data to rank 0");
        free(v), free(f), free(y), free(t), free(id);
        return -1;
    }
    if (lt_dist_rank() == 0) {
        w->x = calloc(1, sizeof *w->x);
        if (!w->x) {
            free(v), free(f), free(y), free(t), free(id);
            snprintf(err, err_size, "out of memory gathering the data to rank 0");
            return -1;
        }
        *w->x = (lt_mat){.rows = rows, .cols = x->cols, .v = v, .f = f};
        w->y = y;
        w->t = t;
        w->id = id;
    }
    return 0;
}

int lt_dist_gather_data(const lt_data *d, lt_data **whole, char *err, size_t err_size)
{
    *whole = NULL;
    lt_data *w = NULL;
    int rc = 0;
    if (lt_dist_rank() == 0) {
        w = lt_data_new();
        rc = w && lt_data_copy_meta(w, d) == 0 ? 0 : -1;
    }
    if (lt_dist_max(rc) != 0) {
        snprintf(err, err_size, "out of memory gathering the data to rank 0");
        lt_data_free(&w);
        return -1;
    }
    for (int s = 0; s < LT_N_SPLITS; s++) {
        if (!d->split[s].x)
            continue;
        /* Every rank has the same splits; labels may be missing on a rank
         * whose block is empty, so the ranks agree on them first. */
        bool any_y = lt_dist_max(d->split[s].y != NULL) != 0;
        bool any_t = lt_dist_max(d->split[s].t != NULL) != 0;
        bool any_id = lt_dist_max(d->split[s].id != NULL) != 0;
        lt_split dummy = {0};
        if (gather_split(&d->split[s], w ? &w->split[s] : &dummy, any_y, any_t, any_id, err,
                         err_size) != 0) {
            lt_data_free(&w);
            return -1;
        }
    }
    if (w)
        w->row_blocks = false;
    *whole = w;
    return 0;
}

int lt_dist_rows_sum(const lt_data *d, double *v, size_t n)
{
    return d && d->row_blocks ? lt_dist_sum(v, n) : 0;
}

size_t lt_dist_rows(const lt_data *d, const lt_mat *x)
{
    double n = (double)x->rows;
    /* Row counts are far below 2^53: the sum of doubles is exact. */
    return lt_dist_rows_sum(d, &n, 1) == 0 ? (size_t)n : 0;
}

int lt_dist_col_means(const lt_data *d, const lt_mat *x, double *mean)
{
    size_t p = x->cols;
    if (!d->row_blocks) {
        lt_col_means(x->v, x->rows, p, mean);
        return 0;
    }
    double *sums = calloc(p + 1, sizeof *sums);
    if (!sums) {
        lt_dist_max(1); /* meets the check that opens the others' lt_dist_sum */
        return -1;
    }
    for (size_t i = 0; i < x->rows; i++)
        for (size_t j = 0; j < p; j++)
            sums[j] += x->v[i * p + j];
    sums[p] = (double)x->rows;
    int rc = lt_dist_sum(sums, p + 1);
    for (size_t j = 0; rc == 0 && j < p; j++)
        mean[j] = sums[p] > 0 ? sums[j] / sums[p] : 0.0;
    free(sums);
    return rc;
}

int lt_dist_check(lt_ctx *ctx, const lt_data *d, int rc)
{
    if (!d->row_blocks)
        return rc;
    double ok = 0;
    if (lt_dist_sum(rc == LT_OK ? &ok : NULL, 1) != 0 && rc == LT_OK)
        return lt_fail(ctx, LT_ERUNTIME, "stopped: another MPI rank failed");
    return rc;
}
