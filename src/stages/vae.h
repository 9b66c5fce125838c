/* What the vae stage's files share: its config, its model and its outputs
 * (vae.c trains and reports, vae_output.c makes the values it passes on). */
#ifndef LATENT_STAGES_VAE_H
#define LATENT_STAGES_VAE_H

#include <stdbool.h>
#include <stdint.h>

#include "latent/stage.h"
#include "nn/net.h"
#include "nn/vae_latent.h"
#include "nn/vae_train.h"

/* Rows of the stage's outputs table. */
enum { VAE_OUTPUT_CODINGS, VAE_OUTPUT_SAMPLES, VAE_OUTPUT_RECONSTRUCTION,
       VAE_OUTPUT_LATENT_GRID, VAE_OUTPUT_INTERPOLATION, VAE_N_OUTPUTS };

struct vae_config {
    lt_specs encoder, decoder;
    int latent_dim;
    int loss;      /* lt_loss */
    int reduction; /* lt_vae_reduction */
    double kl_weight;
    lt_specs optimizer;
    int epochs;
    int batch_size;
    bool shuffle;
    int64_t seed;
    int n_samples;
    int grid_size;
    lt_vec interpolate;
    int interpolation_steps;
};

/* The network of one run: encoder layers, the latent layer, decoder layers. */
typedef struct vae_model {
    lt_net net;
    lt_spec *specs;  /* encoder items, the latent layer's, decoder items (shallow) */
    struct lt_vae_latent_config latent_config;
    size_t latent;   /* index of the latent layer */
} vae_model;

/* Output WHICH (a VAE_OUTPUT_ row) for the input D, into *out (owned by
 * the caller). ROWS: each split's rows over every rank; LOCAL: this
 * process's float32 rows of each split (D's), from which the codings and
 * reconstructions come, held as D is (in row blocks under mpirun); ALL:
 * every row of each split (LOCAL itself in one process), from which the
 * image sets come, whole on every rank. Returns LT_OK or an lt_fail code. */
int vae_make_output(lt_ctx *ctx, const struct vae_config *cfg, vae_model *m, int which,
                    const lt_data *d, const size_t *rows, const float *const *local,
                    const float *const *all, lt_data **out);

/* The standard normal's quantile at p in (0, 1). */
double vae_normal_quantile(double p);

#endif
