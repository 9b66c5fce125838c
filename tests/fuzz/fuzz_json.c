/* libFuzzer harness: the JSON reader that reads cache entries, run.json and
 * `latent diff`'s inputs. Whatever parses must write and parse back again. */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_util.h"
#include "io/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = lt_fuzz_text(data, size);
    lt_json *j = lt_json_parse(text);
    free(text);
    if (!j)
        return 0;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f || lt_json_write_compact(j, f) != 0 || fclose(f) != 0)
        abort();
    lt_json *again = lt_json_parse(buf);
    if (!again)
        abort();
    lt_json_free(again);
    free(buf);
    lt_json_free(j);
    return 0;
}
