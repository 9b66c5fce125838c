/* The parameter types, one lt_param_ops entry each (see param_types.h). */
#include "core/param_types.h"
#include "util/suggest.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/schema.h"
#include "util/fsutil.h"

/* ---- words ----------------------------------------------------------------- */

/* Bounds at or beyond these read as "no bound" in messages and schemas. */
static bool no_min(const lt_param *p) { return p->min <= -1e15 || (p->min == 0 && p->max == 0); }
static bool no_max(const lt_param *p) { return p->max >= 1e15 || (p->min == 0 && p->max == 0); }

static void fmt_num(char *buf, size_t size, double v)
{
    char tmp[32];
    lt_json_format_double(tmp, v);
    snprintf(buf, size, "%s", tmp);
}

static void range_text(const lt_param *p, const char *noun, char *buf, size_t size)
{
    char lo[32], hi[32];
    fmt_num(lo, sizeof lo, p->min);
    fmt_num(hi, sizeof hi, p->max);
    bool lo_open = p->flags & LT_MIN_OPEN, hi_open = p->flags & LT_MAX_OPEN;
    if (no_min(p) && no_max(p))
        snprintf(buf, size, "%s", noun);
    else if (no_max(p))
        snprintf(buf, size, "%s %s %s", noun, lo_open ? ">" : ">=", lo);
    else if (no_min(p))
        snprintf(buf, size, "%s %s %s", noun, hi_open ? "<" : "<=", hi);
    else
        snprintf(buf, size, "%s in %c%s, %s%c", noun, lo_open ? '(' : '[', lo, hi, hi_open ? ')' : ']');
    size_t len = strlen(buf);
    if (p->flags & LT_NULLABLE && len < size)
        snprintf(buf + len, size - len, " or null");
}

/* True for a choice that reads as a word; others (".", ",") are quoted. */
static bool plain_word(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-'))
            return false;
    return true;
}

/* A nullable number whose default is null: NaN or a value out of its range
 * stands for "unset"; its help (or def_text) says what that means. */
static bool in_range(const lt_param *p, double v);

static bool default_is_null(const lt_param *p)
{
    return isnan(p->def) || (p->flags & LT_NULLABLE && !in_range(p, p->def));
}

static void number_default_text(const lt_param *p, char *buf, size_t size)
{
    if (default_is_null(p))
        snprintf(buf, size, "null");
    else
        fmt_num(buf, size, p->def);
}

static void string_default_text(const lt_param *p, char *buf, size_t size)
{
    /* An empty default reads as "" rather than as nothing at all. */
    const char *d = p->def_str;
    snprintf(buf, size, d && *d && plain_word(d) ? "%s" : d && *d ? "'%s'" : "\"\"", d);
}

static void empty_list_text(const lt_param *p, char *buf, size_t size)
{
    (void)p;
    snprintf(buf, size, "[]");
}

/* ---- problems ------------------------------------------------------------- */

/* Records a problem at AT (the stage, when NULL) with CODE and PARAM's
 * config path. */
static void vproblem(lt_binder *b, const char *code, const lt_node *at, const lt_param *p,
                     const char *fmt, va_list ap)
{
    char msg[900], path[400];
    vsnprintf(msg, sizeof msg, fmt, ap);
    int line = at ? at->line : b->site->line, col = at ? at->col : b->site->col;
    const char *file = at && at->source ? at->source : b->site->file;
    const char *context = b->site->context ? b->site->context : "";
    snprintf(path, sizeof path, "stages.%s.with%s%s", b->site->stage, p ? "." : "", p ? p->name : "");
    lt_diag_at where = {.code = code, .file = file, .line = line, .col = col, .path = path};
    if (p)
        lt_diag_report(b->diag, LT_SEV_ERROR, where, "stage '%s': %s%s: %s", b->site->stage, context,
                       p->name, msg);
    else
        lt_diag_report(b->diag, LT_SEV_ERROR, where, "stage '%s': %s%s", b->site->stage, context, msg);
    b->errors++;
}

/* A value that does not fit its row (or, with no row, a key no row has). */
void lt_bind_problem(lt_binder *b, const lt_node *at, const lt_param *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vproblem(b, p ? lt_code_param_value : lt_code_key_unknown, at, p, fmt, ap);
    va_end(ap);
}

