/* NumPy .npz archives, as np.savez writes and np.load(allow_pickle=False)
 * reads them: a zip file (written and read with libzip) whose members are
 * .npy images named NAME.npy (see io/npy.h for their format).
 *
 * Members are numbers (float64, int64) or unicode strings ('<U'), so no
 * reader needs pickle. Errors go to the caller's diagnostics sink, naming
 * the file:
 *     m.npz: member 'mean_.npy': truncated: expected 240 bytes of data, found 100 */
#ifndef LATENT_IO_NPZ_H
#define LATENT_IO_NPZ_H

#include <stddef.h>

#include "io/npy.h"
#include "util/diag.h"

/* One array: its name (without ".npy") and its .npy image. */
typedef struct lt_npz_member {
    char *name;          /* owned */
    unsigned char *data; /* owned: the whole .npy image */
    size_t len;
    lt_npy info;         /* its parsed header (filled by lt_npz_read) */
} lt_npz_member;

/* A whole archive read into memory. */
typedef struct lt_npz {
    lt_npz_member *members; /* owned */
    size_t n;
} lt_npz;

/* Writes the N members (their data as lt_npy_encode made them) to PATH, a
 * new archive replacing any file there; the members' times are fixed, so
 * the same arrays give the same bytes. Returns 0, or -1 with the problem at
 * PATH recorded in D (and no file left at PATH). */
int lt_npz_write(const char *path, const lt_npz_member *members, size_t n, lt_diag *d);

/* Reads every member of PATH and parses its header. Returns an owned
 * archive (lt_npz_free), or NULL with the problem recorded in D for a missing,
 * foreign, damaged or truncated file, or a member that is no .npy image. */
lt_npz *lt_npz_read(const char *path, lt_diag *d);

/* The member named NAME (without ".npy"), or NULL. Borrowed. */
const lt_npz_member *lt_npz_find(const lt_npz *z, const char *name);

void lt_npz_free(lt_npz *z);

#endif
