/* export: writes an input's splits as per-row files, for whoever works on
 * the results outside latent (pandas, numpy, a spreadsheet). Each split
 * becomes <stage>.<split>.npy (the values, float64) and <stage>.<split>.csv
 * (a header, then per row: its row id, its label name when the rows are
 * labelled, the values, and the per-row value when the input has one, such
 * as an autoencoder reconstruction's per-row error). The row id is the
 * row's 0-based data row in the source file, so it survives the split's
 * shuffle and the rows a CSV's missing: drop left out. For a classifier's
 * predictions the CSV also names each row's predicted class. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/rows.h"
#include "latent/stage.h"

struct export_config {
    int split;
    char *value_name;
};

static const char *const split_choices[] = {"all", "train", "valid", "test", NULL};

#define CFG struct export_config
static const lt_param export_params[] = {
    LT_CHOICE(CFG, split, "all", split_choices,
              "the split to write; all: every split the input has"),
    LT_STRING(CFG, value_name, "value", 0,
              "the CSV column of the input's per-row value, when it has one (an "
              "autoencoder reconstruction's is the row's squared error)"),
};
#undef CFG

/* The predicted class of each of the N rows of P (N x K probabilities): the
 * most probable, the first on ties, as predict() does. Owned by the caller. */
static int *argmax_rows(const double *p, size_t n, size_t k)
{
    int *c = malloc((n ? n : 1) * sizeof *c);
    for (size_t i = 0; c && i < n; i++) {
        size_t best = 0;
        for (size_t j = 1; j < k; j++)
            if (p[i * k + j] > p[i * k + best])
                best = j;
        c[i] = (int)best;
    }
    return c;
}

/* Writes split S of D as the two files. Returns LT_OK or the lt_fail code. */
static int export_split(lt_ctx *ctx, const struct export_config *c, const lt_data *d, int s,
                        bool predictions)
{
    const lt_split *sp = &d->split[s];
    char why[512];
    /* A network's float32 values or a stream, as the float64 values that
     * hold them exactly. */
    lt_mat *wide = sp->x->v ? NULL : lt_mat_to_f64(sp->x, why, sizeof why);
    if (!sp->x->v && !wide)
        return lt_fail(ctx, LT_ERUNTIME, "%s", why);
    const lt_mat *x = wide ? wide : sp->x;
    size_t *ids = malloc((x->rows ? x->rows : 1) * sizeof *ids);
    int *predicted = predictions ? argmax_rows(x->v, x->rows, x->cols) : NULL;
    if (!ids || (predictions && !predicted)) {
        free(ids);
        free(predicted);
        lt_mat_free(&wide);
        return lt_fail(ctx, LT_ERUNTIME, "out of memory");
    }
    for (size_t i = 0; i < x->rows; i++)
        ids[i] = lt_split_row_id(sp, i);
    lt_rows r = {.n = x->rows, .cols = x->cols, .values = x->v, .col_names = d->feature_names,
                 .ids = ids, .label_header = "label", .labels = sp->y,
                 .label_names = d->class_names, .predicted = predicted,
                 .class_names = d->feature_names, .extra = sp->t, .extra_name = c->value_name};
    char name[300], err[1024];
    int rc = LT_OK;
    const char *kinds[2] = {"npy", "csv"};
    for (int k = 0; k < 2 && rc == LT_OK; k++) {
        snprintf(name, sizeof name, "%s.%s.%s", lt_ctx_stage(ctx), lt_split_name(s), kinds[k]);
        const char *path = lt_ctx_artifact(ctx, name);
        if (!path)
            rc = LT_ERUNTIME;
        else if ((k == 0 ? lt_rows_write_npy(path, &r, 0, err, sizeof err)
                         : lt_rows_write_csv(path, &r, err, sizeof err)) != 0)
            rc = lt_fail(ctx, LT_ERUNTIME, "%s", err);
    }
    char key[64];
    snprintf(key, sizeof key, "%s_rows", lt_split_name(s));
    if (rc == LT_OK)
        lt_report_int(ctx, key, (long long)x->rows);
    free(ids);
    free(predicted);
    lt_mat_free(&wide);
    return rc;
}

static int export_run(lt_ctx *ctx, const void *config, const lt_value *in, int n_in,
                      lt_value *outputs)
{
    (void)n_in;
    (void)outputs;
    const struct export_config *c = config;
    const lt_data *d = in[0].data;
    bool predictions = lt_ctx_input_kind(ctx, 0) == LT_PREDICTIONS;
    int wrote = 0;
    for (int s = 0; s < LT_N_SPLITS; s++) {
        if (!d->split[s].x || (c->split > 0 && c->split - 1 != s))
            continue;
        int rc = export_split(ctx, c, d, s, predictions);
        if (rc != LT_OK)
            return rc;
        wrote++;
    }
    if (!wrote)
        return lt_fail_param(ctx, LT_EINPUT, "split", "the input has no %s split",
                             c->split > 0 ? lt_split_name(c->split - 1) : "");
    return LT_OK;
}

static const lt_metric export_metrics[] = {
    {"{split}_rows", "rows written for the split"},
};

const lt_stage_def export_stage = {
    .abi = LT_ABI_VERSION,
    .name = "export",
    .summary = "an input's splits as <stage>.<split>.npy and .csv, each row with its row id "
               "in the source file and its label",
    .params = export_params,
    .n_params = LT_COUNT(export_params),
    .config_size = sizeof(struct export_config),
    .min_inputs = 1,
    .max_inputs = 1,
    .reads = LT_READS(LT_DATASET) | LT_READS(LT_PREDICTIONS),
    .run = export_run,
    .metrics = export_metrics,
    .n_metrics = LT_COUNT(export_metrics),
};
