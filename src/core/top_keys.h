/* The top-level keys of a pipeline file, in one table: what the loader
 * accepts (and suggests for a typo), what --set and a sweep may name
 * without a stage, and what the schema lists, in this order. */
#ifndef LATENT_CORE_TOP_KEYS_H
#define LATENT_CORE_TOP_KEYS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct lt_top_key {
    const char *name;
    const char *help;    /* one sentence, for the schema */
    bool required;
    bool settable;       /* --set KEY=VALUE takes it (every other --set is STAGE.PARAM) */
    bool sweepable;      /* a sweep axis of its own (every other axis is STAGE.PARAM) */
} lt_top_key;

extern const lt_top_key lt_top_keys[];
extern const size_t lt_n_top_keys;

/* The row named NAME, or NULL. */
const lt_top_key *lt_top_key_find(const char *name);
/* Writes the names, NULL-terminated, into NAMES (CAP entries, the NULL
 * included), for did-you-mean. */
void lt_top_key_names(const char **names, size_t cap);
/* "pipeline, description, seed, stages, expect, sweep" into BUF; returns BUF. */
char *lt_top_key_list(char *buf, size_t size);

#endif
