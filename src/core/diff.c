#include "core/diff.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/fsutil.h"

/* Vectors and matrices with more values than this are summarised in the
 * text table: a 30-feature scaler mean reads better as one line. */
enum { SHORT_METRIC = 10, LISTED_ELEMENTS = 10 };

/* ---- comparing ---------------------------------------------------------- */

/* The walk's state: the name of the current node, grown and cut back as the
 * walk descends and returns. */
struct walk {
    lt_diff *d;
    char *name;
    size_t len, cap;
    size_t metric;
    bool failed;
};

static bool is_branch(const lt_json *v)
{
    return (lt_json_is_array(v) || lt_json_is_object(v)) && lt_json_size(v) > 0;
}

static bool is_number(const lt_json *v)
{
    return v && !lt_json_is_bool(v) && !lt_json_is_null(v) && !isnan(lt_json_number(v));
}

static lt_diff_verdict compare(const lt_json *a, const lt_json *b, double atol, double rtol)
{
    if (!a || !b)
        return a ? LT_DIFF_ONLY_A : LT_DIFF_ONLY_B;
    const char *sa = lt_json_string(a), *sb = lt_json_string(b);
    if (sa || sb)
        return sa && sb && strcmp(sa, sb) == 0 ? LT_DIFF_SAME : LT_DIFF_CHANGED;
    /* Empty containers, booleans and nulls match only their own kind. */
    if (lt_json_is_array(a) != lt_json_is_array(b) || lt_json_is_object(a) != lt_json_is_object(b) ||
        lt_json_is_bool(a) != lt_json_is_bool(b))
        return LT_DIFF_CHANGED;
    double x = lt_json_number(a), y = lt_json_number(b);
    if (lt_json_is_bool(a)) /* true is not "1 within tolerance" */
        return x == y ? LT_DIFF_SAME : LT_DIFF_CHANGED;
    if (isnan(x) || isnan(y)) /* null (a NaN metric) on either side */
        return isnan(x) && isnan(y) ? LT_DIFF_SAME : LT_DIFF_CHANGED;
    if (x == y)
        return LT_DIFF_SAME;
    return fabs(x - y) <= atol + rtol * fabs(x) ? LT_DIFF_SAME : LT_DIFF_CHANGED;
}

/* Appends TEXT to the current name; returns the length to cut back to. */
static size_t name_push(struct walk *w, const char *sep, const char *text)
{
    size_t old = w->len, add = strlen(sep) + strlen(text);
    if (w->len + add + 1 > w->cap) {
        size_t cap = 2 * (w->len + add + 1);
        char *grown = realloc(w->name, cap);
        if (!grown) {
            w->failed = true;
            return old;
        }
        w->name = grown;
        w->cap = cap;
    }
    w->len += (size_t)sprintf(w->name + w->len, "%s%s", sep, text);
    return old;
}

static void name_cut(struct walk *w, size_t len)
{
    w->len = len;
    if (w->name)
        w->name[len] = '\0';
}

static void add_row(struct walk *w, const lt_json *a, const lt_json *b)
{
    lt_diff *d = w->d;
    if (d->n_rows == d->cap_rows) {
        size_t cap = d->cap_rows ? 2 * d->cap_rows : 64;
        lt_diff_row *grown = realloc(d->rows, cap * sizeof *grown);
        if (!grown) {
            w->failed = true;
            return;
        }
        d->rows = grown;
        d->cap_rows = cap;
    }
    char *name = strdup(w->name ? w->name : "");
    if (!name) {
        w->failed = true;
        return;
    }
    lt_diff_verdict v = compare(a, b, d->atol, d->rtol);
    d->rows[d->n_rows++] = (lt_diff_row){.name = name, .a = a, .b = b, .verdict = v, .metric = w->metric};
    d->count[v]++;
}

