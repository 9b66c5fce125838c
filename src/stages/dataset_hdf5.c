/* dataset.hdf5: one numeric dataset of an HDF5 file (the format physics
 * data usually come in), with optional labels from a second dataset of the
 * same file, read through libhdf5 (io/hdf5.h).
 *
 * The first axis is the rows. A 1-d dataset is one feature, a 2-d one a
 * table, a 3-d one images (rows x height x width); more axes are flattened
 * into the features in C order. `columns` keeps some entries of the last
 * axis, by index or by the feature name the names attribute gives them. Values must be finite: a NaN or an infinity is an error naming the
 * file, the dataset and its row and column (1-based). Labels (integers or
 * strings) become the classes 0, 1, ... in np.unique's order, and their
 * names are kept. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "io/hdf5.h"
#include "latent/stage.h"

struct dataset_hdf5_config {
    char *path;
    char *dataset;
    char *labels;
    lt_strings columns;
    char *names_attribute;
    bool stream;
};

#define CFG struct dataset_hdf5_config
static const lt_param params[] = {
    LT_PATH(CFG, path, NULL, LT_REQUIRED, "the HDF5 file (.h5, .hdf5), relative to the pipeline file"),
    LT_STRING(CFG, dataset, NULL, LT_REQUIRED,
              "the HDF5 path of the data, e.g. /events/features: rows first; 1-d is one feature, "
              "2-d a table, 3-d images (rows x height x width), more axes flattened"),
    LT_STRING(CFG, labels, "", 0,
              "the HDF5 path of one label per row in the same file (integers or strings; classes "
              "in np.unique order); empty for none"),
    LT_STRINGS(CFG, columns, 0,
               "entries of the last axis to keep: 0-based indices (negative from the end, as "
               "numpy) or feature names from names_attribute; empty: all"),
    LT_STRING(CFG, names_attribute, "feature_names", 0,
              "the data's attribute holding one feature name per column (1-d or 2-d data); "
              "used when present"),
    LT_BOOL(CFG, stream, false,
            "check the data whole, then hand the rows on as a stream read in batches of "
            "hyperslabs (for pca's incremental solver); other stages read it whole"),
};
#undef CFG

/* Rows read at a time when checking or loading. */
#define BLOCK_ROWS 4096

typedef struct h5_stream {
    lt_stream base;
    lt_h5 *h;
} h5_stream;

static int stream_read(lt_stream *base, size_t first, size_t n, double *out, char *err, size_t err_size)
{
    lt_diag e = {.limit = 1};
    if (lt_h5_read_rows(((h5_stream *)base)->h, first, n, out, &e) == 0)
        return 0;
    snprintf(err, err_size, "%s", e.n ? lt_diag_line(&e, 0) : "cannot read the HDF5 rows");
    lt_diag_clear(&e);
    return -1;
}

/* A data error as io/hdf5 recorded it in E (at the file and dataset, not
 * at the stage), made the stage's; clears E. */
static int data_error(lt_ctx *ctx, lt_diag *e)
{
    bool memory = e->n && e->items[0].code == lt_code_resource;
    return lt_ctx_take(ctx, e, memory ? LT_ERUNTIME : LT_EINPUT);
}

static void stream_close(lt_stream *base)
{
    h5_stream *s = (h5_stream *)base;
    lt_h5_close(s->h);
    free(s);
}

/* The index of column NAME among the N names, or -1 with the error
 * recorded (no such name, or two columns of that name). */
static long find_name(lt_ctx *ctx, const lt_h5 *h, const char *attr, char *const *names, size_t n,
                      const char *name)
{
    long found = -1;
    for (size_t j = 0; j < n; j++) {
        if (strcmp(names[j], name) != 0)
            continue;
        if (found >= 0) {
            lt_fail_at(ctx, LT_EINPUT, lt_h5_where(h), 0, 0,
                       "columns: '%s' names columns %ld and %zu of %s; pick one by its index",
                       name, found, j, attr);
            return -1;
        }
        found = (long)j;
    }
    if (found >= 0)
        return found;
    char list[400];
    int used = 0;
    for (size_t j = 0; j < n && used >= 0 && (size_t)used < sizeof list; j++)
        used += snprintf(list + used, sizeof list - (size_t)used, "%s%s", j ? ", " : "", names[j]);
    lt_fail_at(ctx, LT_EINPUT, lt_h5_where(h), 0, 0,
               "columns: no column is named '%s'; its %s attribute names %s", name, attr, list);
    return -1;
}

