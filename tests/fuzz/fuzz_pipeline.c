/* libFuzzer harness: a pipeline file, from YAML text to a validated pipeline
 * (the loader, the parameter binder, the graph checks and every message). */
#include <stdlib.h>

#include "util/diag.h"
#include "core/pipeline.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = lt_fuzz_file("pipeline.yaml", data, size);
    lt_load_opts opts = {.point = -1};
    lt_diag diag = {0};
    lt_pipeline *p = lt_pipeline_load(path, &opts, &diag);
    /* A pipeline that loads has no problems; one that does not names one. */
    if ((p != NULL) == (diag.n > 0))
        abort();
    if (p) {
        char hash[17];
        lt_pipeline_config_hash(p, hash);
    }
    lt_pipeline_free(p);
    lt_diag_clear(&diag);
    return 0;
}
