/* PNG output for rendered figures. */
#ifndef LATENT_IO_PNG_H
#define LATENT_IO_PNG_H

/* Writes WIDTH x HEIGHT pixels in cairo's ARGB32 layout (one native-endian
 * 32-bit word per pixel, alpha premultiplied, STRIDE bytes per row) to PATH
 * as an 8-bit PNG: RGB when every pixel is opaque, RGBA otherwise, with
 * straight (un-premultiplied) colour. TEXT is NULL or a NULL-terminated
 * list of key, value, key, value, ...; each pair becomes a tEXt chunk
 * (keys of 1 to 79 characters). No time chunk and fixed compression
 * settings, so equal pixels and text always give equal bytes.
 * Returns 0, or -1 with errno set (EINVAL for bad arguments, EIO when
 * libpng fails, else the failed call's errno); no file is left behind
 * on failure. */
int lt_png_write_argb32(const char *path, const unsigned char *data, int width,
                        int height, int stride, const char *const *text);

#endif
