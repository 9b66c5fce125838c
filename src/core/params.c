/* Parameter tables at work: a table's rows walked for binding, defaults,
 * release, JSON and schema, each row's type asked what to do
 * (param_types.c), and the rows' `when` conditions. */
#include "core/params.h"
#include "util/suggest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/param_types.h"

#define FIELD(config, p, type) ((type *)((char *)(config) + (p)->offset))

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
    lt_param_ops_of(p)->expected(p, buf, size);
    return buf;
}

const char *lt_param_default_text(const lt_param *p, char *buf, size_t size)
{
    if (p->flags & LT_REQUIRED)
        return NULL;
    if (p->def_text)
        snprintf(buf, size, "%s", p->def_text);
    else
        lt_param_ops_of(p)->default_text(p, buf, size);
    size_t len = strlen(buf);
    if (p->when && len + 4 < size) {
        char cond[160];
        snprintf(buf + len, size - len, " (when %s)", lt_param_when_text(p, cond, sizeof cond));
    }
    return buf;
}

/* ---- binding ------------------------------------------------------------ */

void lt_params_fill_defaults(const lt_param *params, size_t n_params, void *config)
{
    for (size_t i = 0; i < n_params; i++)
        lt_param_ops_of(&params[i])->set_default(&params[i], FIELD(config, &params[i], void));
}

int lt_params_bind(const lt_param *params, size_t n_params, void *config,
                   const lt_node *with, const lt_bind_site *site, lt_diag *diag)
{
    lt_binder b = {site, diag, 0};
    lt_params_fill_defaults(params, n_params, config);
    if (with && lt_node_is_null(with))
        with = NULL;
    if (with && with->kind != LT_MAP) {
        lt_bind_problem(&b, with, NULL, "'with' must be a mapping of parameter names to values, got %s",
                lt_node_describe(with));
        return b.errors;
    }
    for (size_t i = 0; i < n_params; i++) {
        const lt_param *p = &params[i];
        const lt_node *n = lt_node_get(with, p->name);
        if (n && lt_node_is_null(n) && !lt_param_ops_of(p)->null_binds) {
            if (p->flags & LT_NULLABLE)
                continue;
            if (!(p->flags & LT_REQUIRED)) {
                lt_bind_type_problem(&b, n, p);
                continue;
            }
            n = NULL;
        }
        if (n)
            lt_param_ops_of(p)->bind(&b, p, FIELD(config, p, void), n);
        else if (p->flags & LT_REQUIRED)
            lt_bind_problem(&b, NULL, p, "required parameter is missing (expected %s)",
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
        lt_bind_problem(&b, n, p, "applies only when %s, not %s; remove it or change %s",
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
            lt_bind_problem(&b, key, NULL, "unknown parameter '%.60s'; did you mean '%s'?", key->value, hint);
        else if (n_params == 0)
            lt_bind_problem(&b, key, NULL, "unknown parameter '%.60s'; this stage takes no parameters",
                    key->value);
        else
            lt_bind_problem(&b, key, NULL, "unknown parameter '%.60s' (`latent stages %s` lists them)",
                    key->value, site->kind);
    }
    return b.errors;
}

void lt_params_release(const lt_param *params, size_t n_params, void *config)
{
    for (size_t i = 0; i < n_params; i++)
        if (lt_param_ops_of(&params[i])->release)
            lt_param_ops_of(&params[i])->release(&params[i], FIELD(config, &params[i], void));
}

/* ---- JSON --------------------------------------------------------------- */

/* Real values only: a row that does not apply is left out, and so is an
 * unset one unless the stage said what it used (USED) or it is a seed and
 * SEED is given; either way the object binds back to the same run. */
static lt_json *params_json(const lt_param *params, size_t n_params, const void *config, const uint32_t *seed,
                            const lt_json *used)
{
    lt_json *o = lt_json_object();
    for (size_t i = 0; i < n_params; i++) {
        const lt_param *p = &params[i];
        const lt_param_ops *t = lt_param_ops_of(p);
        const void *field = FIELD(config, p, const void);
        if (!lt_param_applies(params, n_params, p, config))
            continue;
        if (!t->unset || !t->unset(p, field)) {
            lt_json_set(o, p->name, t->to_json(p, field));
            continue;
        }
        double x = lt_json_number(lt_json_get(used, p->name));
        if (!isnan(x))
            lt_json_set(o, p->name, p->type == LT_P_REAL ? lt_json_num(x) : lt_json_int((long long)x));
        else if (p->type == LT_P_SEED && seed)
            lt_json_set(o, p->name, lt_json_int(*seed));
    }
    return o;
}

lt_json *lt_params_to_json(const lt_param *params, size_t n_params, const void *config)
{
    return params_json(params, n_params, config, NULL, NULL);
}

lt_json *lt_params_resolved_json(const lt_param *params, size_t n_params, const void *config, uint32_t seed,
                                 const lt_json *used)
{
    return params_json(params, n_params, config, &seed, used);
}

/* ---- schema ------------------------------------------------------------- */

lt_json *lt_param_schema(const lt_param *p)
{
    const lt_param_ops *t = lt_param_ops_of(p);
    lt_json *s = t->schema(p);
    char desc[1024], cond[160];
    size_t len = (size_t)snprintf(desc, sizeof desc, "%s", p->help);
    if (p->def_text && len < sizeof desc)
        len += (size_t)snprintf(desc + len, sizeof desc - len, " (default: %s)", p->def_text);
    if (p->when && len < sizeof desc)
        snprintf(desc + len, sizeof desc - len, " Only when %s.", lt_param_when_text(p, cond, sizeof cond));
    lt_json_set(s, "description", lt_json_str(desc));
    /* A default in words has no value to state. */
    lt_json *def = !(p->flags & LT_REQUIRED) && !p->def_text && t->schema_default ? t->schema_default(p) : NULL;
    if (def)
        lt_json_set(s, "default", def);
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
    lt_param_ops_of(q)->default_text(q, def, sizeof def);
    if (lists(list, def)) {
        lt_json *unset = lt_json_push(any, lt_json_object());
        lt_json_push(lt_json_set(lt_json_set(unset, "not", lt_json_object()), "required", lt_json_array()),
                     lt_json_str(q->name));
    }
    return rule;
}
