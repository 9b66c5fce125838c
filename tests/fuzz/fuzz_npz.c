/* libFuzzer harness: a saved model's .npz archive (libzip, then every
 * member's .npy header and data). */
#include <stdlib.h>

#include "fuzz_util.h"
#include "io/npz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = lt_fuzz_file("model.npz", data, size);
    lt_diag d = {.limit = 1};
    lt_npz *z = lt_npz_read(path, &d);
    /* A read that fails says why, and one that succeeds says nothing. */
    if ((!z) != (lt_diag_count(&d) == 1))
        abort();
    lt_diag_clear(&d);
    if (z)
        lt_npz_find(z, "mean_");
    lt_npz_free(z);
    return 0;
}
