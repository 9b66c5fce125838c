#include "core/pipeline.h"
#include "util/suggest.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "util/fsutil.h"
#include "core/metrics.h"
#include "core/model.h"
#include "core/models.h"
#include "core/params.h"
#include "core/registry.h"
#include "core/sha256.h"
#include "core/top_keys.h"

/* ---- small helpers ------------------------------------------------------ */

/* ASCII only, whatever the locale: a name becomes a folder, a metric's
 * prefix and a --set target, and the schema's patterns say [A-Za-z]. */
static bool ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool ascii_digit(char c) { return c >= '0' && c <= '9'; }

/* A stage name: an ASCII letter or '_', then ASCII letters, digits, '_'
 * and '-'. DIGIT_FIRST (a pipeline's name) lets it start with a digit. */
static bool valid_name(const char *s, bool digit_first)
{
    if (!*s || (!ascii_letter(*s) && *s != '_' && !(digit_first && ascii_digit(*s))))
        return false;
    for (; *s; s++)
        if (!ascii_letter(*s) && !ascii_digit(*s) && *s != '_' && *s != '-')
            return false;
    return true;
}

static const char *node_file(const lt_pipeline *p, const lt_node *n)
{
    return n && n->source ? n->source : p->file;
}

#define AT(p, n) node_file(p, n), (n) ? (n)->line : 0, (n) ? (n)->col : 0

static bool scalar_text(const lt_node *n) { return n && n->kind == LT_SCALAR && !lt_node_is_null(n); }

/* ---- overrides ---------------------------------------------------------- */

/* Applies one `--set stage.param=value` (or `seed=value`) to the tree. */
static void apply_set(lt_pipeline *p, const char *arg, lt_diag *diag)
{
    /* Messages about this override name it as the user typed it. */
    char *label = malloc(strlen(arg) + 7);
    if (!label)
        return;
    sprintf(label, "--set %s", arg);
    p->set_labels[p->n_set_labels++] = label;
    const char *set = arg;
    char *eq = strchr(set, '=');
    if (!eq || eq == set) {
        lt_diag_add(diag, lt_code_set_syntax, label, 0, 0, "expected STAGE.PARAM=VALUE");
        return;
    }
    size_t key_len = (size_t)(eq - set);
    char key[256];
    if (key_len >= sizeof key) {
        lt_diag_add(diag, lt_code_set_syntax, label, 0, 0, "the name is too long");
        return;
    }
    memcpy(key, set, key_len);
    key[key_len] = '\0';
    const char *text = eq + 1;
    lt_diag local = {0};
    lt_node *value = lt_yaml_parse(label, text, strlen(text), &local);
    if (!value || local.n) {
        lt_diag_add(diag, lt_code_set_syntax, label, 0, 0, "the value is not valid YAML");
        lt_diag_clear(&local);
        lt_node_free(value);
        return;
    }
    /* An empty value parses as an empty mapping; the user meant null. */
    if (!*text) {
        lt_node_free(value);
        value = calloc(1, sizeof *value);
        if (!value)
            return;
        value->kind = LT_SCALAR;
        value->plain = true;
        value->value = strdup("");
    }
    /* Every node of the value reports "--set stage.param=value" as its place. */
    lt_node *stack[LT_YAML_MAX_DEPTH + 2];
    size_t top = 0;
    stack[top++] = value;
    while (top) {
        lt_node *n = stack[--top];
        n->source = label;
        n->line = n->col = 0;
        for (size_t i = 0; i < n->n && top < LT_YAML_MAX_DEPTH; i++)
            stack[top++] = n->items[i];
    }
    char *dot = strchr(key, '.');
    if (!dot) {
        const lt_top_key *top = lt_top_key_find(key);
        if (!top || !top->settable) {
            lt_diag_add(diag, lt_code_set_syntax, label, 0, 0, "expected STAGE.PARAM=VALUE (or seed=VALUE)");
            lt_node_free(value);
            return;
        }
        lt_node_put(p->root, key, value, 0, 0);
        return;
    }
    *dot = '\0';
    const char *stage = key, *param = dot + 1;
    lt_node *stages = lt_node_get(p->root, "stages");
    lt_node *st = lt_node_get(stages, stage);
    if (!st || st->kind != LT_MAP) {
        const char *names[256];
        size_t k = 0;
        for (size_t i = 0; stages && stages->kind == LT_MAP && i < stages->n && k < 255; i++)
            names[k++] = stages->keys[i]->value;
        names[k] = NULL;
        const char *hint = lt_did_you_mean(stage, names);
        if (hint)
            lt_diag_add(diag, lt_code_set_syntax, label, 0, 0, "no stage named '%s'; did you mean '%s'?", stage, hint);
        else
            lt_diag_add(diag, lt_code_set_syntax, label, 0, 0, "no stage named '%s'", stage);
        lt_node_free(value);
        return;
    }
    if (strcmp(param, "input") == 0 || strcmp(param, "use") == 0) {
        lt_node_put(st, param, value, 0, 0);
        return;
    }
    lt_node *with = lt_node_get(st, "with");
    if (!with || lt_node_is_null(with)) {
        with = lt_node_new_map(st->line, st->col);
        if (!with || lt_node_put(st, "with", with, st->line, st->col) != 0) {
            lt_node_free(value);
            return;
        }
    }
    if (with->kind != LT_MAP) {
        lt_node_free(value);
        return; /* binding reports the malformed `with` */
    }
    lt_node_put(with, param, value, 0, 0);
}

