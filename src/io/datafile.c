#include "io/datafile.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char magic[8] = "LTDATA3";
static const char spectrum_magic[8] = "LTSPEC1";

/* Sanity limits: a corrupt count must fail cleanly, not allocate terabytes. */
enum { MAX_NAME = 1 << 16 };
static const uint64_t max_elems = (uint64_t)1 << 34;

static int put(FILE *f, const void *p, size_t n) { return fwrite(p, 1, n, f) == n ? 0 : -1; }
static int get(FILE *f, void *p, size_t n) { return fread(p, 1, n, f) == n ? 0 : -1; }

static int put_u64(FILE *f, uint64_t v) { return put(f, &v, sizeof v); }
static int get_u64(FILE *f, uint64_t *v) { return get(f, v, sizeof *v); }

static int put_names(FILE *f, char *const *names, uint64_t n)
{
    uint8_t present = names != NULL;
    if (put(f, &present, 1))
        return -1;
    for (uint64_t i = 0; present && i < n; i++) {
        uint64_t len = strlen(names[i]);
        if (put_u64(f, len) || put(f, names[i], len))
            return -1;
    }
    return 0;
}

static int get_names(FILE *f, char ***out, uint64_t n)
{
    uint8_t present;
    if (get(f, &present, 1))
        return -1;
    if (!present)
        return 0;
    if (n > MAX_NAME || !(*out = calloc(n ? n : 1, sizeof **out)))
        return -1;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t len;
        if (get_u64(f, &len) || len > MAX_NAME || !((*out)[i] = malloc(len + 1)) ||
            get(f, (*out)[i], len))
            return -1;
        (*out)[i][len] = '\0';
    }
    return 0;
}

int lt_datafile_write(const lt_data *d, FILE *f)
{
    int32_t ints[3] = {d->n_classes, d->image_rows, d->image_cols};
    if (put(f, magic, sizeof magic) || put_u64(f, d->n_features) || put(f, ints, sizeof ints) ||
        put_names(f, d->feature_names, d->n_features) ||
        put_names(f, d->class_names, (uint64_t)d->n_classes))
        return -1;
    for (int s = 0; s < LT_N_SPLITS; s++) {
        const lt_split *sp = &d->split[s];
        uint8_t flags = (sp->x != NULL) | (sp->x && sp->x->f) << 1 | (sp->y != NULL) << 2 |
                        (sp->t != NULL) << 3 | (sp->id != NULL) << 4;
        if (put(f, &flags, 1))
            return -1;
        if (!sp->x)
            continue;
        size_t n = sp->x->rows * sp->x->cols;
        if (put_u64(f, sp->x->rows) || put_u64(f, sp->x->cols))
            return -1;
        if (n && (sp->x->f ? put(f, sp->x->f, n * sizeof(float)) : put(f, sp->x->v, n * sizeof(double))))
            return -1;
        if (sp->y && sp->x->rows && put(f, sp->y, sp->x->rows * sizeof(int)))
            return -1;
        if (sp->t && sp->x->rows && put(f, sp->t, sp->x->rows * sizeof(double)))
            return -1;
        if (sp->id && sp->x->rows && put(f, sp->id, sp->x->rows * sizeof(size_t)))
            return -1;
    }
    return ferror(f) ? -1 : 0;
}

static void *alloc_read(FILE *f, uint64_t count, size_t size)
{
    if (count > max_elems)
        return NULL;
    void *p = malloc(count ? count * size : 1);
    if (p && count && get(f, p, count * size)) {
        free(p);
        return NULL;
    }
    return p;
}

lt_data *lt_datafile_read(FILE *f)
{
    char m[8];
    uint64_t n_features;
    int32_t ints[3];
    lt_data *d = lt_data_new();
    if (!d || get(f, m, sizeof m) || memcmp(m, magic, sizeof m) || get_u64(f, &n_features) ||
        get(f, ints, sizeof ints) || n_features > max_elems || ints[0] < 0 || ints[0] > MAX_NAME)
        goto fail;
    d->n_features = n_features;
    d->n_classes = ints[0];
    d->image_rows = ints[1];
    d->image_cols = ints[2];
    if (get_names(f, &d->feature_names, n_features) ||
        get_names(f, &d->class_names, (uint64_t)d->n_classes))
        goto fail;
    for (int s = 0; s < LT_N_SPLITS; s++) {
        lt_split *sp = &d->split[s];
        uint8_t flags;
        uint64_t rows, cols;
        if (get(f, &flags, 1))
            goto fail;
        if (!(flags & 1))
            continue;
        if (get_u64(f, &rows) || get_u64(f, &cols) || rows > max_elems || cols > max_elems ||
            (cols && rows > max_elems / cols))
            goto fail;
        sp->x = flags & 2 ? lt_mat_new_f32(rows, cols) : lt_mat_new(rows, cols);
        if (!sp->x)
            goto fail;
        size_t n = rows * cols;
        if (n && (flags & 2 ? get(f, sp->x->f, n * sizeof(float)) : get(f, sp->x->v, n * sizeof(double))))
            goto fail;
        if ((flags & 4) && !(sp->y = alloc_read(f, rows, sizeof(int))))
            goto fail;
        if ((flags & 8) && !(sp->t = alloc_read(f, rows, sizeof(double))))
            goto fail;
        if ((flags & 16) && !(sp->id = alloc_read(f, rows, sizeof(size_t))))
            goto fail;
    }
    /* Nothing may follow: trailing bytes mean the file is not what it claims. */
    if (fgetc(f) != EOF)
        goto fail;
    return d;
fail:
    lt_data_free(&d);
    return NULL;
}

int lt_spectrumfile_write(const lt_spectrum *s, FILE *f)
{
    if (put(f, spectrum_magic, sizeof spectrum_magic) || put_u64(f, s->n) || put_u64(f, s->n_kept) ||
        put(f, &s->threshold, sizeof s->threshold) ||
        (s->n && (put(f, s->variance, s->n * sizeof(double)) || put(f, s->ratio, s->n * sizeof(double)))))
        return -1;
    return ferror(f) ? -1 : 0;
}

lt_spectrum *lt_spectrumfile_read(FILE *f)
{
    char m[8];
    uint64_t n, n_kept;
    double threshold;
    if (get(f, m, sizeof m) || memcmp(m, spectrum_magic, sizeof m) || get_u64(f, &n) ||
        get_u64(f, &n_kept) || get(f, &threshold, sizeof threshold) || n > max_elems || n_kept > n)
        return NULL;
    lt_spectrum *s = lt_spectrum_new(n);
    if (!s || (n && (get(f, s->variance, n * sizeof(double)) || get(f, s->ratio, n * sizeof(double)))) ||
        fgetc(f) != EOF) {
        lt_spectrum_free(&s);
        return NULL;
    }
    s->n_kept = n_kept;
    s->threshold = threshold;
    return s;
}