static void begin_metric(struct walk *w, const lt_json *a, const lt_json *b)
{
    lt_diff *d = w->d;
    if (d->n_metrics == d->cap_metrics) {
        size_t cap = d->cap_metrics ? 2 * d->cap_metrics : 32;
        lt_diff_metric *grown = realloc(d->metrics, cap * sizeof *grown);
        if (!grown) {
            w->failed = true;
            w->metric = (size_t)-1;
            return;
        }
        d->metrics = grown;
        d->cap_metrics = cap;
    }
    char *name = strdup(w->name ? w->name : "");
    if (!name) {
        w->failed = true;
        w->metric = (size_t)-1;
        return;
    }
    d->metrics[d->n_metrics] = (lt_diff_metric){.name = name, .a = a, .b = b};
    w->metric = d->n_metrics++;
}

static void walk(struct walk *w, const lt_json *a, const lt_json *b);

static void walk_member(struct walk *w, const char *key, const lt_json *a, const lt_json *b)
{
    size_t back = name_push(w, w->len ? "." : "", key);
    size_t outer = w->metric;
    begin_metric(w, a, b);
    walk(w, a, b);
    w->metric = outer;
    name_cut(w, back);
}

/* Pairs A and B by key or position; a side whose shape differs from the
 * other's is listed on its own, so each of its leaves shows up once. */
static void walk(struct walk *w, const lt_json *a, const lt_json *b)
{
    if (w->failed)
        return;
    bool ba = is_branch(a), bb = is_branch(b);
    if (!ba && !bb) {
        add_row(w, a, b);
        return;
    }
    if (a && b && (ba != bb || lt_json_is_array(a) != lt_json_is_array(b))) {
        walk(w, a, NULL);
        walk(w, NULL, b);
        return;
    }
    const lt_json *shape = ba ? a : b;
    if (lt_json_is_array(shape)) {
        size_t n = lt_json_size(a) > lt_json_size(b) ? lt_json_size(a) : lt_json_size(b);
        for (size_t i = 0; i < n && !w->failed; i++) {
            char index[32];
            snprintf(index, sizeof index, "[%zu]", i);
            size_t back = name_push(w, "", index);
            walk(w, lt_json_at(a, i), lt_json_at(b, i));
            name_cut(w, back);
        }
        return;
    }
    for (size_t i = 0; i < lt_json_size(a) && !w->failed; i++) {
        const char *key = lt_json_key_at(a, i);
        walk_member(w, key, lt_json_value_at(a, i), lt_json_get(b, key));
    }
    for (size_t i = 0; i < lt_json_size(b) && !w->failed; i++) {
        const char *key = lt_json_key_at(b, i);
        if (!lt_json_get(a, key))
            walk_member(w, key, NULL, lt_json_value_at(b, i));
    }
}

int lt_diff_compute(const lt_json *a, const lt_json *b, double atol, double rtol, lt_diff *d)
{
    d->atol = atol;
    d->rtol = rtol;
    struct walk w = {.d = d, .metric = (size_t)-1};
    walk(&w, a, b);
    free(w.name);
    return w.failed ? -1 : 0;
}

void lt_diff_free(lt_diff *d)
{
    for (size_t i = 0; i < d->n_rows; i++)
        free(d->rows[i].name);
    for (size_t i = 0; i < d->n_metrics; i++)
        free(d->metrics[i].name);
    free(d->rows);
    free(d->metrics);
    *d = (lt_diff){0};
}

bool lt_diff_differs(const lt_diff *d)
{
    return d->count[LT_DIFF_CHANGED] + d->count[LT_DIFF_ONLY_A] + d->count[LT_DIFF_ONLY_B] > 0;
}

/* ---- the text table ----------------------------------------------------- */

static const char *const verdict_text[] = {"same", "changed", "only in A", "only in B"};

enum { COL_NAME, COL_A, COL_B, COL_CHANGE, COL_REL, COL_VERDICT, N_COLS };

struct table {
    char *(*cells)[N_COLS]; /* owned strings */
    size_t n, cap;
    bool failed;
};