/* ---- stages ------------------------------------------------------------- */

static const char *const stage_keys[] = {"use", "with", "input", "from", NULL};

static const lt_stage_def *resolve_kind(lt_pipeline *p, const lt_node *use, const char *stage,
                                        lt_diag *diag)
{
    char path[300];
    snprintf(path, sizeof path, "stages.%s.use", stage);
    if (!scalar_text(use)) {
        lt_diag_add_at(diag, lt_code_stage_kind, path, AT(p, use), "stage '%s': 'use' must name a stage kind, got %s", stage,
                    lt_node_describe(use));
        return NULL;
    }
    const lt_stage_def *def = lt_registry_find(use->value);
    if (def)
        return def;
    size_t n;
    const lt_stage_def *const *all = lt_registry(&n);
    const char *names[256];
    for (size_t i = 0; i < n && i < 255; i++)
        names[i] = all[i]->name;
    names[n < 255 ? n : 255] = NULL;
    const char *hint = lt_did_you_mean(use->value, names);
    if (hint)
        lt_diag_add_at(diag, lt_code_stage_kind, path, AT(p, use), "stage '%s': unknown stage kind '%s'; did you mean '%s'?",
                    stage, use->value, hint);
    else
        lt_diag_add_at(diag, lt_code_stage_kind, path, AT(p, use), "stage '%s': unknown stage kind '%s' (`latent stages` lists them)",
                    stage, use->value);
    return NULL;
}

static void load_stage(lt_pipeline *p, size_t index, const lt_node *key, const lt_node *body,
                       lt_diag *diag)
{
    lt_stage_inst *s = &p->stages[index];
    s->name = strdup(key->value);
    s->line = key->line;
    s->col = key->col;
    char path[300], key_path[600]; /* the stage's place in the tree, and one of its keys' */
    snprintf(path, sizeof path, "stages.%s", key->value);
    if (!valid_name(key->value, false))
        lt_diag_add_at(diag, lt_code_key_shape, path, AT(p, key),
                    "stage name '%s' must start with an ASCII letter or '_' and hold only ASCII letters, digits, '_' and '-'",
                    key->value);
    if (body->kind != LT_MAP) {
        lt_diag_add_at(diag, lt_code_key_shape, path, AT(p, body), "stage '%s': expected a mapping with 'use', 'with' and 'input', got %s",
                    key->value, lt_node_describe(body));
        return;
    }
    for (size_t i = 0; i < body->n; i++) {
        const char *k = body->keys[i]->value;
        bool known = false;
        for (size_t j = 0; stage_keys[j]; j++)
            known |= strcmp(stage_keys[j], k) == 0;
        if (known)
            continue;
        const char *hint = lt_did_you_mean(k, stage_keys);
        snprintf(key_path, sizeof key_path, "%s.%s", path, k);
        if (hint)
            lt_diag_add_at(diag, lt_code_key_unknown, key_path, AT(p, body->keys[i]), "stage '%s': unknown key '%s'; did you mean '%s'?",
                        key->value, k, hint);
        else
            lt_diag_add_at(diag, lt_code_key_unknown, key_path, AT(p, body->keys[i]),
                        "stage '%s': unknown key '%s' (a stage has 'use', 'with', 'input' and 'from')",
                        key->value, k);
    }
    const lt_node *use = lt_node_get(body, "use");
    if (!use) {
        snprintf(key_path, sizeof key_path, "%s.use", path);
        lt_diag_add_at(diag, lt_code_key_missing, key_path, AT(p, key), "stage '%s': missing 'use'' (the stage kind, e.g. use: pca)",
                    key->value);
        return;
    }
    s->def = resolve_kind(p, use, key->value, diag);
    if (!s->def)
        return;
    s->config = calloc(1, s->def->config_size ? s->def->config_size : 1);
    if (!s->config) {
        lt_diag_add(diag, lt_code_resource, p->file, 0, 0, "out of memory");
        return;
    }
    lt_bind_site site = {.file = p->file, .stage = s->name, .kind = s->def->name, .basedir = p->dir,
                         .line = s->line, .col = s->col};
    s->with = lt_node_get(body, "with");
    const lt_node *from = lt_node_get(body, "from");
    if (from)
        lt_models_bind_from(s, from, s->with, &site, diag);
    else
        lt_params_bind(s->def->params, s->def->n_params, s->config, s->with, &site, diag);
}

