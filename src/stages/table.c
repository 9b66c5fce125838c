/* table: shows a split's values, as the lecture's `display(df)` and
 * `print(X2D)` do: the first rows as a metric (so expect: can pin entries)
 * and the whole split as a CSV artifact. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "io/csv_matrix.h"

#include "latent/stage.h"

struct table_config {
    int split;
    int rows;
};

static const char *const splits[] = {"train", "valid", "test", NULL};

static const lt_param table_params[] = {
    LT_CHOICE(struct table_config, split, "train", splits, "the split to show"),
    LT_INT(struct table_config, rows, 20, 0, 1000, 0,
           "rows reported in metrics.json (the CSV artifact has them all)"),
};

static int table_run(lt_ctx *ctx, const void *config, const lt_value *in, int n_in,
                     lt_value *outputs)
{
    (void)n_in;
    (void)outputs;
    const struct table_config *c = config;
    const lt_mat *x = in[0].data->split[c->split].x;
    if (!x)
        return lt_fail(ctx, LT_EINPUT, "the input has no %s split", lt_split_name(c->split));
    size_t shown = x->rows < (size_t)c->rows ? x->rows : (size_t)c->rows;
    lt_report_int(ctx, "rows", (long long)x->rows);
    lt_report_int(ctx, "cols", (long long)x->cols);
    lt_report_mat(ctx, "values", x->v, shown, x->cols);
    char name[256];
    snprintf(name, sizeof name, "%s.%s.csv", lt_ctx_stage(ctx), lt_split_name(c->split));
    const char *path = lt_ctx_artifact(ctx, name);
    if (!path)
        return LT_ERUNTIME;
    if (lt_csv_write_matrix(path, in[0].data->feature_names, x->v, x->rows, x->cols) != 0)
        return lt_fail(ctx, LT_ERUNTIME, "cannot write %s: %s", path, strerror(errno));
    return LT_OK;
}

static const lt_metric table_metrics[] = {
    {"rows", "rows of the split"},
    {"cols", "columns of the split"},
    {"values", "the first rows of the split"},
};

const lt_stage_def table_stage = {
    .abi = LT_ABI_VERSION,
    .name = "table",
    .summary = "a split's values: the first rows as a metric, all of them as <stage>.<split>.csv",
    .params = table_params,
    .n_params = LT_COUNT(table_params),
    .config_size = sizeof(struct table_config),
    .min_inputs = 1,
    .max_inputs = 1,
    .reads = LT_READS(LT_DATASET) | LT_READS(LT_PREDICTIONS),
    .run = table_run,
    .metrics = table_metrics,
    .n_metrics = LT_COUNT(table_metrics),
};
