#include "core/top_keys.h"

#include <stdio.h>
#include <string.h>

const lt_top_key lt_top_keys[] = {
    {.name = "pipeline", .help = "The pipeline's name; runs land in outputs/<name>.", .required = true},
    {.name = "description", .help = "What the pipeline shows.", .settable = true},
    {.name = "seed", .help = "The seed of every stage that leaves its own seed unset.", .settable = true,
     .sweepable = true},
    {.name = "stages", .help = "Stage name -> {use, with, input}, run in order.", .required = true},
    {.name = "expect", .help = "STAGE.METRIC[index] -> a check; `latent check` evaluates them."},
    {.name = "sweep", .help = "STAGE.PARAM (or seed) -> values; every combination is a run (`latent sweep`)."},
};
const size_t lt_n_top_keys = sizeof lt_top_keys / sizeof lt_top_keys[0];

const lt_top_key *lt_top_key_find(const char *name)
{
    for (size_t i = 0; i < lt_n_top_keys; i++)
        if (strcmp(lt_top_keys[i].name, name) == 0)
            return &lt_top_keys[i];
    return NULL;
}

void lt_top_key_names(const char **names, size_t cap)
{
    size_t i = 0;
    for (; i < lt_n_top_keys && i + 1 < cap; i++)
        names[i] = lt_top_keys[i].name;
    names[i] = NULL;
}

char *lt_top_key_list(char *buf, size_t size)
{
    size_t k = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < lt_n_top_keys && k < size; i++)
        k += (size_t)snprintf(buf + k, size - k, "%s%s", i ? ", " : "", lt_top_keys[i].name);
    return buf;
}