static long stage_index(const lt_pipeline *p, const char *name)
{
    for (size_t i = 0; i < p->n_stages; i++)
        if (p->stages[i].name && strcmp(p->stages[i].name, name) == 0)
            return (long)i;
    return -1;
}

static void unknown_stage(lt_pipeline *p, const lt_node *at, const char *path, const char *what,
                          const char *who, const char *name, lt_diag *diag)
{
    const char *names[256];
    size_t k = 0;
    for (size_t i = 0; i < p->n_stages && k < 255; i++)
        if (p->stages[i].name)
            names[k++] = p->stages[i].name;
    names[k] = NULL;
    const char *hint = lt_did_you_mean(name, names);
    if (hint)
        lt_diag_add_at(diag, lt_code_input, path, AT(p, at), "%s%s: no stage named '%s'; did you mean '%s'?", who, what, name, hint);
    else
        lt_diag_add_at(diag, lt_code_input, path, AT(p, at), "%s%s: no stage named '%s'", who, what, name);
}

static bool reads_kind(const lt_stage_def *reader, lt_value_kind kind)
{
    unsigned mask = reader->reads ? reader->reads : LT_READS(LT_DATASET);
    return (mask >> kind) & 1u;
}

/* "a spectrum", "a dataset or a spectrum": what READER's inputs may be. */
static void reads_text(const lt_stage_def *reader, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int k = 0; k < LT_N_VALUE_KINDS; k++)
        if (reads_kind(reader, (lt_value_kind)k))
            len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%s", len ? " or a " : "a ",
                                    lt_value_kind_name((lt_value_kind)k));
}

