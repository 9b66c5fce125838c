/* dataset.npy: an array saved with np.save, with optional labels from a
 * second .npy file: the way to hand latent what a numpy session made.
 *
 * A 2-d array is a table (rows x features), a 1-d one a single feature, a
 * 3-d one images (rows x height x width). Values must be finite: a NaN or
 * an infinity is an error naming its row and column (1-based, as for CSV).
 * Labels are integers (or whole floats, or booleans), one per row; their
 * sorted distinct values become the classes 0, 1, ..., as scikit-learn's
 * LabelEncoder does. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/npy.h"
#include "core/ctx.h"
#include "latent/stage.h"

struct dataset_npy_config {
    char *path;
    char *labels;
    bool stream;
};

#define CFG struct dataset_npy_config
static const lt_param params[] = {
    LT_PATH(CFG, path, NULL, LT_REQUIRED,
            "the .npy file (np.save), relative to the pipeline file: rows x features, "
            "rows, or rows x height x width images"),
    LT_PATH(CFG, labels, "", 0,
            "a .npy file of one integer label per row (np.save(y)); empty for none"),
    LT_BOOL(CFG, stream, false,
            "check the file whole, then hand the rows on as a stream read in batches "
            "(for pca's incremental solver); other stages read it whole"),
};
#undef CFG

/* Rows read at a time when checking or loading. */
#define BLOCK_ROWS 4096

typedef struct npy_stream {
    lt_stream base;
    FILE *f;
    char *path;
    lt_npy info;
} npy_stream;

static int stream_read(lt_stream *base, size_t first, size_t n, double *out, char *err,
                       size_t err_size)
{
    npy_stream *s = (npy_stream *)base;
    return lt_npy_read_rows(s->f, s->path, &s->info, first, n, out, err, err_size);
}

static void stream_close(lt_stream *base)
{
    npy_stream *s = (npy_stream *)base;
    fclose(s->f);
    free(s->path);
    free(s);
}

/* Reads every row of the array, block by block, refusing non-finite values;
 * into x (rows x cols) when x is not NULL (else it only checks). */
static int read_checked(lt_ctx *ctx, FILE *f, const char *path, const lt_npy *info, double *x)
{
    size_t rows = lt_npy_rows(info), cols = lt_npy_cols(info);
    size_t block = rows < BLOCK_ROWS ? rows : BLOCK_ROWS;
    double *buf = x ? NULL : malloc(block * cols * sizeof *buf + 1);
    if (!x && !buf)
        return lt_fail(ctx, LT_ERUNTIME, "out of memory");
    int rc = LT_OK;
    for (size_t r0 = 0; rc == LT_OK && r0 < rows; r0 += block) {
        size_t n = r0 + block < rows ? block : rows - r0;
        double *dst = x ? x + r0 * cols : buf;
        char err[512];
        if (lt_npy_read_rows(f, path, info, r0, n, dst, err, sizeof err) != 0) {
            rc = lt_fail(ctx, LT_EINPUT, "%s", err);
            break;
        }
        for (size_t k = 0; k < n * cols; k++)
            if (!isfinite(dst[k])) {
                rc = lt_fail_at(ctx, LT_EINPUT, path, (long)(r0 + k / cols + 1),
                                (long)(k % cols + 1), "%s is not allowed, expected a finite number",
                                isnan(dst[k]) ? "NaN" : "Inf");
                break;
            }
    }
    free(buf);
    return rc;
}

/* A table's header: ROWS x COLS, neither zero; else the error. */
static int table_shape(lt_ctx *ctx, const char *path, const lt_npy *info)
{
    if (info->ndim == 0 || lt_npy_rows(info) == 0 || lt_npy_cols(info) == 0)
        return lt_fail_at(ctx, LT_EINPUT, path, 0, 0,
                          "holds no table: its shape has %s; expected rows x features",
                          info->ndim == 0 ? "no dimensions (a single number)" : "a zero");
    return LT_OK;
}