static void table_add(struct table *t, char *cells[N_COLS])
{
    bool ok = !t->failed;
    for (int c = 0; c < N_COLS; c++)
        ok = ok && cells[c];
    if (ok && t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        char *(*grown)[N_COLS] = realloc(t->cells, cap * sizeof *grown);
        if (grown) {
            t->cells = grown;
            t->cap = cap;
        } else {
            ok = false;
        }
    }
    if (!ok) {
        for (int c = 0; c < N_COLS; c++)
            free(cells[c]);
        t->failed = true;
        return;
    }
    memcpy(t->cells[t->n++], cells, sizeof(char *[N_COLS]));
}

static char *value_text(const lt_json *v)
{
    char buf[32];
    if (!v)
        return strdup("-");
    if (lt_json_string(v))
        return strdup(lt_json_string(v));
    if (lt_json_is_bool(v))
        return strdup(lt_json_number(v) != 0 ? "true" : "false");
    if (lt_json_is_array(v))
        return strdup("[]");
    if (lt_json_is_object(v))
        return strdup("{}");
    if (lt_json_is_null(v))
        return strdup("null");
    lt_json_format_double(buf, lt_json_number(v));
    return strdup(buf);
}

static char *format(const char *fmt, double x)
{
    char buf[64];
    snprintf(buf, sizeof buf, fmt, x);
    return strdup(buf);
}

/* The change B - A and its size relative to A, when both are numbers that
 * differ; empty cells otherwise. */
static void change_cells(const lt_json *a, const lt_json *b, char **change, char **rel)
{
    double x = lt_json_number(a), y = lt_json_number(b);
    if (!is_number(a) || !is_number(b) || x == y || !isfinite(x) || !isfinite(y)) {
        *change = strdup("");
        *rel = strdup("");
        return;
    }
    *change = format("%+.4g", y - x);
    *rel = x != 0 ? format("%+.3g%%", 100 * (y - x) / fabs(x)) : strdup("");
}

static void add_leaf_line(struct table *t, const lt_diff_row *r, const char *indent)
{
    char *cells[N_COLS];
    size_t len = strlen(indent) + strlen(r->name) + 1;
    cells[COL_NAME] = malloc(len);
    if (cells[COL_NAME])
        snprintf(cells[COL_NAME], len, "%s%s", indent, r->name);
    cells[COL_A] = value_text(r->a);
    cells[COL_B] = value_text(r->b);
    change_cells(r->a, r->b, &cells[COL_CHANGE], &cells[COL_REL]);
    cells[COL_VERDICT] = strdup(verdict_text[r->verdict]);
    table_add(t, cells);
}

/* "30 values" or "2x30 values" for a vector or a rectangular matrix. */
static char *shape_text(const lt_json *v)
{
    char buf[64];
    if (!v)
        return strdup("-");
    size_t rows = lt_json_size(v), cols = 0;
    bool matrix = rows > 0;
    for (size_t i = 0; i < rows && matrix; i++) {
        const lt_json *row = lt_json_at(v, i);
        matrix = lt_json_is_array(row) && lt_json_size(row) > 0 && (i == 0 || lt_json_size(row) == cols);
        cols = lt_json_size(row);
    }
    if (matrix)
        snprintf(buf, sizeof buf, "%zux%zu values", rows, cols);
    else
        snprintf(buf, sizeof buf, "%zu values", rows);
    return strdup(buf);
}

/* One line for a long vector or matrix (the N rows from FIRST): its shape
 * on each side, the largest change, and how many elements differ; then its
 * differing elements. */