/* Binds one `input:` entry, "stage" or "stage.output", of stage INDEX. */
static void bind_input(lt_pipeline *p, size_t index, const lt_node *nm, const char *who, lt_diag *diag)
{
    lt_stage_inst *s = &p->stages[index];
    char path[300];
    snprintf(path, sizeof path, "stages.%s.input", s->name);
    char name[256];
    snprintf(name, sizeof name, "%s", nm->value);
    char *dot = strchr(name, '.');
    const char *output = dot ? dot + 1 : NULL;
    if (dot)
        *dot = '\0';
    long j = stage_index(p, name);
    if (j < 0) {
        unknown_stage(p, nm, path, "input", who, name, diag);
        return;
    }
    const lt_stage_def *from = p->stages[j].def;
    if ((size_t)j == index) {
        lt_diag_add_at(diag, lt_code_input, path, AT(p, nm), "%sinput: a stage cannot read its own output", who);
        return;
    }
    if (!from)
        return; /* its kind is unknown, already reported */
    if (from->n_outputs == 0) {
        lt_diag_add_at(diag, lt_code_input, path, AT(p, nm), "%sinput: stage '%s' (%s) produces no data to read", who, name,
                    from->name);
        return;
    }
    const char *names[LT_MAX_OUTPUTS + 1];
    size_t n_names = 0;
    for (size_t k = 0; k < from->n_outputs && k < LT_MAX_OUTPUTS; k++)
        names[n_names++] = from->outputs[k].name;
    names[n_names] = NULL;
    int out = 0;
    if (output) {
        out = -1;
        for (size_t k = 0; k < n_names; k++)
            if (strcmp(names[k], output) == 0)
                out = (int)k;
    }
    if (out < 0) {
        const char *hint = lt_did_you_mean(output, names);
        if (hint) {
            lt_diag_add_at(diag, lt_code_input, path, AT(p, nm), "%sinput: stage '%s' (%s) has no output '%s'; did you mean '%s.%s'?",
                        who, name, from->name, output, name, hint);
        } else {
            char list[512] = "";
            for (size_t k = 0; k < n_names; k++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", k ? ", " : "", names[k]);
            lt_diag_add_at(diag, lt_code_input, path, AT(p, nm), "%sinput: stage '%s' (%s) has no output '%s' (it has %s)", who, name,
                        from->name, output, list);
        }
        return;
    }
    lt_value_kind kind = from->outputs[out].kind;
    if (!reads_kind(s->def, kind)) {
        /* Name an output of that stage the reader can read, if there is one. */
        const char *fits = NULL;
        for (size_t k = 0; k < n_names && !fits; k++)
            if (reads_kind(s->def, from->outputs[k].kind))
                fits = names[k];
        char reads[128];
        reads_text(s->def, reads, sizeof reads);
        if (fits)
            lt_diag_add_at(diag, lt_code_input, path, AT(p, nm), "%sinput: '%s' is a %s, and %s reads %s; did you mean '%s.%s'?", who,
                        nm->value, lt_value_kind_name(kind), s->def->name, reads, name, fits);
        else
            lt_diag_add_at(diag, lt_code_input, path, AT(p, nm), "%sinput: '%s' is a %s, and %s reads %s", who, nm->value,
                        lt_value_kind_name(kind), s->def->name, reads);
        return;
    }
    for (size_t k = 0; k < s->n_inputs; k++)
        if (s->inputs[k] == (size_t)j && s->input_output[k] == out) {
            lt_diag_add_at(diag, lt_code_input, path, AT(p, nm), "%sinput: '%s' is listed twice; name each input once", who,
                        nm->value);
            return;
        }
    if (s->n_inputs < LT_COUNT(s->inputs)) {
        s->input_output[s->n_inputs] = out;
        s->inputs[s->n_inputs++] = (size_t)j;
    }
}

/* The default input: the nearest earlier stage with an output of the
 * first kind this one reads (a dataset, for most stages: the nearest that
 * produces data, so a plot or a classifier's predictions in between do not
 * break the chain), and its first such output. */
static bool bind_default_input(lt_pipeline *p, size_t index)
{
    lt_stage_inst *s = &p->stages[index];
    lt_value_kind want = LT_DATASET;
    while (!reads_kind(s->def, want) && want + 1 < LT_N_VALUE_KINDS)
        want++;
    for (size_t j = index; j-- > 0;) {
        const lt_stage_def *from = p->stages[j].def;
        for (size_t k = 0; from && k < from->n_outputs; k++)
            if (from->outputs[k].kind == want) {
                s->input_output[0] = (int)k;
                s->inputs[s->n_inputs++] = j;
                return true;
            }
    }
    return false;
}

static void resolve_inputs(lt_pipeline *p, size_t index, const lt_node *body, lt_diag *diag)
{
    lt_stage_inst *s = &p->stages[index];
    if (!s->def)
        return;
    char who[300];
    snprintf(who, sizeof who, "stage '%s': ", s->name);
    char path[300], stage_path[300];
    snprintf(path, sizeof path, "stages.%s.input", s->name);
    snprintf(stage_path, sizeof stage_path, "stages.%s", s->name);
    const lt_node *input = body && body->kind == LT_MAP ? lt_node_get(body, "input") : NULL;
    if (input && !lt_node_is_null(input)) {
        const lt_node *const *names = (const lt_node *const *)&input;
        size_t n = 1;
        if (input->kind == LT_SEQ) {
            names = (const lt_node *const *)input->items;
            n = input->n;
        }
        for (size_t i = 0; i < n; i++) {
            if (!scalar_text(names[i]))
                lt_diag_add_at(diag, lt_code_input, path, AT(p, names[i]),
                            "%sinput: expected a stage name (or STAGE.OUTPUT) or a list of them, got %s", who,
                            lt_node_describe(names[i]));
            else
                bind_input(p, index, names[i], who, diag);
        }
    } else if (s->def->min_inputs > 0) {
        char reads[128];
        reads_text(s->def, reads, sizeof reads);
        if (!bind_default_input(p, index) && reads_kind(s->def, LT_DATASET))
            lt_diag_add_at(diag, lt_code_graph, stage_path, p->file, s->line, s->col,
                        "%sneeds an input, and no earlier stage produces data", who);
        else if (!s->n_inputs)
            lt_diag_add_at(diag, lt_code_graph, stage_path, p->file, s->line, s->col, "%sneeds an input, and no earlier stage gives %s",
                        who, reads);
        return;
    }
    if (s->n_inputs == 0 && input && !lt_node_is_null(input))
        return; /* already reported */
    /* Point at `input:` when there is one, else at the stage. */
    lt_node here = {.line = s->line, .col = s->col};
    if (!input)
        input = &here;
    if ((int)s->n_inputs > s->def->max_inputs) {
        if (s->def->max_inputs == 0)
            lt_diag_add_at(diag, lt_code_input, path, AT(p, input), "%s%s takes no input", who, s->def->name);
        else
            lt_diag_add_at(diag, lt_code_input, path, AT(p, input), "%s%s takes at most %d input%s, got %zu", who, s->def->name,
                        s->def->max_inputs, s->def->max_inputs == 1 ? "" : "s", s->n_inputs);
    } else if ((int)s->n_inputs < s->def->min_inputs) {
        lt_diag_add_at(diag, lt_code_input, path, AT(p, input), "%s%s needs %d inputs, got %zu", who, s->def->name,
                    s->def->min_inputs, s->n_inputs);
    }
}

/* Kahn's algorithm, taking the earliest ready stage in file order each time,
 * so a file whose inputs all point backwards runs exactly in file order. */
static void order_stages(lt_pipeline *p, lt_diag *diag)
{
    size_t n = p->n_stages;
    p->order = calloc(n ? n : 1, sizeof *p->order);
    size_t *missing = calloc(n ? n : 1, sizeof *missing);
    bool *done = calloc(n ? n : 1, sizeof *done);
    if (!p->order || !missing || !done) {
        free(missing);
        free(done);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        missing[i] = p->stages[i].n_inputs;
        for (size_t k = 0; k < p->stages[i].n_inputs; k++)
            p->stages[p->stages[i].inputs[k]].n_readers[p->stages[i].input_output[k]]++;
    }
    size_t placed = 0;
    while (placed < n) {
        size_t next = n;
        for (size_t i = 0; i < n && next == n; i++)
            if (!done[i] && missing[i] == 0)
                next = i;
        if (next == n)
            break;
        done[next] = true;
        p->order[placed++] = next;
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < p->stages[i].n_inputs; k++)
                if (p->stages[i].inputs[k] == next)
                    missing[i]--;
    }
    if (placed < n) {
        /* Name the cycle by walking inputs from a stuck stage until a stage repeats. */
        size_t start = 0;
        while (done[start])
            start++;
        size_t seen[64], k = 0, cur = start;
        for (;;) {
            size_t again = k;
            for (size_t j = 0; j < k; j++)
                if (seen[j] == cur)
                    again = j;
            if (again < k || k == 64) {
                char path[1024] = "";
                size_t len = 0;
                for (size_t j = again < k ? again : 0; j < k && len < sizeof path; j++)
                    len += (size_t)snprintf(path + len, sizeof path - len, "%s -> ",
                                            p->stages[seen[j]].name);
                if (len < sizeof path)
                    snprintf(path + len, sizeof path - len, "%s", p->stages[cur].name);
                lt_diag_add(diag, lt_code_graph, p->file, p->stages[cur].line, p->stages[cur].col,
                            "stage '%s': input cycle: %s", p->stages[cur].name, path);
                break;
            }
            seen[k++] = cur;
            size_t nxt = cur;
            for (size_t j = 0; j < p->stages[cur].n_inputs; j++)
                if (!done[p->stages[cur].inputs[j]])
                    nxt = p->stages[cur].inputs[j];
            if (nxt == cur)
                break;
            cur = nxt;
        }
    }
    free(missing);
    free(done);
}

