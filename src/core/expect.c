/* Expectations: a run's metrics checked against the pipeline's `expect:`. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/run.h"

static void describe_expect(const lt_expect *e, char *buf, size_t size)
{
    char a[32], b[32];
    switch (e->op) {
    case LT_EXPECT_NEAR:
        lt_json_format_double(a, e->value);
        lt_json_format_double(b, e->tol + e->rtol * fabs(e->value));
        snprintf(buf, size, "%s ± %s", a, b);
        break;
    case LT_EXPECT_EQUALS:
        lt_json_format_double(a, e->value);
        snprintf(buf, size, "= %s", a);
        break;
    case LT_EXPECT_RANGE:
        lt_json_format_double(a, e->min);
        lt_json_format_double(b, e->max);
        if (isinf(e->max))
            snprintf(buf, size, ">= %s", a);
        else if (isinf(e->min))
            snprintf(buf, size, "<= %s", b);
        else
            snprintf(buf, size, "in [%s, %s]", a, b);
        break;
    }
}

int lt_expect_check(const lt_pipeline *p, const lt_json *metrics, FILE *out, lt_json *verdicts)
{
    int rc = LT_OK;
    size_t ok = 0;
    size_t width = 0;
    for (size_t i = 0; i < p->n_expects; i++)
        if (strlen(p->expects[i].target) > width)
            width = strlen(p->expects[i].target);
    for (size_t i = 0; i < p->n_expects; i++) {
        const lt_expect *e = &p->expects[i];
        const lt_json *v = lt_json_get(lt_json_get(metrics, e->stage), e->metric);
        for (int k = 0; k < 2 && e->index[k] >= 0; k++)
            v = lt_json_is_array(v) ? lt_json_at(v, (size_t)e->index[k]) : NULL;
        double x = lt_json_number(v);
        bool pass = false;
        if (!isnan(x)) {
            switch (e->op) {
            case LT_EXPECT_NEAR: pass = fabs(x - e->value) <= e->tol + e->rtol * fabs(e->value); break;
            case LT_EXPECT_EQUALS: pass = x == e->value; break;
            case LT_EXPECT_RANGE: pass = x >= e->min && x <= e->max; break;
            }
        }
        char want[96], got[32];
        describe_expect(e, want, sizeof want);
        if (isnan(x))
            snprintf(got, sizeof got, "%s", v ? "not a number" : "not reported");
        else
            lt_json_format_double(got, x);
        if (out)
            fprintf(out, "  %-*s  %-22s %-24s %s\n", (int)width, e->target, got, want, pass ? "ok" : "MISS");
        if (verdicts) {
            lt_json *row = lt_json_push(verdicts, lt_json_object());
            lt_json_set(row, "target", lt_json_str(e->target));
            lt_json_set(row, "measured", isnan(x) ? lt_json_null() : lt_json_num(x));
            if (isnan(x))
                lt_json_set(row, "problem", lt_json_str(got));
            lt_json_set(row, "expected", lt_json_str(want));
            lt_json_set(row, "ok", lt_json_bool(pass));
        }
        if (pass)
            ok++;
        else
            rc = LT_MISS;
    }
    if (out)
        fprintf(out, "%s: %zu expectation%s, %zu ok, %zu missed\n", p->file, p->n_expects,
                p->n_expects == 1 ? "" : "s", ok, p->n_expects - ok);
    return rc;
}
