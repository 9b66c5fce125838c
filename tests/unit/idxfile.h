/* Writing small IDX files (plain or gzipped) for the reader's and the
 * Fashion-MNIST stage's tests, and a temporary folder to put them in. */
#ifndef LATENT_TEST_IDXFILE_H
#define LATENT_TEST_IDXFILE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* Writes N bytes to PATH, through gzip when GZ. Returns 0 or -1. */
static inline int idxfile_write(const char *path, bool gz, const void *bytes, size_t n)
{
    if (gz) {
        gzFile f = gzopen(path, "wb");
        if (!f)
            return -1;
        int ok = n == 0 || gzwrite(f, bytes, (unsigned)n) == (int)n;
        return gzclose(f) == Z_OK && ok ? 0 : -1;
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int ok = fwrite(bytes, 1, n, f) == n;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* An IDX file of unsigned bytes: header (type, NDIM, DIMS) then DATA
 * holding N bytes (N need not match the dims: tests make bad files too).
 * Returns 0 or -1. */
static inline int idxfile_u8(const char *path, bool gz, int type, int ndim,
                             const uint32_t *dims, const unsigned char *data, size_t n)
{
    size_t head = 4 + 4 * (size_t)ndim;
    unsigned char *buf = malloc(head + n);
    if (!buf)
        return -1;
    buf[0] = buf[1] = 0;
    buf[2] = (unsigned char)type;
    buf[3] = (unsigned char)ndim;
    for (int i = 0; i < ndim; i++)
        for (int b = 0; b < 4; b++)
            buf[4 + 4 * i + b] = (unsigned char)(dims[i] >> (24 - 8 * b));
    if (n)
        memcpy(buf + head, data, n);
    int rc = idxfile_write(path, gz, buf, head + n);
    free(buf);
    return rc;
}

/* DIR/NAME into BUF (SIZE bytes); returns BUF. */
static inline const char *idxfile_path(char *buf, size_t size, const char *dir,
                                       const char *name)
{
    snprintf(buf, size, "%s/%s", dir, name);
    return buf;
}

#endif
