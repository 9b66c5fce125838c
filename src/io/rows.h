/* Per-row results as files: an .npy of the values and a CSV with a header,
 * then per row its id, its label, a predicted class, the values and an
 * extra per-row number (each optional but the values). What `latent apply`
 * writes, and what an export stage can write. Names are quoted as CSV
 * needs; numbers are written with 17 significant digits, so they read back
 * to the same bits. */
#ifndef LATENT_IO_ROWS_H
#define LATENT_IO_ROWS_H

#include <stddef.h>

typedef struct lt_rows {
    size_t n, cols;
    const double *values;       /* n x cols, row-major */
    char *const *col_names;     /* cols names, or NULL for x0, x1, ... */
    const size_t *ids;          /* n row ids, or NULL for 0 .. n - 1 */
    const char *label_header;   /* the label column's name ("label") */
    const int *labels;          /* n labels, or NULL for none */
    char *const *label_names;   /* the labels' class names, or NULL for the numbers */
    const int *predicted;       /* n predicted classes, or NULL for none */
    char *const *class_names;   /* the predicted classes' names (required with predicted) */
    const double *extra;        /* n per-row numbers, or NULL */
    const char *extra_name;     /* their column's name */
} lt_rows;

/* Writes R as CSV to PATH. Returns 0, or -1 with "PATH: ..." in err. */
int lt_rows_write_csv(const char *path, const lt_rows *r, char *err, size_t err_size);

/* Writes the n x cols values of R to PATH as a float64 .npy (a 1-d array
 * when cols is 1 and ONE_D). Returns 0, or -1 with "PATH: ..." in err. */
int lt_rows_write_npy(const char *path, const lt_rows *r, int one_d, char *err, size_t err_size);

#endif