__attribute__((format(printf, 4, 5)))
static void wrong_type(lt_binder *b, const lt_node *at, const lt_param *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vproblem(b, lt_code_param_type, at, p, fmt, ap);
    va_end(ap);
}

/* `"two"` for a scalar, `a mapping` for the rest. */
static void got_text(const lt_node *n, char *buf, size_t size)
{
    if (n->kind == LT_SCALAR && !lt_node_is_null(n))
        snprintf(buf, size, "\"%.60s\"%s", n->value, strlen(n->value) > 60 ? "..." : "");
    else
        snprintf(buf, size, "%s", lt_node_describe(n));
}

/* A quoted scalar that would be a number unquoted: `"0.3"`. */
static bool quoted_number(const lt_node *n)
{
    if (n->kind != LT_SCALAR || n->plain || !*n->value)
        return false;
    char *end;
    double v = strtod(n->value, &end);
    return !*end && isfinite(v);
}

void lt_bind_type_problem(lt_binder *b, const lt_node *n, const lt_param *p)
{
    if (lt_param_ops_of(p)->numeric && quoted_number(n)) {
        wrong_type(b, n, p, "a string where a number is expected; remove the quotes");
        return;
    }
    char want[256], got[128];
    got_text(n, got, sizeof got);
    wrong_type(b, n, p, "expected %s, got %s", lt_param_expected(p, want, sizeof want), got);
}

/* A plain scalar holding a finite number. */
static bool scalar_number(const lt_node *n, double *out)
{
    if (n->kind != LT_SCALAR || !n->plain || !*n->value)
        return false;
    char *end;
    errno = 0;
    double v = strtod(n->value, &end);
    if (*end || errno == ERANGE || !isfinite(v))
        return false;
    *out = v;
    return true;
}

static bool in_range(const lt_param *p, double v)
{
    if (!no_min(p) && (p->flags & LT_MIN_OPEN ? v <= p->min : v < p->min))
        return false;
    if (!no_max(p) && (p->flags & LT_MAX_OPEN ? v >= p->max : v > p->max))
        return false;
    return true;
}

/* ---- schema pieces --------------------------------------------------------- */

/* {"type": [TYPE, "null"]}: a value a pipeline may leave null. */
static lt_json *typed_or_null(const char *type)
{
    lt_json *s = lt_json_object();
    lt_json *t = lt_json_set(s, "type", lt_json_array());
    lt_json_push(t, lt_json_str(type));
    lt_json_push(t, lt_json_str("null"));
    return s;
}

static lt_json *ranged(const lt_param *p, const char *type)
{
    lt_json *s = p->flags & LT_NULLABLE ? typed_or_null(type) : lt_schema_typed(type);
    if (!no_min(p))
        lt_json_set(s, p->flags & LT_MIN_OPEN ? "exclusiveMinimum" : "minimum", lt_json_num(p->min));
    if (!no_max(p))
        lt_json_set(s, p->flags & LT_MAX_OPEN ? "exclusiveMaximum" : "maximum", lt_json_num(p->max));
    return s;
}

/* ---- int ------------------------------------------------------------------- */

static void int_default(const lt_param *p, void *f) { *(int *)f = (int)p->def; }

static void int_bind(lt_binder *b, const lt_param *p, void *f, const lt_node *n)
{
    double v;
    if (!scalar_number(n, &v) || v != floor(v) || fabs(v) > 2147483647.0 || !in_range(p, v))
        lt_bind_type_problem(b, n, p);
    else
        *(int *)f = (int)v;
}

static bool int_unset(const lt_param *p, const void *f)
{
    return p->flags & LT_NULLABLE && !in_range(p, *(const int *)f);
}

static lt_json *int_json(const lt_param *p, const void *f) { (void)p; return lt_json_int(*(const int *)f); }
static lt_json *int_schema(const lt_param *p) { return ranged(p, "integer"); }
static lt_json *int_schema_default(const lt_param *p)
{
    return default_is_null(p) ? lt_json_null() : lt_json_int((long long)p->def);
}
static void int_expected(const lt_param *p, char *buf, size_t size) { range_text(p, "an integer", buf, size); }

/* ---- real ------------------------------------------------------------------ */

