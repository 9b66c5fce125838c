#include "core/registry.h"

#include <string.h>

#define LT_STAGE(sym) extern const lt_stage_def sym;
#include "stages/stages.def"
#undef LT_STAGE

static const lt_stage_def *const stages[] = {
#define LT_STAGE(sym) &sym,
#include "stages/stages.def"
#undef LT_STAGE
    NULL,
};

const lt_stage_def *const *lt_registry(size_t *n)
{
    *n = sizeof stages / sizeof stages[0] - 1;
    return stages;
}

const lt_stage_def *lt_registry_find(const char *name)
{
    for (size_t i = 0; stages[i]; i++)
        if (strcmp(stages[i]->name, name) == 0)
            return stages[i];
    return NULL;
}
