#include "core/registry.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define LT_STAGE(sym) extern const lt_stage_def sym;
#include "stages/stages.def"
#undef LT_STAGE

static const lt_stage_def *stages[] = {
#define LT_STAGE(sym) &sym,
#include "stages/stages.def"
#undef LT_STAGE
    NULL,
};

static int by_name(const void *a, const void *b)
{
    return strcmp((*(const lt_stage_def *const *)a)->name, (*(const lt_stage_def *const *)b)->name);
}

const lt_stage_def *const *lt_registry(size_t *n)
{
    static bool sorted;
    *n = sizeof stages / sizeof stages[0] - 1;
    if (!sorted) {
        qsort(stages, *n, sizeof stages[0], by_name);
        sorted = true;
    }
    return stages;
}

const lt_stage_def *lt_registry_find(const char *name)
{
    size_t n;
    lt_registry(&n);
    for (size_t i = 0; stages[i]; i++)
        if (strcmp(stages[i]->name, name) == 0)
            return stages[i];
    return NULL;
}