static void real_default(const lt_param *p, void *f) { *(double *)f = p->def; }

static void real_bind(lt_binder *b, const lt_param *p, void *f, const lt_node *n)
{
    double v;
    if (!scalar_number(n, &v) || !in_range(p, v))
        lt_bind_type_problem(b, n, p);
    else
        *(double *)f = v;
}

static bool real_unset(const lt_param *p, const void *f)
{
    double x = *(const double *)f;
    return isnan(x) || (p->flags & LT_NULLABLE && !in_range(p, x));
}

static lt_json *real_json(const lt_param *p, const void *f) { (void)p; return lt_json_num(*(const double *)f); }
static lt_json *real_schema(const lt_param *p) { return ranged(p, "number"); }
static lt_json *real_schema_default(const lt_param *p)
{
    return default_is_null(p) ? lt_json_null() : lt_json_num(p->def);
}
static void real_expected(const lt_param *p, char *buf, size_t size) { range_text(p, "a number", buf, size); }

/* ---- bool ------------------------------------------------------------------ */

static void bool_default(const lt_param *p, void *f) { *(bool *)f = p->def != 0; }

static void bool_bind(lt_binder *b, const lt_param *p, void *f, const lt_node *n)
{
    const char *v = n->value;
    if (n->kind == LT_SCALAR && n->plain &&
        (!strcmp(v, "true") || !strcmp(v, "True") || !strcmp(v, "false") || !strcmp(v, "False")))
        *(bool *)f = v[0] == 't' || v[0] == 'T';
    else
        lt_bind_type_problem(b, n, p);
}

static lt_json *bool_json(const lt_param *p, const void *f) { (void)p; return lt_json_bool(*(const bool *)f); }
static lt_json *bool_schema(const lt_param *p) { (void)p; return lt_schema_typed("boolean"); }
static lt_json *bool_schema_default(const lt_param *p) { return lt_json_bool(p->def != 0); }
static void bool_expected(const lt_param *p, char *buf, size_t size) { (void)p; snprintf(buf, size, "true or false"); }
static void bool_default_text(const lt_param *p, char *buf, size_t size)
{
    snprintf(buf, size, "%s", p->def != 0 ? "true" : "false");
}

/* ---- string and path ------------------------------------------------------- */

static void string_default(const lt_param *p, void *f) { *(char **)f = p->def_str ? strdup(p->def_str) : NULL; }

static void string_bind(lt_binder *b, const lt_param *p, void *f, const lt_node *n)
{
    if (n->kind != LT_SCALAR || lt_node_is_null(n)) {
        lt_bind_type_problem(b, n, p);
        return;
    }
    /* Relative paths resolve against the pipeline file's folder; a file in
     * the current folder keeps its path as the user wrote it. */
    bool join = p->type == LT_P_PATH && n->value[0] != '/' && strcmp(b->site->basedir, ".") != 0;
    char *s = join ? lt_path_join(b->site->basedir, n->value) : strdup(n->value);
    free(*(char **)f);
    *(char **)f = s;
}

static void string_release(const lt_param *p, void *f)
{
    (void)p;
    free(*(char **)f);
    *(char **)f = NULL;
}

static lt_json *string_json(const lt_param *p, const void *f)
{
    (void)p;
    const char *s = *(char *const *)f;
    return s ? lt_json_str(s) : lt_json_null();
}

static lt_json *string_schema(const lt_param *p) { (void)p; return lt_schema_typed("string"); }
static lt_json *string_schema_default(const lt_param *p) { return p->def_str ? lt_json_str(p->def_str) : NULL; }
static void string_expected(const lt_param *p, char *buf, size_t size)
{
    snprintf(buf, size, p->type == LT_P_PATH ? "a file path" : "a string");
}

/* ---- choice ---------------------------------------------------------------- */

static void choice_default(const lt_param *p, void *f)
{
    *(int *)f = (int)p->def;
    for (int i = 0; p->def_str && p->choices[i]; i++)
        if (strcmp(p->choices[i], p->def_str) == 0)
            *(int *)f = i;
}

