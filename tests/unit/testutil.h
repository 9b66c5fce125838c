/* Shared by the unit test programs: reference JSON and tolerances. */
#ifndef LATENT_TESTUTIL_H
#define LATENT_TESTUTIL_H

#include <CUnit/Basic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fsutil.h"
#include "io/json.h"

/* Loads tests/reference/NAME (meson passes the source root as argv[1] and
 * main() stores it in lt_test_root). Aborts the program when missing: a test
 * without its reference must fail, not pass. Owned by the caller. */
extern const char *lt_test_root;
static inline lt_json *lt_test_reference(const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/reference/%s", lt_test_root, name);
    char *text = lt_read_file(path, NULL);
    lt_json *j = text ? lt_json_parse(text) : NULL;
    free(text);
    if (!j) {
        fprintf(stderr, "cannot read reference %s\n", path);
        exit(1);
    }
    return j;
}

/* Max |a_i - b_i| against a JSON array of numbers (or NAN on length mismatch). */
static inline double lt_test_maxdiff(const double *a, size_t n, const lt_json *ref)
{
    if (lt_json_size(ref) != n)
        return NAN;
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs(a[i] - lt_json_number(lt_json_value_at(ref, i)));
        if (!(d <= m))
            m = d;
    }
    return m;
}

/* Asserts diff <= tol and prints the measured difference: the test log is
 * where the agreement with a reference is read off. */
#define NEAR(label, diff, tol)                                                  \
    do {                                                                        \
        double d_ = (diff);                                                     \
        printf("\n    %-62s max|diff| %.3g", label, d_);                        \
        CU_ASSERT(d_ <= (tol));                                                 \
    } while (0)

/* Asserts the error message GOT is there and is EXPECT, printing both when
 * it is not (CUnit shows neither). */
#define MESSAGE_IS(got, expect)                                                 \
    do {                                                                        \
        const char *g_ = (got), *e_ = (expect);                                 \
        CU_ASSERT_PTR_NOT_NULL_FATAL(g_);                                       \
        if (strcmp(g_, e_) != 0)                                                \
            printf("\n      got      %s\n      expected %s\n", g_, e_);          \
        CU_ASSERT_STRING_EQUAL(g_, e_);                                         \
    } while (0)

/* MESSAGE with every "@" replaced by DIR (a test's temporary folder), into
 * OUT of SIZE bytes. Returns OUT. */
static inline const char *lt_test_expand(const char *message, const char *dir, char *out,
                                         size_t size)
{
    size_t len = 0;
    out[0] = '\0';
    for (const char *m = message; *m && len + 1 < size; m++) {
        if (*m == '@')
            len += (size_t)snprintf(out + len, size - len, "%s", dir);
        else
            out[len++] = *m, out[len] = '\0';
    }
    return out;
}

/* Runs every registered CUnit test; returns the process exit status. */
static inline int lt_test_run(void)
{
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}

#endif
