#include "core/params.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fsutil.h"

#define FIELD(config, p, type) ((type *)((char *)(config) + (p)->offset))

/* Bounds at or beyond these read as "no bound" in messages and schemas. */
static bool no_min(const lt_param *p) { return p->min <= -1e15 || (p->min == 0 && p->max == 0); }
static bool no_max(const lt_param *p) { return p->max >= 1e15 || (p->min == 0 && p->max == 0); }

static void fmt_num(char *buf, size_t size, double v)
{
    char tmp[32];
    lt_json_format_double(tmp, v);
    snprintf(buf, size, "%s", tmp);
}

static char *range_text(const lt_param *p, const char *noun, char *buf, size_t size)
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
        snprintf(buf, size, "%s in %c%s, %s%c", noun, lo_open ? '(' : '[', lo, hi,
                 hi_open ? ')' : ']');
    return buf;
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

/* ---- conditions: a row's `when` ------------------------------------------ */

static const lt_param *row_named(const lt_param *params, size_t n, const char *name, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(params[i].name) == len && strncmp(params[i].name, name, len) == 0)
            return &params[i];
    return NULL;
}

/* The row P's `when` names (a choice or bool of the same table), or NULL. */
static const lt_param *controller(const lt_param *params, size_t n, const lt_param *p)
{
    const char *eq = p->when ? strchr(p->when, '=') : NULL;
    const lt_param *q = eq ? row_named(params, n, p->when, (size_t)(eq - p->when)) : NULL;
    return q && (q->type == LT_P_CHOICE || q->type == LT_P_BOOL) ? q : NULL;
}

/* The bound value of a choice or bool row, as a pipeline writes it. */
static const char *value_text(const lt_param *q, const void *config)
{
    if (q->type == LT_P_CHOICE)
        return q->choices[*FIELD(config, q, const int)];
    return *FIELD(config, q, const bool) ? "true" : "false";
}

/* True when LIST ("a|b|c") holds VALUE. */
static bool lists(const char *list, const char *value)
{
    size_t n = strlen(value);
    for (const char *s = list;;) {
        const char *bar = strchr(s, '|');
        size_t len = bar ? (size_t)(bar - s) : strlen(s);
        if (len == n && strncmp(s, value, n) == 0)
            return true;
        if (!bar)
            return false;
        s = bar + 1;
    }
}

bool lt_param_applies(const lt_param *params, size_t n_params, const lt_param *p, const void *config)
{
    if (!p->when)
        return true;
    const lt_param *q = controller(params, n_params, p);
    return q && lists(strchr(p->when, '=') + 1, value_text(q, config));
}

bool lt_param_when_valid(const lt_param *params, size_t n_params, const lt_param *p)
{
    if (!p->when)
        return true;
    const lt_param *q = controller(params, n_params, p);
    if (!q || q == p)
        return false;
    const char *list = strchr(p->when, '=') + 1;
    for (const char *s = list;;) {
        const char *bar = strchr(s, '|');
        size_t len = bar ? (size_t)(bar - s) : strlen(s);
        bool known = false;
        if (q->type == LT_P_BOOL)
            known = (len == 4 && !strncmp(s, "true", 4)) || (len == 5 && !strncmp(s, "false", 5));
        for (size_t i = 0; q->type == LT_P_CHOICE && q->choices[i]; i++)
            known |= strlen(q->choices[i]) == len && !strncmp(q->choices[i], s, len);
        if (!known)
            return false;
        if (!bar)
            return true;
        s = bar + 1;
    }
}

char *lt_param_when_text(const lt_param *p, char *buf, size_t size)
{
    const char *eq = strchr(p->when, '=');
    size_t k = (size_t)snprintf(buf, size, "%.*s is ", (int)(eq - p->when), p->when);
    for (const char *s = eq + 1; k < size;) {
        const char *bar = strchr(s, '|');
        size_t len = bar ? (size_t)(bar - s) : strlen(s);
        const char *sep = s == eq + 1 ? "" : bar ? ", " : " or ";
        k += (size_t)snprintf(buf + k, size - k, "%s%.*s", sep, (int)len, s);
        if (!bar)
            break;
        s = bar + 1;
    }
    return buf;
}

