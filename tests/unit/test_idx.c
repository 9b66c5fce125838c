/* The IDX reader on small generated files, gzipped and plain: the values
 * and dimensions it reads, and the exact message of every error. */
#include <CUnit/Basic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/ctx.h"
#include "util/fsutil.h"
#include "idxfile.h"
#include "io/idx.h"
#include "testutil.h"

const char *lt_test_root = ".";

static char dir[64]; /* this run's temporary folder */

/* 3 images of 2 x 4 pixels: pixel k holds 17 k mod 256. */
static const uint32_t dims3[3] = {3, 2, 4};
static unsigned char pixels[24];

static const char *in_dir(const char *name)
{
    static char path[256];
    return idxfile_path(path, sizeof path, dir, name);
}

static void test_reads_gzipped_and_plain(void)
{
    lt_diag sink = {.limit = 1};
    for (int gz = 0; gz < 2; gz++) {
        const char *path = in_dir(gz ? "ok.gz" : "ok");
        CU_ASSERT_EQUAL_FATAL(idxfile_u8(path, gz, 0x08, 3, dims3, pixels, 24), 0);
        lt_ctx *ctx = lt_ctx_new_test();
        lt_idx idx;
        CU_ASSERT_EQUAL_FATAL(lt_ctx_take(ctx, &sink, lt_idx_read_u8(&sink, path, 3, &idx)), LT_OK);
        CU_ASSERT_EQUAL(idx.ndim, 3);
        CU_ASSERT_EQUAL(idx.dims[0], 3);
        CU_ASSERT_EQUAL(idx.dims[1], 2);
        CU_ASSERT_EQUAL(idx.dims[2], 4);
        CU_ASSERT_EQUAL(idx.count, 24);
        CU_ASSERT_EQUAL(memcmp(idx.data, pixels, 24), 0);
        char shape[64];
        CU_ASSERT_STRING_EQUAL(lt_idx_shape(&idx, shape, sizeof shape), "3 x 2 x 4");
        lt_idx_free(&idx);
        CU_ASSERT_PTR_NULL(idx.data);
        lt_ctx_free_test(ctx);
    }
}

static void test_empty_dimension(void)
{
    lt_diag sink = {.limit = 1};
    const char *path = in_dir("none.gz");
    uint32_t dims[1] = {0};
    CU_ASSERT_EQUAL_FATAL(idxfile_u8(path, true, 0x08, 1, dims, NULL, 0), 0);
    lt_ctx *ctx = lt_ctx_new_test();
    lt_idx idx;
    CU_ASSERT_EQUAL(lt_ctx_take(ctx, &sink, lt_idx_read_u8(&sink, path, 1, &idx)), LT_OK);
    CU_ASSERT_EQUAL(idx.count, 0);
    CU_ASSERT_PTR_NULL(idx.data);
    lt_idx_free(&idx);
    lt_ctx_free_test(ctx);
}

/* Reads PATH expecting NDIM dimensions and asserts the error is exactly
 * "PATH: " MESSAGE with code LT_EINPUT and nothing left allocated. */
/* lt_idx_scan_u8's pieces, copied in order into a buffer of CAP bytes;
 * counts the pieces and checks that they follow on from each other. */
struct scanned {
    unsigned char *data;
    size_t cap, item, next, pieces;
};

static int keep_piece(void *arg, size_t first, size_t n, const unsigned char *items)
{
    struct scanned *s = arg;
    CU_ASSERT_EQUAL(first, s->next);
    if ((first + n) * s->item <= s->cap)
        memcpy(s->data + first * s->item, items, n * s->item);
    s->next = first + n;
    s->pieces++;
    return 0;
}

/* Both ways of reading PATH fail with MESSAGE, prefixed with the path. */
static void expect_error(const char *path, int ndim, const char *message)
{
    char expect[512];
    snprintf(expect, sizeof expect, "%s: %s", path, message);
    for (int scan = 0; scan < 2; scan++) {
        lt_diag sink = {.limit = 1};
        lt_ctx *ctx = lt_ctx_new_test();
        lt_idx idx;
        unsigned char buf[64];
        struct scanned s = {.data = buf, .cap = sizeof buf, .item = 8};
        int rc = scan ? lt_idx_scan_u8(&sink, path, ndim, &idx, keep_piece, &s)
                      : lt_idx_read_u8(&sink, path, ndim, &idx);
        CU_ASSERT_EQUAL(lt_ctx_take(ctx, &sink, rc), LT_EINPUT);
        CU_ASSERT_PTR_NULL(idx.data);
        MESSAGE_IS(lt_ctx_error(ctx), expect);
        lt_ctx_free_test(ctx);
    }
}

