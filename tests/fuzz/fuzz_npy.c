/* libFuzzer harness: a .npy file, header and every row. */
#include <stdlib.h>

#include "core/ctx.h"
#include "fuzz_util.h"
#include "io/npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lt_diag sink = {.limit = 1};
    const char *path = lt_fuzz_file("x.npy", data, size);
    lt_ctx *ctx = lt_ctx_new_test();
    if (!ctx)
        abort();
    lt_npy info;
    FILE *f = NULL;
    if (lt_ctx_take(ctx, &sink, lt_npy_open(&sink, path, &info, &f)) == LT_OK) {
        /* The header was checked against the file's size, so the rows fit. */
        size_t rows = lt_npy_rows(&info), cols = lt_npy_cols(&info);
        double *row = cols ? malloc(cols * sizeof *row) : NULL;
        char err[256];
        /* Rows of no columns cost nothing to store, so a header may claim
         * billions of them: reading the first few thousand covers the reader
         * (found by fuzzing as a timeout of this loop, not of latent). */
        for (size_t i = 0; i < rows && i < 4096 && (row || !cols); i++)
            if (lt_npy_read_rows(f, path, &info, i, 1, row, err, sizeof err) != 0)
                break;
        free(row);
        fclose(f);
    }
    lt_ctx_free_test(ctx);
    return 0;
}