char *lt_param_expected(const lt_param *p, char *buf, size_t size)
{
    switch (p->type) {
    case LT_P_INT:
    case LT_P_REAL: {
        range_text(p, p->type == LT_P_INT ? "an integer" : "a number", buf, size);
        size_t len = strlen(buf);
        if (p->flags & LT_NULLABLE && len < size)
            snprintf(buf + len, size - len, " or null");
        return buf;
    }
    case LT_P_BOOL: snprintf(buf, size, "true or false"); break;
    case LT_P_STRING: snprintf(buf, size, "a string"); break;
    case LT_P_PATH: snprintf(buf, size, "a file path"); break;
    case LT_P_VEC: snprintf(buf, size, "a list of numbers"); break;
    case LT_P_STRINGS: snprintf(buf, size, "a list of strings"); break;
    case LT_P_MATRIX: snprintf(buf, size, "a list of equal-length lists of numbers"); break;
    case LT_P_NCOMP:
        snprintf(buf, size, "an integer >= 1, a number in (0, 1), or all");
        break;
    case LT_P_SEED: snprintf(buf, size, "an integer in [0, 4294967295] or null"); break;
    case LT_P_SPECS: {
        size_t k = (size_t)snprintf(buf, size, p->flags & LT_SINGLE ? "{kind: {parameters}} with kind one of "
                                                                     : "a list of {kind: {parameters}} with kinds ");
        for (size_t i = 0; p->kinds[i] && k < size; i++)
            k += (size_t)snprintf(buf + k, size - k, "%s%s", i ? ", " : "", p->kinds[i]->name);
        break;
    }
    case LT_P_CHOICE: {
        size_t k = (size_t)snprintf(buf, size, "one of ");
        for (size_t i = 0; p->choices[i] && k < size; i++)
            k += (size_t)snprintf(buf + k, size - k, plain_word(p->choices[i]) ? "%s%s" : "%s'%s'",
                                  i ? ", " : "", p->choices[i]);
        break;
    }
    }
    return buf;
}

/* A nullable number whose default is null: NaN or a value out of its range
 * stands for "unset" (see lt_param_default_text). */
static bool default_is_null(const lt_param *p)
{
    return isnan(p->def) || (p->flags & LT_NULLABLE && (p->def < p->min || p->def > p->max));
}

static void default_value_text(const lt_param *p, char *buf, size_t size);

const char *lt_param_default_text(const lt_param *p, char *buf, size_t size)
{
    if (p->flags & LT_REQUIRED)
        return NULL;
    if (p->def_text)
        snprintf(buf, size, "%s", p->def_text);
    else
        default_value_text(p, buf, size);
    size_t len = strlen(buf);
    if (p->when && len + 4 < size) {
        char cond[160];
        snprintf(buf + len, size - len, " (when %s)", lt_param_when_text(p, cond, sizeof cond));
    }
    return buf;
}

static void default_value_text(const lt_param *p, char *buf, size_t size)
{
    switch (p->type) {
    case LT_P_INT:
    case LT_P_REAL:
        /* NaN, or a value out of range for a nullable parameter, is how a
         * stage tells "left unset" from any value; its help says what null
         * stands for. */
        if (default_is_null(p))
            snprintf(buf, size, "null");
        else
            fmt_num(buf, size, p->def);
        break;
    case LT_P_BOOL: snprintf(buf, size, "%s", p->def != 0 ? "true" : "false"); break;
    case LT_P_STRING:
    case LT_P_PATH:
    case LT_P_CHOICE:
        /* An empty default reads as "" rather than as nothing at all. */
        snprintf(buf, size, p->def_str && *p->def_str && plain_word(p->def_str) ? "%s"
                            : p->def_str && *p->def_str                          ? "'%s'"
                                                                                 : "\"\"",
                 p->def_str);
        break;
    case LT_P_VEC:
    case LT_P_MATRIX:
    case LT_P_STRINGS:
    case LT_P_SPECS: snprintf(buf, size, "[]"); break;
    case LT_P_NCOMP: snprintf(buf, size, "all"); break;
    case LT_P_SEED: snprintf(buf, size, "the pipeline's seed"); break;
    }
}

/* ---- binding ------------------------------------------------------------ */

struct binder {
    const lt_bind_site *site;
    lt_diag *diag;
    int errors;
};

