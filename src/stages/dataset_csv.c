/* dataset.csv: a numeric table from a CSV file, with optional labels. */
#include <stdlib.h>
#include <string.h>

#include "io/csv.h"
#include "latent/stage.h"

struct dataset_csv_config {
    char *path;
    bool header;
    char *label_column;
    char *delimiter;
    bool stream;
};

#define CFG struct dataset_csv_config
static const lt_param params[] = {
    LT_PATH(CFG, path, NULL, LT_REQUIRED, "the CSV file, relative to the pipeline file"),
    LT_BOOL(CFG, header, true, "the first line names the columns"),
    LT_STRING(CFG, label_column, "", 0,
              "the column of class labels: a header name, or a 0-based index "
              "(-1 for the last); empty for none"),
    LT_STRING(CFG, delimiter, ",", 0, "the one character between fields"),
    LT_BOOL(CFG, stream, false,
            "check the file whole, then hand the rows on as a stream read in "
            "batches (for pca's incremental solver: memory for a batch, not the "
            "table); other stages read it whole"),
};
#undef CFG

static bool is_integer(const char *s)
{
    char *end;
    strtol(s, &end, 10);
    return end != s && !*end;
}

static int check(lt_ctx *ctx, const void *config)
{
    const struct dataset_csv_config *c = config;
    const char *delim = c->delimiter ? c->delimiter : "";
    if (strlen(delim) != 1 || strchr("\"\r\n", delim[0]))
        return lt_fail(ctx, LT_EINPUT,
                       "delimiter must be one character other than a quote or a "
                       "line break (write \"\\t\" for a tab), got \"%s\"", delim);
    if (!c->header && c->label_column && *c->label_column &&
        !is_integer(c->label_column))
        return lt_fail(ctx, LT_EINPUT,
                       "label_column is '%s' but without a header it must be a "
                       "0-based column index such as 0 or -1", c->label_column);
    return LT_OK;
}

static int run(lt_ctx *ctx, const void *config, const lt_data *const *inputs,
               int n_inputs, lt_data **out)
{
    (void)inputs, (void)n_inputs;
    const struct dataset_csv_config *c = config;
    int rc = check(ctx, config);
    if (rc != LT_OK)
        return rc;
    lt_csv_options opt = {.header = c->header, .label_column = c->label_column,
                          .delimiter = c->delimiter[0]};
    return c->stream ? lt_csv_open_stream(ctx, c->path, &opt, out)
                     : lt_csv_read(ctx, c->path, &opt, out);
}

const lt_stage_def dataset_csv_stage = {
    .abi = LT_ABI_VERSION,
    .name = "dataset.csv",
    .summary = "a numeric table from a CSV file, with an optional label column",
    .params = params,
    .n_params = LT_COUNT(params),
    .config_size = sizeof(struct dataset_csv_config),
    .min_inputs = 0,
    .max_inputs = 0,
    .produces = true,
    .check = check,
    .run = run,
};
