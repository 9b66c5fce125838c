/* Reading NumPy's .npy files, as np.save writes them (format versions 1.0,
 * 2.0 and 3.0): a magic string, a version, the header's length, then the
 * header, a Python dict literal such as
 *     {'descr': '<f8', 'fortran_order': False, 'shape': (100, 5), }
 * padded with spaces to a multiple of 64 bytes, then the elements.
 *
 * Elements may be floats (f4, f8), signed or unsigned integers (1, 2, 4 or
 * 8 bytes) or booleans, in either byte order, in C or Fortran order; they
 * are read as doubles. Structured arrays, objects, strings, complex and
 * half-precision numbers are refused with a reason. Errors name the file:
 *     x.npy: the data type is '<c16' (complex); expected floats, integers or booleans */
#ifndef LATENT_IO_NPY_H
#define LATENT_IO_NPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "latent/stage.h"
#include "util/diag.h"

#define LT_NPY_MAX_DIMS 3

typedef struct lt_npy {
    int ndim;                      /* 0 to LT_NPY_MAX_DIMS */
    size_t shape[LT_NPY_MAX_DIMS];
    size_t count;                  /* elements: the product of the shape */
    char kind;                     /* 'f', 'i', 'u', 'b', or 'U' (lt_npy_parse only) */
    int size;                      /* bytes per element (4 per character for 'U') */
    bool big_endian;
    bool fortran_order;
    long data_offset;              /* where the elements start in the file */
} lt_npy;

/* Opens PATH and reads its header into *info; checks that the file holds
 * exactly the elements the header announces. On success *f is the open
 * file (the caller closes it). Returns LT_OK, or LT_EINPUT (recorded with
 * the path) for a file that is missing or not a .npy latent can read. */
int lt_npy_open(lt_diag *diag, const char *path, lt_npy *info, FILE **f);

/* Reads rows [first, first + n) of the array seen as rows x cols (rows =
 * shape[0], cols = the product of the other dimensions; a 1-d array is one
 * column) into out as doubles, row-major, whatever the file's order.
 * Returns 0, or -1 with "PATH: ..." in err on a read error. */
int lt_npy_read_rows(FILE *f, const char *path, const lt_npy *info, size_t first, size_t n,
                     double *out, char *err, size_t err_size);

/* Rows and columns of the array read as a table (see lt_npy_read_rows). */
size_t lt_npy_rows(const lt_npy *info);
size_t lt_npy_cols(const lt_npy *info);

/* ---- in memory (the members of an .npz archive) ---- */

/* Reads the header of the .npy image BUF (LEN bytes) into *info, checking
 * that BUF holds exactly the elements announced. Unicode strings ('<U8')
 * are accepted too. Returns 0, or -1 with the reason in err (no file name:
 * the caller knows which file and member). */
int lt_npy_parse(const unsigned char *buf, size_t len, lt_npy *info, char *err, size_t err_size);
/* The numbers of a parsed numeric image as doubles, row-major (C order)
 * whatever the image's order, into out (info->count entries). Returns 0,
 * or -1 for a string array. */
int lt_npy_values(const unsigned char *buf, const lt_npy *info, double *out);
/* The strings of a parsed 'U' image as UTF-8: an owned array of
 * info->count owned strings (free with lt_npy_strings_free), or NULL when
 * out of memory, not a C-order string array, or holding a non-character. */
char **lt_npy_strings(const unsigned char *buf, const lt_npy *info);
void lt_npy_strings_free(char **s, size_t n);

/* An .npy image (format 1.0, C order) of DATA_BYTES bytes of elements of
 * type DESCR ("<f8", "<i8", "<U12") and shape SHAPE[0..NDIM): owned
 * (free()), *len bytes, or NULL when out of memory or the header would be
 * too long. DATA must be in the byte order DESCR names. */
unsigned char *lt_npy_encode(const char *descr, int ndim, const size_t *shape, const void *data,
                             size_t data_bytes, size_t *len);

#endif
