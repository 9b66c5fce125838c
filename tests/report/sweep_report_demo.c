/* Writes a sweep report from a summary file, for the browser test.
 * usage: sweep_report_demo SUMMARY.json OUT.html [PLOT.png]...
 * SUMMARY.json holds {"params": [names], "rows": [objects]}. */
#include <stdio.h>
#include <stdlib.h>

#include "util/fsutil.h"
#include "core/report.h"

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: sweep_report_demo SUMMARY.json OUT.html [PLOT.png]...\n");
        return 2;
    }
    char *text = lt_read_file(argv[1], NULL);
    lt_json *summary = text ? lt_json_parse(text) : NULL;
    free(text);
    if (!summary) {
        fprintf(stderr, "%s: cannot read or parse\n", argv[1]);
        return 2;
    }
    const lt_json *names = lt_json_get(summary, "params");
    const char *params[16] = {0};
    for (size_t i = 0; i < lt_json_size(names) && i < 15; i++)
        params[i] = lt_json_string(lt_json_at(names, i));
    lt_sweep_report report = {
        .title = "sweep-demo",
        .description = "A hand-made summary: PCA components x logistic-regression C.",
        .rows = lt_json_get(summary, "rows"),
        .params = params,
        .link_column = "point",
        .plots = (const char *const *)(argv + 3), /* argv ends with NULL */
    };
    int rc = lt_report_sweep_write(argv[2], &report);
    if (rc != 0)
        perror(argv[2]);
    lt_json_free(summary);
    return rc == 0 ? 0 : 1;
}
