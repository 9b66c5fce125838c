#include "io/rows.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include "io/csv.h"
#include "io/npy.h"

static void write_class(FILE *f, char *const *names, int c)
{
    if (names && c >= 0 && names[c])
        lt_csv_write_field(f, names[c]);
    else
        fprintf(f, "%d", c);
}

int lt_rows_write_csv(const char *path, const lt_rows *r, char *err, size_t err_size)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, err_size, "%s: cannot write: %s", path, strerror(errno));
        return -1;
    }
    fputs("row", f);
    if (r->labels) {
        fputc(',', f);
        lt_csv_write_field(f, r->label_header ? r->label_header : "label");
    }
    if (r->predicted)
        fputs(",predicted", f);
    for (size_t j = 0; j < r->cols; j++) {
        fputc(',', f);
        if (r->col_names && r->col_names[j])
            lt_csv_write_field(f, r->col_names[j]);
        else
            fprintf(f, "x%zu", j);
    }
    if (r->extra) {
        fputc(',', f);
        lt_csv_write_field(f, r->extra_name ? r->extra_name : "value");
    }
    fputc('\n', f);
    for (size_t i = 0; i < r->n; i++) {
        fprintf(f, "%zu", r->ids ? r->ids[i] : i);
        if (r->labels) {
            fputc(',', f);
            write_class(f, r->label_names, r->labels[i]);
        }
        if (r->predicted) {
            fputc(',', f);
            write_class(f, r->class_names, r->predicted[i]);
        }
        for (size_t j = 0; j < r->cols; j++)
            fprintf(f, ",%.17g", r->values[i * r->cols + j]);
        if (r->extra)
            fprintf(f, ",%.17g", r->extra[i]);
        fputc('\n', f);
    }
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        snprintf(err, err_size, "%s: cannot write: %s", path, strerror(errno ? errno : EIO));
        remove(path);
        return -1;
    }
    return 0;
}

int lt_rows_write_npy(const char *path, const lt_rows *r, int one_d, char *err, size_t err_size)
{
    size_t shape[2] = {r->n, r->cols}, len = 0;
    unsigned char *npy = lt_npy_encode("<f8", one_d && r->cols == 1 ? 1 : 2, shape, r->values,
                                       r->n * r->cols * sizeof(double), &len);
    if (!npy) {
        snprintf(err, err_size, "%s: out of memory", path);
        return -1;
    }
    FILE *f = fopen(path, "wb");
    int rc = f && fwrite(npy, 1, len, f) == len ? 0 : -1;
    int saved = errno;
    if (f && fclose(f) != 0 && rc == 0) {
        rc = -1;
        saved = errno;
    }
    free(npy);
    if (rc != 0) {
        snprintf(err, err_size, "%s: cannot write: %s", path, strerror(saved ? saved : EIO));
        remove(path);
    }
    return rc;
}
