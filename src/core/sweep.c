#include "core/sweep.h"
#include "util/suggest.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/registry.h"
#include "core/top_keys.h"
#include "io/json.h"

#define AT(file, n) ((n) && (n)->source ? (n)->source : (file)), (n) ? (n)->line : 0, (n) ? (n)->col : 0

static bool number_of(const lt_node *n, double *out)
{
    if (!n || n->kind != LT_SCALAR || !n->plain || !*n->value)
        return false;
    char *end;
    *out = strtod(n->value, &end);
    return !*end && isfinite(*out);
}

static bool fixed_by_set(const char *target, char *const *sets, size_t n_sets)
{
    size_t len = strlen(target);
    for (size_t i = 0; i < n_sets; i++)
        if (strncmp(sets[i], target, len) == 0 && sets[i][len] == '=')
            return true;
    return false;
}

/* Checks that TARGET names a stage and one of its kind's parameters. */
static bool check_target(const char *file, const lt_node *root, const lt_node *key,
                         lt_sweep_axis *axis, lt_diag *diag)
{
    const char *target = key->value;
    char path[300]; /* the axis's place in the tree, for programs */
    snprintf(path, sizeof path, "sweep.%s", target);
    const lt_top_key *top = lt_top_key_find(target);
    if (top && top->sweepable) {
        axis->param = strdup(target);
        return axis->param != NULL;
    }
    const char *dot = strchr(target, '.');
    if (!dot || dot == target || !dot[1]) {
        lt_diag_add_at(diag, lt_code_sweep, path, AT(file, key), "sweep: '%s' should read STAGE.PARAM (or seed)", target);
        return false;
    }
    axis->stage = strndup(target, (size_t)(dot - target));
    axis->param = strdup(dot + 1);
    if (!axis->stage || !axis->param)
        return false;
    const lt_node *stages = lt_node_get(root, "stages");
    const lt_node *st = lt_node_get(stages, axis->stage);
    if (!st) {
        const char *names[256];
        size_t k = 0;
        for (size_t i = 0; stages && stages->kind == LT_MAP && i < stages->n && k < 255; i++)
            names[k++] = stages->keys[i]->value;
        names[k] = NULL;
        const char *hint = lt_did_you_mean(axis->stage, names);
        lt_diag_add_at(diag, lt_code_sweep, path, AT(file, key), "sweep: %s: no stage named '%s'%s%s%s", target, axis->stage,
                    hint ? "; did you mean '" : "", hint ? hint : "", hint ? "'?" : "");
        return false;
    }
    const lt_node *use = lt_node_get(st, "use");
    const lt_stage_def *def = use && use->kind == LT_SCALAR ? lt_registry_find(use->value) : NULL;
    if (!def)
        return false; /* the stage itself gets the error */
    const char *names[128];
    size_t k = 0;
    for (size_t i = 0; i < def->n_params && k < 127; i++) {
        if (strcmp(def->params[i].name, axis->param) == 0)
            return true;
        names[k++] = def->params[i].name;
    }
    names[k] = NULL;
    const char *hint = lt_did_you_mean(axis->param, names);
    lt_diag_add_at(diag, lt_code_sweep, path, AT(file, key), "sweep: %s: %s has no parameter '%s'%s%s%s", target, def->name,
                axis->param, hint ? "; did you mean '" : "", hint ? hint : "", hint ? "'?" : "");
    return false;
}

static lt_node *number_node(double v, const lt_node *at)
{
    lt_node *n = calloc(1, sizeof *n);
    char buf[32];
    lt_json_format_double(buf, v);
    if (n && !(n->value = strdup(buf))) {
        free(n);
        return NULL;
    }
    if (n) {
        n->kind = LT_SCALAR;
        n->plain = true;
        n->line = at->line;
        n->col = at->col;
        n->source = at->source;
    }
    return n;
}

