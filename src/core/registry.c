#include "core/registry.h"

#include <stdlib.h>
#include <string.h>

#define LT_STAGE(sym) extern const lt_stage_def sym;
#include "stages/stages.def"
#undef LT_STAGE

static const lt_stage_def *const builtin[] = {
#define LT_STAGE(sym) &sym,
#include "stages/stages.def"
#undef LT_STAGE
};
enum { N_BUILTIN = sizeof builtin / sizeof builtin[0] };

/* The kinds plugins added, each with the file it came from. */
typedef struct added_kind {
    const lt_stage_def *def;
    char *origin;
} added_kind;
static added_kind *added;
static size_t n_added;

/* Built-in and added kinds, sorted; rebuilt when a kind is added. */
static const lt_stage_def **sorted;
static const lt_stage_def *sorted_builtin[N_BUILTIN + 1];
static size_t n_sorted;

static int by_name(const void *a, const void *b)
{
    return strcmp((*(const lt_stage_def *const *)a)->name, (*(const lt_stage_def *const *)b)->name);
}

const lt_stage_def *const *lt_registry(size_t *n)
{
    if (!sorted) {
        memcpy(sorted_builtin, builtin, sizeof builtin);
        qsort(sorted_builtin, N_BUILTIN, sizeof sorted_builtin[0], by_name);
        sorted = sorted_builtin;
        n_sorted = N_BUILTIN;
    }
    *n = n_sorted;
    return sorted;
}

const lt_stage_def *lt_registry_find(const char *name)
{
    size_t n;
    const lt_stage_def *const *all = lt_registry(&n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(all[i]->name, name) == 0)
            return all[i];
    return NULL;
}

bool lt_registry_builtin(const char *name)
{
    for (size_t i = 0; i < N_BUILTIN; i++)
        if (strcmp(builtin[i]->name, name) == 0)
            return true;
    return false;
}

int lt_registry_add(const lt_stage_def *def, const char *origin)
{
    size_t n;
    lt_registry(&n);
    added_kind *grown = realloc(added, (n_added + 1) * sizeof *grown);
    if (!grown)
        return -1;
    added = grown;
    const lt_stage_def **all = malloc((n + 2) * sizeof *all);
    char *copy = strdup(origin);
    if (!all || !copy) {
        free(all);
        free(copy);
        return -1;
    }
    added[n_added++] = (added_kind){def, copy};
    memcpy(all, sorted, n * sizeof *all);
    all[n] = def;
    all[n + 1] = NULL;
    qsort(all, n + 1, sizeof *all, by_name);
    if (sorted != sorted_builtin)
        free(sorted);
    sorted = all;
    n_sorted = n + 1;
    return 0;
}

const char *lt_registry_origin(const lt_stage_def *def)
{
    for (size_t i = 0; i < n_added; i++)
        if (added[i].def == def)
            return added[i].origin;
    return NULL;
}

void lt_registry_release(void)
{
    for (size_t i = 0; i < n_added; i++)
        free(added[i].origin);
    free(added);
    added = NULL;
    n_added = 0;
    if (sorted != sorted_builtin)
        free(sorted);
    sorted = NULL;
}