static void add_metric_lines(struct table *t, const lt_diff *d, size_t first, size_t n, bool all)
{
    const lt_diff_metric *m = &d->metrics[d->rows[first].metric];
    size_t counts[4] = {0};
    double max_change = 0;
    bool any_change = false;
    for (size_t i = first; i < first + n; i++) {
        const lt_diff_row *r = &d->rows[i];
        counts[r->verdict]++;
        double x = lt_json_number(r->a), y = lt_json_number(r->b);
        if (is_number(r->a) && is_number(r->b) && x != y && (fabs(y - x) > max_change || !any_change)) {
            max_change = fabs(y - x);
            any_change = true;
        }
    }
    char *cells[N_COLS];
    cells[COL_NAME] = strdup(m->name);
    cells[COL_A] = shape_text(m->a);
    cells[COL_B] = shape_text(m->b);
    cells[COL_CHANGE] = any_change ? format("up to %.4g", max_change) : strdup("");
    cells[COL_REL] = strdup("");
    size_t differ = n - counts[LT_DIFF_SAME];
    char verdict[128] = "";
    if (differ == 0) {
        snprintf(verdict, sizeof verdict, "same");
    } else {
        size_t len = 0;
        for (int v = LT_DIFF_CHANGED; v <= LT_DIFF_ONLY_B; v++)
            if (counts[v] && len < sizeof verdict)
                len += (size_t)snprintf(verdict + len, sizeof verdict - len, "%s%zu of %zu %s",
                                        len ? ", " : "", counts[v], n, verdict_text[v]);
    }
    cells[COL_VERDICT] = strdup(verdict);
    table_add(t, cells);

    size_t listed = 0;
    for (size_t i = first; i < first + n; i++) {
        const lt_diff_row *r = &d->rows[i];
        if (r->verdict == LT_DIFF_SAME && !all)
            continue;
        if (!all && listed == LISTED_ELEMENTS) {
            char text[96];
            snprintf(text, sizeof text, "  ... %zu more (--all or --json lists every value)", differ - listed);
            char *more[N_COLS] = {strdup(text), strdup(""), strdup(""), strdup(""), strdup(""), strdup("")};
            table_add(t, more);
            break;
        }
        add_leaf_line(t, r, "  ");
        listed++;
    }
}

static void print_row(FILE *f, char *const cells[N_COLS], const size_t width[N_COLS])
{
    size_t last = N_COLS - 1;
    while (last > 0 && !cells[last][0])
        last--;
    for (size_t c = 0; c <= last; c++) {
        if (c < last)
            fprintf(f, "%-*s  ", (int)width[c], cells[c]);
        else
            fprintf(f, "%s\n", cells[c]);
    }
}

int lt_diff_print(const lt_diff *d, const char *label_a, const char *label_b, bool all, FILE *f)
{
    struct table t = {0};
    char *header[N_COLS] = {strdup("metric"), strdup("A"), strdup("B"),
                            strdup("change"), strdup("rel"), strdup("verdict")};
    table_add(&t, header);
    /* Consecutive rows of one metric are a vector or matrix: a long one
     * gets a summary line. */
    for (size_t first = 0, n; first < d->n_rows; first += n) {
        n = 1;
        while (first + n < d->n_rows && d->rows[first + n].metric == d->rows[first].metric)
            n++;
        if (n > SHORT_METRIC && d->rows[first].metric < d->n_metrics) {
            add_metric_lines(&t, d, first, n, all);
        } else {
            for (size_t i = first; i < first + n; i++)
                add_leaf_line(&t, &d->rows[i], "");
        }
    }
    size_t width[N_COLS] = {0};
    for (size_t i = 0; i < t.n; i++)
        for (int c = 0; c < N_COLS && t.cells[i][COL_A][0]; c++) /* notes (no A cell) may overhang */
            if (strlen(t.cells[i][c]) > width[c])
                width[c] = strlen(t.cells[i][c]);
    fprintf(f, "A: %s\nB: %s\n\n", label_a, label_b);
    for (size_t i = 0; i < t.n; i++)
        print_row(f, t.cells[i], width);
    char atol[32], rtol[32];
    lt_json_format_double(atol, d->atol);
    lt_json_format_double(rtol, d->rtol);
    fprintf(f, "\n%zu values: %zu same, %zu changed, %zu only in A, %zu only in B (atol %s, rtol %s)\n",
            d->n_rows, d->count[LT_DIFF_SAME], d->count[LT_DIFF_CHANGED], d->count[LT_DIFF_ONLY_A],
            d->count[LT_DIFF_ONLY_B], atol, rtol);
    for (size_t i = 0; i < t.n; i++)
        for (int c = 0; c < N_COLS; c++)
            free(t.cells[i][c]);
    free(t.cells);
    return t.failed || ferror(f) ? -1 : 0;
}

