/* What the autoencoder stage's files share: its config, its model, and the
 * helpers for data (ae_data.c) and reports (ae_report.c, ae_linear.c,
 * ae_plot.c). */
#ifndef LATENT_STAGES_AUTOENCODER_H
#define LATENT_STAGES_AUTOENCODER_H

#include <stdbool.h>
#include <stdint.h>

#include "latent/stage.h"
#include "nn/net.h"
#include "nn/train.h"

/* The stage's outputs, by their index in its outputs table. */
enum { AE_OUTPUT_CODINGS, AE_OUTPUT_RECONSTRUCTION };
enum { AE_MAX_METRICS = 16 };

struct autoencoder_config {
    lt_specs encoder, decoder;
    int loss;          /* lt_loss */
    lt_specs optimizer;/* one item (kind lt_optim_kind), or none for rmsprop */
    lt_specs metrics;  /* kinds lt_metric_kind */
    int epochs;
    int batch_size;
    bool shuffle;
    int64_t seed;
    int patience;
    bool restore_best;
    char *weights;
};

/* The network of one stage run: the encoder's layers, then the decoder's. */
typedef struct ae_model {
    lt_net net;
    lt_spec *specs;     /* encoder then decoder items (shallow copies) */
    size_t n_encoder;   /* layers [0, n_encoder) are the encoder */
} ae_model;

/* The per-sample shape of the data: an image's [rows, cols] when the input
 * carries one (as Keras sees Fashion-MNIST), else [features]. */
lt_nn_shape ae_input_shape(const lt_data *d);
/* The matrix's values as float32: borrowed when already so, else a copy
 * left in *owned (free()). NULL when out of memory. */
const float *ae_f32(const lt_mat *m, float **owned);
/* One output into *OUT (owned): the codings (CODINGS true) or the
 * reconstructions of every split of D, whose float32 values are XS; labels
 * and metadata copied, codings named z1, z2, ... A reconstruction's per-row
 * value (lt_split.t) is the row's mean squared error, and each split's mean
 * is reported as <split>_reconstruction_error. Returns LT_OK or an lt_fail
 * code. */
int ae_make_output(lt_ctx *ctx, ae_model *m, bool codings, const lt_data *d, const float *const *xs,
                   lt_data **out);

/* "encoder[2]" or "decoder[0]" for layer I of the model. */
void ae_layer_name(const struct autoencoder_config *cfg, size_t i, char *buf, size_t size);

/* Prints the Keras-like model summary to stderr. */
void ae_print_summary(lt_ctx *ctx, const struct autoencoder_config *cfg, const ae_model *m);
/* Reports parameter counts per layer and in total. */
void ae_report_params(lt_ctx *ctx, const ae_model *m);
/* Reports the per-epoch history and the final epoch's values. */
void ae_report_history(lt_ctx *ctx, const struct autoencoder_config *cfg, const lt_history *h);

/* True when every layer with weights is a dense layer without activation:
 * the model is affine and its decoder's span can be compared with PCA. */
bool ae_is_linear(const ae_model *m);
/* For a linear model: subspace_angle_to_pca, reconstruction_mse and
 * pca_reconstruction_mse on the n training rows x (float32, the network's
 * input). Returns LT_OK or an lt_fail code. */
int ae_report_linear(lt_ctx *ctx, ae_model *m, const float *x, size_t n);

/* Puts the network's weights into the stage's saved model (ae_model.c). */
void ae_save_model(lt_ctx *ctx, const ae_model *m);
/* Sets the network's weights from the saved model, checking every array's
 * shape. Returns LT_OK or the lt_fail code. */
int ae_load_model(lt_ctx *ctx, const lt_model *saved, ae_model *m);

/* Draws the training curves to plots/<stage>.history.png. */
int ae_plot_history(lt_ctx *ctx, const struct autoencoder_config *cfg, const lt_history *h);

#endif
