#include "core/schema.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/params.h"
#include "core/registry.h"
#include "core/top_keys.h"

/* The names the loader takes (valid_name in core/pipeline.c): a stage's
 * starts with an ASCII letter or '_', a pipeline's may start with a digit
 * too; neither with '-', which would read as an option on a command line. */
#define NAME_PATTERN "^[A-Za-z_][A-Za-z0-9_-]*$"
#define PIPELINE_NAME_PATTERN "^[A-Za-z0-9_][A-Za-z0-9_-]*$"

lt_json *lt_schema_typed(const char *type)
{
    lt_json *s = lt_json_object();
    lt_json_set(s, "type", lt_json_str(type));
    return s;
}

static lt_json *with_schema(const lt_stage_def *def)
{
    lt_json *s = lt_json_object();
    lt_json *type = lt_json_set(s, "type", lt_json_array());
    lt_json_push(type, lt_json_str("object"));
    lt_json *required = lt_json_array();
    lt_json *props = lt_json_set(s, "properties", lt_json_object());
    for (size_t i = 0; i < def->n_params; i++) {
        lt_json_set(props, def->params[i].name, lt_param_schema(&def->params[i]));
        if (def->params[i].flags & LT_REQUIRED)
            lt_json_push(required, lt_json_str(def->params[i].name));
    }
    if (lt_json_size(required))
        lt_json_set(s, "required", required);
    else {
        lt_json_free(required);
        lt_json_push(type, lt_json_str("null")); /* `with:` may be left empty */
    }
    lt_json_set(s, "additionalProperties", lt_json_bool(false));
    lt_json *rules = lt_json_array();
    for (size_t i = 0; i < def->n_params; i++)
        if (def->params[i].when)
            lt_json_push(rules, lt_param_when_schema(def->params, def->n_params, &def->params[i]));
    if (lt_json_size(rules))
        lt_json_set(s, "allOf", rules);
    else
        lt_json_free(rules);
    return s;
}

/* A stage name, optionally followed by .OUTPUT where OUTPUT is an output
 * name some stage kind declares: "^NAME(\\.(codings|projection|...))?$". */
static void input_pattern(const lt_stage_def *const *all, size_t n, char *out, size_t size)
{
    const char *seen[256];
    size_t n_seen = 0;
    int len = snprintf(out, size, "%.*s(\\.(", (int)strlen(NAME_PATTERN) - 1, NAME_PATTERN);
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < all[i]->n_outputs; k++) {
            const char *name = all[i]->outputs[k].name;
            bool dup = false;
            for (size_t j = 0; j < n_seen; j++)
                dup |= strcmp(seen[j], name) == 0;
            if (dup || n_seen == 256)
                continue;
            seen[n_seen] = name;
            len += snprintf(out + len, size - (size_t)len, "%s%s", n_seen ? "|" : "", name);
            n_seen++;
        }
    snprintf(out + len, size - (size_t)len, "))?$");
}