/* A file of several pieces scans to exactly what reading it whole gives. */
static void test_scan_matches_whole(void)
{
    enum { ITEMS = 3001, SIDE = 28 };
    const uint32_t dims[3] = {ITEMS, SIDE, SIDE};
    size_t bytes = (size_t)ITEMS * SIDE * SIDE;
    unsigned char *want = malloc(bytes), *got = calloc(bytes, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(want);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    for (size_t k = 0; k < bytes; k++)
        want[k] = (unsigned char)(k * 2654435761u >> 13);
    for (int gz = 0; gz < 2; gz++) {
        const char *path = in_dir(gz ? "scan.gz" : "scan");
        CU_ASSERT_EQUAL_FATAL(idxfile_u8(path, gz, 0x08, 3, dims, want, bytes), 0);
        lt_diag sink = {.limit = 1};
        lt_ctx *ctx = lt_ctx_new_test();
        lt_idx header;
        struct scanned s = {.data = got, .cap = bytes, .item = SIDE * SIDE};
        CU_ASSERT_EQUAL(lt_ctx_take(ctx, &sink, lt_idx_scan_u8(&sink, path, 3, &header, keep_piece, &s)),
                        LT_OK);
        CU_ASSERT_EQUAL(header.dims[0], ITEMS);
        CU_ASSERT_EQUAL(header.count, bytes);
        CU_ASSERT_PTR_NULL(header.data);
        CU_ASSERT_EQUAL(s.next, ITEMS);
        CU_ASSERT(s.pieces >= 3); /* 2.4 MB in pieces of about a MiB */
        CU_ASSERT_EQUAL(memcmp(got, want, bytes), 0);
        lt_ctx_free_test(ctx);
        memset(got, 0, bytes);
    }
    free(want);
    free(got);
}

static void test_missing_and_unreadable(void)
{
    expect_error(in_dir("absent.gz"), 3, "cannot open: No such file or directory");
    expect_error(dir, 3, "cannot read: Is a directory");
}

static void test_bad_headers(void)
{
    for (int gz = 0; gz < 2; gz++) {
        const char *path = in_dir(gz ? "bad.gz" : "bad");
        CU_ASSERT_EQUAL_FATAL(idxfile_write(path, gz, "", 0), 0);
        expect_error(path, 3, "is empty; expected an IDX file (magic number 0x00000803)");

        CU_ASSERT_EQUAL_FATAL(idxfile_write(path, gz, "\0\0\x08", 3), 0);
        expect_error(path, 3, "is too short (3 bytes) to be an IDX file");

        CU_ASSERT_EQUAL_FATAL(idxfile_write(path, gz, "PK\x03\x04 zip", 8), 0);
        expect_error(path, 1, "not an IDX file: the magic number is 0x504b0304, "
                              "expected 0x00000801 (unsigned bytes, 1 dimension)");

        CU_ASSERT_EQUAL_FATAL(idxfile_u8(path, gz, 0x0D, 3, dims3, pixels, 24), 0);
        expect_error(path, 3, "the data type is 0x0d (float32), expected 0x08 (unsigned byte)");

        /* A labels file where images were expected. */
        CU_ASSERT_EQUAL_FATAL(idxfile_u8(path, gz, 0x08, 1, dims3, pixels, 3), 0);
        expect_error(path, 3, "holds 1 dimension (magic number 0x00000801), "
                              "expected 3 (0x00000803)");

        CU_ASSERT_EQUAL_FATAL(idxfile_write(path, gz, "\0\0\x08\x03\0\0\0\x03\0\0", 10), 0);
        expect_error(path, 3, "truncated: the header ends after 10 of its 16 bytes");
    }
}

static void test_wrong_sizes(void)
{
    for (int gz = 0; gz < 2; gz++) {
        const char *path = in_dir(gz ? "size.gz" : "size");
        CU_ASSERT_EQUAL_FATAL(idxfile_u8(path, gz, 0x08, 3, dims3, pixels, 20), 0);
        expect_error(path, 3, "truncated: expected 24 bytes of data (3 x 2 x 4), found 20");

        unsigned char more[25];
        memcpy(more, pixels, 24);
        more[24] = 7;
        CU_ASSERT_EQUAL_FATAL(idxfile_u8(path, gz, 0x08, 3, dims3, more, 25), 0);
        expect_error(path, 3, "has data past the 24 bytes its header announces (3 x 2 x 4)");

        /* A header that announces terabytes fails as truncated, without
         * trying to allocate them first. */
        uint32_t huge[3] = {4000000000u, 28, 28};
        CU_ASSERT_EQUAL_FATAL(idxfile_u8(path, gz, 0x08, 3, huge, pixels, 24), 0);
        expect_error(path, 3, "truncated: expected 3136000000000 bytes of data "
                              "(4000000000 x 28 x 28), found 24");
    }
}

/* A gzip file cut short, and one whose checksum does not match. */
/* Reading every item of PATH (40 x 100) as a stream fails with MESSAGE:
 * when the last item is read, or at once when zlib's buffer already
 * reached the trailer (a small file). */
static void expect_stream_error(const char *path, const char *message)
{
    lt_diag sink = {.limit = 1};
    lt_ctx *ctx = lt_ctx_new_test();
    lt_idx header;
    lt_idx_reader *r = NULL;
    char err[512] = "", want[1024];
    snprintf(want, sizeof want, "%s: %s", path, message);
    if (lt_ctx_take(ctx, &sink, lt_idx_open_u8(&sink, path, 2, &header, &r)) != LT_OK) {
        MESSAGE_IS(lt_ctx_error(ctx), want);
    } else {
        unsigned char items[4000];
        CU_ASSERT_EQUAL(lt_idx_read_items(r, 0, 39, items, err, sizeof err), 0);
        CU_ASSERT_EQUAL(lt_idx_read_items(r, 39, 1, items, err, sizeof err), -1);
        MESSAGE_IS(err, want);
    }
    lt_idx_close(&r);
    lt_ctx_free_test(ctx);
}

static void test_damaged_gzip(void)
{
    lt_diag sink = {.limit = 1};
    const char *path = in_dir("damaged.gz");
    unsigned char big[4000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (unsigned char)(i * 7919 % 251);
    uint32_t dims[2] = {40, 100};
    CU_ASSERT_EQUAL_FATAL(idxfile_u8(path, true, 0x08, 2, dims, big, sizeof big), 0);
    size_t len = 0;
    char *gz = lt_read_file(path, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(gz);
    CU_ASSERT_FATAL(len > 200);

    CU_ASSERT_EQUAL_FATAL(idxfile_write(path, false, gz, len / 2), 0);
    lt_ctx *ctx = lt_ctx_new_test();
    lt_idx idx;
    CU_ASSERT_EQUAL(lt_ctx_take(ctx, &sink, lt_idx_read_u8(&sink, path, 2, &idx)), LT_EINPUT);
    CU_ASSERT_PTR_NOT_NULL_FATAL(lt_ctx_error(ctx));
    char prefix[512];
    snprintf(prefix, sizeof prefix,
             "%s: truncated: expected 4000 bytes of data (40 x 100), found ", path);
    CU_ASSERT_EQUAL(strncmp(lt_ctx_error(ctx), prefix, strlen(prefix)), 0);
    lt_ctx_free_test(ctx);

    /* The trailer missing, or its length cut off: what gzip -t refuses. */
    static const char missing[] = "truncated: the gzip trailer (CRC-32 and length) is missing or "
                                  "cut short, so the data cannot be verified (gzip -t fails too)";
    CU_ASSERT_EQUAL_FATAL(idxfile_write(path, false, gz, len - 8), 0);
    expect_error(path, 2, missing);
    expect_stream_error(path, missing);
    CU_ASSERT_EQUAL_FATAL(idxfile_write(path, false, gz, len - 3), 0);
    expect_error(path, 2, missing);
    expect_stream_error(path, missing);

    gz[len - 2] ^= 0x01; /* in the length (ISIZE) of the gzip trailer */
    CU_ASSERT_EQUAL_FATAL(idxfile_write(path, false, gz, len), 0);
    expect_error(path, 2, "corrupt gzip data: incorrect length check");
    expect_stream_error(path, "corrupt gzip data: incorrect length check");
    gz[len - 2] ^= 0x01;

    gz[len - 6] ^= 0x55; /* in the CRC-32 of the gzip trailer */
    CU_ASSERT_EQUAL_FATAL(idxfile_write(path, false, gz, len), 0);
    expect_error(path, 2, "corrupt gzip data: incorrect data check");
    expect_stream_error(path, "corrupt gzip data: incorrect data check");
    free(gz);
}

/* A stream finds a missing trailer only when it reads the last item: a
 * file larger than zlib's buffer, of bytes that do not compress. */
static void test_stream_trailer(void)
{
    lt_diag sink = {.limit = 1};
    const char *path = in_dir("big.gz");
    enum { ITEMS = 40, ITEM = 30000 };
    unsigned char *big = malloc((size_t)ITEMS * ITEM), *items = malloc((size_t)ITEMS * ITEM);
    CU_ASSERT_FATAL(big && items);
    uint32_t state = 1;
    for (size_t i = 0; i < (size_t)ITEMS * ITEM; i++) {
        state = state * 1664525u + 1013904223u;
        big[i] = (unsigned char)(state >> 24);
    }
    uint32_t dims[2] = {ITEMS, ITEM};
    CU_ASSERT_EQUAL_FATAL(idxfile_u8(path, true, 0x08, 2, dims, big, (size_t)ITEMS * ITEM), 0);
    size_t len = 0;
    char *gz = lt_read_file(path, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(gz);
    CU_ASSERT_EQUAL_FATAL(idxfile_write(path, false, gz, len - 8), 0);
    lt_ctx *ctx = lt_ctx_new_test();
    lt_idx header;
    lt_idx_reader *r = NULL;
    CU_ASSERT_EQUAL_FATAL(lt_ctx_take(ctx, &sink, lt_idx_open_u8(&sink, path, 2, &header, &r)), LT_OK);
    char err[512] = "", want[1024];
    CU_ASSERT_EQUAL(lt_idx_read_items(r, 0, ITEMS - 1, items, err, sizeof err), 0);
    CU_ASSERT_EQUAL(lt_idx_read_items(r, ITEMS - 1, 1, items, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s: truncated: the gzip trailer (CRC-32 and length) is missing or "
             "cut short, so the data cannot be verified (gzip -t fails too)", path);
    MESSAGE_IS(err, want);
    /* Whole, it reads; and its last item verifies the trailer. */
    lt_idx_close(&r);
    CU_ASSERT_EQUAL_FATAL(idxfile_write(path, false, gz, len), 0);
    CU_ASSERT_EQUAL_FATAL(lt_ctx_take(ctx, &sink, lt_idx_open_u8(&sink, path, 2, &header, &r)), LT_OK);
    CU_ASSERT_EQUAL(lt_idx_read_items(r, 0, ITEMS, items, err, sizeof err), 0);
    CU_ASSERT_EQUAL(memcmp(items, big, (size_t)ITEMS * ITEM), 0);
    lt_idx_close(&r);
    lt_ctx_free_test(ctx);
    free(gz);
    free(big);
    free(items);
}

static int setup(void)
{
    for (size_t k = 0; k < sizeof pixels; k++)
        pixels[k] = (unsigned char)(17 * k % 256);
    snprintf(dir, sizeof dir, "/tmp/latent-idx-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int cleanup(void) { return lt_remove_tree(dir); }

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("idx", setup, cleanup);
    CU_add_test(s, "gzipped and plain files", test_reads_gzipped_and_plain);
    CU_add_test(s, "a zero dimension", test_empty_dimension);
    CU_add_test(s, "missing file, folder", test_missing_and_unreadable);
    CU_add_test(s, "bad headers", test_bad_headers);
    CU_add_test(s, "data shorter or longer than announced", test_wrong_sizes);
    CU_add_test(s, "damaged gzip", test_damaged_gzip);
    CU_add_test(s, "a stream verifies the gzip trailer", test_stream_trailer);
    CU_add_test(s, "a scan in pieces gives the whole file", test_scan_matches_whole);
    return lt_test_run();
}
