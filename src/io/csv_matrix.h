/* Writing a matrix as CSV, for the artifacts people open in a spreadsheet or
 * pandas: one writer, so every such file quotes its names and reports a
 * failed write the same way. */
#ifndef LATENT_IO_CSV_MATRIX_H
#define LATENT_IO_CSV_MATRIX_H

#include <stddef.h>

/* Writes to PATH a header of NAMES (COLS names, each quoted as CSV needs;
 * "x0", "x1", ... when NAMES or a name is NULL), then ROWS lines of COLS
 * values V (row-major) at %.17g, which reads back to the same double.
 * Returns 0, or -1 with errno set when the file cannot be written whole
 * (callers write into a run's staging folder, which a failed run drops). */
int lt_csv_write_matrix(const char *path, char *const *names, const double *v, size_t rows,
                        size_t cols);

#endif
