#include "io/npy.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAGIC "\x93NUMPY"
#define MAGIC_LEN 6
#define MAX_HEADER (1 << 20)

size_t lt_npy_rows(const lt_npy *info) { return info->ndim ? info->shape[0] : 1; }

size_t lt_npy_cols(const lt_npy *info)
{
    size_t cols = 1;
    for (int d = 1; d < info->ndim; d++)
        cols *= info->shape[d];
    return cols;
}

/* ---- the header's dict literal ------------------------------------------------ */

static const char *skip_space(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

/* The value after 'KEY': in the header, or NULL when the key is absent. */
static const char *value_of(const char *header, const char *key)
{
    char quoted[32];
    for (int q = 0; q < 2; q++) { /* np.save writes '...'; accept "..." too */
        snprintf(quoted, sizeof quoted, "%c%s%c", q ? '"' : '\'', key, q ? '"' : '\'');
        const char *at = strstr(header, quoted);
        if (at) {
            at = skip_space(at + strlen(quoted));
            return *at == ':' ? skip_space(at + 1) : NULL;
        }
    }
    return NULL;
}

/* Reads the descr string ('<f8') into kind, size and byte order. */
static int parse_descr(lt_ctx *ctx, const char *path, const char *v, lt_npy *info)
{
    if (!v)
        return lt_fail_at(ctx, LT_EINPUT, path, 0, 0, "the header has no 'descr'");
    if (*v == '[')
        return lt_fail_at(ctx, LT_EINPUT, path, 0, 0,
                          "holds a structured array (fields); expected plain numbers");
    char quote = *v;
    if (quote != '\'' && quote != '"')
        return lt_fail_at(ctx, LT_EINPUT, path, 0, 0, "the header's 'descr' is not a string");
    const char *end = strchr(v + 1, quote);
    char descr[16];
    size_t len = end ? (size_t)(end - v - 1) : 0;
    if (!end || len == 0 || len >= sizeof descr)
        return lt_fail_at(ctx, LT_EINPUT, path, 0, 0, "the header's 'descr' is malformed");
    memcpy(descr, v + 1, len);
    descr[len] = '\0';
    char order = descr[0], kind = descr[1];
    char *rest;
    long size = strtol(descr + 2, &rest, 10);
    const char *what = kind == 'c' ? "complex" : kind == 'O' ? "Python objects"
                     : kind == 'U' || kind == 'S' ? "strings" : kind == 'M' || kind == 'm' ? "dates"
                     : NULL;
    bool known = strchr("<>|=", order) && !*rest &&
                 ((kind == 'f' && (size == 4 || size == 8)) ||
                  ((kind == 'i' || kind == 'u') && (size == 1 || size == 2 || size == 4 || size == 8)) ||
                  (kind == 'b' && size == 1));
    if (!known)
        return lt_fail_at(ctx, LT_EINPUT, path, 0, 0,
                          "the data type is '%s'%s%s%s; expected floats (f4, f8), integers or "
                          "booleans",
                          descr, what ? " (" : "", what ? what : "", what ? ")" : "");
    info->kind = kind;
    info->size = (int)size;
    info->big_endian = order == '>';
    return LT_OK;
}

static int parse_shape(lt_ctx *ctx, const char *path, const char *v, lt_npy *info)
{
    if (!v || *v != '(')
        return lt_fail_at(ctx, LT_EINPUT, path, 0, 0, "the header has no 'shape' tuple");
    info->ndim = 0;
    info->count = 1;
    const char *p = skip_space(v + 1);
    while (*p != ')') {
        char *end;
        errno = 0;
        unsigned long long dim = strtoull(p, &end, 10);
        if (end == p || errno)
            return lt_fail_at(ctx, LT_EINPUT, path, 0, 0, "the header's 'shape' is malformed");
        if (info->ndim == LT_NPY_MAX_DIMS)
            return lt_fail_at(ctx, LT_EINPUT, path, 0, 0,
                              "the array has more than %d dimensions; expected a table "
                              "(rows x columns) or images (rows x height x width)",
                              LT_NPY_MAX_DIMS);
        if (dim && info->count > SIZE_MAX / dim)
            return lt_fail_at(ctx, LT_EINPUT, path, 0, 0, "the array's shape is too large");
        info->shape[info->ndim++] = (size_t)dim;
        info->count *= (size_t)dim;
        p = skip_space(end);
        if (*p == ',')
            p = skip_space(p + 1);
        else if (*p != ')')
            return lt_fail_at(ctx, LT_EINPUT, path, 0, 0, "the header's 'shape' is malformed");
    }
    return LT_OK;
}

static int parse_header(lt_ctx *ctx, const char *path, const char *header, lt_npy *info)
{
    int rc = parse_descr(ctx, path, value_of(header, "descr"), info);
    if (rc != LT_OK)
        return rc;
    const char *order = value_of(header, "fortran_order");
    if (!order || (strncmp(order, "True", 4) != 0 && strncmp(order, "False", 5) != 0))
        return lt_fail_at(ctx, LT_EINPUT, path, 0, 0,
                          "the header's 'fortran_order' is missing or not True/False");
    info->fortran_order = order[0] == 'T';
    return parse_shape(ctx, path, value_of(header, "shape"), info);
}

/* ---- the file --------------------------------------------------------------------- */

static unsigned long little(const unsigned char *b, int n)
{
    unsigned long v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | b[i];
    return v;
}

int lt_npy_open(lt_ctx *ctx, const char *path, lt_npy *info, FILE **out)
{
    memset(info, 0, sizeof *info);
    *out = NULL;
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return lt_fail_at(ctx, LT_EINPUT, path, 0, 0, "is a folder, expected a .npy file");
    FILE *f = fopen(path, "rb");
    if (!f)
        return lt_fail_at(ctx, errno == ENOMEM ? LT_ERUNTIME : LT_EINPUT, path, 0, 0,
                          "cannot read: %s", strerror(errno));
    unsigned char lead[MAGIC_LEN + 6];
    size_t got = fread(lead, 1, sizeof lead, f);
    int rc = LT_OK;
    if (got == 0 && !ferror(f))
        rc = lt_fail_at(ctx, LT_EINPUT, path, 0, 0, "is empty; expected a .npy file (np.save writes one)");
    else if (got < MAGIC_LEN + 4 || memcmp(lead, MAGIC, MAGIC_LEN) != 0)
        rc = lt_fail_at(ctx, LT_EINPUT, path, 0, 0,
                        "not a .npy file: it does not start with \\x93NUMPY (np.save writes it)");
    int major = lead[MAGIC_LEN];
    if (rc == LT_OK && (major < 1 || major > 3))
        rc = lt_fail_at(ctx, LT_EINPUT, path, 0, 0,
                        "format version %d.%d; expected 1.0, 2.0 or 3.0", major, lead[MAGIC_LEN + 1]);
    /* Version 1 has a 2-byte header length, 2 and 3 a 4-byte one. */
    size_t len_bytes = major == 1 ? 2 : 4;
    size_t header_len = rc == LT_OK ? little(lead + MAGIC_LEN + 2, (int)len_bytes) : 0;
    long start = (long)(MAGIC_LEN + 2 + len_bytes);
    if (rc == LT_OK && (header_len == 0 || header_len > MAX_HEADER))
        rc = lt_fail_at(ctx, LT_EINPUT, path, 0, 0, "the header length (%zu) is implausible",
                        header_len);
    char *header = rc == LT_OK ? malloc(header_len + 1) : NULL;
    if (rc == LT_OK && !header)
        rc = lt_fail_at(ctx, LT_ERUNTIME, path, 0, 0, "out of memory reading the header");
    if (rc == LT_OK && (fseek(f, start, SEEK_SET) != 0 || fread(header, 1, header_len, f) != header_len))
        rc = lt_fail_at(ctx, LT_EINPUT, path, 0, 0, "truncated: the header ends early");
    if (rc == LT_OK) {
        header[header_len] = '\0';
        rc = parse_header(ctx, path, header, info);
    }
    free(header);
    info->data_offset = start + (long)header_len;
    /* The file holds exactly the elements announced: a shorter one was cut
     * off, a longer one is not what np.save wrote. */
    size_t want = info->count * (size_t)info->size;
    if (rc == LT_OK && fstat(fileno(f), &st) == 0) {
        size_t have = (size_t)st.st_size > (size_t)info->data_offset
                          ? (size_t)st.st_size - (size_t)info->data_offset : 0;
        if (have < want)
            rc = lt_fail_at(ctx, LT_EINPUT, path, 0, 0,
                            "truncated: expected %zu bytes of data, found %zu", want, have);
        else if (have > want)
            rc = lt_fail_at(ctx, LT_EINPUT, path, 0, 0,
                            "has %zu bytes past the %zu of data its header announces",
                            have - want, want);
    }
    if (rc != LT_OK) {
        fclose(f);
        return rc;
    }
    *out = f;
    return LT_OK;
}

/* One element of SIZE bytes in the file's byte order, as a double. */
static double element(const unsigned char *b, const lt_npy *info)
{
    unsigned char le[8];
    for (int i = 0; i < info->size; i++)
        le[i] = info->big_endian ? b[info->size - 1 - i] : b[i];
    uint64_t bits = 0;
    for (int i = info->size - 1; i >= 0; i--)
        bits = bits << 8 | le[i];
    switch (info->kind) {
    case 'f':
        if (info->size == 4) {
            uint32_t u = (uint32_t)bits;
            float x;
            memcpy(&x, &u, sizeof x);
            return x;
        } else {
            double x;
            memcpy(&x, &bits, sizeof x);
            return x;
        }
    case 'i': {
        int shift = 64 - 8 * info->size; /* sign-extend */
        return (double)((int64_t)(bits << shift) >> shift);
    }
    case 'b': return bits != 0;
    default: return (double)bits;
    }
}

/* Where column C of a row (C-order over the trailing dimensions, as numpy's
 * reshape(rows, -1) flattens) sits among a Fortran-order array's columns,
 * whose trailing dimensions run first-fastest. */
static size_t fortran_column(const lt_npy *info, size_t c)
{
    if (info->ndim < 3)
        return c;
    size_t h = c / info->shape[2], w = c % info->shape[2];
    return h + info->shape[1] * w;
}

int lt_npy_read_rows(FILE *f, const char *path, const lt_npy *info, size_t first, size_t n,
                     double *out, char *err, size_t err_size)
{
    size_t rows = lt_npy_rows(info), cols = lt_npy_cols(info), size = (size_t)info->size;
    if (first + n > rows) {
        snprintf(err, err_size, "%s: rows %zu to %zu asked of %zu", path, first, first + n, rows);
        return -1;
    }
    /* C order: the n rows are one run of bytes. Fortran order (the first
     * index varies fastest): each column holds a run of n. */
    size_t runs = info->fortran_order ? cols : 1;
    size_t run = info->fortran_order ? n : n * cols;
    unsigned char *buf = malloc(run * size + 1);
    if (!buf) {
        snprintf(err, err_size, "%s: out of memory reading %zu rows", path, n);
        return -1;
    }
    int rc = 0;
    for (size_t r = 0; rc == 0 && r < runs; r++) {
        size_t at = info->fortran_order ? fortran_column(info, r) * rows + first : first * cols;
        if (fseek(f, info->data_offset + (long)(at * size), SEEK_SET) != 0 ||
            fread(buf, size, run, f) != run) {
            snprintf(err, err_size, "%s: cannot read: %s", path,
                     ferror(f) ? strerror(errno) : "the file is shorter than its header says");
            rc = -1;
            break;
        }
        for (size_t k = 0; k < run; k++) {
            double v = element(buf + k * size, info);
            if (info->fortran_order)
                out[k * cols + r] = v;
            else
                out[k] = v;
        }
    }
    free(buf);
    return rc;
}
