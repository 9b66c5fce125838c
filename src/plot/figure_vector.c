/* Vector figures: the same drawing as the PNG on cairo's PDF and SVG
 * surfaces, scaled so that one figure pixel is 72 / dpi points, with the
 * run's provenance pairs where each format keeps such things. */
#include "plot/internal.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Draws FIG on SURFACE (a vector surface of the figure's size in points). */
static int draw_vector(lt_figure *fig, cairo_surface_t *surface, double dpi)
{
    cairo_t *cr = cairo_create(surface);
    double k = 72.0 / dpi * fig->resolution;
    cairo_scale(cr, k, k);
    lt_figure_draw(fig, cr);
    cairo_show_page(cr);
    cairo_status_t status = cairo_status(cr);
    cairo_destroy(cr);
    cairo_surface_finish(surface);
    if (status != CAIRO_STATUS_SUCCESS || cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
        errno = status == CAIRO_STATUS_WRITE_ERROR ? EIO : ENOMEM;
        return -1;
    }
    return 0;
}

int lt_figure_write_pdf(lt_figure *fig, const char *path, double dpi, const char *const *text)
{
    if (fig->out_of_memory) {
        errno = ENOMEM;
        return -1;
    }
    cairo_surface_t *s = cairo_pdf_surface_create(path, fig->width * fig->resolution * 72.0 / dpi, fig->height * fig->resolution * 72.0 / dpi);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        errno = EIO;
        return -1;
    }
    /* The PNG's text chunks in the info dictionary. cairo 1.16 (Debian 12)
     * sets only the standard entries: Title and Software go to Title and
     * Creator, and every pair, as "key=value" joined by "; ", to Keywords. */
    char keywords[1024] = "";
    size_t k = 0;
    for (size_t i = 0; text && text[i] && text[i + 1]; i += 2) {
        if (!strcmp(text[i], "Title"))
            cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, text[i + 1]);
        else if (!strcmp(text[i], "Software"))
            cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, text[i + 1]);
        if (k < sizeof keywords)
            k += (size_t)snprintf(keywords + k, sizeof keywords - k, "%s%s=%s", k ? "; " : "", text[i], text[i + 1]);
    }
    if (k)
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_KEYWORDS, keywords);
    int rc = draw_vector(fig, s, dpi);
    cairo_surface_destroy(s);
    return rc;
}

static cairo_status_t to_stream(void *closure, const unsigned char *data, unsigned int length)
{
    return fwrite(data, 1, length, closure) == length ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

static void xml_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

int lt_figure_write_svg(lt_figure *fig, const char *path, double dpi, const char *const *text)
{
    if (fig->out_of_memory) {
        errno = ENOMEM;
        return -1;
    }
    /* cairo has no SVG metadata call: draw into memory, then add a
     * <metadata> element right after the <svg> start tag. */
    char *svg = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&svg, &len);
    if (!mem)
        return -1;
    cairo_surface_t *s =
        cairo_svg_surface_create_for_stream(to_stream, mem, fig->width * fig->resolution * 72.0 / dpi, fig->height * fig->resolution * 72.0 / dpi);
    int rc = draw_vector(fig, s, dpi);
    cairo_surface_destroy(s);
    if (fclose(mem) != 0)
        rc = -1;
    char *start = rc == 0 && svg ? strstr(svg, "<svg") : NULL;
    char *end = start ? strchr(start, '>') : NULL;
    if (!end) {
        free(svg);
        errno = rc == 0 ? EINVAL : errno;
        return -1;
    }
    FILE *f = fopen(path, "w");
    if (!f) {
        free(svg);
        return -1;
    }
    fwrite(svg, 1, (size_t)(end + 1 - svg), f);
    fputs("\n<metadata id=\"latent-provenance\">\n", f);
    for (size_t i = 0; text && text[i] && text[i + 1]; i += 2) {
        fputs("<latent:text xmlns:latent=\"https://latent.invalid/provenance\" key=\"", f);
        xml_text(f, text[i]);
        fputs("\">", f);
        xml_text(f, text[i + 1]);
        fputs("</latent:text>\n", f);
    }
    fputs("</metadata>", f);
    fwrite(end + 1, 1, len - (size_t)(end + 1 - svg), f);
    free(svg);
    if (ferror(f)) {
        fclose(f);
        errno = EIO;
        return -1;
    }
    return fclose(f) == 0 ? 0 : -1;
}
