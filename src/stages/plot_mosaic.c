#include "stages/plot_mosaic.h"

#include <math.h>
#include <stdlib.h>

#define SCALE (1.25 * 100 / 72) /* pixels per point: matplotlib at 125 dpi */
#define MAX_IMAGES 4096

int mosaic_images(lt_ctx *ctx, const lt_data *d, size_t *n, int *rows, int *cols)
{
    const lt_mat *x = d->split[LT_TRAIN].x;
    if (!x || x->rows == 0)
        return lt_fail(ctx, LT_EINPUT, "the input has no images");
    if (d->image_rows <= 0 || d->image_cols <= 0 ||
        (size_t)d->image_rows * (size_t)d->image_cols != x->cols)
        return lt_fail(ctx, LT_EINPUT, "the input's rows are not images: feed this stage "
                       "from a vae stage's image output");
    if (x->rows > MAX_IMAGES)
        return lt_fail(ctx, LT_EINPUT, "%zu images are more than the %d one figure shows",
                       x->rows, MAX_IMAGES);
    *n = x->rows;
    *rows = d->image_rows;
    *cols = d->image_cols;
    return LT_OK;
}

lt_figure *mosaic_figure(lt_ctx *ctx, const plot_output *o, const lt_data *d, size_t n, int rows,
                         int cols, int columns, int tile_px, double margin_x, double margin_y,
                         const char *title, lt_axes **ax_out)
{
    const lt_mat *x = d->split[LT_TRAIN].x;
    size_t grid_rows = (n + (size_t)columns - 1) / (size_t)columns, gap = 2;
    size_t tile_r = (size_t)rows + gap, tile_c = (size_t)cols + gap;
    size_t H = grid_rows * tile_r, W = (size_t)columns * tile_c;
    double *px = calloc(H * W, sizeof *px); /* 0: white, the gaps */
    double fw = ((double)columns + margin_x) * tile_px + 20 * SCALE,
           fh = ((double)grid_rows + margin_y) * tile_px * (double)tile_r / (double)tile_c +
                (title && title[0] ? 40 : 10) * SCALE;
    fw = fw < 800 ? 800 : fw; /* room for the title; the mosaic is centred */
    if (!px) {
        lt_fail(ctx, LT_ERUNTIME, "out of memory");
        return NULL;
    }
    /* The mosaic's layout follows its images; a size scales it to fit. */
    int status;
    lt_figure *fig = plot_figure_new(ctx, o, (int)lround(fw), (int)lround(fh), 1, 1, true, &status);
    if (!fig) {
        free(px);
        return NULL;
    }
    for (size_t k = 0; k < n; k++) {
        size_t i = k / (size_t)columns, j = k % (size_t)columns;
        for (size_t r = 0; r < (size_t)rows; r++)
            for (size_t c = 0; c < (size_t)cols; c++) {
                size_t at = (k * x->cols) + r * (size_t)cols + c;
                double v = x->f ? (double)x->f[at] : x->v[at];
                px[(i * tile_r + gap / 2 + r) * W + j * tile_c + gap / 2 + c] = v;
            }
    }
    lt_figure_set_scale(fig, SCALE);
    lt_figure_set_title(fig, title && title[0] ? title : NULL);
    lt_axes *ax = lt_figure_axes(fig, 0);
    lt_axes_set_axis_off(ax, true);
    lt_axes_set_equal(ax, true);
    double ratio = (double)tile_r / (double)tile_c; /* a tile's height in data units */
    lt_axes_image(ax, px, (int)H, (int)W, 0, 0, columns, (double)grid_rows * ratio, 0, 1);
    lt_axes_set_xlim(ax, -margin_x, columns);
    lt_axes_set_ylim(ax, -margin_y, (double)grid_rows * ratio);
    free(px);
    *ax_out = ax;
    return fig;
}