static void choice_bind(lt_binder *b, const lt_param *p, void *f, const lt_node *n)
{
    if (n->kind != LT_SCALAR) {
        lt_bind_type_problem(b, n, p);
        return;
    }
    for (int i = 0; p->choices[i]; i++)
        if (strcmp(p->choices[i], n->value) == 0) {
            *(int *)f = i;
            return;
        }
    char want[256];
    const char *hint = lt_did_you_mean(n->value, p->choices);
    if (hint)
        lt_bind_problem(b, n, p, "unknown value \"%.60s\"; did you mean \"%s\"? (expected %s)", n->value, hint,
                        lt_param_expected(p, want, sizeof want));
    else
        lt_bind_type_problem(b, n, p);
}

static lt_json *choice_json(const lt_param *p, const void *f) { return lt_json_str(p->choices[*(const int *)f]); }

static lt_json *choice_schema(const lt_param *p)
{
    lt_json *s = lt_json_object();
    lt_json *e = lt_json_set(s, "enum", lt_json_array());
    for (size_t i = 0; p->choices[i]; i++)
        lt_json_push(e, lt_json_str(p->choices[i]));
    return s;
}

static void choice_expected(const lt_param *p, char *buf, size_t size)
{
    size_t k = (size_t)snprintf(buf, size, "one of ");
    for (size_t i = 0; p->choices[i] && k < size; i++)
        k += (size_t)snprintf(buf + k, size - k, plain_word(p->choices[i]) ? "%s%s" : "%s'%s'", i ? ", " : "",
                              p->choices[i]);
}

/* ---- vector and matrix ----------------------------------------------------- */

static void nothing(const lt_param *p, void *f) { (void)p; (void)f; } /* zeroed: empty */

static bool bind_number_list(lt_binder *b, const lt_node *n, const lt_param *p, double *out)
{
    for (size_t i = 0; i < n->n; i++)
        if (!scalar_number(n->items[i], &out[i])) {
            lt_bind_type_problem(b, n->items[i], p);
            return false;
        }
    return true;
}

static void vec_bind(lt_binder *b, const lt_param *p, void *f, const lt_node *n)
{
    if (n->kind != LT_SEQ || n->n == 0) {
        lt_bind_type_problem(b, n, p);
        return;
    }
    double *x = malloc(n->n * sizeof *x);
    if (!x || !bind_number_list(b, n, p, x)) {
        free(x);
        return;
    }
    lt_vec *field = f;
    free(field->v);
    *field = (lt_vec){x, n->n};
}

static void vec_release(const lt_param *p, void *f)
{
    (void)p;
    free(((lt_vec *)f)->v);
    *(lt_vec *)f = (lt_vec){0};
}

static bool vec_unset(const lt_param *p, const void *f) { (void)p; return ((const lt_vec *)f)->n == 0; }
static lt_json *vec_json(const lt_param *p, const void *f)
{
    (void)p;
    const lt_vec *x = f;
    return lt_json_vec(x->v, x->n);
}

static lt_json *vec_schema(const lt_param *p)
{
    (void)p;
    lt_json *s = lt_schema_typed("array");
    lt_json_set(s, "items", lt_schema_typed("number"));
    lt_json_set(s, "minItems", lt_json_int(1));
    return s;
}

static void vec_expected(const lt_param *p, char *buf, size_t size) { (void)p; snprintf(buf, size, "a list of numbers"); }

static void matrix_bind(lt_binder *b, const lt_param *p, void *f, const lt_node *n)
{
    if (n->kind != LT_SEQ || n->n == 0 || n->items[0]->kind != LT_SEQ || n->items[0]->n == 0) {
        lt_bind_type_problem(b, n, p);
        return;
    }
    size_t rows = n->n, cols = n->items[0]->n;
    double *x = malloc(rows * cols * sizeof *x);
    bool ok = x != NULL;
    for (size_t i = 0; ok && i < rows; i++) {
        const lt_node *row = n->items[i];
        if (row->kind != LT_SEQ || row->n != cols) {
            char got[64];
            if (row->kind == LT_SEQ)
                snprintf(got, sizeof got, "%zu numbers", row->n);
            else
                snprintf(got, sizeof got, "%s", lt_node_describe(row));
            lt_bind_problem(b, row, p, "row %zu should be a list of %zu numbers like row 1, got %s", i + 1, cols,
                            got);
            ok = false;
        } else {
            ok = bind_number_list(b, row, p, x + i * cols);
        }
    }
    if (!ok) {
        free(x);
        return;
    }
    lt_matrix *field = f;
    free(field->v);
    *field = (lt_matrix){x, rows, cols};
}

