#include "core/yaml_doc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* ---- nodes -------------------------------------------------------------- */

static lt_node *node_new(lt_node_kind kind, int line, int col)
{
    lt_node *n = calloc(1, sizeof *n);
    if (n) {
        n->kind = kind;
        n->line = line;
        n->col = col;
    }
    return n;
}

lt_node *lt_node_new_map(int line, int col) { return node_new(LT_MAP, line, col); }

void lt_node_free(lt_node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n; i++) {
        lt_node_free(n->items[i]);
        if (n->keys)
            lt_node_free(n->keys[i]);
    }
    free(n->items);
    free(n->keys);
    free(n->value);
    free(n);
}

/* Appends ITEM (and KEY for a mapping); takes ownership of both. */
static int node_append(lt_node *n, lt_node *key, lt_node *item)
{
    lt_node **items = realloc(n->items, (n->n + 1) * sizeof *items);
    if (!items)
        goto fail;
    n->items = items;
    if (n->kind == LT_MAP) {
        lt_node **keys = realloc(n->keys, (n->n + 1) * sizeof *keys);
        if (!keys)
            goto fail;
        n->keys = keys;
        n->keys[n->n] = key;
    }
    n->items[n->n++] = item;
    return 0;
fail:
    lt_node_free(key);
    lt_node_free(item);
    return -1;
}

lt_node *lt_node_copy(const lt_node *src)
{
    lt_node *n = node_new(src->kind, src->line, src->col);
    if (!n)
        return NULL;
    n->plain = src->plain;
    if (src->value && !(n->value = strdup(src->value)))
        goto fail;
    for (size_t i = 0; i < src->n; i++) {
        lt_node *key = src->keys ? lt_node_copy(src->keys[i]) : NULL;
        lt_node *item = lt_node_copy(src->items[i]);
        if (!item || (src->keys && !key) || node_append(n, key, item) != 0)
            goto fail;
    }
    return n;
fail:
    lt_node_free(n);
    return NULL;
}

static long key_index(const lt_node *map, const char *key)
{
    if (!map || map->kind != LT_MAP)
        return -1;
    for (size_t i = 0; i < map->n; i++)
        if (map->keys[i]->value && strcmp(map->keys[i]->value, key) == 0)
            return (long)i;
    return -1;
}

lt_node *lt_node_get(const lt_node *map, const char *key)
{
    long i = key_index(map, key);
    return i < 0 ? NULL : map->items[i];
}

lt_node *lt_node_key(const lt_node *map, const char *key)
{
    long i = key_index(map, key);
    return i < 0 ? NULL : map->keys[i];
}

int lt_node_put(lt_node *map, const char *key, lt_node *value, int line, int col)
{
    long i = key_index(map, key);
    if (i >= 0) {
        lt_node_free(map->items[i]);
        map->items[i] = value;
        return 0;
    }
    lt_node *k = node_new(LT_SCALAR, line, col);
    if (!k || !(k->value = strdup(key))) {
        lt_node_free(k);
        lt_node_free(value);
        return -1;
    }
    k->plain = true;
    return node_append(map, k, value);
}

