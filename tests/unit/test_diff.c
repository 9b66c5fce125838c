/* latent diff: leaf names, verdicts at the tolerance's edges, shapes that
 * differ, and the JSON form. */
#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>

#include "core/diff.h"
#include "testutil.h"

const char *lt_test_root = ".";

/* Diffs two JSON texts; the trees stay alive in *A and *B. */
static void diff_texts(const char *ta, const char *tb, double atol, double rtol, lt_diff *d, lt_json **a,
                       lt_json **b)
{
    *a = lt_json_parse(ta);
    *b = lt_json_parse(tb);
    CU_ASSERT_PTR_NOT_NULL_FATAL(*a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(*b);
    *d = (lt_diff){0};
    CU_ASSERT_EQUAL_FATAL(lt_diff_compute(*a, *b, atol, rtol, d), 0);
}

/* The verdict of one scalar compared under ATOL and RTOL. */
static lt_diff_verdict verdict_of(const char *x, const char *y, double atol, double rtol)
{
    char ta[128], tb[128];
    snprintf(ta, sizeof ta, "{\"s\": {\"m\": %s}}", x);
    snprintf(tb, sizeof tb, "{\"s\": {\"m\": %s}}", y);
    lt_diff d;
    lt_json *a, *b;
    diff_texts(ta, tb, atol, rtol, &d, &a, &b);
    CU_ASSERT_EQUAL(d.n_rows, 1);
    CU_ASSERT_STRING_EQUAL(d.rows[0].name, "s.m");
    lt_diff_verdict v = d.rows[0].verdict;
    lt_diff_free(&d);
    lt_json_free(a);
    lt_json_free(b);
    return v;
}

static void test_tolerances(void)
{
    /* |a - b| <= atol + rtol * |a|, both edges inclusive; exact by default. */
    CU_ASSERT_EQUAL(verdict_of("1", "1", 0, 0), LT_DIFF_SAME);
    CU_ASSERT_EQUAL(verdict_of("0.1", "0.10000000000000002", 0, 0), LT_DIFF_CHANGED);
    CU_ASSERT_EQUAL(verdict_of("1", "1.5", 0.5, 0), LT_DIFF_SAME);
    CU_ASSERT_EQUAL(verdict_of("1", "1.5", 0.25, 0), LT_DIFF_CHANGED);
    CU_ASSERT_EQUAL(verdict_of("1", "1.5", 0, 0.5), LT_DIFF_SAME);
    CU_ASSERT_EQUAL(verdict_of("1", "1.5", 0, 0.25), LT_DIFF_CHANGED);
    CU_ASSERT_EQUAL(verdict_of("1", "1.5", 0.25, 0.25), LT_DIFF_SAME);
    /* rtol is relative to A, as numpy.isclose(b, a) measures it. */
    CU_ASSERT_EQUAL(verdict_of("2", "1", 0, 0.5), LT_DIFF_SAME);
    CU_ASSERT_EQUAL(verdict_of("1", "2", 0, 0.5), LT_DIFF_CHANGED);
    /* Non-numbers match exactly, whatever the tolerance. */
    CU_ASSERT_EQUAL(verdict_of("null", "null", 0, 0), LT_DIFF_SAME);
    CU_ASSERT_EQUAL(verdict_of("null", "0", 1e9, 0), LT_DIFF_CHANGED);
    CU_ASSERT_EQUAL(verdict_of("\"full\"", "\"full\"", 0, 0), LT_DIFF_SAME);
    CU_ASSERT_EQUAL(verdict_of("\"full\"", "\"auto\"", 1, 1), LT_DIFF_CHANGED);
    CU_ASSERT_EQUAL(verdict_of("true", "true", 0, 0), LT_DIFF_SAME);
    CU_ASSERT_EQUAL(verdict_of("true", "1", 1, 1), LT_DIFF_CHANGED);
    CU_ASSERT_EQUAL(verdict_of("false", "true", 1, 1), LT_DIFF_CHANGED);
    CU_ASSERT_EQUAL(verdict_of("[]", "[]", 0, 0), LT_DIFF_SAME);
    CU_ASSERT_EQUAL(verdict_of("[]", "{}", 0, 0), LT_DIFF_CHANGED);
}

static void test_names_and_shapes(void)
{
    lt_diff d;
    lt_json *a, *b;
    diff_texts("{\"pca\": {\"ratio\": [0.5, 0.25, 0.125], \"m\": [[1, 2]], \"gone\": 1},"
               " \"lr\": {\"acc\": 0.9}}",
               "{\"pca\": {\"ratio\": [0.5, 0.375], \"m\": [1, 2], \"new\": \"x\"},"
               " \"plot\": {\"file\": \"p.png\"}}",
               0, 0, &d, &a, &b);
    static const struct {
        const char *name;
        lt_diff_verdict verdict;
    } want[] = {
        {"pca.ratio[0]", LT_DIFF_SAME},   {"pca.ratio[1]", LT_DIFF_CHANGED}, {"pca.ratio[2]", LT_DIFF_ONLY_A},
        {"pca.m[0][0]", LT_DIFF_ONLY_A},  {"pca.m[0][1]", LT_DIFF_ONLY_A},   {"pca.m[0]", LT_DIFF_ONLY_B},
        {"pca.m[1]", LT_DIFF_ONLY_B},     {"pca.gone", LT_DIFF_ONLY_A},      {"pca.new", LT_DIFF_ONLY_B},
        {"lr.acc", LT_DIFF_ONLY_A},       {"plot.file", LT_DIFF_ONLY_B},
    };
    size_t n = sizeof want / sizeof *want;
    CU_ASSERT_EQUAL_FATAL(d.n_rows, n);
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT_STRING_EQUAL(d.rows[i].name, want[i].name);
        CU_ASSERT_EQUAL(d.rows[i].verdict, want[i].verdict);
    }
    CU_ASSERT_EQUAL(d.count[LT_DIFF_SAME], 1);
    CU_ASSERT_EQUAL(d.count[LT_DIFF_CHANGED], 1);
    CU_ASSERT_EQUAL(d.count[LT_DIFF_ONLY_A], 5);
    CU_ASSERT_EQUAL(d.count[LT_DIFF_ONLY_B], 4);
    CU_ASSERT(lt_diff_differs(&d));
    /* Each row belongs to its metric: "pca.m" holds the four m rows. */
    for (size_t i = 3; i < 7; i++)
        CU_ASSERT_STRING_EQUAL(d.metrics[d.rows[i].metric].name, "pca.m");
    CU_ASSERT_STRING_EQUAL(d.metrics[d.rows[2].metric].name, "pca.ratio");
    CU_ASSERT_STRING_EQUAL(d.metrics[d.rows[7].metric].name, "pca.gone");
    lt_diff_free(&d);
    lt_json_free(a);
    lt_json_free(b);
}

