#include "io/idx.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define TYPE_U8 0x08

/* The data buffer starts at this size (or the announced size, if smaller)
 * and doubles as bytes arrive, so a header that announces terabytes fails
 * as a truncated file instead of as a huge allocation. Fashion-MNIST's
 * largest file (47 MB) fits the first buffer: no copies. */
#define FIRST_BUFFER ((size_t)64 << 20)

/* zlib's own buffer: larger than its 8 KiB default cuts the read calls. */
#define GZ_BUFFER (256u << 10)

/* lt_idx_scan_u8's piece: whole items of about this many bytes. */
#define SCAN_BYTES ((size_t)1 << 20)

static const char *type_name(int type)
{
    switch (type) {
    case 0x08: return "unsigned byte";
    case 0x09: return "signed byte";
    case 0x0B: return "int16";
    case 0x0C: return "int32";
    case 0x0D: return "float32";
    case 0x0E: return "float64";
    default: return "not an IDX type";
    }
}

const char *lt_idx_shape(const lt_idx *idx, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < idx->ndim && len < size; i++)
        len += (size_t)snprintf(buf + len, size - len, "%s%zu", i ? " x " : "",
                                idx->dims[i]);
    return buf;
}

void lt_idx_free(lt_idx *idx)
{
    free(idx->data);
    memset(idx, 0, sizeof *idx);
}

/* Reads up to N bytes into BUF: fewer only at the end of the data or on
 * an error, which gz_failed() then tells apart. */
static size_t read_up_to(gzFile f, unsigned char *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        size_t want = n - got < (1u << 30) ? n - got : (1u << 30);
        int r = gzread(f, buf + got, (unsigned)want);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    return got;
}

/* Records a read or decompression error, if there was one, and returns
 * its code; LT_OK when the stream simply ended. A gzip stream that ends
 * early (Z_BUF_ERROR) is left to the caller's "truncated" message. */
static int gz_failed(lt_diag *diag, const char *path, gzFile f)
{
    int errnum;
    const char *msg = gzerror(f, &errnum);
    if (errnum == Z_OK || errnum == Z_BUF_ERROR)
        return LT_OK;
    if (errnum == Z_ERRNO)
        return lt_diag_data(diag, LT_EINPUT, path, 0, 0, "cannot read: %s", strerror(errno));
    if (errnum == Z_MEM_ERROR)
        return lt_diag_data(diag, LT_ERUNTIME, path, 0, 0, "out of memory decompressing");
    /* zlib prefixes its message with the path, which ours already has. */
    size_t len = strlen(path);
    if (strncmp(msg, path, len) == 0 && strncmp(msg + len, ": ", 2) == 0)
        msg += len + 2;
    return lt_diag_data(diag, LT_EINPUT, path, 0, 0, "corrupt gzip data: %s", msg);
}

/* After reading past the data: true when a gzip stream ended without its
 * 8-byte trailer (CRC-32 and length), which zlib reports as an early end
 * (Z_BUF_ERROR) rather than as an error. `gzip -t` refuses such a file. */
static bool trailer_missing(gzFile f)
{
    int errnum;
    gzerror(f, &errnum);
    return !gzdirect(f) && errnum == Z_BUF_ERROR;
}

#define TRAILER_MISSING                                                         \
    "truncated: the gzip trailer (CRC-32 and length) is missing or cut short, so the "   \
    "data cannot be verified (gzip -t fails too)"

/* Reads and checks the magic number and the dimensions. */
static int read_header(lt_diag *diag, const char *path, gzFile f, int ndim, lt_idx *out)
{
    unsigned char magic[4];
    size_t got = read_up_to(f, magic, 4);
    int rc = gz_failed(diag, path, f);
    if (rc != LT_OK)
        return rc;
    unsigned expect = (unsigned)TYPE_U8 << 8 | (unsigned)ndim;
    if (got == 0)
        return lt_diag_data(diag, LT_EINPUT, path, 0, 0,
                          "is empty; expected an IDX file (magic number 0x%08x)", expect);
    if (got < 4)
        return lt_diag_data(diag, LT_EINPUT, path, 0, 0,
                          "is too short (%zu bytes) to be an IDX file", got);
    unsigned found = (unsigned)magic[0] << 24 | (unsigned)magic[1] << 16 |
                     (unsigned)magic[2] << 8 | magic[3];
    if (magic[0] != 0 || magic[1] != 0)
        return lt_diag_data(diag, LT_EINPUT, path, 0, 0,
                          "not an IDX file: the magic number is 0x%08x, expected "
                          "0x%08x (unsigned bytes, %d dimension%s)",
                          found, expect, ndim, ndim == 1 ? "" : "s");
    if (magic[2] != TYPE_U8)
        return lt_diag_data(diag, LT_EINPUT, path, 0, 0,
                          "the data type is 0x%02x (%s), expected 0x08 (unsigned byte)",
                          magic[2], type_name(magic[2]));
    if (magic[3] != ndim)
        return lt_diag_data(diag, LT_EINPUT, path, 0, 0,
                          "holds %d dimension%s (magic number 0x%08x), expected %d (0x%08x)",
                          magic[3], magic[3] == 1 ? "" : "s", found, ndim, expect);

    unsigned char raw[4 * LT_IDX_MAX_DIMS];
    size_t need = 4 * (size_t)ndim;
    got = read_up_to(f, raw, need);
    if ((rc = gz_failed(diag, path, f)) != LT_OK)
        return rc;
    if (got < need)
        return lt_diag_data(diag, LT_EINPUT, path, 0, 0,
                          "truncated: the header ends after %zu of its %zu bytes",
                          4 + got, 4 + need);
    out->ndim = ndim;
    out->count = 1;
    for (int i = 0; i < ndim; i++) {
        const unsigned char *b = raw + 4 * i;
        out->dims[i] = (size_t)b[0] << 24 | (size_t)b[1] << 16 | (size_t)b[2] << 8 | b[3];
        if (out->dims[i] && out->count > SIZE_MAX / out->dims[i]) {
            char shape[128];
            return lt_diag_data(diag, LT_EINPUT, path, 0, 0, "dimensions %s are too large",
                              lt_idx_shape(out, shape, sizeof shape));
        }
        out->count *= out->dims[i];
    }
    return LT_OK;
}