/* The indices the columns list picks, into *keep (owned by the caller; NULL
 * when the list is empty). A name is looked up in the names attribute,
 * which needs the dataset opened once with every column. */
static int resolve_columns(lt_ctx *ctx, const struct dataset_hdf5_config *c, double **keep)
{
    size_t n = c->columns.n;
    *keep = NULL;
    if (!n)
        return LT_OK;
    double *k = malloc(n * sizeof *k);
    if (!k)
        return lt_fail(ctx, LT_ERUNTIME, "out of memory");
    const char *first_name = NULL;
    for (size_t i = 0; i < n; i++) {
        char *end;
        long v = strtol(c->columns.v[i], &end, 10);
        bool index = end != c->columns.v[i] && !*end;
        k[i] = index ? (double)v : NAN;
        if (!index && !first_name)
            first_name = c->columns.v[i];
    }
    if (!first_name) {
        *keep = k;
        return LT_OK;
    }
    const char *attr = c->names_attribute ? c->names_attribute : "";
    lt_diag e = {.limit = 1};
    lt_h5 *h = lt_h5_open(c->path, c->dataset, NULL, 0, &e);
    char **names = NULL;
    int rc = h ? LT_OK : data_error(ctx, &e);
    if (rc == LT_OK && *attr && lt_h5_feature_names(h, attr, &names, &e) != 0)
        rc = data_error(ctx, &e);
    if (rc == LT_OK && !names)
        rc = lt_fail_at(ctx, LT_EINPUT, lt_h5_where(h), 0, 0,
                        "columns names '%s', but the data have no %s attribute to look names "
                        "up in; give 0-based indices", first_name, *attr ? attr : "names_attribute");
    size_t cols = h ? lt_h5_cols(h) : 0;
    for (size_t i = 0; rc == LT_OK && i < n; i++) {
        if (!isnan(k[i]))
            continue;
        long j = find_name(ctx, h, attr, names, cols, c->columns.v[i]);
        if (j < 0)
            rc = LT_EINPUT;
        k[i] = (double)j;
    }
    for (size_t j = 0; names && j < cols; j++)
        free(names[j]);
    free(names);
    lt_h5_close(h);
    if (rc != LT_OK) {
        free(k);
        return rc;
    }
    *keep = k;
    return LT_OK;
}

static int open_data(lt_ctx *ctx, const struct dataset_hdf5_config *c, lt_h5 **h)
{
    lt_diag e = {.limit = 1};
    double *keep;
    int rc = resolve_columns(ctx, c, &keep);
    if (rc != LT_OK)
        return rc;
    *h = lt_h5_open(c->path, c->dataset, keep, c->columns.n, &e);
    free(keep);
    if (!*h)
        return data_error(ctx, &e);
    if (lt_h5_rows(*h) == 0 || lt_h5_cols(*h) == 0) {
        lt_fail_at(ctx, LT_EINPUT, lt_h5_where(*h), 0, 0, "holds no table: an axis has extent 0");
        lt_h5_close(*h);
        *h = NULL;
        return LT_EINPUT;
    }
    return LT_OK;
}

/* Reads every row, block by block, refusing non-finite values; into x when
 * x is not NULL (else it only checks, in a block's memory). */
static int read_checked(lt_ctx *ctx, lt_h5 *h, double *x)
{
    size_t rows = lt_h5_rows(h), cols = lt_h5_cols(h);
    size_t block = rows < BLOCK_ROWS ? rows : BLOCK_ROWS;
    double *buf = x ? NULL : malloc(block * cols * sizeof *buf + 1);
    if (!x && !buf)
        return lt_fail(ctx, LT_ERUNTIME, "out of memory");
    int rc = LT_OK;
    for (size_t r0 = 0; rc == LT_OK && r0 < rows; r0 += block) {
        size_t n = r0 + block < rows ? block : rows - r0;
        double *dst = x ? x + r0 * cols : buf;
        lt_diag e = {.limit = 1};
        if (lt_h5_read_rows(h, r0, n, dst, &e) != 0) {
            rc = data_error(ctx, &e);
            break;
        }
        for (size_t k = 0; k < n * cols; k++)
            if (!isfinite(dst[k])) {
                rc = lt_fail_at(ctx, LT_EINPUT, lt_h5_where(h), (long)(r0 + k / cols + 1),
                                (long)(k % cols + 1), "%s is not allowed, expected a finite number",
                                isnan(dst[k]) ? "NaN" : "Inf");
                break;
            }
    }
    free(buf);
    return rc;
}

