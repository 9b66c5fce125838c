/* The split stage against scikit-learn's train_test_split.
 * Reference: tests/reference/rng.json ("splits") from make_rng.py. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "io/json.h"
#include "math/shuffle_split.h"
#include "stage_config.h"
#include "testrun.h"
#include "testutil.h"

const char *lt_test_root = ".";
static lt_json *ref;

/* n rows whose features are (i, -i), per-row value i / 2, labels from
 * LABELS when given (else none), and named features: every output row then
 * says which input row it came from. Owned by the caller. */
static lt_data *indexed_data(size_t n, const lt_json *labels)
{
    lt_data *d = lt_data_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    lt_split *s = &d->split[LT_TRAIN];
    s->x = lt_mat_new(n, 2);
    s->t = malloc(n * sizeof *s->t);
    CU_ASSERT_FATAL(s->x && s->t);
    for (size_t i = 0; i < n; i++) {
        s->x->v[2 * i] = (double)i;
        s->x->v[2 * i + 1] = -(double)i;
        s->t[i] = i / 2.0;
    }
    if (labels) {
        CU_ASSERT_EQUAL_FATAL(lt_json_size(labels), n);
        s->y = malloc(n * sizeof *s->y);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s->y);
        int max = 0;
        for (size_t i = 0; i < n; i++) {
            s->y[i] = (int)lt_json_number(lt_json_at(labels, i));
            if (s->y[i] > max)
                max = s->y[i];
        }
        d->n_classes = max + 1;
    }
    d->n_features = 2;
    d->feature_names = calloc(2, sizeof(char *));
    CU_ASSERT_PTR_NOT_NULL_FATAL(d->feature_names);
    d->feature_names[0] = strdup("index");
    d->feature_names[1] = strdup("minus index");
    return d;
}

/* valid_size for run_split: 0 (none) unless a test sets it. */
static double valid_size;

/* Runs split on IN with the given settings; returns the status. */
static int run_split(lt_ctx *ctx, const lt_data *in, double test_size,
                     int64_t random_state, bool shuffle, bool stratify,
                     lt_data **out)
{
    const lt_stage_def *def = lt_test_stage("split");
    void *cfg = lt_test_config(def);
    LT_TEST_REAL(def, cfg, "test_size") = test_size;
    LT_TEST_REAL(def, cfg, "valid_size") = valid_size;
    LT_TEST_SEED(def, cfg, "random_state") = random_state;
    LT_TEST_BOOL(def, cfg, "shuffle") = shuffle;
    LT_TEST_BOOL(def, cfg, "stratify") = stratify;
    lt_ctx_enter(ctx, "split", 0, 0, lt_ctx_test_metrics(ctx));
    *out = NULL;
    int rc = def->check(ctx, cfg);
    if (rc == LT_OK)
        rc = lt_test_call(def, ctx, cfg, &in, 1, out);
    free(cfg);
    return rc;
}

/* OUT's split S holds exactly the rows WANT (a JSON array of row indices), in
 * that order, with their labels and per-row values. */
static void check_rows(const lt_data *out, const lt_data *in, int s, const lt_json *want)
{
    const lt_split *o = &out->split[s];
    size_t n = lt_json_size(want);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o->x);
    CU_ASSERT_EQUAL_FATAL(o->x->rows, n);
    CU_ASSERT_EQUAL_FATAL(o->x->cols, 2);
    size_t mismatches = 0;
    for (size_t i = 0; i < n; i++) {
        size_t row = (size_t)lt_json_number(lt_json_at(want, i));
        mismatches += o->x->v[2 * i] != (double)row;
        mismatches += o->x->v[2 * i + 1] != -(double)row;
        mismatches += o->t[i] != row / 2.0;
        if (in->split[LT_TRAIN].y)
            mismatches += o->y[i] != in->split[LT_TRAIN].y[row];
    }
    CU_ASSERT_EQUAL(mismatches, 0);
    CU_ASSERT_EQUAL(o->y == NULL, in->split[LT_TRAIN].y == NULL);
}

