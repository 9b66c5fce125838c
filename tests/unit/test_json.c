#include <CUnit/Basic.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/json.h"
#include "testutil.h"

const char *lt_test_root = ".";

static void test_format_roundtrip(void)
{
    char buf[32];
    lt_json_format_double(buf, 0.1);
    CU_ASSERT_STRING_EQUAL(buf, "0.1");
    lt_json_format_double(buf, 3.0);
    CU_ASSERT_STRING_EQUAL(buf, "3");
    double x = 0.1 + 0.2;
    lt_json_format_double(buf, x);
    CU_ASSERT_STRING_EQUAL(buf, "0.30000000000000004");
    CU_ASSERT_EQUAL(strtod(buf, NULL), x);
}

static void test_object_order_and_nan(void)
{
    lt_json *o = lt_json_object();
    lt_json_set(o, "b", lt_json_num(NAN));
    lt_json_set(o, "a", lt_json_int(2));
    double v[2] = {1.5, -2};
    lt_json_set(o, "v", lt_json_vec(v, 2));
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    CU_ASSERT_EQUAL(lt_json_write_compact(o, f), 0);
    fclose(f);
    CU_ASSERT_STRING_EQUAL(text, "{\"b\":null,\"a\":2,\"v\":[1.5,-2]}");
    CU_ASSERT_EQUAL(lt_json_number(lt_json_get(o, "a")), 2.0);
    CU_ASSERT_EQUAL(lt_json_number(lt_json_at(lt_json_get(o, "v"), 1)), -2.0);
    free(text);
    lt_json_free(o);
}

static void test_parse(void)
{
    lt_json *j = lt_json_parse("{\"a\": [1, 2.5e-3, -4], \"s\": \"x\\ny\", \"t\": true}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(lt_json_size(lt_json_get(j, "a")), 3);
    CU_ASSERT_EQUAL(lt_json_number(lt_json_at(lt_json_get(j, "a"), 1)), 2.5e-3);
    CU_ASSERT_STRING_EQUAL(lt_json_string(lt_json_get(j, "s")), "x\ny");
    CU_ASSERT_EQUAL(lt_json_number(lt_json_get(j, "t")), 1.0);
    lt_json_free(j);
    CU_ASSERT_PTR_NULL(lt_json_parse("{\"a\": [1, 2}"));
    CU_ASSERT_PTR_NULL(lt_json_parse("[1] x"));
    lt_json *u = lt_json_parse("[\"\\u03c3 \\u00b1 \\ud83d\\ude00\"]");
    CU_ASSERT_STRING_EQUAL(lt_json_string(lt_json_at(u, 0)), "\xcf\x83 \xc2\xb1 \xf0\x9f\x98\x80");
    lt_json_free(u);
}

/* Inputs the fuzzer found (tests/fuzz/regress/json): each read past the end
 * of its text or built a code point past U+10FFFF. */
static void test_parse_fuzz_findings(void)
{
    static const char *const bad[] = {
        "\"abc\\",                 /* a backslash ends the text */
        "[{\"\xf1pl=====\\",      /* ... inside an object's key */
        "\"\\ud800\\u0041\"",      /* a high surrogate, then no low one */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CU_ASSERT_PTR_NULL(lt_json_parse(bad[i]));
    lt_json *pair = lt_json_parse("\"\\ud83d\\ude00\"");
    CU_ASSERT_PTR_NOT_NULL_FATAL(pair);
    CU_ASSERT_STRING_EQUAL(lt_json_string(pair), "\xf0\x9f\x98\x80");
    lt_json_free(pair);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("json", NULL, NULL);
    CU_add_test(s, "shortest round-trip doubles", test_format_roundtrip);
    CU_add_test(s, "object order, NaN as null", test_object_order_and_nan);
    CU_add_test(s, "parse", test_parse);
    CU_add_test(s, "parse: what the fuzzer found", test_parse_fuzz_findings);
    return lt_test_run();
}
