/* Reading one numeric dataset of an HDF5 file through Debian's libhdf5, as
 * rows x features: the first axis is the rows, the others are flattened
 * (C order) into the features, optionally keeping only some indices of the
 * last axis. Rows are read as hyperslabs, so a caller can read a file far
 * larger than memory a block at a time.
 *
 * Values may be any HDF5 integer or floating-point type (float32, float64,
 * int8 ... uint64); libhdf5 converts them to double. Other classes
 * (strings, compounds, enums such as h5py's booleans, ...) are refused with
 * their name. Nothing here prints: libhdf5's own error stack printing is
 * switched off, and every failure is recorded in the caller's diagnostics
 * sink (util/diag.h) naming the file and the dataset's path inside it:
 *     data.h5:/events/features: no such dataset; the file holds /events/feats, /labels
 * This module knows nothing of stages or contexts. */
#ifndef LATENT_IO_HDF5_H
#define LATENT_IO_HDF5_H

#include <stddef.h>

#include "util/diag.h"

#define LT_H5_MAX_RANK 8

typedef struct lt_h5 lt_h5;

/* Opens dataset DSET (an absolute or root-relative HDF5 path) of FILE.
 * KEEP (n_keep indices into the last axis, negative ones counting from its
 * end as numpy does; NULL for all) picks the columns. Returns the open
 * dataset (owned; close with lt_h5_close), or NULL with the reason recorded in E. */
lt_h5 *lt_h5_open(const char *file, const char *dset, const double *keep, size_t n_keep,
                  lt_diag *e);
void lt_h5_close(lt_h5 *h);

/* The dataset's rank and extent along axis I (before column selection). */
int lt_h5_rank(const lt_h5 *h);
size_t lt_h5_dim(const lt_h5 *h, int i);
/* Rows (the first axis) and features (the product of the other extents,
 * the last one counted as the kept columns). */
size_t lt_h5_rows(const lt_h5 *h);
size_t lt_h5_cols(const lt_h5 *h);
/* "FILE:DSET", for messages about the data (owned by h). */
const char *lt_h5_where(const lt_h5 *h);
/* The element type as users know it: "float32", "uint8", ... (static). */
const char *lt_h5_type_name(const lt_h5 *h);

/* Reads rows [first, first + n) into out (n x cols, row-major) as doubles.
 * Returns 0, or -1 with the reason recorded in E. */
int lt_h5_read_rows(lt_h5 *h, size_t first, size_t n, double *out, lt_diag *e);

/* The feature names from the dataset's attribute NAME (a 1-d array of
 * strings, one per column of the last axis, as h5py writes a list of str),
 * restricted to the kept columns. *names receives an owned array of
 * lt_h5_cols() owned strings, or NULL when there is no such attribute (or
 * the dataset has more than two axes). Returns 0, or -1 with the reason
 * recorded in E (an attribute of the wrong type or length, out of memory). */
int lt_h5_feature_names(lt_h5 *h, const char *attr, char ***names, lt_diag *e);

/* Labels from dataset DSET of FILE: ROWS integers (or whole floats), or
 * ROWS strings. Classes are the sorted distinct values (np.unique's order);
 * *y receives each row's class (owned, ROWS ints), *classes their names
 * (owned array of owned strings: "3" for an integer) and *n_classes their
 * count. Returns 0, or -1 with the reason recorded in E (naming the row of a bad
 * label). */
int lt_h5_read_labels(const char *file, const char *dset, size_t rows, int **y, char ***classes,
                      int *n_classes, lt_diag *e);
/* What lt_h5_read_labels checks before reading the values: the dataset
 * exists and holds ROWS numbers or strings. Returns 0 or -1 (E says why). */
int lt_h5_check_labels(const char *file, const char *dset, size_t rows, lt_diag *e);

#endif
