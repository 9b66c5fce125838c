#include "latent/data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A zeroed matrix whose elements are ELEM bytes wide, in v or f. */
static lt_mat *mat_alloc(size_t rows, size_t cols, size_t elem)
{
    lt_mat *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->rows = rows;
    m->cols = cols;
    if (!rows || !cols)
        return m;
    void *p = cols <= (size_t)-1 / elem / rows ? calloc(rows * cols, elem) : NULL;
    if (!p) {
        free(m);
        return NULL;
    }
    if (elem == sizeof(float))
        m->f = p;
    else
        m->v = p;
    return m;
}

lt_mat *lt_mat_new(size_t rows, size_t cols) { return mat_alloc(rows, cols, sizeof(double)); }
lt_mat *lt_mat_new_f32(size_t rows, size_t cols) { return mat_alloc(rows, cols, sizeof(float)); }

lt_mat *lt_mat_copy(const lt_mat *src)
{
    lt_mat *m = src->f ? lt_mat_new_f32(src->rows, src->cols) : lt_mat_new(src->rows, src->cols);
    size_t n = src->rows * src->cols;
    if (m && m->v)
        memcpy(m->v, src->v, n * sizeof(double));
    if (m && m->f)
        memcpy(m->f, src->f, n * sizeof(float));
    return m;
}

int lt_mat_read_rows(const lt_mat *m, size_t first, size_t n, double *out, char *err,
                     size_t err_size)
{
    size_t c = m->cols;
    if (m->stream)
        return n ? m->stream->read(m->stream, first, n, out, err, err_size) : 0;
    if (m->v)
        memcpy(out, m->v + first * c, n * c * sizeof *out);
    else if (m->f)
        for (size_t i = 0; i < n * c; i++)
            out[i] = m->f[first * c + i];
    return 0;
}

lt_mat *lt_mat_to_f64(const lt_mat *src, char *err, size_t err_size)
{
    lt_mat *m = src->v || (!src->f && !src->stream) ? lt_mat_copy(src)
                                                     : lt_mat_new(src->rows, src->cols);
    if (!m) {
        snprintf(err, err_size, "out of memory converting the input to float64");
        return NULL;
    }
    if (m->v && !src->v && lt_mat_read_rows(src, 0, src->rows, m->v, err, err_size) != 0)
        lt_mat_free(&m);
    return m;
}

void lt_mat_free(lt_mat **m)
{
    if (!m || !*m)
        return;
    if ((*m)->stream)
        (*m)->stream->close((*m)->stream);
    free((*m)->v);
    free((*m)->f);
    free(*m);
    *m = NULL;
}

const char *lt_split_name(int split)
{
    static const char *const names[LT_N_SPLITS] = {"train", "valid", "test"};
    return split >= 0 && split < LT_N_SPLITS ? names[split] : "?";
}

lt_data *lt_data_new(void) { return calloc(1, sizeof(lt_data)); }

static void free_names(char **names, size_t n)
{
    if (!names)
        return;
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

void lt_data_free(lt_data **pd)
{
    if (!pd || !*pd)
        return;
    lt_data *d = *pd;
    for (int s = 0; s < LT_N_SPLITS; s++) {
        lt_mat_free(&d->split[s].x);
        free(d->split[s].y);
        free(d->split[s].t);
        free(d->split[s].id);
    }
    free_names(d->feature_names, d->n_features);
    free_names(d->class_names, (size_t)d->n_classes);
    free(d);
    *pd = NULL;
}

static char **copy_names(char *const *names, size_t n)
{
    if (!names)
        return NULL;
    char **out = calloc(n ? n : 1, sizeof *out);
    for (size_t i = 0; out && i < n; i++)
        if (!(out[i] = strdup(names[i] ? names[i] : ""))) {
            free_names(out, i);
            return NULL;
        }
    return out;
}

int lt_data_copy_meta(lt_data *dst, const lt_data *src)
{
    dst->n_features = src->n_features;
    dst->n_classes = src->n_classes;
    dst->image_rows = src->image_rows;
    dst->image_cols = src->image_cols;
    dst->row_blocks = src->row_blocks;
    dst->feature_names = copy_names(src->feature_names, src->n_features);
    dst->class_names = copy_names(src->class_names, (size_t)src->n_classes);
    if ((src->feature_names && !dst->feature_names) ||
        (src->class_names && !dst->class_names))
        return -1;
    return 0;
}

int lt_data_copy_rowinfo(lt_data *dst, const lt_data *src)
{
    for (int s = 0; s < LT_N_SPLITS; s++) {
        const lt_split *a = &src->split[s];
        lt_split *b = &dst->split[s];
        if (!a->x || !b->x)
            continue;
        size_t n = a->x->rows;
        if (a->y) {
            if (!(b->y = malloc((n ? n : 1) * sizeof *b->y)))
                return -1;
            memcpy(b->y, a->y, n * sizeof *b->y);
        }
        if (a->t) {
            if (!(b->t = malloc((n ? n : 1) * sizeof *b->t)))
                return -1;
            memcpy(b->t, a->t, n * sizeof *b->t);
        }
        if (a->id) {
            if (!(b->id = malloc((n ? n : 1) * sizeof *b->id)))
                return -1;
            memcpy(b->id, a->id, n * sizeof *b->id);
        }
    }
    return 0;
}

size_t lt_split_row_id(const lt_split *s, size_t i)
{
    return s->id ? s->id[i] : i;
}

size_t lt_data_rows(const lt_data *d, int split)
{
    return d && split >= 0 && split < LT_N_SPLITS && d->split[split].x
               ? d->split[split].x->rows
               : 0;
}

bool lt_data_has_f32(const lt_data *d)
{
    for (int s = 0; d && s < LT_N_SPLITS; s++)
        if (d->split[s].x && d->split[s].x->f)
            return true;
    return false;
}

bool lt_data_has_stream(const lt_data *d)
{
    for (int s = 0; d && s < LT_N_SPLITS; s++)
        if (d->split[s].x && d->split[s].x->stream)
            return true;
    return false;
}

lt_data *lt_data_to_f64(const lt_data *src, char *err, size_t err_size)
{
    lt_data *d = lt_data_new();
    snprintf(err, err_size, "out of memory converting the input to float64");
    if (!d || lt_data_copy_meta(d, src) != 0)
        goto fail;
    for (int s = 0; s < LT_N_SPLITS; s++)
        if (src->split[s].x && !(d->split[s].x = lt_mat_to_f64(src->split[s].x, err, err_size)))
            goto fail;
    snprintf(err, err_size, "out of memory converting the input to float64");
    if (lt_data_copy_rowinfo(d, src) != 0)
        goto fail;
    return d;
fail:
    lt_data_free(&d);
    return NULL;
}
