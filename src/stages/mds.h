/* The mds stage's config struct, filled from its parameter table; here
 * rather than in mds.c so that its unit test fills the same struct (a
 * copy there once fell behind a new parameter). */
#ifndef LATENT_STAGES_MDS_H
#define LATENT_STAGES_MDS_H

#include <stdbool.h>
#include <stdint.h>

struct mds_config {
    int n_components;
    int n_init;
    int max_iter;
    double eps;
    int64_t random_state;
    int split;
};

#endif