/* After the COUNT bytes the header announced (GOT of them read): the
 * errors of a short file, a file with more, or a gzip stream without its
 * trailer. */
static int check_end(lt_diag *diag, const char *path, gzFile f, const lt_idx *header, size_t got)
{
    int rc = gz_failed(diag, path, f);
    if (rc != LT_OK)
        return rc;
    char shape[128];
    lt_idx_shape(header, shape, sizeof shape);
    if (got < header->count)
        return lt_diag_data(diag, LT_EINPUT, path, 0, 0,
                          "truncated: expected %zu bytes of data (%s), found %zu",
                          header->count, shape, got);
    unsigned char extra;
    size_t more = read_up_to(f, &extra, 1);
    if ((rc = gz_failed(diag, path, f)) != LT_OK)
        return rc;
    if (trailer_missing(f))
        return lt_diag_data(diag, LT_EINPUT, path, 0, 0, "%s", TRAILER_MISSING);
    if (more)
        return lt_diag_data(diag, LT_EINPUT, path, 0, 0,
                          "has data past the %zu bytes its header announces (%s)",
                          header->count, shape);
    return LT_OK;
}

/* Reads the count bytes the header announced, then checks nothing follows. */
static int read_data(lt_diag *diag, const char *path, gzFile f, lt_idx *out)
{
    size_t cap = 0, got = 0;
    while (got < out->count) {
        if (got == cap) {
            size_t next = cap ? 2 * cap : FIRST_BUFFER;
            if (next > out->count || next < cap)
                next = out->count;
            unsigned char *grown = realloc(out->data, next);
            if (!grown)
                return lt_diag_data(diag, LT_ERUNTIME, path, 0, 0,
                                  "out of memory reading %zu bytes", out->count);
            out->data = grown;
            cap = next;
        }
        size_t r = read_up_to(f, out->data + got, cap - got);
        got += r;
        if (got < cap)
            break;
    }
    return check_end(diag, path, f, out, got);
}

/* Opens PATH and reads its header (NDIM dimensions of unsigned bytes) into
 * *header; on success *f is the file, positioned at the first item. */
static int open_header(lt_diag *diag, const char *path, int ndim, lt_idx *header, gzFile *f)
{
    memset(header, 0, sizeof *header);
    *f = NULL;
    if (ndim < 1 || ndim > LT_IDX_MAX_DIMS)
        return lt_diag_data(diag, LT_ERUNTIME, path, 0, 0,
                          "cannot read IDX data of %d dimensions (at most %d)", ndim,
                          LT_IDX_MAX_DIMS);
    errno = 0;
    gzFile g = gzopen(path, "rb");
    if (!g)
        return errno ? lt_diag_data(diag, LT_EINPUT, path, 0, 0, "cannot open: %s",
                                  strerror(errno))
                     : lt_diag_data(diag, LT_ERUNTIME, path, 0, 0, "out of memory opening");
    gzbuffer(g, GZ_BUFFER);
    int rc = read_header(diag, path, g, ndim, header);
    if (rc != LT_OK) {
        gzclose(g);
        return rc;
    }
    *f = g;
    return LT_OK;
}

int lt_idx_read_u8(lt_diag *diag, const char *path, int ndim, lt_idx *out)
{
    gzFile f;
    int rc = open_header(diag, path, ndim, out, &f);
    if (rc != LT_OK)
        return rc;
    rc = read_data(diag, path, f, out);
    gzclose(f);
    if (rc != LT_OK)
        lt_idx_free(out);
    return rc;
}

