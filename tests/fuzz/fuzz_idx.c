/* libFuzzer harness: IDX files, plain or gzip-compressed, read whole and
 * streamed item by item. The first byte picks the dimensions asked for. */
#include <stdlib.h>

#include "core/ctx.h"
#include "fuzz_util.h"
#include "io/idx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lt_diag sink = {.limit = 1};
    if (size < 1)
        return 0;
    int ndim = 1 + data[0] % LT_IDX_MAX_DIMS;
    const char *path = lt_fuzz_file("x-idx-ubyte.gz", data + 1, size - 1);
    lt_ctx *ctx = lt_ctx_new_test();
    if (!ctx)
        abort();
    lt_idx whole;
    if (lt_ctx_take(ctx, &sink, lt_idx_read_u8(&sink, path, ndim, &whole)) == LT_OK)
        lt_idx_free(&whole);
    lt_ctx_free_test(ctx);

    ctx = lt_ctx_new_test();
    if (!ctx)
        abort();
    lt_idx header;
    lt_idx_reader *r = NULL;
    if (lt_ctx_take(ctx, &sink, lt_idx_open_u8(&sink, path, ndim, &header, &r)) == LT_OK) {
        /* The header's item size is the file's claim, not yet checked against
         * its data: a real stage reads a batch of items, so cap it as the
         * batch's buffer would be capped by memory. */
        size_t item = header.dims[0] ? header.count / header.dims[0] : 0;
        unsigned char *buf = item && item <= (1u << 20) ? malloc(item) : NULL;
        char err[256];
        for (size_t i = 0; i < header.dims[0] && buf; i++)
            if (lt_idx_read_items(r, i, 1, buf, err, sizeof err) != 0)
                break;
        free(buf);
        lt_idx_close(&r);
    }
    lt_ctx_free_test(ctx);
    return 0;
}
