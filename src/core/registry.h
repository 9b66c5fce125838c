/* The built-in stage kinds. */
#ifndef LATENT_CORE_REGISTRY_H
#define LATENT_CORE_REGISTRY_H

#include <stddef.h>

#include "latent/stage.h"

/* Every stage kind, sorted by name. Borrowed, static. */
const lt_stage_def *const *lt_registry(size_t *n);
/* The kind named NAME, or NULL. */
const lt_stage_def *lt_registry_find(const char *name);

#endif
