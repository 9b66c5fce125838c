/* The autoencoder's training curves: the loss, then each metric, per
 * epoch, for the training and (when present) the validation split, like
 * pd.DataFrame(history.history).plot() in the lecture's notebooks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot/plot.h"
#include "stages/autoencoder.h"

#define PANEL_WIDTH 640
#define PANEL_HEIGHT 480

static void panel(lt_axes *ax, const char *name, const double *epoch, const double *train,
                  const double *valid, size_t n)
{
    lt_axes_set_title(ax, name);
    lt_axes_set_xlabel(ax, "epoch");
    lt_axes_set_ylabel(ax, name);
    lt_axes_set_grid(ax, true);
    lt_axes_set_integer_ticks(ax, true, false);
    lt_marker marker = n <= 40 ? LT_MARKER_CIRCLE : LT_MARKER_NONE;
    lt_axes_plot(ax, epoch, train, n,
                 &(lt_style){.color = lt_color_cycle(0), .marker = marker, .marker_size = 4,
                             .label = "train"});
    if (valid) {
        lt_axes_plot(ax, epoch, valid, n,
                     &(lt_style){.color = lt_color_cycle(1), .marker = marker,
                                 .marker_size = 4, .label = "valid"});
    }
    lt_axes_set_legend(ax, LT_LEGEND_BEST);
}

int ae_plot_history(lt_ctx *ctx, const struct autoencoder_config *cfg, const lt_history *h)
{
    size_t n = (size_t)h->epochs, panels = 1 + h->n_metrics;
    if (n == 0)
        return LT_OK;
    if (panels > 16)
        panels = 16;
    double *epoch = malloc(n * sizeof *epoch);
    lt_figure *fig = lt_figure_new(PANEL_WIDTH * (int)panels, PANEL_HEIGHT, 1, (int)panels);
    int rc = LT_OK;
    if (!epoch || !fig) {
        rc = lt_fail(ctx, LT_ERUNTIME, "out of memory for the history plot");
        goto done;
    }
    for (size_t e = 0; e < n; e++)
        epoch[e] = (double)(e + 1);
    panel(lt_figure_axes(fig, 0), "loss", epoch, h->loss, h->has_valid ? h->val_loss : NULL, n);
    for (size_t k = 0; k + 1 < panels; k++)
        panel(lt_figure_axes(fig, (int)k + 1), cfg->metrics.items[k].def->name, epoch,
              h->metric + k * h->capacity, h->has_valid ? h->val_metric + k * h->capacity : NULL,
              n);

    char name[512];
    snprintf(name, sizeof name, "plots/%s.history.png", lt_ctx_stage(ctx));
    const char *path = lt_ctx_artifact(ctx, name);
    if (!path)
        rc = LT_ERUNTIME;
    else if (lt_figure_render(fig) != 0)
        rc = lt_fail(ctx, LT_ERUNTIME, "cannot draw %s: out of memory", name);
    else if (lt_figure_write_png(fig, path, lt_ctx_png_text(ctx)) != 0)
        rc = lt_fail(ctx, LT_ERUNTIME, "cannot write %s: %s", name, strerror(errno));
    else
        lt_report_str(ctx, "history_plot", name);
done:
    free(epoch);
    lt_figure_free(&fig);
    return rc;
}