static void test_reference_splits(void)
{
    const lt_json *cases = lt_json_get(ref, "splits");
    CU_ASSERT_EQUAL_FATAL(lt_json_size(cases), 7);
    lt_ctx *ctx = lt_ctx_new_test();
    for (size_t c = 0; c < lt_json_size(cases); c++) {
        const lt_json *k = lt_json_value_at(cases, c);
        const lt_json *labels = lt_json_get(k, "labels");
        size_t n = (size_t)lt_json_number(lt_json_get(k, "n"));
        const lt_json *train = lt_json_get(k, "train"), *test = lt_json_get(k, "test");
        lt_data *in = indexed_data(n, labels);
        lt_data *out = NULL;
        int rc = run_split(ctx, in, lt_json_number(lt_json_get(k, "test_size")),
                           (int64_t)lt_json_number(lt_json_get(k, "random_state")),
                           lt_json_number(lt_json_get(k, "shuffle")) != 0,
                           labels != NULL, &out);
        CU_ASSERT_EQUAL_FATAL(rc, LT_OK);
        check_rows(out, in, LT_TRAIN, train);
        check_rows(out, in, LT_TEST, test);
        CU_ASSERT_PTR_NULL(out->split[LT_VALID].x);
        CU_ASSERT_EQUAL(lt_ctx_test_metric(ctx, "n_train", 0), (double)lt_json_size(train));
        CU_ASSERT_EQUAL(lt_ctx_test_metric(ctx, "n_test", 0), (double)lt_json_size(test));
        CU_ASSERT_EQUAL(out->n_features, 2);
        CU_ASSERT_EQUAL(out->n_classes, in->n_classes);
        CU_ASSERT_STRING_EQUAL(out->feature_names[1], "minus index");
        lt_data_free(&out);
        lt_data_free(&in);
    }
    lt_ctx_free_test(ctx);
}

/* An unset random_state is the pipeline's seed. */
static void test_unset_random_state(void)
{
    const lt_json *k = lt_json_value_at(lt_json_get(ref, "splits"), 0);
    CU_ASSERT_EQUAL_FATAL(lt_json_number(lt_json_get(k, "random_state")), 0);
    lt_ctx *ctx = lt_ctx_new_test(); /* seed 0 */
    lt_data *in = indexed_data(569, NULL), *out = NULL;
    CU_ASSERT_EQUAL_FATAL(run_split(ctx, in, 0.25, -1, true, false, &out), LT_OK);
    check_rows(out, in, LT_TEST, lt_json_get(k, "test"));
    lt_data_free(&out);
    lt_data_free(&in);
    lt_ctx_free_test(ctx);
}

/* The stratified shares: breast cancer has 212 malignant and 357 benign. */
static void test_stratified_shares(void)
{
    const lt_json *k = lt_json_value_at(lt_json_get(ref, "splits"), 4);
    const lt_json *labels = lt_json_get(k, "labels");
    size_t n = lt_json_size(labels);
    CU_ASSERT_EQUAL_FATAL(n, 569);
    int *y = malloc(n * sizeof *y);
    size_t train[426], test[143];
    CU_ASSERT_PTR_NOT_NULL_FATAL(y);
    for (size_t i = 0; i < n; i++)
        y[i] = (int)lt_json_number(lt_json_at(labels, i));
    lt_strat_info info;
    CU_ASSERT_EQUAL_FATAL(lt_stratified_split(0, y, n, 143, train, test, &info), LT_STRAT_OK);
    CU_ASSERT_EQUAL(info.n_classes, 2);
    size_t malignant = 0;
    for (size_t i = 0; i < 143; i++)
        malignant += y[test[i]] == 0;
    CU_ASSERT_EQUAL(malignant, 53); /* 212 * 143 / 569 = 53.3 */
    free(y);
}

static void test_errors(void)
{
    lt_ctx *ctx = lt_ctx_new_test();
    lt_data *in = indexed_data(10, NULL), *out = NULL;

    CU_ASSERT_EQUAL(run_split(ctx, in, 10, 0, true, false, &out), LT_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(lt_ctx_error(ctx), "test_size is 10 rows but the data have only 10"));
    CU_ASSERT_EQUAL(run_split(ctx, in, 600, 0, true, false, &out), LT_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(lt_ctx_error(ctx), "600 rows"));
    CU_ASSERT_EQUAL(run_split(ctx, in, 0.95, 0, true, false, &out), LT_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(lt_ctx_error(ctx), "leaves no train rows"));
    CU_ASSERT_EQUAL(run_split(ctx, in, 2.5, 0, true, false, &out), LT_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(lt_ctx_error(ctx), "whole number"));
    CU_ASSERT_EQUAL(run_split(ctx, in, 0.25, 0, false, true, &out), LT_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(lt_ctx_error(ctx), "stratify needs shuffle"));
    CU_ASSERT_EQUAL(run_split(ctx, in, 0.25, 0, true, true, &out), LT_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(lt_ctx_error(ctx), "needs labels"));
    CU_ASSERT_PTR_NULL(out);

    /* Splitting twice. */
    CU_ASSERT_EQUAL_FATAL(run_split(ctx, in, 0.25, 0, true, false, &out), LT_OK);
    lt_data *again = NULL;
    CU_ASSERT_EQUAL(run_split(ctx, out, 0.25, 0, true, false, &again), LT_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(lt_ctx_error(ctx), "already has a test split"));
    CU_ASSERT_PTR_NULL(again);
    lt_data_free(&out);
    lt_data_free(&in);

    /* Labels 0 x4, 1 x5, 2 x1: label 2 cannot be in both splits. */
    lt_json *labels = lt_json_parse("[0,0,0,0,1,1,1,1,1,2]");
    in = indexed_data(10, labels);
    CU_ASSERT_EQUAL(run_split(ctx, in, 0.25, 0, true, true, &out), LT_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(lt_ctx_error(ctx), "label 2 has only 1 row"));
    lt_data_free(&in);
    lt_json_free(labels);

    /* Three labels but a 2-row test split. */
    labels = lt_json_parse("[0,0,0,0,1,1,1,1,2,2]");
    in = indexed_data(10, labels);
    CU_ASSERT_EQUAL(run_split(ctx, in, 2, 0, true, true, &out), LT_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(lt_ctx_error(ctx), "test split gets 2 rows but there are 3 labels"));
    lt_data_free(&in);
    lt_json_free(labels);
    lt_ctx_free_test(ctx);
}