bool lt_node_is_null(const lt_node *n)
{
    if (!n || n->kind != LT_SCALAR || !n->plain)
        return false;
    const char *v = n->value;
    return !*v || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
           strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

const char *lt_node_describe(const lt_node *n)
{
    if (!n)
        return "nothing";
    switch (n->kind) {
    case LT_MAP: return "a mapping";
    case LT_SEQ: return "a list";
    default: return lt_node_is_null(n) ? "null" : "a scalar";
    }
}

/* ---- loading ------------------------------------------------------------ */

struct anchor {
    char *name;
    lt_node *node; /* borrowed: lives in the tree */
};

struct loader {
    yaml_parser_t parser;
    const char *file;
    const char *text; /* the file's bytes, for a look at where libyaml stopped */
    size_t len;
    lt_diag *diag;
    struct anchor *anchors;
    size_t n_anchors;
    size_t n_nodes; /* nodes made so far, aliases counted by their size */
    bool failed;
};

static size_t count_nodes(const lt_node *n)
{
    size_t c = 1;
    for (size_t i = 0; i < n->n; i++)
        c += count_nodes(n->items[i]) + (n->keys ? 1 : 0);
    return c;
}

static size_t node_depth(const lt_node *n)
{
    size_t d = 0;
    for (size_t i = 0; i < n->n; i++) {
        size_t c = node_depth(n->items[i]);
        if (c > d)
            d = c;
    }
    return d + 1;
}

__attribute__((format(printf, 3, 4)))
static void error_at(struct loader *l, const yaml_mark_t *m, const char *fmt, ...)
{
    if (!l->failed) {
        char msg[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        lt_diag_add(l->diag, lt_code_yaml_syntax, l->file, (int)m->line + 1, (int)m->column + 1, "%s", msg);
    }
    l->failed = true;
}

/* Whether mark M sits on a tab in the leading blanks of its line: libyaml
 * then says "found character that cannot start any token" or "found a tab
 * character that violates indentation", which is hard to read as "a tab". */
static bool tab_indent_at(const struct loader *l, const yaml_mark_t *m)
{
    size_t at = 0;
    for (size_t line = 0; line < m->line; line++) {
        const char *nl = memchr(l->text + at, '\n', l->len - at);
        if (!nl)
            return false;
        at = (size_t)(nl - l->text) + 1;
    }
    /* Up to the mark the line holds blanks only, one byte a column. */
    for (size_t col = 0; col < m->column; col++, at++)
        if (at >= l->len || (l->text[at] != ' ' && l->text[at] != '\t'))
            return false;
    return at < l->len && l->text[at] == '\t';
}

static bool next_event(struct loader *l, yaml_event_t *ev)
{
    if (yaml_parser_parse(&l->parser, ev))
        return true;
    const yaml_mark_t *m = &l->parser.problem_mark;
    const char *problem = l->parser.problem ? l->parser.problem : "invalid YAML";
    char msg[512];
    if (l->parser.error == YAML_SCANNER_ERROR && tab_indent_at(l, m))
        snprintf(msg, sizeof msg, "YAML does not allow tabs for indentation; indent with spaces");
    else if (l->parser.context)
        snprintf(msg, sizeof msg, "YAML syntax error: %s %s started at line %d, column %d", problem,
                 l->parser.context, (int)l->parser.context_mark.line + 1,
                 (int)l->parser.context_mark.column + 1);
    else
        snprintf(msg, sizeof msg, "YAML syntax error: %s", problem);
    lt_diag_add(l->diag, lt_code_yaml_syntax, l->file, (int)m->line + 1, (int)m->column + 1, "%s", msg);
    l->failed = true;
    return false;
}

static void remember_anchor(struct loader *l, const yaml_char_t *name, lt_node *n)
{
    if (!name)
        return;
    struct anchor *a = realloc(l->anchors, (l->n_anchors + 1) * sizeof *a);
    if (!a)
        return;
    l->anchors = a;
    a[l->n_anchors].name = strdup((const char *)name);
    a[l->n_anchors].node = n;
    if (a[l->n_anchors].name)
        l->n_anchors++;
}

static lt_node *find_anchor(struct loader *l, const char *name)
{
    /* The latest definition wins, as YAML says for redefined anchors. */
    for (size_t i = l->n_anchors; i-- > 0;)
        if (strcmp(l->anchors[i].name, name) == 0)
            return l->anchors[i].node;
    return NULL;
}

static lt_node *load_node(struct loader *l, yaml_event_t *ev, int depth);

/* Applies a `<<` merge: copies the keys of SRC (a map or list of maps) that
 * MAP does not have yet. */
static void merge_into(struct loader *l, lt_node *map, const lt_node *src,
                       const yaml_mark_t *mark)
{
    const lt_node *const *maps = (const lt_node *const *)&src;
    size_t n_maps = 1;
    if (src->kind == LT_SEQ) {
        maps = (const lt_node *const *)src->items;
        n_maps = src->n;
    }
    for (size_t m = 0; m < n_maps; m++) {
        if (maps[m]->kind != LT_MAP) {
            error_at(l, mark, "a merge key `<<` needs a mapping or a list of mappings");
            return;
        }
        for (size_t i = 0; i < maps[m]->n; i++) {
            const lt_node *key = maps[m]->keys[i];
            if (lt_node_get(map, key->value))
                continue;
            lt_node *k = lt_node_copy(key), *v = lt_node_copy(maps[m]->items[i]);
            if (!k || !v || node_append(map, k, v) != 0) {
                error_at(l, mark, "out of memory");
                return;
            }
        }
    }
}

static lt_node *load_mapping(struct loader *l, yaml_event_t *start, int depth)
{
    lt_node *map = node_new(LT_MAP, (int)start->start_mark.line + 1,
                            (int)start->start_mark.column + 1);
    remember_anchor(l, start->data.mapping_start.anchor, map);
    lt_node *merge = NULL;
    yaml_mark_t merge_mark = start->start_mark;
    yaml_event_t ev;
    while (map && !l->failed && next_event(l, &ev)) {
        if (ev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&ev);
            if (merge) {
                merge_into(l, map, merge, &merge_mark);
                lt_node_free(merge);
            }
            return map;
        }
        yaml_mark_t key_mark = ev.start_mark;
        lt_node *key = load_node(l, &ev, depth + 1);
        yaml_event_delete(&ev);
        if (!key)
            break;
        if (key->kind != LT_SCALAR) {
            error_at(l, &key_mark, "keys must be plain strings, not %s", lt_node_describe(key));
            lt_node_free(key);
            break;
        }
        yaml_event_t vev;
        if (!next_event(l, &vev)) {
            lt_node_free(key);
            break;
        }
        lt_node *value = load_node(l, &vev, depth + 1);
        yaml_event_delete(&vev);
        if (!value) {
            lt_node_free(key);
            break;
        }
        if (key->plain && strcmp(key->value, "<<") == 0) {
            lt_node_free(merge);
            merge = value;
            merge_mark = key_mark;
            lt_node_free(key);
            continue;
        }
        const lt_node *first = lt_node_key(map, key->value);
        if (first) {
            bool first_error = !l->failed;
            error_at(l, &key_mark, "duplicate key '%.200s'", key->value);
            if (first_error)
                lt_diag_note(l->diag, NULL, first->line, first->col, "first defined");
            lt_node_free(key);
            lt_node_free(value);
            break;
        }
        if (node_append(map, key, value) != 0) {
            error_at(l, &key_mark, "out of memory");
            break;
        }
    }
    lt_node_free(merge);
    lt_node_free(map);
    return NULL;
}

static lt_node *load_sequence(struct loader *l, yaml_event_t *start, int depth)
{
    lt_node *seq = node_new(LT_SEQ, (int)start->start_mark.line + 1,
                            (int)start->start_mark.column + 1);
    remember_anchor(l, start->data.sequence_start.anchor, seq);
    yaml_event_t ev;
    while (seq && !l->failed && next_event(l, &ev)) {
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            return seq;
        }
        lt_node *item = load_node(l, &ev, depth + 1);
        yaml_event_delete(&ev);
        if (!item || node_append(seq, NULL, item) != 0)
            break;
    }
    lt_node_free(seq);
    return NULL;
}