__attribute__((format(printf, 4, 5)))
static void problem(struct binder *b, const lt_node *at, const lt_param *p,
                    const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int line = at ? at->line : b->site->line, col = at ? at->col : b->site->col;
    const char *file = at && at->source ? at->source : b->site->file;
    const char *context = b->site->context ? b->site->context : "";
    if (p)
        lt_diag_add(b->diag, file, line, col, "stage '%s': %s%s: %s",
                    b->site->stage, context, p->name, msg);
    else
        lt_diag_add(b->diag, file, line, col, "stage '%s': %s%s",
                    b->site->stage, context, msg);
    b->errors++;
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

static void type_problem(struct binder *b, const lt_node *n, const lt_param *p)
{
    bool numeric = p->type == LT_P_INT || p->type == LT_P_REAL || p->type == LT_P_NCOMP ||
                   p->type == LT_P_SEED || p->type == LT_P_VEC || p->type == LT_P_MATRIX;
    if (numeric && quoted_number(n)) {
        problem(b, n, p, "a string where a number is expected; remove the quotes");
        return;
    }
    char want[256], got[128];
    got_text(n, got, sizeof got);
    problem(b, n, p, "expected %s, got %s", lt_param_expected(p, want, sizeof want), got);
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

static bool bind_number_list(struct binder *b, const lt_node *n, const lt_param *p,
                             double *out)
{
    for (size_t i = 0; i < n->n; i++)
        if (!scalar_number(n->items[i], &out[i])) {
            type_problem(b, n->items[i], p);
            return false;
        }
    return true;
}

static const lt_spec_def *find_kind(const lt_param *p, const char *name)
{
    for (size_t i = 0; p->kinds[i]; i++)
        if (strcmp(p->kinds[i]->name, name) == 0)
            return p->kinds[i];
    return NULL;
}

/* A list item is `{kind: {params}}`, or just `kind` when it needs none. */
static void bind_spec_item(struct binder *b, const lt_param *p, size_t index, const lt_node *item,
                           lt_spec *out)
{
    const lt_node *kind = item, *with = NULL;
    if (item->kind == LT_MAP && item->n == 1) {
        kind = item->keys[0];
        with = item->items[0];
    } else if (item->kind != LT_SCALAR || lt_node_is_null(item)) {
        problem(b, item, p, "item %zu: expected {kind: {parameters}} with one kind, got %s", index + 1,
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
            problem(b, kind, p, "unknown kind '%.60s'; did you mean '%s'?", kind->value, hint);
        else
            problem(b, kind, p, "unknown kind '%.60s' (expected %s)", kind->value,
                    lt_param_expected(p, want, sizeof want));
        return;
    }
    out->def = def;
    out->line = kind->line;
    out->col = kind->col;
    out->config = calloc(1, def->config_size ? def->config_size : 1);
    if (!out->config) {
        problem(b, item, p, "out of memory");
        return;
    }
    char context[256];
    snprintf(context, sizeof context, "%s%s[%zu] %s: ", b->site->context ? b->site->context : "",
             p->name, index, def->name);
    lt_bind_site site = *b->site;
    site.context = context;
    site.line = kind->line;
    site.col = kind->col;
    b->errors += lt_params_bind(def->params, def->n_params, out->config, with, &site, b->diag);
}

static void bind_specs(struct binder *b, const lt_param *p, void *config, const lt_node *n)
{
    if (p->flags & LT_SINGLE) {
        if (n->kind == LT_SEQ) {
            type_problem(b, n, p);
            return;
        }
        lt_specs *one = FIELD(config, p, lt_specs);
        if (!(one->items = calloc(1, sizeof *one->items)))
            return;
        one->n = 1;
        bind_spec_item(b, p, 0, n, &one->items[0]);
        return;
    }
    if (n->kind != LT_SEQ) {
        type_problem(b, n, p);
        return;
    }
    lt_specs *field = FIELD(config, p, lt_specs);
    field->items = calloc(n->n ? n->n : 1, sizeof *field->items);
    if (!field->items)
        return;
    field->n = n->n;
    for (size_t i = 0; i < n->n; i++)
        bind_spec_item(b, p, i, n->items[i], &field->items[i]);
}

/* A list of scalars, or one scalar for a list of one: `ignore: id`. */
static void bind_strings(struct binder *b, const lt_param *p, void *config, const lt_node *n)
{
    size_t count = n->kind == LT_SEQ ? n->n : 1;
    for (size_t i = 0; i < count; i++) {
        const lt_node *it = n->kind == LT_SEQ ? n->items[i] : n;
        if (it->kind != LT_SCALAR || lt_node_is_null(it)) {
            type_problem(b, it, p);
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
        problem(b, n, p, "out of memory");
        return;
    }
    lt_strings *field = FIELD(config, p, lt_strings);
    for (size_t k = 0; k < field->n; k++)
        free(field->v[k]);
    free(field->v);
    *field = (lt_strings){v, count};
}

static void bind_one(struct binder *b, const lt_param *p, void *config, const lt_node *n)
{
    double v;
    switch (p->type) {
    case LT_P_INT:
        if (!scalar_number(n, &v) || v != floor(v) || fabs(v) > 2147483647.0 || !in_range(p, v))
            type_problem(b, n, p);
        else
            *FIELD(config, p, int) = (int)v;
        break;
    case LT_P_REAL:
        if (!scalar_number(n, &v) || !in_range(p, v))
            type_problem(b, n, p);
        else
            *FIELD(config, p, double) = v;
        break;
    case LT_P_BOOL:
        if (n->kind == LT_SCALAR && n->plain &&
            (!strcmp(n->value, "true") || !strcmp(n->value, "True") || !strcmp(n->value, "false") ||
             !strcmp(n->value, "False")))
            *FIELD(config, p, bool) = n->value[0] == 't' || n->value[0] == 'T';
        else
            type_problem(b, n, p);
        break;
    case LT_P_STRING:
    case LT_P_PATH: {
        if (n->kind != LT_SCALAR || lt_node_is_null(n)) {
            type_problem(b, n, p);
            break;
        }
        /* Relative paths resolve against the pipeline file's folder; a
         * file in the current folder keeps its path as the user wrote it. */
        bool join = p->type == LT_P_PATH && n->value[0] != '/' && strcmp(b->site->basedir, ".") != 0;
        char *s = join ? lt_path_join(b->site->basedir, n->value) : strdup(n->value);
        char **field = FIELD(config, p, char *);
        free(*field);
        *field = s;
        break;
    }
    case LT_P_CHOICE: {
        if (n->kind != LT_SCALAR) {
            type_problem(b, n, p);
            break;
        }
        for (int i = 0; p->choices[i]; i++)
            if (strcmp(p->choices[i], n->value) == 0) {
                *FIELD(config, p, int) = i;
                return;
            }
        char want[256];
        const char *hint = lt_did_you_mean(n->value, p->choices);
        if (hint)
            problem(b, n, p, "unknown value \"%.60s\"; did you mean \"%s\"? (expected %s)",
                    n->value, hint, lt_param_expected(p, want, sizeof want));
        else
            type_problem(b, n, p);
        break;
    }
    case LT_P_VEC: {
        if (n->kind != LT_SEQ || n->n == 0) {
            type_problem(b, n, p);
            break;
        }
        double *x = malloc(n->n * sizeof *x);
        if (!x || !bind_number_list(b, n, p, x)) {
            free(x);
            break;
        }
        lt_vec *field = FIELD(config, p, lt_vec);
        free(field->v);
        *field = (lt_vec){x, n->n};
        break;
    }
    case LT_P_MATRIX: {
        if (n->kind != LT_SEQ || n->n == 0 || n->items[0]->kind != LT_SEQ ||
            n->items[0]->n == 0) {
            type_problem(b, n, p);
            break;
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
                problem(b, row, p, "row %zu should be a list of %zu numbers like row 1, got %s",
                        i + 1, cols, got);
                ok = false;
            } else {
                ok = bind_number_list(b, row, p, x + i * cols);
            }
        }
        if (!ok) {
            free(x);
            break;
        }
        lt_matrix *field = FIELD(config, p, lt_matrix);
        free(field->v);
        *field = (lt_matrix){x, rows, cols};
        break;
    }
    case LT_P_SPECS: bind_specs(b, p, config, n); break;
    case LT_P_STRINGS: bind_strings(b, p, config, n); break;
    case LT_P_NCOMP:
        if (lt_node_is_null(n) || (n->kind == LT_SCALAR && strcmp(n->value, "all") == 0))
            *FIELD(config, p, double) = 0;
        else if (scalar_number(n, &v) && ((v >= 1 && v == floor(v) && v < 1e9) || (v > 0 && v < 1)))
            *FIELD(config, p, double) = v;
        else
            type_problem(b, n, p);
        break;
    case LT_P_SEED:
        if (lt_node_is_null(n))
            *FIELD(config, p, int64_t) = -1;
        else if (scalar_number(n, &v) && v == floor(v) && v >= 0 && v <= 4294967295.0)
            *FIELD(config, p, int64_t) = (int64_t)v;
        else
            type_problem(b, n, p);
        break;
    }
}

static void set_default(const lt_param *p, void *config)
{
    switch (p->type) {
    case LT_P_INT:
    case LT_P_CHOICE:
        *FIELD(config, p, int) = (int)p->def;
        if (p->type == LT_P_CHOICE && p->def_str)
            for (int i = 0; p->choices[i]; i++)
                if (strcmp(p->choices[i], p->def_str) == 0)
                    *FIELD(config, p, int) = i;
        break;
    case LT_P_REAL:
    case LT_P_NCOMP: *FIELD(config, p, double) = p->def; break;
    case LT_P_BOOL: *FIELD(config, p, bool) = p->def != 0; break;
    case LT_P_STRING:
    case LT_P_PATH:
        *FIELD(config, p, char *) = p->def_str ? strdup(p->def_str) : NULL;
        break;
    case LT_P_SEED: *FIELD(config, p, int64_t) = (int64_t)p->def; break;
    case LT_P_VEC:
    case LT_P_MATRIX:
    case LT_P_STRINGS:
    case LT_P_SPECS: break; /* zeroed: empty */
    }
}

void lt_params_fill_defaults(const lt_param *params, size_t n_params, void *config)
{
    for (size_t i = 0; i < n_params; i++)
        set_default(&params[i], config);
}

int lt_params_bind(const lt_param *params, size_t n_params, void *config,
                   const lt_node *with, const lt_bind_site *site, lt_diag *diag)
{
    struct binder b = {site, diag, 0};
    lt_params_fill_defaults(params, n_params, config);
    if (with && lt_node_is_null(with))
        with = NULL;
    if (with && with->kind != LT_MAP) {
        problem(&b, with, NULL, "'with' must be a mapping of parameter names to values, got %s",
                lt_node_describe(with));
        return b.errors;
    }
    for (size_t i = 0; i < n_params; i++) {
        const lt_param *p = &params[i];
        const lt_node *n = lt_node_get(with, p->name);
        if (n && lt_node_is_null(n) && p->type != LT_P_NCOMP && p->type != LT_P_SEED) {
            if (p->flags & LT_NULLABLE)
                continue;
            if (!(p->flags & LT_REQUIRED)) {
                type_problem(&b, n, p);
                continue;
            }
            n = NULL;
        }
        if (n)
            bind_one(&b, p, config, n);
        else if (p->flags & LT_REQUIRED)
            problem(&b, NULL, p, "required parameter is missing (expected %s)",
                    lt_param_expected(p, (char[256]){0}, 256));
    }
    /* A parameter of a solver (kernel, ...) the stage does not use would be
     * silently ignored: refused, once every value is bound. */
    for (size_t i = 0; with && i < n_params; i++) {
        const lt_param *p = &params[i];
        const lt_node *n = p->when ? lt_node_get(with, p->name) : NULL;
        if (!n || lt_node_is_null(n) || lt_param_applies(params, n_params, p, config))
            continue;
        const lt_param *q = controller(params, n_params, p);
        char cond[160];
        problem(&b, n, p, "applies only when %s, not %s; remove it or change %s",
                lt_param_when_text(p, cond, sizeof cond), q ? value_text(q, config) : "?",
                q ? q->name : "?");
    }
    /* Unknown keys: a typo must not silently become a default. */
    const char *names[128];
    size_t k = 0;
    for (size_t i = 0; i < n_params && k < 127; i++)
        names[k++] = params[i].name;
    names[k] = NULL;
    for (size_t i = 0; with && i < with->n; i++) {
        const lt_node *key = with->keys[i];
        bool known = false;
        for (size_t j = 0; j < n_params; j++)
            known |= strcmp(params[j].name, key->value) == 0;
        if (known)
            continue;
        const char *hint = lt_did_you_mean(key->value, names);
        if (hint)
            problem(&b, key, NULL, "unknown parameter '%.60s'; did you mean '%s'?", key->value, hint);
        else if (n_params == 0)
            problem(&b, key, NULL, "unknown parameter '%.60s'; this stage takes no parameters",
                    key->value);
        else
            problem(&b, key, NULL, "unknown parameter '%.60s' (`latent stages %s` lists them)",
                    key->value, site->kind);
    }
    return b.errors;
}

void lt_params_release(const lt_param *params, size_t n_params, void *config)
{
    for (size_t i = 0; i < n_params; i++) {
        const lt_param *p = &params[i];
        switch (p->type) {
        case LT_P_STRING:
        case LT_P_PATH: {
            char **s = FIELD(config, p, char *);
            free(*s);
            *s = NULL;
            break;
        }
        case LT_P_VEC: {
            lt_vec *v = FIELD(config, p, lt_vec);
            free(v->v);
            *v = (lt_vec){0};
            break;
        }
        case LT_P_MATRIX: {
            lt_matrix *m = FIELD(config, p, lt_matrix);
            free(m->v);
            *m = (lt_matrix){0};
            break;
        }
        case LT_P_STRINGS: {
            lt_strings *l = FIELD(config, p, lt_strings);
            for (size_t k = 0; k < l->n; k++)
                free(l->v[k]);
            free(l->v);
            *l = (lt_strings){0};
            break;
        }
        case LT_P_SPECS: {
            lt_specs *list = FIELD(config, p, lt_specs);
            for (size_t k = 0; k < list->n; k++) {
                const lt_spec *it = &list->items[k];
                if (it->def && it->config)
                    lt_params_release(it->def->params, it->def->n_params, it->config);
                free(it->config);
            }
            free(list->items);
            *list = (lt_specs){0};
            break;
        }
        default: break;
        }
    }
}

/* True when P's field holds its "unset" value, the one a stage resolves
 * itself: a nullable number out of its range, a NaN, a seed of -1. */
static bool is_unset(const lt_param *p, const void *c)
{
    switch (p->type) {
    case LT_P_INT: {
        int x = *FIELD(c, p, const int);
        return p->flags & LT_NULLABLE && (x < p->min || x > p->max);
    }
    case LT_P_REAL: {
        double x = *FIELD(c, p, const double);
        return isnan(x) || (p->flags & LT_NULLABLE && (x < p->min || x > p->max));
    }
    case LT_P_SEED: return *FIELD(c, p, const int64_t) < 0;
    default: return false;
    }
}

static lt_json *params_json(const lt_param *params, size_t n_params, const void *config,
                            const uint32_t *seed, const lt_json *used);

lt_json *lt_params_to_json(const lt_param *params, size_t n_params, const void *config)
{
    return params_json(params, n_params, config, NULL, NULL);
}

lt_json *lt_params_resolved_json(const lt_param *params, size_t n_params, const void *config,
                                 uint32_t seed, const lt_json *used)
{
    return params_json(params, n_params, config, &seed, used);
}

/* Real values only: a row that does not apply is left out, and so is an
 * unset one unless the stage said what it used (USED) or it is a seed and
 * SEED is given; either way the object binds back to the same run. */
static lt_json *params_json(const lt_param *params, size_t n_params, const void *config,
                            const uint32_t *seed, const lt_json *used)
{
    lt_json *o = lt_json_object();
    for (size_t i = 0; i < n_params; i++) {
        const lt_param *p = &params[i];
        const void *c = config;
        lt_json *v = NULL;
        if (!lt_param_applies(params, n_params, p, c))
            continue;
        if (is_unset(p, c)) {
            double x = lt_json_number(lt_json_get(used, p->name));
            if (!isnan(x))
                lt_json_set(o, p->name, p->type == LT_P_REAL ? lt_json_num(x) : lt_json_int((long long)x));
            else if (p->type == LT_P_SEED && seed)
                lt_json_set(o, p->name, lt_json_int(*seed));
            continue;
        }
        switch (p->type) {
        case LT_P_INT: v = lt_json_int(*FIELD(c, p, const int)); break;
        case LT_P_REAL: v = lt_json_num(*FIELD(c, p, const double)); break;
        case LT_P_BOOL: v = lt_json_bool(*FIELD(c, p, const bool)); break;
        case LT_P_STRING:
        case LT_P_PATH: {
            const char *s = *FIELD(c, p, char *const);
            v = s ? lt_json_str(s) : lt_json_null();
            break;
        }
        case LT_P_CHOICE: v = lt_json_str(p->choices[*FIELD(c, p, const int)]); break;
        case LT_P_VEC: {
            const lt_vec *x = FIELD(c, p, const lt_vec);
            v = p->flags & LT_NULLABLE && x->n == 0 ? lt_json_null() : lt_json_vec(x->v, x->n);
            break;
        }
        case LT_P_MATRIX: {
            const lt_matrix *m = FIELD(c, p, const lt_matrix);
            v = p->flags & LT_NULLABLE && m->rows == 0 ? lt_json_null() : lt_json_mat(m->v, m->rows, m->cols);
            break;
        }
        case LT_P_STRINGS: {
            const lt_strings *l = FIELD(c, p, const lt_strings);
            v = lt_json_array();
            for (size_t k = 0; k < l->n; k++)
                lt_json_push(v, lt_json_str(l->v[k]));
            break;
        }
        case LT_P_NCOMP: {
            double x = *FIELD(c, p, const double);
            v = x == 0 ? lt_json_str("all") : x >= 1 ? lt_json_int((long long)x) : lt_json_num(x);
            break;
        }
        case LT_P_SEED: v = lt_json_int(*FIELD(c, p, const int64_t)); break;
        case LT_P_SPECS: {
            const lt_specs *list = FIELD(c, p, const lt_specs);
            if (p->flags & LT_SINGLE && list->n == 0)
                break; /* left out: unset means the kind's default, and binds back */
            if (p->flags & LT_SINGLE && list->n == 1 && list->items[0].def) {
                const lt_spec *it = &list->items[0];
                v = lt_json_object();
                lt_json_set(v, it->def->name, lt_params_to_json(it->def->params, it->def->n_params, it->config));
                break;
            }
            v = lt_json_array();
            for (size_t k = 0; k < list->n; k++) {
                const lt_spec *it = &list->items[k];
                if (!it->def)
                    continue;
                lt_json *item = lt_json_push(v, lt_json_object());
                lt_json_set(item, it->def->name,
                            lt_params_to_json(it->def->params, it->def->n_params, it->config));
            }
            break;
        }
        }
        if (v || p->type != LT_P_SPECS)
            lt_json_set(o, p->name, v);
    }
    return o;
}

static void schema_range(lt_json *s, const lt_param *p)
{
    if (!no_min(p))
        lt_json_set(s, p->flags & LT_MIN_OPEN ? "exclusiveMinimum" : "minimum", lt_json_num(p->min));
    if (!no_max(p))
        lt_json_set(s, p->flags & LT_MAX_OPEN ? "exclusiveMaximum" : "maximum", lt_json_num(p->max));
}

static lt_json *typed(const char *type)
{
    lt_json *s = lt_json_object();
    lt_json_set(s, "type", lt_json_str(type));
    return s;
}

/* {"type": [TYPE, "null"]}: a number a pipeline may leave null. */
static lt_json *typed_or_null(const char *type)
{
    lt_json *s = lt_json_object();
    lt_json *t = lt_json_set(s, "type", lt_json_array());
    lt_json_push(t, lt_json_str(type));
    lt_json_push(t, lt_json_str("null"));
    return s;
}

lt_json *lt_param_schema(const lt_param *p)
{
    lt_json *s = NULL;
    bool nullable = p->flags & LT_NULLABLE;
    switch (p->type) {
    case LT_P_INT:
        s = nullable ? typed_or_null("integer") : typed("integer");
        schema_range(s, p);
        break;
    case LT_P_REAL:
        s = nullable ? typed_or_null("number") : typed("number");
        schema_range(s, p);
        break;
    case LT_P_BOOL: s = typed("boolean"); break;
    case LT_P_STRING:
    case LT_P_PATH: s = typed("string"); break;
    case LT_P_CHOICE: {
        s = lt_json_object();
        lt_json *e = lt_json_set(s, "enum", lt_json_array());
        for (size_t i = 0; p->choices[i]; i++)
            lt_json_push(e, lt_json_str(p->choices[i]));
        break;
    }
    case LT_P_VEC:
        s = typed("array");
        lt_json_set(s, "items", typed("number"));
        lt_json_set(s, "minItems", lt_json_int(1));
        break;
    case LT_P_STRINGS: {
        /* A list, or one item; an item is a string or a number. */
        s = lt_json_object();
        lt_json *any = lt_json_set(s, "anyOf", lt_json_array());
        lt_json *item = lt_json_object();
        lt_json *t = lt_json_set(item, "type", lt_json_array());
        lt_json_push(t, lt_json_str("string"));
        lt_json_push(t, lt_json_str("number"));
        lt_json *list = lt_json_push(any, typed("array"));
        lt_json_set(list, "items", item);
        lt_json *one = lt_json_push(any, lt_json_object());
        lt_json *t1 = lt_json_set(one, "type", lt_json_array());
        lt_json_push(t1, lt_json_str("string"));
        lt_json_push(t1, lt_json_str("number"));
        break;
    }
    case LT_P_MATRIX: {
        s = typed("array");
        lt_json *row = lt_json_set(s, "items", typed("array"));
        lt_json_set(row, "items", typed("number"));
        lt_json_set(row, "minItems", lt_json_int(1));
        lt_json_set(s, "minItems", lt_json_int(1));
        break;
    }
    case LT_P_NCOMP: {
        s = lt_json_object();
        lt_json *any = lt_json_set(s, "anyOf", lt_json_array());
        lt_json *i = lt_json_push(any, typed("integer"));
        lt_json_set(i, "minimum", lt_json_int(1));
        lt_json *f = lt_json_push(any, typed("number"));
        lt_json_set(f, "exclusiveMinimum", lt_json_int(0));
        lt_json_set(f, "exclusiveMaximum", lt_json_int(1));
        lt_json *all = lt_json_push(any, lt_json_object());
        lt_json_set(all, "const", lt_json_str("all"));
        lt_json_push(any, typed("null"));
        break;
    }
    case LT_P_SPECS: {
        lt_json *any;
        if (p->flags & LT_SINGLE) {
            s = lt_json_object();
            any = lt_json_set(s, "anyOf", lt_json_array());
        } else {
            s = typed("array");
            any = lt_json_set(lt_json_set(s, "items", lt_json_object()), "anyOf", lt_json_array());
        }
        for (size_t i = 0; p->kinds[i]; i++) {
            const lt_spec_def *d = p->kinds[i];
            lt_json *one = lt_json_push(any, typed("object"));
            lt_json_set(one, "description", lt_json_str(d->summary));
            lt_json *req = lt_json_set(one, "required", lt_json_array());
            lt_json_push(req, lt_json_str(d->name));
            lt_json_set(one, "additionalProperties", lt_json_bool(false));
            lt_json *props = lt_json_set(one, "properties", lt_json_object());
            lt_json *with = lt_json_set(props, d->name, lt_json_object());
            lt_json *type = lt_json_set(with, "type", lt_json_array());
            lt_json_push(type, lt_json_str("object"));
            lt_json_push(type, lt_json_str("null"));
            lt_json *wp = lt_json_set(with, "properties", lt_json_object());
            for (size_t k = 0; k < d->n_params; k++)
                lt_json_set(wp, d->params[k].name, lt_param_schema(&d->params[k]));
            lt_json_set(with, "additionalProperties", lt_json_bool(false));
            lt_json *bare = lt_json_push(any, lt_json_object());
            lt_json_set(bare, "const", lt_json_str(d->name));
        }
        break;
    }
    case LT_P_SEED: {
        s = lt_json_object();
        lt_json *t = lt_json_set(s, "type", lt_json_array());
        lt_json_push(t, lt_json_str("integer"));
        lt_json_push(t, lt_json_str("null"));
        lt_json_set(s, "minimum", lt_json_int(0));
        lt_json_set(s, "maximum", lt_json_num(4294967295.0));
        break;
    }
    }
    char desc[1024], cond[160];
    size_t len = (size_t)snprintf(desc, sizeof desc, "%s", p->help);
    if (p->def_text && len < sizeof desc)
        len += (size_t)snprintf(desc + len, sizeof desc - len, " (default: %s)", p->def_text);
    if (p->when && len < sizeof desc)
        snprintf(desc + len, sizeof desc - len, " Only when %s.", lt_param_when_text(p, cond, sizeof cond));
    lt_json_set(s, "description", lt_json_str(desc));
    if (!(p->flags & LT_REQUIRED) && !p->def_text) {
        switch (p->type) {
        case LT_P_INT:
        case LT_P_REAL:
            /* null: unset, the help says what that means */
            lt_json_set(s, "default", default_is_null(p) ? lt_json_null()
                                      : p->type == LT_P_INT ? lt_json_int((long long)p->def)
                                                            : lt_json_num(p->def));
            break;
        case LT_P_BOOL: lt_json_set(s, "default", lt_json_bool(p->def != 0)); break;
        case LT_P_CHOICE:
        case LT_P_STRING:
        case LT_P_PATH:
            if (p->def_str)
                lt_json_set(s, "default", lt_json_str(p->def_str));
            break;
        default: break;
        }
    }
    return s;
}

lt_json *lt_param_when_schema(const lt_param *params, size_t n_params, const lt_param *p)
{
    const lt_param *q = controller(params, n_params, p);
    if (!q)
        return NULL;
    lt_json *rule = lt_json_object();
    /* if P is given (not null) ... */
    lt_json *given = lt_json_set(rule, "if", lt_json_object());
    lt_json_push(lt_json_set(given, "required", lt_json_array()), lt_json_str(p->name));
    lt_json *not_null = lt_json_set(lt_json_set(given, "properties", lt_json_object()), p->name, lt_json_object());
    lt_json_set(lt_json_set(not_null, "not", lt_json_object()), "type", lt_json_str("null"));
    /* ... then Q has one of the values, or is left at a default that is one. */
    lt_json *any = lt_json_set(lt_json_set(rule, "then", lt_json_object()), "anyOf", lt_json_array());
    lt_json *set = lt_json_push(any, lt_json_object());
    lt_json_push(lt_json_set(set, "required", lt_json_array()), lt_json_str(q->name));
    lt_json *e = lt_json_set(lt_json_set(lt_json_set(set, "properties", lt_json_object()), q->name, lt_json_object()),
                             "enum", lt_json_array());
    const char *list = strchr(p->when, '=') + 1;
    for (const char *s = list;;) {
        const char *bar = strchr(s, '|');
        size_t len = bar ? (size_t)(bar - s) : strlen(s);
        char value[128];
        snprintf(value, sizeof value, "%.*s", (int)len, s);
        lt_json_push(e, q->type == LT_P_BOOL ? lt_json_bool(value[0] == 't') : lt_json_str(value));
        if (!bar)
            break;
        s = bar + 1;
    }
    char def[128];
    default_value_text(q, def, sizeof def);
    if (lists(list, def)) {
        lt_json *unset = lt_json_push(any, lt_json_object());
        lt_json_push(lt_json_set(lt_json_set(unset, "not", lt_json_object()), "required", lt_json_array()),
                     lt_json_str(q->name));
    }
    return rule;
}