int lt_idx_scan_u8(lt_diag *diag, const char *path, int ndim, lt_idx *header,
                   lt_idx_items_fn each, void *arg)
{
    gzFile f;
    int rc = open_header(diag, path, ndim, header, &f);
    if (rc != LT_OK)
        return rc;
    size_t item = header->dims[0] ? header->count / header->dims[0] : 0;
    size_t per = item && SCAN_BYTES / item ? SCAN_BYTES / item : 1;
    unsigned char *buf = item ? malloc(per * item) : NULL;
    size_t got = 0;
    if (item && !buf)
        rc = lt_diag_data(diag, LT_ERUNTIME, path, 0, 0, "out of memory reading %zu bytes",
                          per * item);
    /* Whole pieces of items; a short last piece is the truncation that
     * check_end reports, so its items are not handed on. */
    for (size_t first = 0; rc == LT_OK && first < header->dims[0]; first += per) {
        size_t n = header->dims[0] - first < per ? header->dims[0] - first : per;
        size_t r = read_up_to(f, buf, n * item);
        got += r;
        if (r < n * item)
            break;
        if (each(arg, first, n, buf) != 0)
            rc = lt_diag_data(diag, LT_ERUNTIME, path, 0, 0, "out of memory");
    }
    if (rc == LT_OK)
        rc = check_end(diag, path, f, header, got);
    free(buf);
    gzclose(f);
    return rc;
}

struct lt_idx_reader {
    gzFile f;
    char *path;
    size_t item;   /* bytes per item */
    size_t items;  /* dims[0] */
    size_t header; /* bytes before the first item */
    size_t next;   /* the item the file position is at */
};

int lt_idx_open_u8(lt_diag *diag, const char *path, int ndim, lt_idx *header,
                   lt_idx_reader **out)
{
    *out = NULL;
    gzFile f;
    int rc = open_header(diag, path, ndim, header, &f);
    if (rc != LT_OK)
        return rc;
    lt_idx_reader *r = calloc(1, sizeof *r);
    if (!r || !(r->path = strdup(path))) {
        free(r);
        gzclose(f);
        return lt_diag_data(diag, LT_ERUNTIME, path, 0, 0, "out of memory opening");
    }
    r->f = f;
    r->items = header->dims[0];
    r->item = header->dims[0] ? header->count / header->dims[0] : 0;
    r->header = 4 + 4 * (size_t)ndim;
    *out = r;
    return LT_OK;
}

int lt_idx_read_items(lt_idx_reader *r, size_t first, size_t n, unsigned char *out,
                      char *err, size_t err_size)
{
    if (first + n > r->items) {
        snprintf(err, err_size, "%s: items %zu to %zu asked of %zu", r->path, first,
                 first + n, r->items);
        return -1;
    }
    if (first != r->next) {
        z_off_t to = (z_off_t)(r->header + first * r->item);
        if (gzseek(r->f, to, SEEK_SET) != to) {
            snprintf(err, err_size, "%s: cannot seek to item %zu", r->path, first);
            return -1;
        }
    }
    size_t want = n * r->item, got = read_up_to(r->f, out, want);
    r->next = first + got / (r->item ? r->item : 1);
    if (got < want) {
        int errnum;
        const char *msg = gzerror(r->f, &errnum);
        if (errnum != Z_OK && errnum != Z_BUF_ERROR)
            snprintf(err, err_size, "%s: cannot read: %s", r->path,
                     errnum == Z_ERRNO ? strerror(errno) : msg);
        else
            snprintf(err, err_size,
                     "%s: truncated: item %zu of the %zu its header announces is missing",
                     r->path, first + got / (r->item ? r->item : 1), r->items);
        r->next = (size_t)-1; /* the position is unknown: seek next time */
        return -1;
    }
    /* The last item: the gzip trailer that follows must check out too. */
    if (r->next == r->items) {
        unsigned char extra;
        size_t more = read_up_to(r->f, &extra, 1);
        int errnum;
        const char *msg = gzerror(r->f, &errnum);
        r->next = (size_t)-1;
        if (errnum != Z_OK && errnum != Z_BUF_ERROR) {
            snprintf(err, err_size, "%s: corrupt gzip data: %s", r->path, msg);
            return -1;
        }
        if (trailer_missing(r->f)) {
            snprintf(err, err_size, "%s: %s", r->path, TRAILER_MISSING);
            return -1;
        }
        if (more) {
            snprintf(err, err_size, "%s: has data past the %zu items its header announces", r->path,
                     r->items);
            return -1;
        }
    }
    return 0;
}

void lt_idx_close(lt_idx_reader **r)
{
    if (!r || !*r)
        return;
    gzclose((*r)->f);
    free((*r)->path);
    free(*r);
    *r = NULL;
}