/* Image shape, feature names and labels: everything but the values. */
static int describe(lt_ctx *ctx, const struct dataset_hdf5_config *c, lt_h5 *h, lt_data *d)
{
    lt_diag e = {.limit = 1};
    size_t rows = lt_h5_rows(h);
    d->n_features = lt_h5_cols(h);
    if (lt_h5_rank(h) == 3) {
        d->image_rows = (int)lt_h5_dim(h, 1);
        d->image_cols = (int)(lt_h5_cols(h) / lt_h5_dim(h, 1));
    }
    if (c->names_attribute && *c->names_attribute &&
        lt_h5_feature_names(h, c->names_attribute, &d->feature_names, &e) != 0)
        return data_error(ctx, &e);
    if (c->labels && *c->labels &&
        lt_h5_read_labels(c->path, c->labels, rows, &d->split[LT_TRAIN].y, &d->class_names, &d->n_classes,
                          &e) != 0)
        return data_error(ctx, &e);
    return LT_OK;
}

/* Opens the data (file, dataset, type, rank, columns) and checks the
 * feature names and the labels' shape and type, reading no values. */
static int probe(lt_ctx *ctx, const void *config)
{
    const struct dataset_hdf5_config *c = config;
    lt_h5 *h;
    int rc = open_data(ctx, c, &h);
    if (rc != LT_OK)
        return rc;
    lt_diag e = {.limit = 1};
    char **names = NULL;
    if (c->names_attribute && *c->names_attribute &&
        lt_h5_feature_names(h, c->names_attribute, &names, &e) != 0)
        rc = data_error(ctx, &e);
    for (size_t j = 0; names && j < lt_h5_cols(h); j++)
        free(names[j]);
    free(names);
    if (rc == LT_OK && c->labels && *c->labels &&
        lt_h5_check_labels(c->path, c->labels, lt_h5_rows(h), &e) != 0)
        rc = data_error(ctx, &e);
    lt_h5_close(h);
    return rc;
}

static int run(lt_ctx *ctx, const void *config, const lt_value *inputs, int n_inputs, lt_value *outputs)
{
    (void)inputs, (void)n_inputs;
    const struct dataset_hdf5_config *c = config;
    lt_h5 *h;
    int rc = open_data(ctx, c, &h);
    if (rc != LT_OK)
        return rc;
    size_t rows = lt_h5_rows(h), cols = lt_h5_cols(h);
    lt_data *d = lt_data_new();
    lt_mat *x = NULL;
    h5_stream *s = NULL;
    if (!d || !(x = c->stream ? calloc(1, sizeof *x) : lt_mat_new(rows, cols)) ||
        (c->stream && !(s = calloc(1, sizeof *s)))) {
        lt_mat_free(&x);
        rc = lt_fail(ctx, LT_ERUNTIME, "out of memory");
        goto fail;
    }
    d->split[LT_TRAIN].x = x;
    if ((rc = read_checked(ctx, h, c->stream ? NULL : x->v)) != LT_OK || (rc = describe(ctx, c, h, d)) != LT_OK)
        goto fail;
    if (c->stream) {
        s->base.read = stream_read;
        s->base.close = stream_close;
        s->h = h;
        x->rows = rows;
        x->cols = cols;
        x->stream = &s->base;
        h = NULL;
        s = NULL;
    } else {
        lt_h5_close(h);
        h = NULL;
    }
    lt_report_int(ctx, "rows", (long long)rows);
    lt_report_int(ctx, "features", (long long)cols);
    outputs[0].data = d;
    return LT_OK;
fail:
    free(s);
    lt_h5_close(h);
    lt_data_free(&d);
    return rc;
}

static const lt_metric dataset_hdf5_metrics[] = {
    {"rows", "rows read (the first axis)"},
    {"features", "features per row (the other axes, after columns)"},
};

static const lt_output outputs_table[] = {
    {"data", LT_DATASET, "the dataset's rows, all train"},
};

const lt_stage_def dataset_hdf5_stage = {
    .abi = LT_ABI_VERSION,
    .name = "dataset.hdf5",
    .summary = "a numeric dataset of an HDF5 file (a table, or images), with optional labels "
               "from a second dataset",
    .params = params,
    .n_params = LT_COUNT(params),
    .config_size = sizeof(struct dataset_hdf5_config),
    .min_inputs = 0,
    .max_inputs = 0,
    .outputs = outputs_table,
    .n_outputs = LT_COUNT(outputs_table),
    .probe = probe,
    .run = run,
    .metrics = dataset_hdf5_metrics,
    .n_metrics = LT_COUNT(dataset_hdf5_metrics),
};
