/* The stage kinds: those built in and those plugins added. */
#ifndef LATENT_CORE_REGISTRY_H
#define LATENT_CORE_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

#include "latent/stage.h"

/* Every stage kind, sorted by name, NULL-terminated. Borrowed; valid until
 * the next lt_registry_add. */
const lt_stage_def *const *lt_registry(size_t *n);
/* The kind named NAME, or NULL. */
const lt_stage_def *lt_registry_find(const char *name);
/* True when NAME is one of latent's own kinds. */
bool lt_registry_builtin(const char *name);
/* Adds a plugin's kind; ORIGIN (the plugin's file, copied) is what
 * `latent stages` names and the cache key keeps. Returns 0, or -1 when out
 * of memory. The caller has checked the name is free. */
int lt_registry_add(const lt_stage_def *def, const char *origin);
/* The plugin file DEF came from (borrowed), or NULL for a built-in kind. */
const char *lt_registry_origin(const lt_stage_def *def);
/* Releases what lt_registry_add allocated (at exit, for leak checkers). */
void lt_registry_release(void);

#endif
