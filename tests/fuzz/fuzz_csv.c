/* libFuzzer harness: the CSV reader with its options. The first two bytes
 * choose the options, the rest is the table. */
#include <stdlib.h>

#include "fuzz_util.h"
#include "io/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    static const char *const labels[] = {NULL, "0", "-1", "label", "class", "1"};
    static const char delimiters[] = {',', ';', '\t', ' ', 0, 0, ',', ';'};
    static const char *const picks[] = {"0", "x", "-1", "label"};
    lt_csv_options opt = {
        .header = data[0] & 1,
        .label_column = labels[(data[0] >> 1) % 6],
        .delimiter = delimiters[(data[0] >> 4) & 7],
        .skip_lines = data[1] % 3,
        .decimal = data[1] & 4 ? ',' : '.',
        .comment = data[1] & 8 ? '#' : 0,
        .missing = (enum lt_csv_missing)((data[1] >> 4) % 3),
        .ignore = picks + (data[1] >> 6),
        .n_ignore = data[0] >> 7,
        .no_default_na = data[1] & 2,
    };
    lt_diag sink = {0};
    lt_data *out = NULL;
    int rc = lt_csv_parse(&sink, "fuzz.csv", (const char *)data + 2, size - 2, &opt, &out, NULL);
    /* A table, or exactly one problem saying why not. */
    if ((rc == LT_OK) != (out != NULL) || (rc == LT_OK) != (lt_diag_count(&sink) == 0))
        abort();
    lt_data_free(&out);
    lt_diag_clear(&sink);
    return 0;
}
