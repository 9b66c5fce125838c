/* The logreg stage's config struct, filled from its parameter table; here
 * rather than in logreg.c so that its unit test fills the same struct (a
 * copy there once fell behind a new parameter). */
#ifndef LATENT_STAGES_LOGREG_H
#define LATENT_STAGES_LOGREG_H

#include <stdbool.h>
#include <stdint.h>

struct logreg_config {
    double C;
    int penalty;
    bool fit_intercept;
    int max_iter;
    double tol;
};

#endif