static lt_node *load_node(struct loader *l, yaml_event_t *ev, int depth)
{
    if (depth > LT_YAML_MAX_DEPTH) {
        error_at(l, &ev->start_mark, "nesting deeper than %d levels is refused", LT_YAML_MAX_DEPTH);
        return NULL;
    }
    if (++l->n_nodes > LT_YAML_MAX_NODES) {
        error_at(l, &ev->start_mark, "the document has more than %d nodes; refused", LT_YAML_MAX_NODES);
        return NULL;
    }
    switch (ev->type) {
    case YAML_SCALAR_EVENT: {
        lt_node *n = node_new(LT_SCALAR, (int)ev->start_mark.line + 1,
                              (int)ev->start_mark.column + 1);
        if (!n || !(n->value = strndup((const char *)ev->data.scalar.value,
                                       ev->data.scalar.length))) {
            lt_node_free(n);
            error_at(l, &ev->start_mark, "out of memory");
            return NULL;
        }
        n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        remember_anchor(l, ev->data.scalar.anchor, n);
        return n;
    }
    case YAML_SEQUENCE_START_EVENT: return load_sequence(l, ev, depth);
    case YAML_MAPPING_START_EVENT: return load_mapping(l, ev, depth);
    case YAML_ALIAS_EVENT: {
        const char *name = (const char *)ev->data.alias.anchor;
        lt_node *target = find_anchor(l, name);
        if (!target) {
            error_at(l, &ev->start_mark, "unknown alias '*%s'", name);
            return NULL;
        }
        /* Count the copy against the budget before making it: this is what
         * stops exponential expansion (each level doubling the last). */
        size_t size = count_nodes(target);
        if (size > LT_YAML_MAX_NODES - l->n_nodes) {
            error_at(l, &ev->start_mark,
                     "alias '*%s' would expand the document past 100000 nodes; refused", name);
            return NULL;
        }
        if ((size_t)depth + node_depth(target) > LT_YAML_MAX_DEPTH) {
            error_at(l, &ev->start_mark,
                     "alias '*%s' would nest deeper than 64 levels; refused", name);
            return NULL;
        }
        l->n_nodes += size;
        lt_node *copy = lt_node_copy(target);
        if (!copy) {
            error_at(l, &ev->start_mark, "out of memory");
            return NULL;
        }
        /* An alias takes the position of its use, so messages point there. */
        copy->line = (int)ev->start_mark.line + 1;
        copy->col = (int)ev->start_mark.column + 1;
        return copy;
    }
    default:
        error_at(l, &ev->start_mark, "unexpected YAML event");
        return NULL;
    }
}

