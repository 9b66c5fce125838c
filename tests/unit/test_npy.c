/* dataset.npy on files numpy wrote (tests/reference/make_npy.py): every
 * value as numpy reads it back, in each data type, byte order, memory
 * order and header version; labels encoded as np.unique does; streams; and
 * the exact message for each bad file. */
#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "testcfg.h"
#include "testutil.h"

const char *lt_test_root = ".";

extern const lt_stage_def dataset_npy_stage;
#define STAGE (&dataset_npy_stage)

static lt_json *ref;
static char dir[4096];

/* Runs the stage on NAME (and LABELS, may be NULL); *out on success. */
static int load(lt_ctx *ctx, const char *name, const char *labels, bool stream, lt_data **out)
{
    char path[4200], lpath[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(lpath, sizeof lpath, "%s/%s", dir, labels ? labels : "");
    void *cfg = lt_test_config(STAGE);
    *(const char **)((char *)cfg + lt_test_param(STAGE, "path")->offset) = path;
    if (labels)
        *(const char **)((char *)cfg + lt_test_param(STAGE, "labels")->offset) = lpath;
    lt_test_set_bool(STAGE, cfg, "stream", stream);
    lt_ctx_enter(ctx, "data", 0, 0, lt_ctx_test_metrics(ctx));
    *out = NULL;
    int rc = lt_test_call(STAGE, ctx, cfg, NULL, 0, out);
    free(cfg);
    return rc;
}

static void test_values(void)
{
    const lt_json *good = lt_json_get(ref, "good");
    CU_ASSERT_FATAL(lt_json_size(good) >= 7);
    for (size_t i = 0; i < lt_json_size(good); i++) {
        const char *name = lt_json_key_at(good, i);
        const lt_json *c = lt_json_value_at(good, i);
        size_t rows = (size_t)lt_json_number(lt_json_get(c, "rows"));
        size_t cols = (size_t)lt_json_number(lt_json_get(c, "cols"));
        const lt_json *values = lt_json_get(c, "values");
        for (int stream = 0; stream < 2; stream++) {
            lt_ctx *ctx = lt_ctx_new_test();
            lt_data *d;
            int rc = load(ctx, name, NULL, stream, &d);
            if (rc != LT_OK)
                printf("\n    %s: %s", name, lt_ctx_error(ctx));
            CU_ASSERT_EQUAL_FATAL(rc, LT_OK);
            const lt_mat *x = d->split[LT_TRAIN].x;
            CU_ASSERT_EQUAL_FATAL(x->rows, rows);
            CU_ASSERT_EQUAL_FATAL(x->cols, cols);
            double *got = malloc(rows * cols * sizeof *got);
            char err[256];
            CU_ASSERT_FATAL(got != NULL);
            /* Streams are read in two pieces, the second first. */
            size_t half = rows / 2;
            CU_ASSERT_EQUAL(lt_mat_read_rows(x, half, rows - half, got + half * cols, err,
                                             sizeof err), 0);
            CU_ASSERT_EQUAL(lt_mat_read_rows(x, 0, half, got, err, sizeof err), 0);
            CU_ASSERT_EQUAL(stream ? x->stream != NULL : x->v != NULL, true);
            size_t bad = 0;
            for (size_t k = 0; k < rows * cols; k++)
                bad += got[k] != lt_json_number(lt_json_value_at(values, k));
            if (bad)
                printf("\n    %s%s: %zu values differ", name, stream ? " (stream)" : "", bad);
            CU_ASSERT_EQUAL(bad, 0);
            const lt_json *shape = lt_json_get(c, "shape");
            if (lt_json_size(shape) == 3) {
                CU_ASSERT_EQUAL(d->image_rows, lt_json_number(lt_json_value_at(shape, 1)));
                CU_ASSERT_EQUAL(d->image_cols, lt_json_number(lt_json_value_at(shape, 2)));
            } else {
                CU_ASSERT_EQUAL(d->image_rows, 0);
            }
            free(got);
            lt_data_free(&d);
            lt_ctx_free_test(ctx);
        }
    }
}

static void test_labels(void)
{
    lt_ctx *ctx = lt_ctx_new_test();
    lt_data *d;
    CU_ASSERT_EQUAL_FATAL(load(ctx, "table_f8.npy", "labels_i8.npy", false, &d), LT_OK);
    const lt_json *want = lt_json_get(ref, "labels");
    const lt_json *classes = lt_json_get(want, "classes"), *y = lt_json_get(want, "y");
    CU_ASSERT_EQUAL_FATAL(d->n_classes, (int)lt_json_size(classes));
    for (int c = 0; c < d->n_classes; c++)
        CU_ASSERT_STRING_EQUAL(d->class_names[c], lt_json_string(lt_json_value_at(classes, c)));
    for (size_t i = 0; i < lt_json_size(y); i++)
        CU_ASSERT_EQUAL(d->split[LT_TRAIN].y[i], lt_json_number(lt_json_value_at(y, i)));
    lt_data_free(&d);
    lt_ctx_free_test(ctx);
}

/* Runs the stage's probe on NAME (and LABELS, may be NULL). */
static int probe(lt_ctx *ctx, const char *name, const char *labels)
{
    char path[4200], lpath[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(lpath, sizeof lpath, "%s/%s", dir, labels ? labels : "");
    void *cfg = lt_test_config(STAGE);
    *(const char **)((char *)cfg + lt_test_param(STAGE, "path")->offset) = path;
    if (labels)
        *(const char **)((char *)cfg + lt_test_param(STAGE, "labels")->offset) = lpath;
    int rc = STAGE->probe(ctx, cfg);
    free(cfg);
    return rc;
}

/* Asserts loading NAME fails with MESSAGE, "@" standing for the folder;
 * and that the probe, which reads only headers, finds it too (when the
 * problem is in a header) or passes (when it is in the values). */
static void expect_error(const char *name, const char *labels, const char *message)
{
    bool in_values = strstr(message, "NaN") || strstr(message, "whole number");
    char expect[8192];
    lt_test_expand(message, dir, expect, sizeof expect);
    for (int stream = 0; stream < 2; stream++) {
        lt_ctx *ctx = lt_ctx_new_test();
        lt_data *d;
        CU_ASSERT_EQUAL(load(ctx, name, labels, stream, &d), LT_EINPUT);
        CU_ASSERT_PTR_NULL(d);
        MESSAGE_IS(lt_ctx_error(ctx), expect);
        lt_ctx_free_test(ctx);
    }
    lt_ctx *ctx = lt_ctx_new_test();
    CU_ASSERT_EQUAL(probe(ctx, name, labels), in_values ? LT_OK : LT_EINPUT);
    if (!in_values)
        MESSAGE_IS(lt_ctx_error(ctx), expect);
    lt_ctx_free_test(ctx);
}

static void test_errors(void)
{
    expect_error("nan.npy", NULL, "@/nan.npy:3:2: NaN is not allowed, expected a finite number");
    expect_error("complex.npy", NULL,
                 "@/complex.npy: the data type is '<c16' (complex); expected floats (f4, f8), "
                 "integers or booleans");
    expect_error("structured.npy", NULL,
                 "@/structured.npy: holds a structured array (fields); expected plain numbers");
    expect_error("truncated.npy", NULL,
                 "@/truncated.npy: truncated: expected 320 bytes of data, found 300");
    expect_error("table_f8.npy", "labels_half.npy",
                 "@/labels_half.npy:2: label 1.5 is not a whole number");
    expect_error("table_f8.npy", "column_bool.npy",
                 "@/column_bool.npy: holds 6 values in 1 dimension; expected one label for "
                 "each of the 7 rows");
    expect_error("labels_i8.npy.missing", NULL,
                 "@/labels_i8.npy.missing: cannot read: No such file or directory");
    expect_error("empty.npy", NULL, "@/empty.npy: the file is empty; expected a .npy file (np.save writes one)");
    expect_error("../npy.json", NULL,
                 "@/../npy.json: not a .npy file: it does not start with \\x93NUMPY (np.save "
                 "writes it)");
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    snprintf(dir, sizeof dir, "%s/tests/reference/npy", lt_test_root);
    ref = lt_test_reference("npy.json");
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("dataset.npy", NULL, NULL);
    CU_add_test(s, "values as numpy reads them, held and streamed", test_values);
    CU_add_test(s, "labels as np.unique encodes them", test_labels);
    CU_add_test(s, "bad files", test_errors);
    int rc = lt_test_run();
    lt_json_free(ref);
    return rc;
}