/* ---- expectations ------------------------------------------------------- */

static const char *const expect_keys[] = {"near", "tol", "rtol", "min", "max", "equals", NULL};

static bool number_of(const lt_node *n, double *out)
{
    if (!n || n->kind != LT_SCALAR || !n->plain || !*n->value)
        return false;
    char *end;
    *out = strtod(n->value, &end);
    return !*end && !isnan(*out);
}

/* Splits "stage.metric[1][2]" into its parts. Returns false on bad syntax. */
static bool parse_target(const char *t, lt_expect *e)
{
    const char *dot = strchr(t, '.');
    if (!dot || dot == t)
        return false;
    const char *br = strchr(dot, '[');
    size_t mlen = br ? (size_t)(br - dot - 1) : strlen(dot + 1);
    if (mlen == 0)
        return false;
    e->stage = strndup(t, (size_t)(dot - t));
    e->metric = strndup(dot + 1, mlen);
    e->index[0] = e->index[1] = -1;
    for (int k = 0; br && *br; k++) {
        if (k == 2 || *br != '[')
            return false;
        char *end;
        errno = 0;
        long v = strtol(br + 1, &end, 10);
        if (end == br + 1 || *end != ']' || v < 0 || errno)
            return false;
        e->index[k] = v;
        br = end + 1;
    }
    return e->stage && e->metric;
}

/* An expect: target naming a metric its stage's kind does not report. */
static void undeclared_metric(lt_pipeline *p, const lt_node *key, const lt_expect *e, const lt_stage_def *def,
                              lt_diag *diag)
{
    char *names[256], path[300];
    snprintf(path, sizeof path, "expect.%s", e->target);
    size_t n = lt_metric_names(def, names, LT_COUNT(names));
    const char *hint = n ? lt_did_you_mean(e->metric, (const char *const *)names) : NULL;
    if (hint)
        lt_diag_add_at(diag, lt_code_expect, path, AT(p, key), "expect: %s: %s reports no metric '%s'; did you mean '%s'?", e->target,
                    def->name, e->metric, hint);
    else if (n)
        lt_diag_add_at(diag, lt_code_expect, path, AT(p, key), "expect: %s: %s reports no metric '%s' (`latent stages %s` lists its metrics)",
                    e->target, def->name, e->metric, def->name);
    else
        lt_diag_add_at(diag, lt_code_expect, path, AT(p, key), "expect: %s: %s reports no metrics", e->target, def->name);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
}