static void test_identical(void)
{
    lt_diff d;
    lt_json *a, *b;
    const char *text = "{\"s\": {\"v\": [1, 2, 3], \"ok\": true, \"name\": \"x\", \"nan\": null}}";
    diff_texts(text, text, 0, 0, &d, &a, &b);
    CU_ASSERT_EQUAL(d.n_rows, 6);
    CU_ASSERT_EQUAL(d.count[LT_DIFF_SAME], 6);
    CU_ASSERT(!lt_diff_differs(&d));
    lt_diff_free(&d);
    lt_json_free(a);
    lt_json_free(b);
}

static void test_json(void)
{
    lt_diff d;
    lt_json *a, *b;
    diff_texts("{\"s\": {\"x\": 0.1, \"y\": 0, \"z\": true}}", "{\"s\": {\"x\": 0.30000000000000004, \"y\": 2}}",
               0, 0, &d, &a, &b);
    lt_json *out = lt_diff_json(&d, "A.json", "B.json");
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    CU_ASSERT_EQUAL(lt_json_write_compact(out, f), 0);
    fclose(f);
    /* Full precision: the change 0.30000000000000004 - 0.1 is exactly
     * 0.20000000000000004 in doubles, and its ratio to 0.1 is 2.0000000000000004. */
    CU_ASSERT_STRING_EQUAL(text, "{\"a\":\"A.json\",\"b\":\"B.json\",\"atol\":0,\"rtol\":0,\"differs\":true,"
                                 "\"counts\":{\"same\":0,\"changed\":2,\"only_a\":1,\"only_b\":0},\"metrics\":["
                                 "{\"name\":\"s.x\",\"a\":0.1,\"b\":0.30000000000000004,\"change\":0.20000000000000004,"
                                 "\"rel_change\":2.0000000000000004,\"verdict\":\"changed\"},"
                                 "{\"name\":\"s.y\",\"a\":0,\"b\":2,\"change\":2,\"verdict\":\"changed\"},"
                                 "{\"name\":\"s.z\",\"a\":true,\"verdict\":\"only_a\"}]}");
    free(text);
    lt_json_free(out);
    lt_diff_free(&d);
    lt_json_free(a);
    lt_json_free(b);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("diff", NULL, NULL);
    CU_add_test(s, "tolerances and kinds", test_tolerances);
    CU_add_test(s, "names and shapes", test_names_and_shapes);
    CU_add_test(s, "identical trees", test_identical);
    CU_add_test(s, "JSON at full precision", test_json);
    return lt_test_run();
}
