/* dataset.csv: a numeric table from a CSV file as people have them (see
 * io/csv.h), with optional labels; options named as pandas.read_csv's. */
#include <stdlib.h>
#include <string.h>

#include "io/csv.h"
#include "core/ctx.h"
#include "latent/stage.h"

struct dataset_csv_config {
    char *path;
    bool header;
    lt_strings columns;
    lt_strings ignore;
    char *label_column;
    char *delimiter;
    int decimal;
    char *comment;
    lt_strings na_values;
    bool keep_default_na;
    int missing;
    bool stream;
};

static const char *const decimals[] = {".", ",", NULL};
static const char *const missing_modes[] = {"error", "drop", "keep", NULL};

#define CFG struct dataset_csv_config
static const lt_param params[] = {
    LT_PATH(CFG, path, NULL, LT_REQUIRED, "the CSV file, relative to the pipeline file"),
    LT_BOOL(CFG, header, true, "the first line names the columns"),
    LT_STRINGS(CFG, columns, 0,
               "the columns to keep (pandas' usecols), by header name or 0-based index "
               "(-1 for the last), in file order; empty: all"),
    LT_STRINGS(CFG, ignore, 0, "columns to drop, by header name or 0-based index"),
    LT_STRING(CFG, label_column, "", 0,
              "the column of class labels: a header name, or a 0-based index "
              "(-1 for the last); text labels become classes in np.unique order; "
              "empty for none"),
    LT_STRING(CFG, delimiter, "auto", 0,
              "auto: sniffed from the first lines (',', ';', tab, else whitespace); or "
              "the one character between fields (\"\\t\" for a tab), or whitespace for "
              "runs of spaces and tabs"),
    LT_CHOICE(CFG, decimal, ".", decimals, "the decimal mark of numbers"),
    LT_STRING(CFG, comment, "", 0,
              "one character that comments out the rest of its line, as pandas' comment "
              "(a line starting with it is skipped); empty for none"),
    LT_STRINGS(CFG, na_values, 0,
               "texts that mean missing, added to pandas' default set (empty, NA, N/A, "
               "NaN, nan, null, NULL, <NA>, #N/A, ...)"),
    LT_BOOL(CFG, keep_default_na, true,
            "pandas' default missing texts count too; false: only na_values"),
    LT_CHOICE(CFG, missing, "error", missing_modes,
              "a missing value is an error; drop: its row is dropped (metric "
              "rows_dropped); keep: it is NaN, for an impute stage to fill (metric "
              "missing_values; every other stage refuses NaN)"),
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

/* The delimiter option as the reader takes it: 0 for auto. */
static char delimiter(const struct dataset_csv_config *c)
{
    if (strcmp(c->delimiter, "auto") == 0)
        return 0;
    if (strcmp(c->delimiter, "whitespace") == 0)
        return LT_CSV_WHITESPACE;
    return c->delimiter[0];
}

static int check_picks(lt_ctx *ctx, const char *what, const lt_strings *l, bool header)
{
    for (size_t i = 0; !header && i < l->n; i++)
        if (!is_integer(l->v[i]))
            return lt_fail(ctx, LT_EINPUT,
                           "%s: '%s' must be a 0-based column index such as 0 or -1, as the "
                           "file has no header (header: false)", what, l->v[i]);
    return LT_OK;
}

static int check(lt_ctx *ctx, const void *config)
{
    const struct dataset_csv_config *c = config;
    const char *delim = c->delimiter ? c->delimiter : "";
    if (strcmp(delim, "auto") != 0 && strcmp(delim, "whitespace") != 0 &&
        (strlen(delim) != 1 || strchr("\"\r\n", delim[0])))
        return lt_fail(ctx, LT_EINPUT,
                       "delimiter must be auto, whitespace or one character other than a "
                       "quote or a line break (write \"\\t\" for a tab), got \"%s\"", delim);
    if (strcmp(delim, ",") == 0 && c->decimal == 1)
        return lt_fail(ctx, LT_EINPUT,
                       "delimiter and decimal are both ','; a file with decimal commas "
                       "separates fields with another character, often ';'");
    const char *comment = c->comment ? c->comment : "";
    if (strlen(comment) > 1 || (*comment && strchr("\"\r\n", *comment)) ||
        (*comment && strlen(delim) == 1 && *comment == *delim))
        return lt_fail(ctx, LT_EINPUT,
                       "comment must be empty or one character other than a quote, a line "
                       "break or the delimiter, got \"%s\"", comment);
    if (!c->header && c->label_column && *c->label_column &&
        !is_integer(c->label_column))
        return lt_fail(ctx, LT_EINPUT,
                       "label_column is '%s' but without a header it must be a "
                       "0-based column index such as 0 or -1", c->label_column);
    int rc = check_picks(ctx, "columns", &c->columns, c->header);
    return rc == LT_OK ? check_picks(ctx, "ignore", &c->ignore, c->header) : rc;
}

static lt_csv_options options(const struct dataset_csv_config *c)
{
    return (lt_csv_options){
        .header = c->header,
        .label_column = c->label_column,
        .delimiter = delimiter(c),
        .decimal = c->decimal == 1 ? ',' : '.',
        .comment = c->comment ? c->comment[0] : 0,
        .columns = (const char *const *)c->columns.v,
        .n_columns = c->columns.n,
        .ignore = (const char *const *)c->ignore.v,
        .n_ignore = c->ignore.n,
        .na_values = (const char *const *)c->na_values.v,
        .n_na_values = c->na_values.n,
        .no_default_na = !c->keep_default_na,
        .missing = (enum lt_csv_missing)c->missing,
    };
}

/* What `latent validate` checks: the file, its delimiter and its header. */
static int csv_probe(lt_ctx *ctx, const void *config)
{
    lt_diag sink = {.limit = 1}; /* what the reader reports, for lt_ctx_take */
    const struct dataset_csv_config *c = config;
    lt_csv_options opt = options(c);
    return lt_ctx_take(ctx, &sink, lt_csv_probe(&sink, c->path, &opt));
}

static int run(lt_ctx *ctx, const void *config, const lt_value *inputs,
               int n_inputs, lt_value *outputs)
{
    lt_diag sink = {.limit = 1}; /* what the reader reports, for lt_ctx_take */
    (void)inputs, (void)n_inputs;
    const struct dataset_csv_config *c = config;
    int rc = check(ctx, config);
    if (rc != LT_OK)
        return rc;
    lt_csv_options opt = options(c);
    lt_csv_counts counts = {0};
    rc = c->stream ? lt_csv_open_stream(&sink, c->path, &opt, &outputs[0].data, &counts)
                   : lt_csv_read(&sink, c->path, &opt, &outputs[0].data, &counts);
    rc = lt_ctx_take(ctx, &sink, rc);
    if (rc != LT_OK)
        return rc;
    if (opt.missing == LT_CSV_MISSING_DROP)
        lt_report_int(ctx, "rows_dropped", (long long)counts.rows_dropped);
    if (opt.missing == LT_CSV_MISSING_KEEP)
        lt_report_int(ctx, "missing_values", (long long)counts.missing_values);
    return LT_OK;
}

static const lt_output outputs_table[] = {
    {"data", LT_DATASET, "the table, all rows train"},
};

static const lt_metric dataset_csv_metrics[] = {
    {"rows_dropped", "rows left out for a missing value (missing: drop)"},
    {"missing_values", "missing values passed on as NaN (missing: keep)"},
};

const lt_stage_def dataset_csv_stage = {
    .abi = LT_ABI_VERSION,
    .name = "dataset.csv",
    .summary = "a numeric table from a CSV file as people have them: columns picked or "
               "ignored, delimiter sniffed, decimal commas, missing values, text labels",
    .params = params,
    .n_params = LT_COUNT(params),
    .config_size = sizeof(struct dataset_csv_config),
    .min_inputs = 0,
    .max_inputs = 0,
    .outputs = outputs_table,
    .n_outputs = LT_COUNT(outputs_table),
    .distributed = true, /* its rows can be cut into blocks, one per MPI rank */
    .check = check,
    .probe = csv_probe,
    .metrics = dataset_csv_metrics,
    .n_metrics = LT_COUNT(dataset_csv_metrics),
    .run = run,
};