/* valid_size: the rows of two train_test_split calls (make_split_valid.py). */
static void test_valid_splits(void)
{
    lt_json *valid_ref = lt_test_reference("split_valid.json");
    const lt_json *cases = lt_json_get(valid_ref, "cases");
    CU_ASSERT_EQUAL_FATAL(lt_json_size(cases), 6);
    lt_ctx *ctx = lt_ctx_new_test();
    for (size_t c = 0; c < lt_json_size(cases); c++) {
        const lt_json *k = lt_json_value_at(cases, c);
        const lt_json *labels = lt_json_get(k, "labels");
        size_t n = (size_t)lt_json_number(lt_json_get(k, "n"));
        lt_data *in = indexed_data(n, labels);
        lt_data *out = NULL;
        valid_size = lt_json_number(lt_json_get(k, "valid_size"));
        int rc = run_split(ctx, in, lt_json_number(lt_json_get(k, "test_size")),
                           (int64_t)lt_json_number(lt_json_get(k, "random_state")),
                           lt_json_number(lt_json_get(k, "shuffle")) != 0, labels != NULL, &out);
        valid_size = 0;
        if (rc != LT_OK)
            printf("\n    case %zu: %s", c, lt_ctx_error(ctx));
        CU_ASSERT_EQUAL_FATAL(rc, LT_OK);
        check_rows(out, in, LT_TRAIN, lt_json_get(k, "train"));
        check_rows(out, in, LT_VALID, lt_json_get(k, "valid"));
        check_rows(out, in, LT_TEST, lt_json_get(k, "test"));
        CU_ASSERT_EQUAL(lt_ctx_test_metric(ctx, "n_valid", 0), (double)lt_json_size(lt_json_get(k, "valid")));
        lt_data_free(&out);
        lt_data_free(&in);
    }
    lt_ctx_free_test(ctx);
    lt_json_free(valid_ref);
}

static void test_valid_errors(void)
{
    lt_ctx *ctx = lt_ctx_new_test();
    lt_data *in = indexed_data(10, NULL), *out = NULL;
    valid_size = 0.5;
    CU_ASSERT_EQUAL(run_split(ctx, in, 0.5, 0, true, false, &out), LT_EINPUT);
    MESSAGE_IS(lt_ctx_error(ctx), "stage 'split': test_size 0.5 + valid_size 0.5 leave no train rows; "
                                  "expected shares that sum to less than 1");
    valid_size = 7;
    CU_ASSERT_EQUAL(run_split(ctx, in, 3, 0, true, false, &out), LT_EINPUT);
    MESSAGE_IS(lt_ctx_error(ctx), "stage 'split': valid_size 7 gives 7 valid rows but the test split "
                                  "leaves only 7; expected fewer, so that train keeps at least one");
    valid_size = 2.5;
    CU_ASSERT_EQUAL(run_split(ctx, in, 3, 0, true, false, &out), LT_EINPUT);
    MESSAGE_IS(lt_ctx_error(ctx), "stage 'split': valid_size is 2.5; expected 0, a fraction in (0, 1) "
                                  "or a whole number of rows");
    valid_size = 0;
    CU_ASSERT_PTR_NULL(out);
    lt_data_free(&in);
    lt_ctx_free_test(ctx);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    ref = lt_test_reference("rng.json");
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("split", NULL, NULL);
    CU_add_test(s, "train_test_split indices, 7 cases", test_reference_splits);
    CU_add_test(s, "unset random_state = pipeline seed", test_unset_random_state);
    CU_add_test(s, "stratified class shares", test_stratified_shares);
    CU_add_test(s, "errors", test_errors);
    CU_add_test(s, "valid_size: two train_test_split calls, 6 cases", test_valid_splits);
    CU_add_test(s, "valid_size errors", test_valid_errors);
    int rc = lt_test_run();
    lt_json_free(ref);
    return rc;
}
