/* dataset.hdf5 on a file h5py wrote (tests/reference/make_hdf5.py): every
 * value as h5py reads it back, in each type, rank and column selection,
 * held and streamed; feature names from the attribute; labels (integers,
 * strings, byte strings) encoded as np.unique does; the probe; and the
 * exact message for each bad dataset. */
#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "testcfg.h"
#include "testrun.h"
#include "testutil.h"

const char *lt_test_root = ".";

extern const lt_stage_def dataset_hdf5_stage;
#define STAGE (&dataset_hdf5_stage)

static lt_json *ref;
static char file[4096];

typedef struct request {
    const char *file; /* NULL: the reference file */
    const char *dataset;
    const char *labels;
    double *columns; /* 0-based indices, or */
    const char **names;     /* feature names, as `columns` takes either */
    size_t n_columns;
    bool stream;
} request;

/* The columns list as the binder hands it over: indices as their text. */
static char column_text[8][32];
static char *column_list[8];

static void *config_for(const request *r)
{
    void *cfg = lt_test_config(STAGE);
    *(const char **)((char *)cfg + lt_test_param(STAGE, "path")->offset) = r->file ? r->file : file;
    *(const char **)((char *)cfg + lt_test_param(STAGE, "dataset")->offset) = r->dataset;
    if (r->labels)
        *(const char **)((char *)cfg + lt_test_param(STAGE, "labels")->offset) = r->labels;
    for (size_t k = 0; k < r->n_columns && k < 8; k++) {
        if (r->names)
            snprintf(column_text[k], sizeof column_text[k], "%s", r->names[k]);
        else
            snprintf(column_text[k], sizeof column_text[k], "%.0f", r->columns[k]);
        column_list[k] = column_text[k];
    }
    lt_test_set_strings(STAGE, cfg, "columns", column_list, r->n_columns);
    lt_test_set_bool(STAGE, cfg, "stream", r->stream);
    return cfg;
}

static int load(lt_ctx *ctx, const request *r, lt_data **out)
{
    void *cfg = config_for(r);
    lt_ctx_enter(ctx, "data", 0, 0, lt_ctx_test_metrics(ctx));
    *out = NULL;
    int rc = lt_test_call(STAGE, ctx, cfg, NULL, 0, out);
    free(cfg);
    return rc;
}

/* BY_NAME asks for the case's columns by their feature names instead of
 * their indices; the values must be the same. */
static void check_case(const char *name, const lt_json *c, bool stream, bool by_name)
{
    size_t rows = (size_t)lt_json_number(lt_json_get(c, "rows"));
    size_t cols = (size_t)lt_json_number(lt_json_get(c, "cols"));
    const lt_json *values = lt_json_get(c, "values"), *jcols = lt_json_get(c, "columns");
    double columns[8];
    for (size_t k = 0; k < lt_json_size(jcols) && k < 8; k++)
        columns[k] = lt_json_number(lt_json_value_at(jcols, k));
    const lt_json *jlabels = lt_json_get(c, "labels");
    request r = {.dataset = lt_json_string(lt_json_get(c, "dataset")),
                 .labels = jlabels ? lt_json_string(jlabels) : NULL,
                 .columns = columns, .n_columns = lt_json_size(jcols), .stream = stream};
    const char *wanted[8];
    const lt_json *case_names = lt_json_get(c, "feature_names");
    for (size_t k = 0; by_name && k < r.n_columns && k < 8; k++)
        wanted[k] = lt_json_string(lt_json_value_at(case_names, k));
    if (by_name)
        r.names = wanted;
    lt_ctx *ctx = lt_ctx_new_test();
    lt_data *d;
    int rc = load(ctx, &r, &d);
    if (rc != LT_OK)
        printf("\n    %s: %s", name, lt_ctx_error(ctx));
    CU_ASSERT_EQUAL_FATAL(rc, LT_OK);
    const lt_mat *x = d->split[LT_TRAIN].x;
    CU_ASSERT_EQUAL_FATAL(x->rows, rows);
    CU_ASSERT_EQUAL_FATAL(x->cols, cols);
    CU_ASSERT_EQUAL(d->n_features, cols);
    CU_ASSERT_EQUAL(stream ? x->stream != NULL : x->v != NULL, true);
    double *got = malloc(rows * cols * sizeof *got);
    char err[256];
    CU_ASSERT_FATAL(got != NULL);
    /* Streams are read in two pieces, the second first. */
    size_t half = rows / 2;
    CU_ASSERT_EQUAL(lt_mat_read_rows(x, half, rows - half, got + half * cols, err, sizeof err), 0);
    CU_ASSERT_EQUAL(lt_mat_read_rows(x, 0, half, got, err, sizeof err), 0);
    size_t bad = 0;
    for (size_t k = 0; k < rows * cols; k++)
        bad += got[k] != lt_json_number(lt_json_value_at(values, k));
    if (bad)
        printf("\n    %s%s: %zu values differ", name, stream ? " (stream)" : "", bad);
    CU_ASSERT_EQUAL(bad, 0);
    const lt_json *shape = lt_json_get(c, "shape");
    if (lt_json_size(shape) == 3) {
        CU_ASSERT_EQUAL(d->image_rows, lt_json_number(lt_json_value_at(shape, 1)));
        CU_ASSERT_EQUAL(d->image_cols * d->image_rows, (int)cols);
    } else {
        CU_ASSERT_EQUAL(d->image_rows, 0);
    }
    const lt_json *names = lt_json_get(c, "feature_names");
    CU_ASSERT_EQUAL(d->feature_names != NULL, names != NULL);
    for (size_t j = 0; names && d->feature_names && j < cols; j++)
        CU_ASSERT_STRING_EQUAL(d->feature_names[j], lt_json_string(lt_json_value_at(names, j)));
    const lt_json *classes = lt_json_get(c, "classes"), *y = lt_json_get(c, "y");
    CU_ASSERT_EQUAL(d->n_classes, (int)lt_json_size(classes));
    for (int k = 0; classes && k < d->n_classes; k++)
        CU_ASSERT_STRING_EQUAL(d->class_names[k], lt_json_string(lt_json_value_at(classes, k)));
    for (size_t i = 0; y && d->split[LT_TRAIN].y && i < rows; i++)
        CU_ASSERT_EQUAL(d->split[LT_TRAIN].y[i], lt_json_number(lt_json_value_at(y, i)));
    CU_ASSERT_EQUAL(d->split[LT_TRAIN].y != NULL, y != NULL);
    free(got);
    lt_data_free(&d);
    lt_ctx_free_test(ctx);
}

