#include "core/metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const split_names[] = {"train", "valid", "test", NULL};

/* The values placeholder {WHAT} (LEN bytes) stands for in DEF, or NULL
 * for a placeholder the stage has no list for. */
static const char *const *placeholder_values(const lt_stage_def *def, const char *what, size_t len,
                                             const char **names, size_t cap)
{
    if (len == 5 && strncmp(what, "split", 5) == 0)
        return split_names;
    for (size_t i = 0; i < def->n_params; i++) {
        const lt_param *p = &def->params[i];
        if (p->type != LT_P_SPECS || strlen(p->name) != len || strncmp(p->name, what, len) != 0)
            continue;
        size_t n = 0;
        for (; p->kinds[n] && n + 1 < cap; n++)
            names[n] = p->kinds[n]->name;
        names[n] = NULL;
        return names;
    }
    return NULL;
}

/* Does NAME match PATTERN, each {placeholder} one of its values? */
static bool matches(const lt_stage_def *def, const char *pattern, const char *name)
{
    const char *open = strchr(pattern, '{');
    if (!open)
        return strcmp(pattern, name) == 0;
    size_t lit = (size_t)(open - pattern);
    const char *close = strchr(open, '}');
    if (!close || strncmp(pattern, name, lit) != 0)
        return false;
    const char *kinds[64];
    const char *const *values = placeholder_values(def, open + 1, (size_t)(close - open - 1), kinds, 64);
    for (size_t v = 0; values && values[v]; v++) {
        size_t vlen = strlen(values[v]);
        if (strncmp(name + lit, values[v], vlen) == 0 && matches(def, close + 1, name + lit + vlen))
            return true;
    }
    return false;
}

bool lt_metric_declared(const lt_stage_def *def, const char *name)
{
    for (size_t i = 0; i < def->n_metrics; i++)
        if (matches(def, def->metrics[i].name, name))
            return true;
    return false;
}

/* Appends PATTERN's spellings, with PREFIX before them, to OUT. */
static void spell(const lt_stage_def *def, const char *prefix, const char *pattern, char **out, size_t *n,
                  size_t max)
{
    const char *open = strchr(pattern, '{'), *close = open ? strchr(open, '}') : NULL;
    if (!close) {
        size_t size = strlen(prefix) + strlen(pattern) + 1;
        if (*n < max && (out[*n] = malloc(size)))
            snprintf(out[(*n)++], size, "%s%s", prefix, pattern);
        return;
    }
    const char *kinds[64];
    const char *const *values = placeholder_values(def, open + 1, (size_t)(close - open - 1), kinds, 64);
    for (size_t v = 0; values && values[v] && *n < max; v++) {
        char head[256];
        snprintf(head, sizeof head, "%s%.*s%s", prefix, (int)(open - pattern), pattern, values[v]);
        spell(def, head, close + 1, out, n, max);
    }
}

size_t lt_metric_names(const lt_stage_def *def, char **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < def->n_metrics && max > 0; i++)
        spell(def, "", def->metrics[i].name, out, &n, max - 1);
    if (max > 0)
        out[n] = NULL;
    return n;
}
