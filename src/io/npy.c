#include "io/npy.h"

#include <errno.h>
#include <stdarg.h>
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

/* Formats a header problem into err; returns -1. */
static int bad(char *err, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bad(char *err, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, size, fmt, ap);
    va_end(ap);
    return -1;
}

/* Reads the descr string ('<f8') into kind, size and byte order; unicode
 * strings ('<U8') only when STRINGS (an archive's names, not a dataset). */
static int parse_descr(const char *v, bool strings, lt_npy *info, char *err, size_t es)
{
    if (!v)
        return bad(err, es, "the header has no 'descr'");
    if (*v == '[')
        return bad(err, es,
                          "holds a structured array (fields); expected plain numbers");
    char quote = *v;
    if (quote != '\'' && quote != '"')
        return bad(err, es, "the header's 'descr' is not a string");
    const char *end = strchr(v + 1, quote);
    char descr[16];
    size_t len = end ? (size_t)(end - v - 1) : 0;
    if (!end || len == 0 || len >= sizeof descr)
        return bad(err, es, "the header's 'descr' is malformed");
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
                  (kind == 'b' && size == 1) ||
                  (strings && kind == 'U' && size >= 1 && size <= 65536));
    if (!known)
        return bad(err, es,
                          "the data type is '%s'%s%s%s; expected floats (f4, f8), integers or "
                          "booleans",
                          descr, what ? " (" : "", what ? what : "", what ? ")" : "");
    info->kind = kind;
    info->size = kind == 'U' ? 4 * (int)size : (int)size; /* UTF-32 code units */
    info->big_endian = order == '>';
    return 0;
}

static int parse_shape(const char *v, lt_npy *info, char *err, size_t es)
{
    if (!v || *v != '(')
        return bad(err, es, "the header has no 'shape' tuple");
    info->ndim = 0;
    info->count = 1;
    const char *p = skip_space(v + 1);
    while (*p != ')') {
        char *end;
        errno = 0;
        unsigned long long dim = strtoull(p, &end, 10);
        if (end == p || errno)
            return bad(err, es, "the header's 'shape' is malformed");
        if (info->ndim == LT_NPY_MAX_DIMS)
            return bad(err, es,
                              "the array has more than %d dimensions; expected a table "
                              "(rows x columns) or images (rows x height x width)",
                              LT_NPY_MAX_DIMS);
        if (dim && info->count > SIZE_MAX / dim)
            return bad(err, es, "the array's shape is too large");
        info->shape[info->ndim++] = (size_t)dim;
        info->count *= (size_t)dim;
        p = skip_space(end);
        if (*p == ',')
            p = skip_space(p + 1);
        else if (*p != ')')
            return bad(err, es, "the header's 'shape' is malformed");
    }
    return 0;
}

static int parse_header(const char *header, bool strings, lt_npy *info, char *err, size_t es)
{
    if (parse_descr(value_of(header, "descr"), strings, info, err, es) != 0)
        return -1;
    const char *order = value_of(header, "fortran_order");
    if (!order || (strncmp(order, "True", 4) != 0 && strncmp(order, "False", 5) != 0))
        return bad(err, es,
                          "the header's 'fortran_order' is missing or not True/False");
    info->fortran_order = order[0] == 'T';
    return parse_shape(value_of(header, "shape"), info, err, es);
}

/* ---- the file --------------------------------------------------------------------- */

static unsigned long little(const unsigned char *b, int n)
{
    unsigned long v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | b[i];
    return v;
}

/* The magic string, the version and the header length at the start of a
 * file (LEAD, GOT bytes of it): *start is where the header begins. */
