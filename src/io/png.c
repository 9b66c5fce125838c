#include "io/png.h"

#include <errno.h>
#include <png.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool all_opaque(const unsigned char *data, int width, int height, int stride)
{
    for (int r = 0; r < height; r++) {
        const uint32_t *row = (const uint32_t *)(const void *)(data + (size_t)r * stride);
        for (int c = 0; c < width; c++)
            if ((row[c] >> 24) != 0xff)
                return false;
    }
    return true;
}

/* One cairo row to straight-alpha bytes R G B [A]. Rounds to nearest when
 * undoing the premultiplication, so an opaque image round-trips exactly. */
static void convert_row(const unsigned char *src, int width, bool alpha,
                        unsigned char *out)
{
    const uint32_t *px = (const uint32_t *)(const void *)src;
    for (int c = 0; c < width; c++) {
        uint32_t p = px[c];
        unsigned a = p >> 24, r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;
        if (a != 0 && a != 0xff) {
            r = (r * 255 + a / 2) / a;
            g = (g * 255 + a / 2) / a;
            b = (b * 255 + a / 2) / a;
        }
        *out++ = (unsigned char)r;
        *out++ = (unsigned char)g;
        *out++ = (unsigned char)b;
        if (alpha)
            *out++ = (unsigned char)a;
    }
}

static size_t count_pairs(const char *const *text)
{
    size_t n = 0;
    while (text && text[2 * n] && text[2 * n + 1])
        n++;
    return n;
}

/* libpng would print its messages; a writer reports through errno only. */
static void quiet_error(png_structp png, png_const_charp msg)
{
    (void)msg;
    png_longjmp(png, 1);
}

static void quiet_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

/* The libpng part, apart so that setjmp's longjmp cannot clobber the
 * caller's locals: everything it allocates is released on both paths. */
static int encode(FILE *f, const unsigned char *data, int width, int height,
                  int stride, const char *const *text, unsigned char *row,
                  png_text *chunks, size_t n_chunks, bool alpha)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL,
                                              quiet_error, quiet_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        return ENOMEM;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return EIO;
    }
    png_init_io(png, f);
    /* Speed over size: plots are mostly flat runs, which the SUB filter and
     * zlib's fastest level already squeeze to ~90 KB; libpng's default (every
     * filter per row, level 6) took 3x as long for 10% smaller files. */
    png_set_compression_level(png, 1);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_SUB);
    png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8,
                 alpha ? PNG_COLOR_TYPE_RGB_ALPHA : PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    for (size_t i = 0; i < n_chunks; i++) {
        chunks[i].compression = PNG_TEXT_COMPRESSION_NONE;
        chunks[i].key = (png_charp)text[2 * i];
        chunks[i].text = (png_charp)text[2 * i + 1];
    }
    if (n_chunks)
        png_set_text(png, info, chunks, (int)n_chunks);
    png_write_info(png, info);
    for (int r = 0; r < height; r++) {
        convert_row(data + (size_t)r * stride, width, alpha, row);
        png_write_row(png, row);
    }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    return 0;
}

int lt_png_write_argb32(const char *path, const unsigned char *data, int width,
                        int height, int stride, const char *const *text)
{
    if (!path || !data || width < 1 || height < 1 || stride < 4 * width) {
        errno = EINVAL;
        return -1;
    }
    size_t n_chunks = count_pairs(text);
    for (size_t i = 0; i < n_chunks; i++) {
        size_t k = strlen(text[2 * i]);
        if (k < 1 || k > 79) {
            errno = EINVAL;
            return -1;
        }
    }
    bool alpha = !all_opaque(data, width, height, stride);
    unsigned char *row = malloc((size_t)width * (alpha ? 4 : 3));
    png_text *chunks = calloc(n_chunks ? n_chunks : 1, sizeof *chunks);
    if (!row || !chunks) {
        free(row);
        free(chunks);
        errno = ENOMEM;
        return -1;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        int e = errno;
        free(row);
        free(chunks);
        errno = e;
        return -1;
    }
    int err = encode(f, data, width, height, stride, text, row, chunks, n_chunks, alpha);
    free(row);
    free(chunks);
    if (fflush(f) != 0 && !err)
        err = errno ? errno : EIO;
    if (fclose(f) != 0 && !err)
        err = errno ? errno : EIO;
    if (err) {
        remove(path);
        errno = err;
        return -1;
    }
    return 0;
}
