/* The tsne stage's config struct, filled from its parameter table; here
 * rather than in tsne.c so that its unit test fills the same struct (a
 * copy there once fell behind a new parameter). */
#ifndef LATENT_STAGES_TSNE_H
#define LATENT_STAGES_TSNE_H

#include <stdbool.h>
#include <stdint.h>

struct tsne_config {
    int n_components;
    double perplexity;
    double early_exaggeration;
    double learning_rate;
    int max_iter;
    int n_iter_without_progress;
    double min_grad_norm;
    int init;   /* lt_tsne_init */
    int method; /* lt_tsne_method */
    double angle;
    int64_t random_state;
    int split;
    int trust_neighbors;
};

#endif