static lt_json *stage_schema(const lt_stage_def *const *all, size_t n)
{
    lt_json *s = lt_schema_typed("object");
    lt_json *req = lt_json_array();
    lt_json_push(req, lt_json_str("use"));
    lt_json_set(s, "required", req);
    lt_json_set(s, "additionalProperties", lt_json_bool(false));
    lt_json *props = lt_json_set(s, "properties", lt_json_object());
    lt_json *use = lt_json_set(props, "use", lt_json_object());
    lt_json_set(use, "description", lt_json_str("The stage kind (`latent stages` lists them)."));
    lt_json *kinds = lt_json_set(use, "enum", lt_json_array());
    for (size_t i = 0; i < n; i++)
        lt_json_push(kinds, lt_json_str(all[i]->name));
    lt_json *input = lt_json_set(props, "input", lt_json_object());
    lt_json_set(input, "description",
                lt_json_str("The stage(s) whose output this stage reads: STAGE (its default output) or "
                            "STAGE.OUTPUT; defaults to the nearest earlier stage that produces data."));
    char pattern[2048];
    input_pattern(all, n, pattern, sizeof pattern);
    lt_json *any = lt_json_set(input, "anyOf", lt_json_array());
    lt_json *one = lt_json_push(any, lt_schema_typed("string"));
    lt_json_set(one, "pattern", lt_json_str(pattern));
    lt_json *many = lt_json_push(any, lt_schema_typed("array"));
    lt_json *item = lt_json_set(many, "items", lt_schema_typed("string"));
    lt_json_set(item, "pattern", lt_json_str(pattern));
    lt_json_push(any, lt_schema_typed("null"));
    lt_json *with = lt_json_set(props, "with", lt_json_object());
    lt_json_set(with, "description", lt_json_str("The stage's parameters."));
    lt_json *from = lt_json_set(props, "from", lt_schema_typed("string"));
    lt_json_set(from, "description",
                lt_json_str("A fitting stage's saved model (a run's models/<stage>.npz), relative to the pipeline file: the stage applies it instead of fitting, with its saved parameters (which `with` overrides)."));
    lt_json *all_of = lt_json_set(s, "allOf", lt_json_array());
    for (size_t i = 0; i < n; i++) {
        lt_json *rule = lt_json_push(all_of, lt_json_object());
        lt_json *cond = lt_json_set(rule, "if", lt_json_object());
        lt_json *cp = lt_json_set(cond, "properties", lt_json_object());
        lt_json *cu = lt_json_set(cp, "use", lt_json_object());
        lt_json_set(cu, "const", lt_json_str(all[i]->name));
        lt_json *then = lt_json_set(rule, "then", lt_json_object());
        lt_json *tp = lt_json_set(then, "properties", lt_json_object());
        lt_json *w = lt_json_set(tp, "with", with_schema(all[i]));
        lt_json_set(w, "description", lt_json_str(all[i]->summary));
        if (!all[i]->fits) { /* only fitting stages take a saved model */
            lt_json *no = lt_json_set(then, "not", lt_json_object());
            lt_json_push(lt_json_set(no, "required", lt_json_array()), lt_json_str("from"));
        }
        bool needs_with = false;
        for (size_t k = 0; k < all[i]->n_params; k++)
            needs_with |= (all[i]->params[k].flags & LT_REQUIRED) != 0;
        if (needs_with) {
            lt_json *r = lt_json_set(then, "required", lt_json_array());
            lt_json_push(r, lt_json_str("with"));
        }
    }
    return s;
}

static lt_json *check_schema(void)
{
    lt_json *s = lt_schema_typed("object");
    lt_json_set(s, "additionalProperties", lt_json_bool(false));
    lt_json_set(s, "minProperties", lt_json_int(1));
    lt_json *props = lt_json_set(s, "properties", lt_json_object());
    static const char *const keys[][2] = {
        {"near", "Expected value; pass when |x - near| <= tol + rtol * |near|."},
        {"tol", "Absolute tolerance for near."},
        {"rtol", "Relative tolerance for near."},
        {"min", "Pass when x >= min."},
        {"max", "Pass when x <= max."},
        {"equals", "Pass when x equals this exactly."},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        lt_json *k = lt_json_set(props, keys[i][0], lt_schema_typed("number"));
        lt_json_set(k, "description", lt_json_str(keys[i][1]));
    }
    return s;
}

/* The sweep block: STAGE.PARAM (or a sweepable top-level key) -> a list,
 * {values: [...]} or {from, to, steps}. */
static lt_json *sweep_schema(void)
{
    lt_json *sweep = lt_schema_typed("object");
    char pattern[256];
    int len = snprintf(pattern, sizeof pattern, "^([A-Za-z_][A-Za-z0-9_-]*\\.[A-Za-z_][A-Za-z0-9_]*");
    for (size_t i = 0; i < lt_n_top_keys && len < (int)sizeof pattern; i++)
        if (lt_top_keys[i].sweepable)
            len += snprintf(pattern + len, sizeof pattern - (size_t)len, "|%s", lt_top_keys[i].name);
    snprintf(pattern + len, sizeof pattern - (size_t)len, ")$");
    lt_json *sn = lt_json_set(sweep, "propertyNames", lt_json_object());
    lt_json_set(sn, "pattern", lt_json_str(pattern));
    lt_json *sap = lt_json_set(sweep, "additionalProperties", lt_json_object());
    lt_json *forms = lt_json_set(sap, "anyOf", lt_json_array());
    lt_json *list = lt_json_push(forms, lt_schema_typed("array"));
    lt_json_set(list, "minItems", lt_json_int(1));
    lt_json *vals = lt_json_push(forms, lt_schema_typed("object"));
    lt_json *vr = lt_json_set(vals, "required", lt_json_array());
    lt_json_push(vr, lt_json_str("values"));
    lt_json_set(vals, "additionalProperties", lt_json_bool(false));
    lt_json *vp = lt_json_set(vals, "properties", lt_json_object());
    lt_json_set(lt_json_set(vp, "values", lt_schema_typed("array")), "minItems", lt_json_int(1));
    lt_json *range = lt_json_push(forms, lt_schema_typed("object"));
    lt_json *rr = lt_json_set(range, "required", lt_json_array());
    lt_json_push(rr, lt_json_str("from"));
    lt_json_push(rr, lt_json_str("to"));
    lt_json_push(rr, lt_json_str("steps"));
    lt_json_set(range, "additionalProperties", lt_json_bool(false));
    lt_json *rp = lt_json_set(range, "properties", lt_json_object());
    lt_json_set(rp, "from", lt_schema_typed("number"));
    lt_json_set(rp, "to", lt_schema_typed("number"));
    lt_json *steps = lt_json_set(rp, "steps", lt_schema_typed("integer"));
    lt_json_set(steps, "minimum", lt_json_int(2));
    lt_json_set(steps, "maximum", lt_json_int(1000));
    return sweep;
}