static void load_expect(lt_pipeline *p, const lt_node *expect, lt_diag *diag)
{
    if (!expect || lt_node_is_null(expect))
        return;
    if (expect->kind != LT_MAP) {
        lt_diag_add_at(diag, lt_code_expect, "expect", AT(p, expect), "expect: expected a mapping of stage.metric to checks, got %s",
                    lt_node_describe(expect));
        return;
    }
    p->expects = calloc(expect->n ? expect->n : 1, sizeof *p->expects);
    if (!p->expects)
        return;
    for (size_t i = 0; i < expect->n; i++) {
        const lt_node *key = expect->keys[i], *spec = expect->items[i];
        char path[300]; /* the entry's place in the tree, for programs */
        snprintf(path, sizeof path, "expect.%s", key->value);
        lt_expect *e = &p->expects[p->n_expects++];
        e->target = strdup(key->value);
        e->line = key->line;
        e->col = key->col;
        if (!parse_target(key->value, e)) {
            lt_diag_add_at(diag, lt_code_expect, path, AT(p, key), "expect: '%s' should read STAGE.METRIC, optionally with [index]",
                        key->value);
            continue;
        }
        long si = stage_index(p, e->stage);
        if (si < 0)
            unknown_stage(p, key, path, e->target, "expect: ", e->stage, diag);
        else if (p->stages[si].def && !lt_metric_declared(p->stages[si].def, e->metric))
            undeclared_metric(p, key, e, p->stages[si].def, diag);
        if (spec->kind != LT_MAP) {
            lt_diag_add_at(diag, lt_code_expect, path, AT(p, spec), "expect: %s: expected a mapping such as {near: 0.95, tol: 0.01}, got %s",
                        e->target, lt_node_describe(spec));
            continue;
        }
        bool has[6] = {false};
        double val[6] = {0};
        bool bad = false;
        for (size_t k = 0; k < spec->n; k++) {
            const char *name = spec->keys[k]->value;
            int which = -1;
            for (int j = 0; expect_keys[j]; j++)
                if (strcmp(expect_keys[j], name) == 0)
                    which = j;
            if (which < 0) {
                const char *hint = lt_did_you_mean(name, expect_keys);
                lt_diag_add_at(diag, lt_code_expect, path, AT(p, spec->keys[k]), "expect: %s: unknown check '%s'%s%s%s", e->target,
                            name, hint ? "; did you mean '" : " (near with tol or rtol, min, max, equals)",
                            hint ? hint : "", hint ? "'?" : "");
                bad = true;
                continue;
            }
            if (!number_of(spec->items[k], &val[which])) {
                lt_diag_add_at(diag, lt_code_expect, path, AT(p, spec->items[k]), "expect: %s: %s: expected a number, got %s",
                            e->target, name, lt_node_describe(spec->items[k]));
                bad = true;
                continue;
            }
            has[which] = true;
        }
        if (bad)
            continue;
        enum { NEAR, TOL, RTOL, MIN, MAX, EQUALS };
        if (has[NEAR]) {
            if (!has[TOL] && !has[RTOL])
                lt_diag_add_at(diag, lt_code_expect, path, AT(p, spec), "expect: %s: 'near' needs 'tol' (absolute) or 'rtol' (relative)",
                            e->target);
            else if ((has[TOL] && val[TOL] < 0) || (has[RTOL] && val[RTOL] < 0))
                lt_diag_add_at(diag, lt_code_expect, path, AT(p, spec), "expect: %s: tolerances must be >= 0", e->target);
            e->op = LT_EXPECT_NEAR;
            e->value = val[NEAR];
            e->tol = val[TOL];
            e->rtol = val[RTOL];
            if (has[MIN] || has[MAX] || has[EQUALS])
                lt_diag_add_at(diag, lt_code_expect, path, AT(p, spec), "expect: %s: use either near, min/max, or equals", e->target);
        } else if (has[EQUALS]) {
            e->op = LT_EXPECT_EQUALS;
            e->value = val[EQUALS];
            if (has[MIN] || has[MAX] || has[TOL] || has[RTOL])
                lt_diag_add_at(diag, lt_code_expect, path, AT(p, spec), "expect: %s: use either near, min/max, or equals", e->target);
        } else if (has[MIN] || has[MAX]) {
            e->op = LT_EXPECT_RANGE;
            e->min = has[MIN] ? val[MIN] : -INFINITY;
            e->max = has[MAX] ? val[MAX] : INFINITY;
            if (has[TOL] || has[RTOL])
                lt_diag_add_at(diag, lt_code_expect, path, AT(p, spec), "expect: %s: tol and rtol go with near", e->target);
            if (e->min > e->max)
                lt_diag_add_at(diag, lt_code_expect, path, AT(p, spec), "expect: %s: min is larger than max", e->target);
        } else {
            lt_diag_add_at(diag, lt_code_expect, path, AT(p, spec), "expect: %s: needs near (with tol or rtol), min, max or equals",
                        e->target);
        }
    }
}

/* ---- the file ----------------------------------------------------------- */

