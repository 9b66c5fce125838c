/* A reader for IDX files, the format of MNIST and Fashion-MNIST, plain or
 * gzip-compressed (zlib reads either; the name does not matter).
 *
 * An IDX file is a 4-byte magic number (two zero bytes, a data-type byte,
 * the number of dimensions), each dimension as a big-endian 32-bit count,
 * then the elements in row-major order. Only unsigned bytes (type 0x08)
 * are read: every MNIST-style file holds them.
 *
 * The file must hold exactly what its header announces: a short file, a
 * file with bytes past the data, the wrong type or the wrong number of
 * dimensions are errors. Messages are one line, recorded in the caller's sink (lt_diag_data)
 * and prefixed with the path, e.g.
 *     data/t10k-images-idx3-ubyte.gz: truncated: expected 7840000 bytes of
 *     data (10000 x 28 x 28), found 4096 */
#ifndef LATENT_IO_IDX_H
#define LATENT_IO_IDX_H

#include <stddef.h>

#include "latent/stage.h"
#include "util/diag.h"

#define LT_IDX_MAX_DIMS 4

typedef struct lt_idx {
    int ndim;                     /* 1 to LT_IDX_MAX_DIMS */
    size_t dims[LT_IDX_MAX_DIMS]; /* dims[0] is the item count */
    size_t count;                 /* the product of the dims: bytes in data */
    unsigned char *data;          /* owned (lt_idx_free); NULL when count is 0 */
} lt_idx;

/* Reads PATH, which must hold unsigned bytes in NDIM dimensions (1 to
 * LT_IDX_MAX_DIMS). On success returns LT_OK and fills *out, which the
 * caller frees with lt_idx_free. Otherwise returns LT_EINPUT for a file
 * that is missing, unreadable or not as expected, or LT_ERUNTIME when out
 * of memory, with the error recorded in DIAG and *out zeroed. */
int lt_idx_read_u8(lt_diag *diag, const char *path, int ndim, lt_idx *out);

/* What lt_idx_scan_u8 hands on: items [first, first + n) of the file, n
 * times the product of dims[1..] bytes at ITEMS (valid during the call).
 * Returns 0, or nonzero when out of memory, which stops the scan. */
typedef int (*lt_idx_items_fn)(void *arg, size_t first, size_t n, const unsigned char *items);

/* Reads PATH as lt_idx_read_u8 does, with the same checks and messages,
 * but hands the data to EACH in pieces of whole items (about a MiB) in file
 * order instead of holding it: memory for a piece, not for the file.
 * *header receives the dimensions (data stays NULL). The pieces handed on
 * before an error (a truncated file, data past the end) are the file's
 * own, but the caller must drop what it built from them when this fails. */
int lt_idx_scan_u8(lt_diag *diag, const char *path, int ndim, lt_idx *header,
                   lt_idx_items_fn each, void *arg);

/* An IDX file of unsigned bytes opened for reading its items on demand
 * (the rows of a streamed dataset) instead of whole. */
typedef struct lt_idx_reader lt_idx_reader;

/* Opens PATH and checks its header as lt_idx_read_u8 does; fills *header
 * (dims and count; data stays NULL) and *out (close with lt_idx_close).
 * Returns LT_OK, or LT_EINPUT / LT_ERUNTIME with the error recorded. A
 * short file is only found when its missing items are read. */
int lt_idx_open_u8(lt_diag *diag, const char *path, int ndim, lt_idx *header,
                   lt_idx_reader **out);
/* Reads items [first, first + n) (each the product of dims[1..] bytes) into
 * out. Reading on from the last item read is sequential; anything else
 * seeks (backwards: decompresses again from the start). Returns 0, or -1
 * with "PATH: truncated: ..." or a read error in err. */
int lt_idx_read_items(lt_idx_reader *r, size_t first, size_t n, unsigned char *out,
                      char *err, size_t err_size);
/* Closes *r (NULL is fine) and sets it to NULL. */
void lt_idx_close(lt_idx_reader **r);

/* Releases idx->data and zeroes *idx (a zeroed lt_idx is fine). */
void lt_idx_free(lt_idx *idx);

/* The dimensions as "60000 x 28 x 28" in BUF (SIZE bytes); returns BUF. */
const char *lt_idx_shape(const lt_idx *idx, char *buf, size_t size);

#endif