lt_node *lt_yaml_parse(const char *file, const char *text, size_t len, lt_diag *diag)
{
    struct loader l = {.file = file, .text = text, .len = len, .diag = diag};
    if (!yaml_parser_initialize(&l.parser)) {
        lt_diag_add(diag, lt_code_resource, file, 0, 0, "out of memory");
        return NULL;
    }
    yaml_parser_set_input_string(&l.parser, (const unsigned char *)text, len);
    lt_node *root = NULL;
    yaml_event_t ev;
    /* Stream start, then a document start or the stream end. */
    bool ok = next_event(&l, &ev);
    if (ok)
        yaml_event_delete(&ev);
    /* After an error libyaml keeps "succeeding" with empty events (no
     * type), so the loop must stop on l.failed or it never ends (found by
     * fuzzing: a document whose closing event fails). */
    while (ok && !l.failed && next_event(&l, &ev)) {
        yaml_event_type_t type = ev.type;
        yaml_mark_t mark = ev.start_mark;
        yaml_event_delete(&ev);
        if (type == YAML_STREAM_END_EVENT || type == YAML_NO_EVENT)
            break;
        if (type != YAML_DOCUMENT_START_EVENT)
            continue;
        if (root) {
            error_at(&l, &mark, "a pipeline file holds one YAML document, found a second");
            break;
        }
        if (!next_event(&l, &ev))
            break;
        if (ev.type == YAML_DOCUMENT_END_EVENT) {
            root = lt_node_new_map(1, 1);
        } else {
            root = load_node(&l, &ev, 0);
            yaml_event_t end;
            if (root && next_event(&l, &end))
                yaml_event_delete(&end);
        }
        yaml_event_delete(&ev);
        if (!root)
            break;
    }
    for (size_t i = 0; i < l.n_anchors; i++)
        free(l.anchors[i].name);
    free(l.anchors);
    yaml_parser_delete(&l.parser);
    if (l.failed) {
        lt_node_free(root);
        return NULL;
    }
    return root ? root : lt_node_new_map(1, 1);
}