static void load_top(lt_pipeline *p, lt_diag *diag)
{
    const lt_node *root = p->root;
    if (root->kind != LT_MAP) {
        lt_diag_add(diag, lt_code_key_shape, AT(p, root), "a pipeline file is a mapping with 'pipeline' and 'stages', got %s",
                    lt_node_describe(root));
        return;
    }
    const char *top_keys[16];
    lt_top_key_names(top_keys, sizeof top_keys / sizeof top_keys[0]);
    for (size_t i = 0; i < root->n; i++) {
        const char *k = root->keys[i]->value;
        if (lt_top_key_find(k))
            continue;
        const char *hint = lt_did_you_mean(k, top_keys);
        if (hint)
            lt_diag_add_at(diag, lt_code_key_unknown, k, AT(p, root->keys[i]), "unknown top-level key '%s'; did you mean '%s'?", k, hint);
        else
            lt_diag_add_at(diag, lt_code_key_unknown, k, AT(p, root->keys[i]), "unknown top-level key '%s' (expected %s)",
                        k, lt_top_key_list((char[256]){0}, 256));
    }
    const lt_node *name = lt_node_get(root, "pipeline");
    if (!name)
        lt_diag_add_at(diag, lt_code_key_missing, "pipeline", p->file, 1, 1, "missing 'pipeline' (the pipeline's name, e.g. pipeline: breast-cancer)");
    else if (!scalar_text(name) || !valid_name(name->value, true))
        lt_diag_add_at(diag, lt_code_param_value, "pipeline", AT(p, name), "pipeline: the name must start with an ASCII letter, digit or '_' and hold only ASCII letters, digits, '_' and '-', got %s%s%s",
                    scalar_text(name) ? "\"" : "", scalar_text(name) ? name->value : lt_node_describe(name),
                    scalar_text(name) ? "\"" : "");
    else
        p->name = strdup(name->value);
    const lt_node *desc = lt_node_get(root, "description");
    if (desc && !lt_node_is_null(desc)) {
        if (desc->kind != LT_SCALAR)
            lt_diag_add_at(diag, lt_code_param_type, "description", AT(p, desc), "description: expected text, got %s", lt_node_describe(desc));
        else
            p->description = strdup(desc->value);
    }
    const lt_node *seed = lt_node_get(root, "seed");
    double s = 0;
    if (seed && !(number_of(seed, &s) && s == floor(s) && s >= 0 && s <= 4294967295.0)) {
        lt_diag_add_at(diag, lt_code_param_value, "seed", AT(p, seed), "seed: expected an integer in [0, 4294967295], got %s%s%s",
                    scalar_text(seed) ? "\"" : "", scalar_text(seed) ? seed->value : lt_node_describe(seed),
                    scalar_text(seed) ? "\"" : "");
        s = 0; /* converting a value out of range would be undefined (found by fuzzing) */
    }
    p->seed = (uint32_t)s;

    const lt_node *stages = lt_node_get(root, "stages");
    if (!stages) {
        lt_diag_add_at(diag, lt_code_key_missing, "stages", p->file, 1, 1, "missing 'stages' (a mapping of stage names to {use, with, input})");
        return;
    }
    if (stages->kind != LT_MAP || stages->n == 0) {
        lt_diag_add_at(diag, lt_code_key_shape, "stages", AT(p, stages), "stages: expected a mapping of stage names to {use, with, input}, got %s",
                    stages->kind == LT_MAP ? "an empty mapping" : lt_node_describe(stages));
        return;
    }
    p->stages = calloc(stages->n, sizeof *p->stages);
    if (!p->stages)
        return;
    p->n_stages = stages->n;
    for (size_t i = 0; i < stages->n; i++)
        load_stage(p, i, stages->keys[i], stages->items[i], diag);
    for (size_t i = 0; i < stages->n; i++)
        resolve_inputs(p, i, stages->items[i], diag);
    order_stages(p, diag);
    load_expect(p, lt_node_get(root, "expect"), diag);
}

