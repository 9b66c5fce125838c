/* libFuzzer harness: a .npy file, header and every row. */
#include <stdlib.h>

#include "fuzz_util.h"
#include "io/npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = lt_fuzz_file("x.npy", data, size);
    lt_diag sink = {0};
    lt_npy info;
    FILE *f = NULL;
    int rc = lt_npy_open(&sink, path, &info, &f);
    /* A failed open says why, and a good one says nothing. */
    if ((rc == LT_OK) != (lt_diag_count(&sink) == 0))
        abort();
    lt_diag_clear(&sink);
    if (rc == LT_OK) {
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
    return 0;
}