static int parse_lead(const unsigned char *lead, size_t got, size_t *start, size_t *header_len,
                      char *err, size_t es)
{
    if (got == 0)
        return bad(err, es, "the file is empty; expected a .npy file (np.save writes one)");
    if (got < MAGIC_LEN + 4 || memcmp(lead, MAGIC, MAGIC_LEN) != 0)
        return bad(err, es, "not a .npy file: it does not start with \\x93NUMPY (np.save writes it)");
    int major = lead[MAGIC_LEN];
    if (major < 1 || major > 3)
        return bad(err, es, "format version %d.%d; expected 1.0, 2.0 or 3.0", major,
                   lead[MAGIC_LEN + 1]);
    /* Version 1 has a 2-byte header length, 2 and 3 a 4-byte one. */
    size_t len_bytes = major == 1 ? 2 : 4;
    if (got < MAGIC_LEN + 2 + len_bytes)
        return bad(err, es, "truncated: the header ends early");
    *header_len = little(lead + MAGIC_LEN + 2, (int)len_bytes);
    *start = MAGIC_LEN + 2 + len_bytes;
    if (*header_len == 0 || *header_len > MAX_HEADER)
        return bad(err, es, "the header length (%zu) is implausible", *header_len);
    return 0;
}

/* The file holds exactly the elements announced: a shorter one was cut
 * off, a longer one is not what np.save wrote. */
static int check_length(const lt_npy *info, size_t total, char *err, size_t es)
{
    size_t want = info->count * (size_t)info->size;
    size_t have = total > (size_t)info->data_offset ? total - (size_t)info->data_offset : 0;
    if (have < want)
        return bad(err, es, "truncated: expected %zu bytes of data, found %zu", want, have);
    if (have > want)
        return bad(err, es, "has %zu bytes past the %zu of data its header announces", have - want,
                   want);
    return 0;
}

int lt_npy_open(lt_diag *diag, const char *path, lt_npy *info, FILE **out)
{
    memset(info, 0, sizeof *info);
    *out = NULL;
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return lt_diag_data(diag, LT_EINPUT, path, 0, 0, "is a folder, expected a .npy file");
    FILE *f = fopen(path, "rb");
    if (!f)
        return lt_diag_data(diag, errno == ENOMEM ? LT_ERUNTIME : LT_EINPUT, path, 0, 0,
                          "cannot read: %s", strerror(errno));
    unsigned char lead[MAGIC_LEN + 6];
    size_t got = fread(lead, 1, sizeof lead, f);
    char err[512];
    size_t start = 0, header_len = 0;
    int rc = parse_lead(lead, got, &start, &header_len, err, sizeof err) == 0 ? LT_OK : LT_EINPUT;
    char *header = rc == LT_OK ? malloc(header_len + 1) : NULL;
    if (rc == LT_OK && !header) {
        snprintf(err, sizeof err, "out of memory reading the header");
        rc = LT_ERUNTIME;
    }
    if (rc == LT_OK && (fseek(f, (long)start, SEEK_SET) != 0 || fread(header, 1, header_len, f) != header_len)) {
        snprintf(err, sizeof err, "truncated: the header ends early");
        rc = LT_EINPUT;
    }
    if (rc == LT_OK) {
        header[header_len] = '\0';
        rc = parse_header(header, false, info, err, sizeof err) == 0 ? LT_OK : LT_EINPUT;
    }
    free(header);
    info->data_offset = (long)(start + header_len);
    if (rc == LT_OK && fstat(fileno(f), &st) == 0 &&
        check_length(info, (size_t)st.st_size, err, sizeof err) != 0)
        rc = LT_EINPUT;
    if (rc != LT_OK) {
        fclose(f);
        return lt_diag_data(diag, rc, path, 0, 0, "%s", err);
    }
    *out = f;
    return LT_OK;
}

