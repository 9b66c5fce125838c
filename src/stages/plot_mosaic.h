/* Image sets drawn as one mosaic: the pictures plot.samples,
 * plot.latent_grid and plot.interpolation draw from a vae stage's image
 * outputs. */
#ifndef LATENT_STAGES_PLOT_MOSAIC_H
#define LATENT_STAGES_PLOT_MOSAIC_H

#include "plot/axes.h"
#include "plot/figure.h"
#include "plot/series.h"
#include "stages/plot_common.h"

/* The images of D's train split, checked: their count in *n, their shape
 * in *rows, *cols. Returns LT_OK or an lt_fail code naming what is wrong. */
int mosaic_images(lt_ctx *ctx, const lt_data *d, size_t *n, int *rows, int *cols);

/* A figure of one panel showing the N images of D's train split in a grid of
 * COLUMNS, tiles TILE_PX pixels wide, 0 white to 1 black, separated by a
 * white gap; tile (i, j) spans data x in [j, j + 1], y in [R - i - 1, R - i]
 * (R rows), with room of MARGIN_X tiles at the left and MARGIN_Y below for
 * labels. Returns an owned figure (NULL with an error recorded). */
lt_figure *mosaic_figure(lt_ctx *ctx, const plot_output *o, const lt_data *d, size_t n, int rows,
                         int cols, int columns, int tile_px, double margin_x, double margin_y,
                         const char *title, lt_axes **ax_out);

#endif
