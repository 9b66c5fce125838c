/* A stage kind's declared metrics (lt_metric in latent/stage.h) at work:
 * does a name belong to the declaration, and which names does it spell
 * out, for did-you-mean hints. */
#ifndef LATENT_CORE_METRICS_H
#define LATENT_CORE_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "latent/stage.h"

/* True when NAME is one of DEF's declared metrics, a placeholder standing
 * for any of its values ("{split}": train, valid, test; "{P}": a kind of
 * DEF's list parameter P). */
bool lt_metric_declared(const lt_stage_def *def, const char *name);

/* The declared names of DEF with every placeholder spelt out, at most MAX
 * of them, into OUT (owned by the caller: free each, then nothing else);
 * OUT[n] is NULL. Returns n. */
size_t lt_metric_names(const lt_stage_def *def, char **out, size_t max);

#endif