static void matrix_release(const lt_param *p, void *f)
{
    (void)p;
    free(((lt_matrix *)f)->v);
    *(lt_matrix *)f = (lt_matrix){0};
}

static bool matrix_unset(const lt_param *p, const void *f) { (void)p; return ((const lt_matrix *)f)->rows == 0; }
static lt_json *matrix_json(const lt_param *p, const void *f)
{
    (void)p;
    const lt_matrix *m = f;
    return lt_json_mat(m->v, m->rows, m->cols);
}

static lt_json *matrix_schema(const lt_param *p)
{
    (void)p;
    lt_json *s = lt_schema_typed("array");
    lt_json *row = lt_json_set(s, "items", lt_schema_typed("array"));
    lt_json_set(row, "items", lt_schema_typed("number"));
    lt_json_set(row, "minItems", lt_json_int(1));
    lt_json_set(s, "minItems", lt_json_int(1));
    return s;
}

static void matrix_expected(const lt_param *p, char *buf, size_t size)
{
    (void)p;
    snprintf(buf, size, "a list of equal-length lists of numbers");
}

/* ---- n_components ---------------------------------------------------------- */

static void ncomp_bind(lt_binder *b, const lt_param *p, void *f, const lt_node *n)
{
    double v;
    if (lt_node_is_null(n) || (n->kind == LT_SCALAR && strcmp(n->value, "all") == 0))
        *(double *)f = 0;
    else if (scalar_number(n, &v) && ((v >= 1 && v == floor(v) && v < 1e9) || (v > 0 && v < 1)))
        *(double *)f = v;
    else
        lt_bind_type_problem(b, n, p);
}

static lt_json *ncomp_json(const lt_param *p, const void *f)
{
    (void)p;
    double x = *(const double *)f;
    return x == 0 ? lt_json_str("all") : x >= 1 ? lt_json_int((long long)x) : lt_json_num(x);
}

static lt_json *ncomp_schema(const lt_param *p)
{
    (void)p;
    lt_json *s = lt_json_object();
    lt_json *any = lt_json_set(s, "anyOf", lt_json_array());
    lt_json *i = lt_json_push(any, lt_schema_typed("integer"));
    lt_json_set(i, "minimum", lt_json_int(1));
    lt_json *f = lt_json_push(any, lt_schema_typed("number"));
    lt_json_set(f, "exclusiveMinimum", lt_json_int(0));
    lt_json_set(f, "exclusiveMaximum", lt_json_int(1));
    lt_json *all = lt_json_push(any, lt_json_object());
    lt_json_set(all, "const", lt_json_str("all"));
    lt_json_push(any, lt_schema_typed("null"));
    return s;
}

static void ncomp_expected(const lt_param *p, char *buf, size_t size)
{
    (void)p;
    snprintf(buf, size, "an integer >= 1, a number in (0, 1), or all");
}

static void ncomp_default_text(const lt_param *p, char *buf, size_t size) { (void)p; snprintf(buf, size, "all"); }

/* ---- seed ------------------------------------------------------------------ */

static void seed_default(const lt_param *p, void *f) { *(int64_t *)f = (int64_t)p->def; }

static void seed_bind(lt_binder *b, const lt_param *p, void *f, const lt_node *n)
{
    double v;
    if (lt_node_is_null(n))
        *(int64_t *)f = -1;
    else if (scalar_number(n, &v) && v == floor(v) && v >= 0 && v <= 4294967295.0)
        *(int64_t *)f = (int64_t)v;
    else
        lt_bind_type_problem(b, n, p);
}

static bool seed_unset(const lt_param *p, const void *f) { (void)p; return *(const int64_t *)f < 0; }
static lt_json *seed_json(const lt_param *p, const void *f) { (void)p; return lt_json_int(*(const int64_t *)f); }

static lt_json *seed_schema(const lt_param *p)
{
    (void)p;
    lt_json *s = typed_or_null("integer");
    lt_json_set(s, "minimum", lt_json_int(0));
    lt_json_set(s, "maximum", lt_json_num(4294967295.0));
    return s;
}