/* Fills AXIS->values from a list, {values: [...]} or {from, to, steps}. */
static bool read_values(const char *file, const lt_node *spec, lt_sweep_axis *axis, lt_diag *diag,
                        const char *target)
{
    char path[300];
    snprintf(path, sizeof path, "sweep.%s", target);
    const lt_node *list = spec;
    if (spec->kind == LT_MAP && lt_node_get(spec, "values")) {
        list = lt_node_get(spec, "values");
        if (spec->n != 1) {
            lt_diag_add_at(diag, lt_code_sweep, path, AT(file, spec), "sweep: %s: give either values or from/to/steps", target);
            return false;
        }
    } else if (spec->kind == LT_MAP) {
        const lt_node *from = lt_node_get(spec, "from"), *to = lt_node_get(spec, "to"),
                      *steps = lt_node_get(spec, "steps");
        double a, b, n;
        for (size_t i = 0; i < spec->n; i++) {
            const char *k = spec->keys[i]->value;
            if (strcmp(k, "from") && strcmp(k, "to") && strcmp(k, "steps")) {
                lt_diag_add_at(diag, lt_code_sweep, path, AT(file, spec->keys[i]),
                            "sweep: %s: unknown key '%s' (a range has from, to and steps)", target, k);
                return false;
            }
        }
        if (!from || !to || !steps) {
            lt_diag_add_at(diag, lt_code_sweep, path, AT(file, spec), "sweep: %s: a range needs from, to and steps", target);
            return false;
        }
        if (!number_of(from, &a) || !number_of(to, &b)) {
            lt_diag_add_at(diag, lt_code_sweep, path, AT(file, number_of(from, &a) ? to : from),
                        "sweep: %s: from and to must be numbers", target);
            return false;
        }
        if (!number_of(steps, &n) || n != floor(n) || n < 2 || n > LT_SWEEP_MAX_POINTS) {
            lt_diag_add_at(diag, lt_code_sweep, path, AT(file, steps), "sweep: %s: steps: expected an integer in [2, %d]", target,
                        LT_SWEEP_MAX_POINTS);
            return false;
        }
        axis->n = (size_t)n;
        axis->range_line = spec->line;
        axis->range_col = spec->col;
        if (!(axis->range_from = strdup(from->value)) || !(axis->range_to = strdup(to->value)))
            return false;
        axis->values = calloc(axis->n, sizeof *axis->values);
        for (size_t i = 0; axis->values && i < axis->n; i++) {
            /* The ends exactly as written; inner points as numpy's linspace. */
            double v = i + 1 == axis->n ? b : a + (b - a) * (double)i / (double)(axis->n - 1);
            if (!(axis->values[i] = number_node(v, spec)))
                return false;
        }
        return axis->values != NULL;
    }
    if (list->kind != LT_SEQ) {
        lt_diag_add_at(diag, lt_code_sweep, path, AT(file, list),
                    "sweep: %s: expected a list of values, {values: [...]} or {from, to, steps}, got %s",
                    target, lt_node_describe(list));
        return false;
    }
    if (list->n == 0) {
        lt_diag_add_at(diag, lt_code_sweep, path, AT(file, list), "sweep: %s: the list of values is empty", target);
        return false;
    }
    axis->values = calloc(list->n, sizeof *axis->values);
    for (size_t i = 0; axis->values && i < list->n; i++)
        if (!(axis->values[axis->n++] = lt_node_copy(list->items[i])))
            return false;
    return axis->values != NULL;
}

int lt_sweep_parse(const char *file, const lt_node *root, char *const *sets, size_t n_sets,
                   size_t max_points, lt_sweep *out, lt_diag *diag)
{
    *out = (lt_sweep){0};
    const lt_node *block = lt_node_get(root, "sweep");
    if (!block || lt_node_is_null(block))
        return 0;
    if (block->kind != LT_MAP) {
        lt_diag_add_at(diag, lt_code_sweep, "sweep", AT(file, block), "sweep: expected a mapping of STAGE.PARAM to values, got %s",
                    lt_node_describe(block));
        return -1;
    }
    size_t before = lt_diag_count(diag);
    out->axes = calloc(block->n ? block->n : 1, sizeof *out->axes);
    if (!out->axes)
        return -1;
    for (size_t i = 0; i < block->n; i++) {
        const lt_node *key = block->keys[i];
        if (fixed_by_set(key->value, sets, n_sets))
            continue; /* --set narrows the sweep to the value it gives */
        lt_sweep_axis *axis = &out->axes[out->n_axes++];
        axis->line = key->line;
        axis->col = key->col;
        if (check_target(file, root, key, axis, diag))
            read_values(file, block->items[i], axis, diag, key->value);
    }
    if (lt_diag_count(diag) > before)
        return -1;
    out->n_points = out->n_axes ? 1 : 0;
    for (size_t i = 0; i < out->n_axes; i++) {
        if (out->axes[i].n > max_points || out->n_points * out->axes[i].n > max_points) {
            lt_diag_add_at(diag, lt_code_sweep, "sweep", AT(file, block),
                        "sweep: more than %zu points (the limit; raise it with --max-points)", max_points);
            return -1;
        }
        out->n_points *= out->axes[i].n;
    }
    return 0;
}

