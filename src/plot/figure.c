#include "plot/internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/png.h"
#include "plot/text.h"

lt_figure *lt_figure_new(int width, int height, int rows, int cols)
{
    if (width < 1 || height < 1 || width > 16384 || height > 16384 || rows < 1 ||
        cols < 1 || rows > 16 || cols > 16)
        return NULL;
    lt_figure *fig = calloc(1, sizeof *fig);
    if (!fig)
        return NULL;
    fig->axes = calloc((size_t)(rows * cols), sizeof *fig->axes);
    if (!fig->axes) {
        free(fig);
        return NULL;
    }
    fig->width = width;
    fig->height = height;
    fig->rows = rows;
    fig->cols = cols;
    /* matplotlib's 6.4 x 4.8 inch figure at 100 dpi, scaled to fit. */
    fig->scale = fmin(width / 640.0, height / 480.0) * 100.0 / 72.0;
    fig->resolution = 1;
    for (int i = 0; i < rows * cols; i++)
        lt_axes_init(&fig->axes[i], fig);
    return fig;
}

void lt_figure_free(lt_figure **pfig)
{
    if (!pfig || !*pfig)
        return;
    lt_figure *fig = *pfig;
    for (int i = 0; i < fig->rows * fig->cols; i++)
        lt_axes_release(&fig->axes[i]);
    free(fig->axes);
    free(fig->title);
    if (fig->surface)
        cairo_surface_destroy(fig->surface);
    free(fig);
    *pfig = NULL;
}

void lt_figure_fail(lt_figure *fig) { fig->out_of_memory = true; }
bool lt_figure_failed(const lt_figure *fig) { return fig->out_of_memory; }

char *lt_figure_strdup(lt_figure *fig, const char *s)
{
    if (!s)
        return NULL;
    char *copy = strdup(s);
    if (!copy)
        lt_figure_fail(fig);
    return copy;
}

void lt_figure_set_scale(lt_figure *fig, double px_per_pt)
{
    if (px_per_pt > 0 && isfinite(px_per_pt))
        fig->scale = px_per_pt;
}

double lt_figure_scale(const lt_figure *fig) { return fig->scale; }

int lt_figure_set_resolution(lt_figure *fig, double px_per_px)
{
    if (!(px_per_px > 0) || fig->width * px_per_px > 16384.5 || fig->height * px_per_px > 16384.5 ||
        lround(fig->width * px_per_px) < 1 || lround(fig->height * px_per_px) < 1)
        return -1;
    fig->resolution = px_per_px;
    return 0;
}

double lt_figure_resolution(const lt_figure *fig) { return fig->resolution; }

void lt_figure_set_title(lt_figure *fig, const char *title)
{
    free(fig->title);
    fig->title = lt_figure_strdup(fig, title);
}

lt_axes *lt_figure_axes(lt_figure *fig, int index)
{
    if (index < 0 || index >= fig->rows * fig->cols)
        return NULL;
    return &fig->axes[index];
}

void lt_figure_draw(lt_figure *fig, cairo_t *cr)
{
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);

    /* The panels share what the figure title leaves. */
    double top = 0;
    if (fig->title) {
        double pad = LT_PT_PAD * fig->scale, size = 14 * fig->scale;
        lt_text_font(cr, size, true);
        /* A title wider than the figure shrinks to fit rather than be cut. */
        double width = lt_text_width(cr, fig->title), room = fig->width - 2 * pad;
        if (width > room && room > 0)
            lt_text_font(cr, size * room / width, true);
        cairo_set_source_rgb(cr, 0, 0, 0);
        lt_text_draw(cr, fig->title, fig->width / 2.0, pad, LT_CENTER, LT_TOP, 0);
        top = pad + lt_text_height(cr);
    }
    double cell_w = (double)fig->width / fig->cols;
    double cell_h = (fig->height - top) / fig->rows;
    for (int r = 0; r < fig->rows; r++)
        for (int c = 0; c < fig->cols; c++) {
            lt_axes *ax = &fig->axes[r * fig->cols + c];
            lt_rect cell = {c * cell_w, top + r * cell_h, cell_w, cell_h};
            lt_axes_layout(ax, cr, cell);
            lt_axes_draw(ax, cr);
        }
}

int lt_figure_render(lt_figure *fig)
{
    if (fig->surface) {
        cairo_surface_destroy(fig->surface);
        fig->surface = NULL;
    }
    if (fig->out_of_memory) {
        errno = ENOMEM;
        return -1;
    }
    int w = (int)lround(fig->width * fig->resolution), h = (int)lround(fig->height * fig->resolution);
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
    cairo_t *cr = cairo_create(surface);
    if (fig->resolution != 1)
        cairo_scale(cr, fig->resolution, fig->resolution);
    lt_figure_draw(fig, cr);
    cairo_status_t status = cairo_status(cr);
    cairo_destroy(cr);
    cairo_surface_flush(surface);
    if (status != CAIRO_STATUS_SUCCESS ||
        cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(surface);
        errno = ENOMEM;
        return -1;
    }
    fig->surface = surface;
    return 0;
}

cairo_surface_t *lt_figure_surface(lt_figure *fig) { return fig->surface; }

int lt_figure_write_png(lt_figure *fig, const char *path, const char *const *text)
{
    if (!fig->surface && lt_figure_render(fig) != 0)
        return -1;
    cairo_surface_t *s = fig->surface;
    return lt_png_write_argb32(path, cairo_image_surface_get_data(s),
                               cairo_image_surface_get_width(s),
                               cairo_image_surface_get_height(s),
                               cairo_image_surface_get_stride(s), text);
}