/* The schema of top-level key NAME (a row of lt_top_keys), without its
 * description. */
static lt_json *top_key_schema(const char *name)
{
    if (strcmp(name, "pipeline") == 0) {
        lt_json *k = lt_schema_typed("string");
        lt_json_set(k, "pattern", lt_json_str(PIPELINE_NAME_PATTERN));
        return k;
    }
    if (strcmp(name, "seed") == 0) {
        lt_json *k = lt_schema_typed("integer");
        lt_json_set(k, "minimum", lt_json_int(0));
        lt_json_set(k, "maximum", lt_json_num(4294967295.0));
        return k;
    }
    if (strcmp(name, "stages") == 0) {
        lt_json *k = lt_schema_typed("object");
        lt_json_set(k, "minProperties", lt_json_int(1));
        lt_json_set(lt_json_set(k, "propertyNames", lt_json_object()), "pattern", lt_json_str(NAME_PATTERN));
        lt_json_set(lt_json_set(k, "additionalProperties", lt_json_object()), "$ref",
                    lt_json_str("#/definitions/stage"));
        return k;
    }
    if (strcmp(name, "expect") == 0) {
        lt_json *k = lt_schema_typed("object");
        lt_json_set(lt_json_set(k, "propertyNames", lt_json_object()), "pattern",
                    lt_json_str("^[A-Za-z_][A-Za-z0-9_-]*\\.[^\\[\\]]+(\\[[0-9]+\\]){0,2}$"));
        lt_json_set(lt_json_set(k, "additionalProperties", lt_json_object()), "$ref",
                    lt_json_str("#/definitions/check"));
        return k;
    }
    if (strcmp(name, "sweep") == 0)
        return sweep_schema();
    return lt_schema_typed("string"); /* description */
}

lt_json *lt_schema(void)
{
    size_t n;
    const lt_stage_def *const *all = lt_registry(&n);
    lt_json *s = lt_json_object();
    lt_json_set(s, "$schema", lt_json_str("http://json-schema.org/draft-07/schema#"));
    lt_json_set(s, "$id", lt_json_str("https://latent.invalid/schemas/pipeline.schema.json"));
    lt_json_set(s, "title", lt_json_str("latent pipeline"));
    lt_json_set(s, "description",
                lt_json_str("A latent pipeline file. Generated by `latent schema` " LATENT_VERSION
                            " from the stage parameter tables; do not edit."));
    lt_json_set(s, "type", lt_json_str("object"));
    lt_json *req = lt_json_set(s, "required", lt_json_array());
    lt_json_set(s, "additionalProperties", lt_json_bool(false));
    lt_json *props = lt_json_set(s, "properties", lt_json_object());
    for (size_t i = 0; i < lt_n_top_keys; i++) {
        const lt_top_key *t = &lt_top_keys[i];
        if (t->required)
            lt_json_push(req, lt_json_str(t->name));
        lt_json *k = lt_json_set(props, t->name, top_key_schema(t->name));
        lt_json_set(k, "description", lt_json_str(t->help));
    }
    lt_json *defs = lt_json_set(s, "definitions", lt_json_object());
    lt_json_set(defs, "stage", stage_schema(all, n));
    lt_json_set(defs, "check", check_schema());
    return s;
}