lt_pipeline *lt_pipeline_load(const char *file, const lt_load_opts *opts, lt_diag *diag)
{
    char *const *sets = opts->sets;
    size_t n_sets = opts->n_sets;
    size_t before = lt_diag_count(diag);
    size_t len;
    char *text = lt_read_file(file, &len);
    if (!text) {
        lt_diag_add(diag, lt_code_resource, file, 0, 0, "cannot read the pipeline file: %s", strerror(errno));
        return NULL;
    }
    lt_pipeline *p = calloc(1, sizeof *p);
    if (!p) {
        free(text);
        return NULL;
    }
    p->file = strdup(file);
    p->dir = lt_path_dirname(file);
    lt_sha256_hex(text, len, p->sha256);
    if (memchr(text, '\0', len))
        lt_diag_add(diag, lt_code_yaml_syntax, file, 0, 0, "the file holds NUL bytes; is it a YAML text file?");
    else
        p->root = lt_yaml_parse(file, text, len, diag);
    free(text);
    p->set_labels = calloc(n_sets ? n_sets : 1, sizeof *p->set_labels);
    p->point = -1;
    if (p->root && p->set_labels) {
        for (size_t i = 0; i < n_sets; i++)
            apply_set(p, sets[i], diag);
        size_t max = opts->max_points ? opts->max_points : LT_SWEEP_MAX_POINTS;
        if (p->root->kind == LT_MAP && lt_sweep_parse(file, p->root, sets, n_sets, max, &p->sweep, diag) == 0 &&
            opts->point >= 0) {
            if ((size_t)opts->point >= p->sweep.n_points)
                lt_diag_add(diag, lt_code_sweep, file, 0, 0, "--point %ld: the sweep has %zu points (0 to %zu)", opts->point,
                            p->sweep.n_points, p->sweep.n_points ? p->sweep.n_points - 1 : 0);
            else if (lt_sweep_apply(&p->sweep, (size_t)opts->point, p->root) != 0)
                lt_diag_add(diag, lt_code_resource, file, 0, 0, "out of memory");
            else
                p->point = opts->point;
        }
        size_t checked = diag->n; /* the problems loading point K adds from here */
        load_top(p, diag);
        if (p->point >= 0)
            lt_sweep_explain(&p->sweep, (size_t)p->point, file, diag, checked);
    }
    if (lt_diag_count(diag) > before || !p->root) {
        lt_pipeline_free(p);
        return NULL;
    }
    return p;
}

void lt_pipeline_free(lt_pipeline *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_stages; i++) {
        lt_stage_inst *s = &p->stages[i];
        if (s->def && s->config)
            lt_params_release(s->def->params, s->def->n_params, s->config);
        free(s->config);
        free(s->name);
        free(s->from);
        lt_model_free(s->model);
    }
    for (size_t i = 0; i < p->n_expects; i++) {
        free(p->expects[i].target);
        free(p->expects[i].stage);
        free(p->expects[i].metric);
    }
    free(p->expects);
    free(p->stages);
    free(p->order);
    lt_node_free(p->root);
    lt_sweep_free(&p->sweep);
    for (size_t i = 0; i < p->n_set_labels; i++)
        free(p->set_labels[i]);
    free(p->set_labels);
    free(p->file);
    free(p->dir);
    free(p->name);
    free(p->description);
    free(p);
}

unsigned lt_stage_wanted(const lt_stage_inst *s)
{
    unsigned mask = s->def && s->def->n_outputs ? 1u : 0u;
    for (size_t k = 1; s->def && k < s->def->n_outputs; k++)
        if (s->n_readers[k])
            mask |= 1u << k;
    return mask;
}

lt_json *lt_pipeline_resolved(const lt_pipeline *p) { return lt_pipeline_resolved_run(p, NULL); }

lt_json *lt_pipeline_resolved_run(const lt_pipeline *p, const lt_json *used)
{
    lt_json *o = lt_json_object();
    lt_json_set(o, "pipeline", lt_json_str(p->name));
    if (p->description)
        lt_json_set(o, "description", lt_json_str(p->description));
    lt_json_set(o, "seed", lt_json_int(p->seed));
    lt_json *stages = lt_json_set(o, "stages", lt_json_object());
    for (size_t i = 0; i < p->n_stages; i++) {
        const lt_stage_inst *s = &p->stages[i];
        lt_json *st = lt_json_set(stages, s->name, lt_json_object());
        lt_json_set(st, "use", lt_json_str(s->def->name));
        lt_json *in = lt_json_set(st, "input", lt_json_array());
        for (size_t k = 0; k < s->n_inputs; k++) {
            const lt_stage_inst *from = &p->stages[s->inputs[k]];
            int out = s->input_output[k];
            if (out == 0) {
                lt_json_push(in, lt_json_str(from->name));
            } else {
                char *ref = malloc(strlen(from->name) + strlen(from->def->outputs[out].name) + 2);
                if (ref)
                    sprintf(ref, "%s.%s", from->name, from->def->outputs[out].name);
                lt_json_push(in, ref ? lt_json_str(ref) : NULL);
                free(ref);
            }
        }
        if (s->from)
            lt_json_set(st, "from", lt_json_str(s->from));
        lt_json_set(st, "with", used ? lt_params_resolved_json(s->def->params, s->def->n_params, s->config,
                                                               p->seed, lt_json_get(used, s->name))
                                     : lt_params_to_json(s->def->params, s->def->n_params, s->config));
    }
    return o;
}

void lt_pipeline_config_hash(const lt_pipeline *p, char out[17])
{
    lt_json *resolved = lt_pipeline_resolved(p);
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (mem) {
        lt_json_write_compact(resolved, mem);
        fclose(mem);
    }
    char hex[65];
    lt_sha256_hex(text ? text : "", text ? len : 0, hex);
    memcpy(out, hex, 16);
    out[16] = '\0';
    free(text);
    lt_json_free(resolved);
}