static void test_values(void)
{
    const lt_json *good = lt_json_get(ref, "good");
    CU_ASSERT_FATAL(lt_json_size(good) >= 10);
    for (size_t i = 0; i < lt_json_size(good); i++)
        for (int stream = 0; stream < 2; stream++)
            check_case(lt_json_key_at(good, i), lt_json_value_at(good, i), stream, false);
}

/* Every case that picks columns from named data, asked by name. */
static void test_columns_by_name(void)
{
    const lt_json *good = lt_json_get(ref, "good");
    int tried = 0;
    for (size_t i = 0; i < lt_json_size(good); i++) {
        const lt_json *c = lt_json_value_at(good, i);
        if (!lt_json_size(lt_json_get(c, "columns")) || !lt_json_get(c, "feature_names"))
            continue;
        for (int stream = 0; stream < 2; stream++)
            check_case(lt_json_key_at(good, i), c, stream, true);
        tried++;
    }
    CU_ASSERT(tried >= 1);
}

/* Asserts that R fails, held and streamed, with MESSAGE ("@" standing for
 * the reference folder); and that the probe finds it too when PROBED. */
static void expect_error(request r, bool probed, const char *message)
{
    char expect[8192], folder[4200];
    snprintf(folder, sizeof folder, "%s/tests/reference/hdf5", lt_test_root);
    lt_test_expand(message, folder, expect, sizeof expect);
    for (int stream = 0; stream < 2; stream++) {
        r.stream = stream;
        lt_ctx *ctx = lt_ctx_new_test();
        lt_data *d;
        CU_ASSERT_EQUAL(load(ctx, &r, &d), LT_EINPUT);
        CU_ASSERT_PTR_NULL(d);
        MESSAGE_IS(lt_ctx_error(ctx), expect);
        lt_ctx_free_test(ctx);
    }
    lt_ctx *ctx = lt_ctx_new_test();
    void *cfg = config_for(&r);
    CU_ASSERT_EQUAL(STAGE->probe(ctx, cfg), probed ? LT_EINPUT : LT_OK);
    if (probed)
        MESSAGE_IS(lt_ctx_error(ctx), expect);
    free(cfg);
    lt_ctx_free_test(ctx);
}