/* The labels file's header against ROWS. */
static int labels_shape(lt_ctx *ctx, const char *path, const lt_npy *info, size_t rows)
{
    if (lt_npy_cols(info) != 1 || info->ndim == 0 || lt_npy_rows(info) != rows)
        return lt_fail_at(ctx, LT_EINPUT, path, 0, 0,
                          "holds %zu values in %d dimension%s; expected one label for each of "
                          "the %zu rows",
                          info->count, info->ndim, info->ndim == 1 ? "" : "s", rows);
    return LT_OK;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The labels file: ROWS values, encoded into classes in d. */
static int read_labels(lt_ctx *ctx, const char *path, size_t rows, lt_data *d)
{
    lt_diag sink = {.limit = 1}; /* what the reader reports, for lt_ctx_take */
    lt_npy info;
    FILE *f;
    int rc = lt_ctx_take(ctx, &sink, lt_npy_open(&sink, path, &info, &f));
    if (rc != LT_OK)
        return rc;
    if ((rc = labels_shape(ctx, path, &info, rows)) != LT_OK) {
        fclose(f);
        return rc;
    }
    double *v = malloc(rows * sizeof *v + 1), *sorted = malloc(rows * sizeof *v + 1);
    int *y = malloc(rows * sizeof *y + 1);
    char err[512];
    if (!v || !sorted || !y)
        rc = lt_fail(ctx, LT_ERUNTIME, "out of memory");
    else if (lt_npy_read_rows(f, path, &info, 0, rows, v, err, sizeof err) != 0)
        rc = lt_fail(ctx, LT_EINPUT, "%s", err);
    fclose(f);
    for (size_t i = 0; rc == LT_OK && i < rows; i++)
        if (!isfinite(v[i]) || v[i] != floor(v[i]) || fabs(v[i]) > 1e15)
            rc = lt_fail_at(ctx, LT_EINPUT, path, (long)i + 1, 0,
                            "label %g is not a whole number", v[i]);
    /* Classes: the sorted distinct values; each label is its value's rank. */
    size_t n_classes = 0;
    if (rc == LT_OK) {
        memcpy(sorted, v, rows * sizeof *v);
        qsort(sorted, rows, sizeof *sorted, by_value);
        for (size_t i = 0; i < rows; i++)
            if (i == 0 || sorted[i] != sorted[n_classes - 1])
                sorted[n_classes++] = sorted[i];
        if (!(d->class_names = calloc(n_classes, sizeof *d->class_names)))
            rc = lt_fail(ctx, LT_ERUNTIME, "out of memory");
    }
    for (size_t c = 0; rc == LT_OK && c < n_classes; c++) {
        char text[32];
        snprintf(text, sizeof text, "%.0f", sorted[c]);
        if (!(d->class_names[c] = strdup(text)))
            rc = lt_fail(ctx, LT_ERUNTIME, "out of memory");
    }
    if (rc == LT_OK) {
        d->n_classes = (int)n_classes;
        for (size_t i = 0; i < rows; i++) {
            size_t lo = 0, hi = n_classes; /* binary search for v[i]'s class */
            while (hi - lo > 1) {
                size_t mid = (lo + hi) / 2;
                if (sorted[mid] <= v[i])
                    lo = mid;
                else
                    hi = mid;
            }
            y[i] = (int)lo;
        }
        d->split[LT_TRAIN].y = y;
        y = NULL;
    }
    free(v);
    free(sorted);
    free(y);
    return rc;
}

/* The headers of both files: readable, a table, one label per row. */
static int probe(lt_ctx *ctx, const void *config)
{
    lt_diag sink = {.limit = 1}; /* what the reader reports, for lt_ctx_take */
    const struct dataset_npy_config *c = config;
    lt_npy info, linfo;
    FILE *f;
    int rc = lt_ctx_take(ctx, &sink, lt_npy_open(&sink, c->path, &info, &f));
    if (rc != LT_OK)
        return rc;
    fclose(f);
    if ((rc = table_shape(ctx, c->path, &info)) != LT_OK || !c->labels || !*c->labels)
        return rc;
    if ((rc = lt_ctx_take(ctx, &sink, lt_npy_open(&sink, c->labels, &linfo, &f))) != LT_OK)
        return rc;
    fclose(f);
    return labels_shape(ctx, c->labels, &linfo, lt_npy_rows(&info));
}

static int run(lt_ctx *ctx, const void *config, const lt_value *inputs, int n_inputs,
               lt_value *outputs)
{
    lt_diag sink = {.limit = 1}; /* what the reader reports, for lt_ctx_take */
    (void)inputs, (void)n_inputs;
    const struct dataset_npy_config *c = config;
    lt_npy info;
    FILE *f;
    int rc = lt_ctx_take(ctx, &sink, lt_npy_open(&sink, c->path, &info, &f));
    if (rc != LT_OK)
        return rc;
    size_t rows = lt_npy_rows(&info), cols = lt_npy_cols(&info);
    if ((rc = table_shape(ctx, c->path, &info)) != LT_OK) {
        fclose(f);
        return rc;
    }
    lt_data *d = lt_data_new();
    lt_mat *x = NULL;
    if (!d || !(x = c->stream ? calloc(1, sizeof *x) : lt_mat_new(rows, cols))) {
        rc = lt_fail(ctx, LT_ERUNTIME, "out of memory");
        goto fail;
    }
    d->split[LT_TRAIN].x = x;
    d->n_features = cols;
    if (info.ndim == 3) {
        d->image_rows = (int)info.shape[1];
        d->image_cols = (int)info.shape[2];
    }
    if ((rc = read_checked(ctx, f, c->path, &info, c->stream ? NULL : x->v)) != LT_OK)
        goto fail;
    if (c->labels && *c->labels && (rc = read_labels(ctx, c->labels, rows, d)) != LT_OK)
        goto fail;
    if (c->stream) {
        npy_stream *s = calloc(1, sizeof *s);
        if (!s || !(s->path = strdup(c->path))) {
            free(s);
            rc = lt_fail(ctx, LT_ERUNTIME, "out of memory");
            goto fail;
        }
        s->base.read = stream_read;
        s->base.close = stream_close;
        s->f = f;
        s->info = info;
        x->rows = rows;
        x->cols = cols;
        x->stream = &s->base;
        f = NULL;
    } else {
        fclose(f);
        f = NULL;
    }
    lt_report_int(ctx, "rows", (long long)rows);
    lt_report_int(ctx, "features", (long long)cols);
    outputs[0].data = d;
    return LT_OK;
fail:
    if (f)
        fclose(f);
    lt_data_free(&d);
    return rc;
}

static const lt_output outputs_table[] = {
    {"data", LT_DATASET, "the array, all rows train"},
};

static const lt_metric dataset_npy_metrics[] = {
    {"rows", "rows read"},
    {"features", "features per row"},
};

const lt_stage_def dataset_npy_stage = {
    .abi = LT_ABI_VERSION,
    .name = "dataset.npy",
    .summary = "an array saved with np.save (a table, or images), with optional labels "
               "from a second .npy file",
    .params = params,
    .n_params = LT_COUNT(params),
    .config_size = sizeof(struct dataset_npy_config),
    .min_inputs = 0,
    .max_inputs = 0,
    .outputs = outputs_table,
    .n_outputs = LT_COUNT(outputs_table),
    .probe = probe,
    .distributed = true, /* its rows can be cut into blocks, one per MPI rank */
    .run = run,
    .metrics = dataset_npy_metrics,
    .n_metrics = LT_COUNT(dataset_npy_metrics),
};
