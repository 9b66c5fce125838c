#include <CUnit/Basic.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/json.h"

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

int main(void)
{
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("json", NULL, NULL);
    CU_add_test(s, "shortest round-trip doubles", test_format_roundtrip);
    CU_add_test(s, "object order, NaN as null", test_object_order_and_nan);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