static void test_errors(void)
{
    double far[] = {3}, twice[] = {1, -2};
    char missing[4200], text[4200];
    snprintf(missing, sizeof missing, "%s/tests/reference/hdf5/missing.h5", lt_test_root);
    snprintf(text, sizeof text, "%s/tests/reference/hdf5/not_hdf5.h5", lt_test_root);
    expect_error((request){.dataset = "/bad/nan"}, false,
                 "@/events.h5:/bad/nan:2:3: NaN is not allowed, expected a finite number");
    expect_error((request){.dataset = "bad/inf"}, false,
                 "@/events.h5:/bad/inf:1:2: Inf is not allowed, expected a finite number");
    expect_error((request){.dataset = "/bad/records"}, true,
                 "@/events.h5:/bad/records: holds compound records; expected float32, float64 or "
                 "integers");
    expect_error((request){.dataset = "/bad/flags"}, true,
                 "@/events.h5:/bad/flags: holds enum values (h5py stores booleans so); expected "
                 "float32, float64 or integers");
    expect_error((request){.dataset = "/bad/names"}, true,
                 "@/events.h5:/bad/names: holds strings; expected float32, float64 or integers");
    expect_error((request){.dataset = "/bad/scalar"}, true,
                 "@/events.h5:/bad/scalar: has 0 axes; expected 1 to 8 (rows first)");
    expect_error((request){.dataset = "/bad/empty"}, true,
                 "@/events.h5:/bad/empty: holds no table: an axis has extent 0");
    expect_error((request){.dataset = "/events/feature"}, true,
                 "@/events.h5:/events/feature: no such dataset; the file holds /bad/empty, "
                 "/bad/flags, /bad/inf, /bad/lzf, ...");
    expect_error((request){.dataset = "/nowhere/x"}, true,
                 "@/events.h5:/nowhere/x: no such dataset; the file holds /bad/empty, "
                 "/bad/flags, /bad/inf, /bad/lzf, ...");
    expect_error((request){.dataset = "/bad/lzf"}, true,
                 "@/events.h5:/bad/lzf: is compressed with filter 32000 (lzf), which this libhdf5 "
                 "cannot read; rewrite it with gzip compression (h5py: compression=\"gzip\")");
    expect_error((request){.dataset = "/events"}, true, "@/events.h5:/events: is a group, not a dataset");
    expect_error((request){.dataset = "/events/features", .columns = far, .n_columns = 1}, true,
                 "@/events.h5:/events/features: columns[0] is 3; the last axis has 3 entries, so "
                 "expected a whole number in [-3, 2]");
    /* A 1-d dataset has one column; `columns` once picked along its rows and
     * read past them (found by fuzzing, tests/fuzz/regress/hdf5). */
    double second[] = {1};
    expect_error((request){.dataset = "/column_i8", .columns = second, .n_columns = 1}, true,
                 "@/events.h5:/column_i8: columns[0] is 1; the last axis has 1 entries, so "
                 "expected a whole number in [-1, 0]");
    expect_error((request){.dataset = "/events/features", .columns = twice, .n_columns = 2}, true,
                 "@/events.h5:/events/features: columns lists column 1 twice");
    const char *nosuch[] = {"pt", "energy"}, *unnamed[] = {"x"};
    expect_error((request){.dataset = "/events/features", .names = nosuch, .n_columns = 2}, true,
                 "@/events.h5:/events/features: columns: no column is named 'energy'; its "
                 "feature_names attribute names pt, eta, phi");
    expect_error((request){.dataset = "/counts_be_i2", .names = unnamed, .n_columns = 1}, true,
                 "@/events.h5:/counts_be_i2: columns names 'x', but the data have no "
                 "feature_names attribute to look names up in; give 0-based indices");
    expect_error((request){.dataset = "/events/features", .labels = "/events/short_labels"}, true,
                 "@/events.h5:/events/short_labels: holds 5 labels in 1 axes; expected one for "
                 "each of the 7 rows");
    expect_error((request){.dataset = "/events/features", .labels = "/events/half_labels"}, false,
                 "@/events.h5:/events/half_labels:1: label 0.5 is not a whole number");
    expect_error((request){.dataset = "/events/features", .labels = "/bad/records"}, true,
                 "@/events.h5:/bad/records: holds 3 labels in 1 axes; expected one for each of the "
                 "7 rows");
    expect_error((request){.file = missing, .dataset = "/x"}, true,
                 "@/missing.h5: cannot open: No such file or directory");
    expect_error((request){.file = text, .dataset = "/x"}, true, "@/not_hdf5.h5: is not an HDF5 file");
}

/* The probe passes a good file and reads nothing into the context. */
static void test_probe_good(void)
{
    lt_ctx *ctx = lt_ctx_new_test();
    request r = {.dataset = "/events/features", .labels = "/events/kind"};
    void *cfg = config_for(&r);
    CU_ASSERT_EQUAL(STAGE->probe(ctx, cfg), LT_OK);
    CU_ASSERT_PTR_NULL(lt_ctx_error(ctx));
    CU_ASSERT_EQUAL(lt_json_size(lt_ctx_test_metrics(ctx)), 0);
    free(cfg);
    lt_ctx_free_test(ctx);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    snprintf(file, sizeof file, "%s/tests/reference/hdf5/events.h5", lt_test_root);
    ref = lt_test_reference("hdf5.json");
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("dataset.hdf5", NULL, NULL);
    CU_add_test(s, "values as h5py reads them, held and streamed", test_values);
    CU_add_test(s, "columns picked by feature name", test_columns_by_name);
    CU_add_test(s, "bad datasets, found by run and by the probe", test_errors);
    CU_add_test(s, "the probe passes a good file", test_probe_good);
    int rc = lt_test_run();
    lt_json_free(ref);
    return rc;
}
