/* figure_compare A.png B.ppm: how far a PNG latent wrote is from a binary
 * PPM (P6) that pdftoppm rasterised from the same figure drawn as PDF, or
 * (B.png) from another PNG latent wrote.
 * Prints "WxH WxH mean=M far=F" (mean absolute difference per channel in
 * 0..255; F the share of pixels whose largest channel difference exceeds
 * 64). Exits 0, or 2 when a file cannot be read. */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char *read_ppm(const char *path, unsigned *w, unsigned *h)
{
    FILE *f = fopen(path, "rb");
    unsigned maxval;
    if (!f || fscanf(f, "P6 %u %u %u", w, h, &maxval) != 3 || maxval != 255 || fgetc(f) == EOF) {
        if (f)
            fclose(f);
        return NULL;
    }
    size_t n = (size_t)*w * *h * 3;
    unsigned char *rgb = malloc(n);
    if (rgb && fread(rgb, 1, n, f) != n) {
        free(rgb);
        rgb = NULL;
    }
    fclose(f);
    return rgb;
}

static unsigned char *read_png(const char *path, unsigned *w, unsigned *h)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, path))
        return NULL;
    img.format = PNG_FORMAT_RGB;
    unsigned char *rgb = malloc(PNG_IMAGE_SIZE(img));
    if (!rgb || !png_image_finish_read(&img, NULL, rgb, 0, NULL)) {
        free(rgb);
        png_image_free(&img);
        return NULL;
    }
    *w = img.width;
    *h = img.height;
    return rgb;
}

int main(int argc, char **argv)
{
    unsigned aw = 0, ah = 0, bw = 0, bh = 0;
    if (argc != 3)
        return 2;
    unsigned char *a = read_png(argv[1], &aw, &ah), *b = NULL;
    size_t len = strlen(argv[2]);
    if (len > 4 && strcmp(argv[2] + len - 4, ".png") == 0)
        b = read_png(argv[2], &bw, &bh);
    else
        b = read_ppm(argv[2], &bw, &bh);
    if (!a || !b) {
        fprintf(stderr, "figure_compare: cannot read %s\n", a ? argv[2] : argv[1]);
        return 2;
    }
    double sum = 0;
    size_t far = 0, n = 0;
    if (aw == bw && ah == bh) {
        n = (size_t)aw * ah;
        for (size_t i = 0; i < n; i++) {
            int most = 0;
            for (int c = 0; c < 3; c++) {
                int d = abs(a[3 * i + c] - b[3 * i + c]);
                sum += d;
                most = d > most ? d : most;
            }
            far += most > 64;
        }
    }
    printf("%ux%u %ux%u mean=%.3f far=%.4f\n", aw, ah, bw, bh, n ? sum / (3.0 * n) : 255.0,
           n ? (double)far / n : 1.0);
    free(a);
    free(b);
    return 0;
}
