/* The lda stage's config struct, filled from its parameter table; here
 * rather than in lda.c so that its unit test fills the same struct (a
 * copy there once fell behind a new parameter). */
#ifndef LATENT_STAGES_LDA_H
#define LATENT_STAGES_LDA_H

#include <stdbool.h>
#include <stdint.h>

struct lda_config {
    int solver; /* lt_lda_solver */
    int n_components;
};

#endif