/* ---- JSON --------------------------------------------------------------- */

/* A copy of leaf V (a scalar or an empty container). */
static lt_json *copy_leaf(const lt_json *v)
{
    if (lt_json_string(v))
        return lt_json_str(lt_json_string(v));
    if (lt_json_is_bool(v))
        return lt_json_bool(lt_json_number(v) != 0);
    if (lt_json_is_array(v))
        return lt_json_array();
    if (lt_json_is_object(v))
        return lt_json_object();
    if (lt_json_is_null(v))
        return lt_json_null();
    return lt_json_num(lt_json_number(v));
}

static const char *const verdict_key[] = {"same", "changed", "only_a", "only_b"};

lt_json *lt_diff_json(const lt_diff *d, const char *label_a, const char *label_b)
{
    lt_json *out = lt_json_object();
    lt_json_set(out, "a", lt_json_str(label_a));
    lt_json_set(out, "b", lt_json_str(label_b));
    lt_json_set(out, "atol", lt_json_num(d->atol));
    lt_json_set(out, "rtol", lt_json_num(d->rtol));
    lt_json_set(out, "differs", lt_json_bool(lt_diff_differs(d)));
    lt_json *counts = lt_json_set(out, "counts", lt_json_object());
    for (int v = 0; v < 4; v++)
        lt_json_set(counts, verdict_key[v], lt_json_int((long long)d->count[v]));
    lt_json *rows = lt_json_set(out, "metrics", lt_json_array());
    for (size_t i = 0; i < d->n_rows && rows; i++) {
        const lt_diff_row *r = &d->rows[i];
        lt_json *row = lt_json_push(rows, lt_json_object());
        lt_json_set(row, "name", lt_json_str(r->name));
        if (r->a)
            lt_json_set(row, "a", copy_leaf(r->a));
        if (r->b)
            lt_json_set(row, "b", copy_leaf(r->b));
        double x = lt_json_number(r->a), y = lt_json_number(r->b);
        if (is_number(r->a) && is_number(r->b) && isfinite(x) && isfinite(y)) {
            lt_json_set(row, "change", lt_json_num(y - x));
            if (x != 0)
                lt_json_set(row, "rel_change", lt_json_num((y - x) / fabs(x)));
        }
        lt_json_set(row, "verdict", lt_json_str(verdict_key[r->verdict]));
    }
    return out;
}

/* ---- loading ------------------------------------------------------------ */

lt_json *lt_diff_load(const char *arg, char **path_out)
{
    struct stat st;
    if (stat(arg, &st) != 0) {
        fprintf(stderr, "latent diff: %s: %s\n", arg, strerror(errno));
        return NULL;
    }
    bool folder = S_ISDIR(st.st_mode);
    char *path = folder ? lt_path_join(arg, "metrics.json") : strdup(arg);
    if (!path) {
        fprintf(stderr, "latent diff: %s: out of memory\n", arg);
        return NULL;
    }
    char *text = lt_read_file(path, NULL);
    if (!text) {
        fprintf(stderr, "latent diff: %s: %s%s\n", path, strerror(errno),
                folder && errno == ENOENT ? " (not a run folder, or its run failed)" : "");
        free(path);
        return NULL;
    }
    lt_json *tree = lt_json_parse(text);
    free(text);
    const char *problem = NULL;
    if (!tree)
        problem = "not valid JSON";
    else if (!lt_json_is_object(tree))
        problem = "expected a metrics object ({\"stage\": {\"metric\": value}})";
    else if (lt_json_get(tree, "latent_version") && lt_json_get(tree, "stage_seconds"))
        problem = "this is a run.json; pass its folder or its metrics.json";
    if (problem) {
        fprintf(stderr, "latent diff: %s: %s\n", path, problem);
        lt_json_free(tree);
        free(path);
        return NULL;
    }
    *path_out = path;
    return tree;
}