static void seed_expected(const lt_param *p, char *buf, size_t size)
{
    (void)p;
    snprintf(buf, size, "an integer in [0, 4294967295] or null");
}

static void seed_default_text(const lt_param *p, char *buf, size_t size)
{
    (void)p;
    snprintf(buf, size, "the pipeline's seed");
}

/* ---- strings --------------------------------------------------------------- */

/* A list of scalars, or one scalar for a list of one: `ignore: id`. */
static void strings_bind(lt_binder *b, const lt_param *p, void *f, const lt_node *n)
{
    size_t count = n->kind == LT_SEQ ? n->n : 1;
    for (size_t i = 0; i < count; i++) {
        const lt_node *it = n->kind == LT_SEQ ? n->items[i] : n;
        if (it->kind != LT_SCALAR || lt_node_is_null(it)) {
            lt_bind_type_problem(b, it, p);
            return;
        }
    }
    char **v = calloc(count ? count : 1, sizeof *v);
    for (size_t i = 0; v && i < count; i++)
        if (!(v[i] = strdup((n->kind == LT_SEQ ? n->items[i] : n)->value))) {
            while (i--)
                free(v[i]);
            free(v);
            v = NULL;
        }
    if (!v) {
        lt_bind_problem(b, n, p, "out of memory");
        return;
    }
    lt_strings *field = f;
    for (size_t k = 0; k < field->n; k++)
        free(field->v[k]);
    free(field->v);
    *field = (lt_strings){v, count};
}

static void strings_release(const lt_param *p, void *f)
{
    (void)p;
    lt_strings *l = f;
    for (size_t k = 0; k < l->n; k++)
        free(l->v[k]);
    free(l->v);
    *l = (lt_strings){0};
}

static lt_json *strings_json(const lt_param *p, const void *f)
{
    (void)p;
    const lt_strings *l = f;
    lt_json *v = lt_json_array();
    for (size_t k = 0; k < l->n; k++)
        lt_json_push(v, lt_json_str(l->v[k]));
    return v;
}

static lt_json *strings_schema(const lt_param *p)
{
    (void)p;
    /* A list, or one item; an item is a string or a number. */
    lt_json *s = lt_json_object();
    lt_json *any = lt_json_set(s, "anyOf", lt_json_array());
    lt_json *item = lt_json_object();
    lt_json *t = lt_json_set(item, "type", lt_json_array());
    lt_json_push(t, lt_json_str("string"));
    lt_json_push(t, lt_json_str("number"));
    lt_json *list = lt_json_push(any, lt_schema_typed("array"));
    lt_json_set(list, "items", item);
    lt_json *one = lt_json_push(any, lt_json_object());
    lt_json *t1 = lt_json_set(one, "type", lt_json_array());
    lt_json_push(t1, lt_json_str("string"));
    lt_json_push(t1, lt_json_str("number"));
    return s;
}

static void strings_expected(const lt_param *p, char *buf, size_t size)
{
    (void)p;
    snprintf(buf, size, "a list of strings");
}

/* ---- specs: a list of {kind: {params}} ------------------------------------- */

static const lt_spec_def *find_kind(const lt_param *p, const char *name)
{
    for (size_t i = 0; p->kinds[i]; i++)
        if (strcmp(p->kinds[i]->name, name) == 0)
            return p->kinds[i];
    return NULL;
}

