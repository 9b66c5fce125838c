/* The isomap stage's config struct, filled from its parameter table; here
 * rather than in isomap.c so that its unit test fills the same struct (a
 * copy there once fell behind a new parameter). */
#ifndef LATENT_STAGES_ISOMAP_H
#define LATENT_STAGES_ISOMAP_H

#include <stdbool.h>
#include <stdint.h>

struct isomap_config {
    int n_neighbors;
    int n_components;
};

#endif
