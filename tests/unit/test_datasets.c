/* The dataset stages: dataset.breast_cancer against scikit-learn's
 * load_breast_cancer() (tests/reference/logreg.json), and dataset.csv's
 * parameters and errors. */
#include <CUnit/Basic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "io/json.h"
#include "latent/stage.h"
#include "testcfg.h"
#include "testutil.h"

const char *lt_test_root = ".";

extern const lt_stage_def dataset_breast_cancer_stage, dataset_csv_stage;

/* Points string parameter NAME of a dataset.csv config at V (borrowed). */
static void set_str(void *cfg, const char *name, const char *v)
{
    *(const char **)((char *)cfg + lt_test_param(&dataset_csv_stage, name)->offset) = v;
}

static lt_json *ref; /* the "breast_cancer" object of logreg.json */

/* FNV-1a over the little-endian bytes of the doubles, as make_logreg.py. */
static uint64_t fnv1a64(const double *v, size_t n)
{
    uint64_t h = 0xCBF29CE484222325u;
    for (size_t i = 0; i < n; i++) {
        uint64_t bits;
        memcpy(&bits, &v[i], sizeof bits);
        for (int b = 0; b < 8; b++) {
            h ^= (bits >> (8 * b)) & 0xFF;
            h *= 0x100000001B3u;
        }
    }
    return h;
}

static void test_breast_cancer(void)
{
    lt_ctx *ctx = lt_ctx_new_test();
    lt_data *d = NULL;
    CU_ASSERT_EQUAL_FATAL(lt_test_call(&dataset_breast_cancer_stage, ctx, NULL, NULL, 0, &d), LT_OK);
    const lt_mat *x = d->split[LT_TRAIN].x;
    CU_ASSERT_EQUAL_FATAL(x->rows, 569);
    CU_ASSERT_EQUAL_FATAL(x->cols, 30);
    CU_ASSERT_EQUAL(d->n_features, 30);

    /* Every value bit for bit as sklearn's (strtod of the same text). */
    char hex[17];
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)fnv1a64(x->v, 569 * 30));
    CU_ASSERT_STRING_EQUAL(hex, lt_json_string(lt_json_get(ref, "data_fnv1a64")));
    const lt_json *first = lt_json_get(ref, "first_row"), *last = lt_json_get(ref, "last_row");
    for (size_t j = 0; j < 30; j++) {
        CU_ASSERT_EQUAL(x->v[j], lt_json_number(lt_json_value_at(first, j)));
        CU_ASSERT_EQUAL(x->v[568 * 30 + j], lt_json_number(lt_json_value_at(last, j)));
    }

    CU_ASSERT_EQUAL_FATAL(d->n_classes, 2);
    size_t counts[2] = {0, 0};
    for (size_t i = 0; i < 569; i++)
        counts[d->split[LT_TRAIN].y[i]]++;
    const lt_json *expect = lt_json_get(ref, "class_counts");
    CU_ASSERT_EQUAL(counts[0], lt_json_number(lt_json_value_at(expect, 0)));
    CU_ASSERT_EQUAL(counts[1], lt_json_number(lt_json_value_at(expect, 1)));
    for (int c = 0; c < 2; c++)
        CU_ASSERT_STRING_EQUAL(d->class_names[c],
                               lt_json_string(lt_json_value_at(lt_json_get(ref, "class_names"), (size_t)c)));
    for (size_t j = 0; j < 30; j++)
        CU_ASSERT_STRING_EQUAL(d->feature_names[j],
                               lt_json_string(lt_json_value_at(lt_json_get(ref, "feature_names"), j)));
    lt_data_free(&d);
    lt_ctx_free_test(ctx);
}