/* A list item is `{kind: {params}}`, or just `kind` when it needs none. */
static void bind_spec_item(lt_binder *b, const lt_param *p, size_t index, const lt_node *item, lt_spec *out)
{
    const lt_node *kind = item, *with = NULL;
    if (item->kind == LT_MAP && item->n == 1) {
        kind = item->keys[0];
        with = item->items[0];
    } else if (item->kind != LT_SCALAR || lt_node_is_null(item)) {
        lt_bind_problem(b, item, p, "item %zu: expected {kind: {parameters}} with one kind, got %s", index + 1,
                        item->kind == LT_MAP ? "a mapping with several keys" : lt_node_describe(item));
        return;
    }
    const lt_spec_def *def = find_kind(p, kind->value);
    if (!def) {
        const char *names[64];
        size_t k = 0;
        for (; p->kinds[k] && k < 63; k++)
            names[k] = p->kinds[k]->name;
        names[k] = NULL;
        const char *hint = lt_did_you_mean(kind->value, names);
        char want[512];
        if (hint)
            lt_bind_problem(b, kind, p, "unknown kind '%.60s'; did you mean '%s'?", kind->value, hint);
        else
            lt_bind_problem(b, kind, p, "unknown kind '%.60s' (expected %s)", kind->value,
                            lt_param_expected(p, want, sizeof want));
        return;
    }
    out->def = def;
    out->line = kind->line;
    out->col = kind->col;
    out->config = calloc(1, def->config_size ? def->config_size : 1);
    if (!out->config) {
        lt_bind_problem(b, item, p, "out of memory");
        return;
    }
    char context[256];
    snprintf(context, sizeof context, "%s%s[%zu] %s: ", b->site->context ? b->site->context : "", p->name, index,
             def->name);
    lt_bind_site site = *b->site;
    site.context = context;
    site.line = kind->line;
    site.col = kind->col;
    b->errors += lt_params_bind(def->params, def->n_params, out->config, with, &site, b->diag);
}

static void specs_bind(lt_binder *b, const lt_param *p, void *f, const lt_node *n)
{
    lt_specs *field = f;
    bool single = p->flags & LT_SINGLE;
    if (single == (n->kind == LT_SEQ)) {
        lt_bind_type_problem(b, n, p);
        return;
    }
    size_t count = single ? 1 : n->n;
    if (!(field->items = calloc(count ? count : 1, sizeof *field->items)))
        return;
    field->n = count;
    for (size_t i = 0; i < count; i++)
        bind_spec_item(b, p, i, single ? n : n->items[i], &field->items[i]);
}

static void specs_release(const lt_param *p, void *f)
{
    (void)p;
    lt_specs *list = f;
    for (size_t k = 0; k < list->n; k++) {
        const lt_spec *it = &list->items[k];
        if (it->def && it->config)
            lt_params_release(it->def->params, it->def->n_params, it->config);
        free(it->config);
    }
    free(list->items);
    *list = (lt_specs){0};
}

/* A single spec left unset means the kind's default, and binds back so. */
static bool specs_unset(const lt_param *p, const void *f) { return p->flags & LT_SINGLE && ((const lt_specs *)f)->n == 0; }

static lt_json *spec_json(const lt_spec *it)
{
    lt_json *v = lt_json_object();
    lt_json_set(v, it->def->name, lt_params_to_json(it->def->params, it->def->n_params, it->config));
    return v;
}

static lt_json *specs_json(const lt_param *p, const void *f)
{
    const lt_specs *list = f;
    if (p->flags & LT_SINGLE && list->n == 1 && list->items[0].def)
        return spec_json(&list->items[0]);
    lt_json *v = lt_json_array();
    for (size_t k = 0; k < list->n; k++)
        if (list->items[k].def)
            lt_json_push(v, spec_json(&list->items[k]));
    return v;
}

static lt_json *specs_schema(const lt_param *p)
{
    lt_json *s, *any;
    if (p->flags & LT_SINGLE) {
        s = lt_json_object();
        any = lt_json_set(s, "anyOf", lt_json_array());
    } else {
        s = lt_schema_typed("array");
        any = lt_json_set(lt_json_set(s, "items", lt_json_object()), "anyOf", lt_json_array());
    }
    for (size_t i = 0; p->kinds[i]; i++) {
        const lt_spec_def *d = p->kinds[i];
        lt_json *one = lt_json_push(any, lt_schema_typed("object"));
        lt_json_set(one, "description", lt_json_str(d->summary));
        lt_json *req = lt_json_set(one, "required", lt_json_array());
        lt_json_push(req, lt_json_str(d->name));
        lt_json_set(one, "additionalProperties", lt_json_bool(false));
        lt_json *props = lt_json_set(one, "properties", lt_json_object());
        lt_json *with = lt_json_set(props, d->name, typed_or_null("object"));
        lt_json *wp = lt_json_set(with, "properties", lt_json_object());
        for (size_t k = 0; k < d->n_params; k++)
            lt_json_set(wp, d->params[k].name, lt_param_schema(&d->params[k]));
        lt_json_set(with, "additionalProperties", lt_json_bool(false));
        lt_json *bare = lt_json_push(any, lt_json_object());
        lt_json_set(bare, "const", lt_json_str(d->name));
    }
    return s;
}

