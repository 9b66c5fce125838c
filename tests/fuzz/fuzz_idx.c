/* libFuzzer harness: IDX files, plain or gzip-compressed, read whole and
 * streamed item by item. The first byte picks the dimensions asked for. */
#include <stdlib.h>

#include "fuzz_util.h"
#include "io/idx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int ndim = 1 + data[0] % LT_IDX_MAX_DIMS;
    const char *path = lt_fuzz_file("x-idx-ubyte.gz", data + 1, size - 1);
    /* A failed read says why, and a good one says nothing. */
    lt_diag sink = {0};
    lt_idx whole;
    int rc = lt_idx_read_u8(&sink, path, ndim, &whole);
    if ((rc == LT_OK) != (lt_diag_count(&sink) == 0))
        abort();
    if (rc == LT_OK)
        lt_idx_free(&whole);
    lt_diag_clear(&sink);

    lt_idx header;
    lt_idx_reader *r = NULL;
    rc = lt_idx_open_u8(&sink, path, ndim, &header, &r);
    if ((rc == LT_OK) != (lt_diag_count(&sink) == 0))
        abort();
    lt_diag_clear(&sink);
    if (rc == LT_OK) {
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
    return 0;
}