static void test_csv_stage(void)
{
    lt_ctx *ctx = lt_ctx_new_test();
    char *path = lt_path_join(ctx->test_dir, "t.tsv");
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("1\t2\tcat\n3\t4\tdog\n5\t6\tcat\n", f);
    fclose(f);

    void *cfg = lt_test_config(&dataset_csv_stage);
    set_str(cfg, "path", path);
    lt_test_set_bool(&dataset_csv_stage, cfg, "header", false);
    set_str(cfg, "label_column", "-1");
    set_str(cfg, "delimiter", "\t");
    CU_ASSERT_EQUAL(dataset_csv_stage.check(ctx, cfg), LT_OK);
    lt_data *d = NULL;
    CU_ASSERT_EQUAL_FATAL(lt_test_call(&dataset_csv_stage, ctx, cfg, NULL, 0, &d), LT_OK);
    CU_ASSERT_EQUAL(d->split[LT_TRAIN].x->rows, 3);
    CU_ASSERT_EQUAL(d->split[LT_TRAIN].x->v[5], 6);
    CU_ASSERT_EQUAL(d->n_classes, 2);
    CU_ASSERT_EQUAL(d->split[LT_TRAIN].y[1], 1);
    lt_data_free(&d);

    set_str(cfg, "delimiter", "ab");
    CU_ASSERT_EQUAL(dataset_csv_stage.check(ctx, cfg), LT_EINPUT);
    CU_ASSERT_STRING_EQUAL(lt_ctx_error(ctx),
                           "stage 'test': delimiter must be auto, whitespace or one character "
                           "other than a quote or a line break (write \"\\t\" for a tab), got "
                           "\"ab\"");
    lt_ctx_enter(ctx, "data", 0, 0, lt_ctx_test_metrics(ctx));
    set_str(cfg, "delimiter", "\t");
    set_str(cfg, "label_column", "animal");
    CU_ASSERT_EQUAL(dataset_csv_stage.check(ctx, cfg), LT_EINPUT);
    CU_ASSERT_STRING_EQUAL(lt_ctx_error(ctx),
                           "stage 'data': label_column is 'animal' but without a header it "
                           "must be a 0-based column index such as 0 or -1");

    /* A data error names the file, the line and the column. */
    lt_ctx_enter(ctx, "data", 0, 0, lt_ctx_test_metrics(ctx));
    set_str(cfg, "label_column", "");
    CU_ASSERT_EQUAL(lt_test_call(&dataset_csv_stage, ctx, cfg, NULL, 0, &d), LT_EINPUT);
    char expect[4200];
    snprintf(expect, sizeof expect,
             "%s:1:3: column 3 holds text (\"cat\"); name it as label_column or list it in "
             "ignore", path);
    CU_ASSERT_STRING_EQUAL(lt_ctx_error(ctx), expect);
    CU_ASSERT_PTR_NULL(d);

    /* missing: drop drops the rows and says how many, as a metric. */
    f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("x;y\n1;\n2;3\nNA;4\n5;6\n", f);
    fclose(f);
    free(cfg);
    cfg = lt_test_config(&dataset_csv_stage);
    set_str(cfg, "path", path);
    lt_test_set_choice(&dataset_csv_stage, cfg, "missing", "drop");
    lt_ctx_enter(ctx, "data", 0, 0, lt_ctx_test_metrics(ctx));
    CU_ASSERT_EQUAL_FATAL(lt_test_call(&dataset_csv_stage, ctx, cfg, NULL, 0, &d), LT_OK);
    CU_ASSERT_EQUAL(d->split[LT_TRAIN].x->rows, 2);
    CU_ASSERT_EQUAL(d->split[LT_TRAIN].x->v[3], 6);
    CU_ASSERT_EQUAL(lt_json_number(lt_json_get(lt_ctx_test_metrics(ctx), "rows_dropped")), 2);
    lt_data_free(&d);
    free(cfg);
    free(path);
    lt_ctx_free_test(ctx);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    lt_json *all = lt_test_reference("logreg.json");
    ref = lt_json_get(all, "breast_cancer");
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("datasets", NULL, NULL);
    CU_add_test(s, "dataset.breast_cancer is sklearn's table", test_breast_cancer);
    CU_add_test(s, "dataset.csv", test_csv_stage);
    int rc = lt_test_run();
    lt_json_free(all);
    return rc;
}