static void specs_expected(const lt_param *p, char *buf, size_t size)
{
    size_t k = (size_t)snprintf(buf, size, p->flags & LT_SINGLE ? "{kind: {parameters}} with kind one of "
                                                                : "a list of {kind: {parameters}} with kinds ");
    for (size_t i = 0; p->kinds[i] && k < size; i++)
        k += (size_t)snprintf(buf + k, size - k, "%s%s", i ? ", " : "", p->kinds[i]->name);
}

/* ---- the table ------------------------------------------------------------- */

/* Every operation named: a positional entry would let a new one slip into
 * the wrong slot. Those left out are NULL or false. */
static const lt_param_ops ops[] = {
    [LT_P_INT] = {.set_default = int_default, .bind = int_bind, .unset = int_unset,
                  .to_json = int_json, .schema = int_schema, .schema_default = int_schema_default,
                  .expected = int_expected, .default_text = number_default_text, .numeric = true},
    [LT_P_REAL] = {.set_default = real_default, .bind = real_bind, .unset = real_unset,
                   .to_json = real_json, .schema = real_schema, .schema_default = real_schema_default,
                   .expected = real_expected, .default_text = number_default_text, .numeric = true},
    [LT_P_BOOL] = {.set_default = bool_default, .bind = bool_bind, .to_json = bool_json,
                   .schema = bool_schema, .schema_default = bool_schema_default,
                   .expected = bool_expected, .default_text = bool_default_text},
    [LT_P_STRING] = {.set_default = string_default, .bind = string_bind, .release = string_release,
                     .to_json = string_json, .schema = string_schema,
                     .schema_default = string_schema_default, .expected = string_expected,
                     .default_text = string_default_text},
    [LT_P_PATH] = {.set_default = string_default, .bind = string_bind, .release = string_release,
                   .to_json = string_json, .schema = string_schema,
                   .schema_default = string_schema_default, .expected = string_expected,
                   .default_text = string_default_text},
    [LT_P_CHOICE] = {.set_default = choice_default, .bind = choice_bind, .to_json = choice_json,
                     .schema = choice_schema, .schema_default = string_schema_default,
                     .expected = choice_expected, .default_text = string_default_text},
    [LT_P_VEC] = {.set_default = nothing, .bind = vec_bind, .release = vec_release, .unset = vec_unset,
                  .to_json = vec_json, .schema = vec_schema, .expected = vec_expected,
                  .default_text = empty_list_text, .numeric = true},
    [LT_P_MATRIX] = {.set_default = nothing, .bind = matrix_bind, .release = matrix_release,
                     .unset = matrix_unset, .to_json = matrix_json, .schema = matrix_schema,
                     .expected = matrix_expected, .default_text = empty_list_text, .numeric = true},
    [LT_P_NCOMP] = {.set_default = real_default, .bind = ncomp_bind, .to_json = ncomp_json,
                    .schema = ncomp_schema, .expected = ncomp_expected,
                    .default_text = ncomp_default_text, .numeric = true, .null_binds = true},
    [LT_P_SEED] = {.set_default = seed_default, .bind = seed_bind, .unset = seed_unset,
                   .to_json = seed_json, .schema = seed_schema, .expected = seed_expected,
                   .default_text = seed_default_text, .numeric = true, .null_binds = true},
    [LT_P_SPECS] = {.set_default = nothing, .bind = specs_bind, .release = specs_release,
                    .unset = specs_unset, .to_json = specs_json, .schema = specs_schema,
                    .expected = specs_expected, .default_text = empty_list_text},
    [LT_P_STRINGS] = {.set_default = nothing, .bind = strings_bind, .release = strings_release,
                      .to_json = strings_json, .schema = strings_schema, .expected = strings_expected,
                      .default_text = empty_list_text},
};
_Static_assert(sizeof ops / sizeof ops[0] == LT_P_N_TYPES, "a parameter type without its operations");

const lt_param_ops *lt_param_ops_of(const lt_param *p) { return &ops[p->type]; }