int lt_npy_parse(const unsigned char *buf, size_t len, lt_npy *info, char *err, size_t err_size)
{
    memset(info, 0, sizeof *info);
    size_t start = 0, header_len = 0;
    if (parse_lead(buf, len, &start, &header_len, err, err_size) != 0)
        return -1;
    if (start + header_len > len)
        return bad(err, err_size, "truncated: the header ends early");
    char *header = malloc(header_len + 1);
    if (!header)
        return bad(err, err_size, "out of memory reading the header");
    memcpy(header, buf + start, header_len);
    header[header_len] = '\0';
    int rc = parse_header(header, true, info, err, err_size);
    free(header);
    info->data_offset = (long)(start + header_len);
    return rc == 0 ? check_length(info, len, err, err_size) : -1;
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

int lt_npy_values(const unsigned char *buf, const lt_npy *info, double *out)
{
    if (info->kind == 'U')
        return -1;
    size_t rows = lt_npy_rows(info), cols = lt_npy_cols(info), size = (size_t)info->size;
    const unsigned char *data = buf + info->data_offset;
    for (size_t k = 0; k < info->count; k++) {
        size_t at = k;
        if (info->fortran_order) {
            /* Element k is row i = k % rows of the file's column c, whose
             * trailing indices run first-fastest (see fortran_column). */
            size_t i = k % rows, c = k / rows, cc = c;
            if (info->ndim == 3)
                cc = (c % info->shape[1]) * info->shape[2] + c / info->shape[1];
            at = i * cols + cc;
        }
        out[at] = element(data + k * size, info);
    }
    return 0;
}

/* Appends code point CP to OUT as UTF-8; returns the bytes written (0 for
 * a value that is no code point). */
static size_t utf8_put(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        if (cp >= 0xD800 && cp < 0xE000)
            return 0;
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    if (cp < 0x110000) {
        out[0] = (char)(0xF0 | cp >> 18);
        out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[3] = (char)(0x80 | (cp & 0x3F));
        return 4;
    }
    return 0;
}

char **lt_npy_strings(const unsigned char *buf, const lt_npy *info)
{
    if (info->kind != 'U' || info->fortran_order)
        return NULL;
    size_t chars = (size_t)info->size / 4;
    char **out = calloc(info->count + 1, sizeof *out);
    for (size_t k = 0; out && k < info->count; k++) {
        const unsigned char *e = buf + info->data_offset + k * (size_t)info->size;
        char *s = malloc(chars * 4 + 1);
        size_t n = 0;
        for (size_t c = 0; s && c < chars; c++) {
            const unsigned char *b = e + 4 * c;
            uint32_t cp = info->big_endian
                              ? (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]
                              : (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
            if (cp == 0)
                break; /* numpy pads short strings with NULs */
            size_t w = utf8_put(cp, s + n);
            if (w == 0) {
                free(s);
                s = NULL;
            }
            n += w;
        }
        if (!s) {
            lt_npy_strings_free(out, k);
            return NULL;
        }
        s[n] = '\0';
        out[k] = s;
    }
    return out;
}

void lt_npy_strings_free(char **s, size_t n)
{
    for (size_t k = 0; s && k < n; k++)
        free(s[k]);
    free(s);
}

/* ---- writing ------------------------------------------------------------------ */

unsigned char *lt_npy_encode(const char *descr, int ndim, const size_t *shape, const void *data,
                             size_t data_bytes, size_t *len)
{
    char header[256];
    int h = snprintf(header, sizeof header, "{'descr': '%s', 'fortran_order': False, 'shape': (",
                     descr);
    for (int d = 0; d < ndim && h > 0 && (size_t)h < sizeof header; d++)
        h += snprintf(header + h, sizeof header - (size_t)h, "%zu,%s", shape[d],
                      d + 1 < ndim ? " " : "");
    if (h > 0 && (size_t)h < sizeof header)
        h += snprintf(header + h, sizeof header - (size_t)h, "), }");
    if (h <= 0 || (size_t)h + 1 >= sizeof header)
        return NULL;
    /* Version 1.0: magic, 1, 0, a 2-byte length, then the header padded
     * with spaces and ended by a newline so the data start at a multiple
     * of 64 bytes, as np.save aligns them. */
    size_t lead = MAGIC_LEN + 4, total_header = (size_t)h + 1;
    size_t padded = (lead + total_header + 63) / 64 * 64 - lead;
    unsigned char *out = malloc(lead + padded + data_bytes + 1);
    if (!out)
        return NULL;
    memcpy(out, MAGIC, MAGIC_LEN);
    out[MAGIC_LEN] = 1;
    out[MAGIC_LEN + 1] = 0;
    out[MAGIC_LEN + 2] = (unsigned char)(padded & 0xFF);
    out[MAGIC_LEN + 3] = (unsigned char)(padded >> 8);
    memcpy(out + lead, header, (size_t)h);
    memset(out + lead + h, ' ', padded - (size_t)h - 1);
    out[lead + padded - 1] = '\n';
    if (data_bytes)
        memcpy(out + lead + padded, data, data_bytes);
    *len = lead + padded + data_bytes;
    return out;
}