void lt_sweep_free(lt_sweep *s)
{
    for (size_t i = 0; i < s->n_axes; i++) {
        for (size_t k = 0; k < s->axes[i].n; k++)
            lt_node_free(s->axes[i].values[k]);
        free(s->axes[i].values);
        free(s->axes[i].stage);
        free(s->axes[i].param);
        free(s->axes[i].range_from);
        free(s->axes[i].range_to);
    }
    free(s->axes);
    *s = (lt_sweep){0};
}

/* The index in axis A of point K's value. */
static size_t value_index(const lt_sweep *s, size_t k, size_t a)
{
    size_t stride = 1;
    for (size_t i = s->n_axes; i-- > a + 1;)
        stride *= s->axes[i].n;
    return (k / stride) % s->axes[a].n;
}

const lt_node *lt_sweep_value(const lt_sweep *s, size_t k, size_t a)
{
    return s->axes[a].values[value_index(s, k, a)];
}

void lt_sweep_explain(const lt_sweep *s, size_t k, const char *file, lt_diag *diag, size_t from)
{
    for (size_t a = 0; a < s->n_axes; a++) {
        const lt_sweep_axis *axis = &s->axes[a];
        if (!axis->range_line)
            continue;
        char more[300];
        snprintf(more, sizeof more, " (value %zu of the range from %s to %s in %zu steps)",
                 value_index(s, k, a) + 1, axis->range_from, axis->range_to, axis->n);
        for (size_t i = from; i < diag->n; i++) {
            const lt_diag_item *it = &diag->items[i];
            if (it->file && !strcmp(it->file, file) && it->line == axis->range_line &&
                it->col == axis->range_col)
                lt_diag_amend(diag, i, more);
        }
    }
}

int lt_sweep_apply(const lt_sweep *s, size_t k, lt_node *root)
{
    for (size_t a = 0; a < s->n_axes; a++) {
        const lt_sweep_axis *axis = &s->axes[a];
        lt_node *value = lt_node_copy(lt_sweep_value(s, k, a));
        if (!value)
            return -1;
        if (!axis->stage) {
            if (lt_node_put(root, axis->param, value, axis->line, axis->col) != 0)
                return -1;
            continue;
        }
        lt_node *st = lt_node_get(lt_node_get(root, "stages"), axis->stage);
        lt_node *with = lt_node_get(st, "with");
        if (!with || lt_node_is_null(with)) {
            with = lt_node_new_map(st->line, st->col);
            if (!with || lt_node_put(st, "with", with, st->line, st->col) != 0) {
                lt_node_free(value);
                return -1;
            }
        }
        if (with->kind != LT_MAP) {
            lt_node_free(value);
            continue; /* binding reports the malformed `with` */
        }
        if (lt_node_put(with, axis->param, value, axis->line, axis->col) != 0)
            return -1;
    }
    return 0;
}

static void value_text(const lt_node *v, char *buf, size_t size)
{
    if (v->kind == LT_SCALAR)
        snprintf(buf, size, "%s", v->value);
    else
        snprintf(buf, size, "%s", v->kind == LT_SEQ ? "[...]" : "{...}");
}

void lt_sweep_describe(const lt_sweep *s, size_t k, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t a = 0; a < s->n_axes && len < size; a++) {
        char v[64];
        value_text(lt_sweep_value(s, k, a), v, sizeof v);
        len += (size_t)snprintf(buf + len, size - len, "%s%s%s%s=%s", a ? "," : "",
                                s->axes[a].stage ? s->axes[a].stage : "", s->axes[a].stage ? "." : "",
                                s->axes[a].param, v);
    }
}

void lt_sweep_folder(const lt_sweep *s, size_t k, char *buf, size_t size)
{
    size_t len = (size_t)snprintf(buf, size, "%03zu", k);
    for (size_t a = 0; a < s->n_axes && len + 1 < size; a++) {
        char v[64];
        value_text(lt_sweep_value(s, k, a), v, sizeof v);
        len += (size_t)snprintf(buf + len, size - len, "-%s=%s", s->axes[a].param, v);
    }
    /* Keep names portable: anything unusual becomes '_'. */
    for (char *p = buf; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("-_=.+", *p))
            *p = '_';
}
