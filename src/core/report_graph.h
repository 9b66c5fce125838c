/* The stage graph of the run report, drawn as inline SVG. Internal to
 * src/core/report*.c. */
#ifndef LATENT_CORE_REPORT_GRAPH_H
#define LATENT_CORE_REPORT_GRAPH_H

#include <stddef.h>
#include <stdio.h>

#include "io/json.h"

typedef struct lt_report_stage {
    const char *name, *kind; /* borrowed */
    const lt_json *inputs;   /* array of stage names, borrowed (may be NULL) */
    const lt_json *params;   /* object, borrowed (may be NULL) */
    double seconds;          /* NAN when the run did not time it */
    int cached;              /* 1 taken from the cache, 0 computed, -1 unknown */
} lt_report_stage;

/* Writes an <svg> with one box per stage (name, kind, wall time) and an
 * arrow per input, sources on the left. Inputs naming no listed stage are
 * ignored. Writes nothing when out of memory. */
void lt_report_graph(FILE *f, const lt_report_stage *stages, size_t n);

#endif
