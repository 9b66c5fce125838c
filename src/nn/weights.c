#include "nn/weights.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC "latent-weights 1"

/* One header line describing layer l: "dense 78500 [784] [100]". */
static void layer_line(const lt_layer *l, char *buf, size_t size)
{
    char a[64], b[64];
    snprintf(buf, size, "%s %zu %s %s", l->kind->spec.name, l->n_weights,
             lt_nn_shape_text(&l->in, a, sizeof a), lt_nn_shape_text(&l->out, b, sizeof b));
}

static void put_le32(unsigned char *p, float v)
{
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(u >> (8 * i));
}

static float get_le32(const unsigned char *p)
{
    uint32_t u = 0;
    for (int i = 0; i < 4; i++)
        u |= (uint32_t)p[i] << (8 * i);
    float v;
    memcpy(&v, &u, sizeof v);
    return v;
}

int lt_weights_save(const lt_net *net, const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    fprintf(f, MAGIC "\nlayers %zu\n", net->n_layers);
    for (size_t i = 0; i < net->n_layers; i++) {
        char line[256];
        layer_line(&net->layers[i], line, sizeof line);
        fprintf(f, "%s\n", line);
    }
    fprintf(f, "float32le %zu\n", net->n_weights);
    unsigned char chunk[4096];
    for (size_t i = 0; i < net->n_weights;) {
        size_t k = 0;
        for (; k < sizeof chunk / 4 && i < net->n_weights; k++, i++)
            put_le32(chunk + 4 * k, net->w[i]);
        fwrite(chunk, 4, k, f);
    }
    int failed = ferror(f), closed = fclose(f);
    if (failed || closed) {
        if (failed)
            errno = EIO;
        return -1;
    }
    return 0;
}

/* Reads one header line without its newline; false at EOF or when longer
 * than SIZE - 1. */
static bool read_line(FILE *f, char *buf, size_t size)
{
    if (!fgets(buf, (int)size, f))
        return false;
    size_t len = strlen(buf);
    if (len == 0 || buf[len - 1] != '\n')
        return false;
    buf[len - 1] = '\0';
    return true;
}

static int check_header(FILE *f, const lt_net *net, char *err, size_t err_size)
{
    char line[256], want[256];
    size_t n;
    if (!read_line(f, line, sizeof line) || strcmp(line, MAGIC) != 0) {
        snprintf(err, err_size, "not a latent weights file (no '" MAGIC "' header)");
        return LT_WEIGHTS_EMISMATCH;
    }
    if (!read_line(f, line, sizeof line) || sscanf(line, "layers %zu", &n) != 1) {
        snprintf(err, err_size, "damaged header: expected 'layers N'");
        return LT_WEIGHTS_EMISMATCH;
    }
    if (n != net->n_layers) {
        snprintf(err, err_size, "the file holds %zu layers but the network has %zu", n,
                 net->n_layers);
        return LT_WEIGHTS_EMISMATCH;
    }
    for (size_t i = 0; i < n; i++) {
        layer_line(&net->layers[i], want, sizeof want);
        if (!read_line(f, line, sizeof line) || strcmp(line, want) != 0) {
            snprintf(err, err_size, "layer %zu is '%.100s' in the file but '%.100s' here", i,
                     line, want);
            return LT_WEIGHTS_EMISMATCH;
        }
    }
    if (!read_line(f, line, sizeof line) || sscanf(line, "float32le %zu", &n) != 1 ||
        n != net->n_weights) {
        snprintf(err, err_size, "damaged header: expected 'float32le %zu'", net->n_weights);
        return LT_WEIGHTS_EMISMATCH;
    }
    return LT_WEIGHTS_OK;
}

int lt_weights_load(lt_net *net, const char *path, char *err, size_t err_size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return LT_WEIGHTS_EIO;
    int rc = check_header(f, net, err, err_size);
    float *w = rc == LT_WEIGHTS_OK ? malloc((net->n_weights ? net->n_weights : 1) * sizeof *w)
                                   : NULL;
    if (rc == LT_WEIGHTS_OK && !w) {
        errno = ENOMEM;
        rc = LT_WEIGHTS_EIO;
    }
    unsigned char chunk[4096];
    for (size_t i = 0; rc == LT_WEIGHTS_OK && i < net->n_weights;) {
        size_t want = net->n_weights - i < sizeof chunk / 4 ? net->n_weights - i : sizeof chunk / 4;
        if (fread(chunk, 4, want, f) != want) {
            snprintf(err, err_size, "the file ends after %zu of %zu values", i, net->n_weights);
            rc = LT_WEIGHTS_EMISMATCH;
            break;
        }
        for (size_t k = 0; k < want; k++)
            w[i++] = get_le32(chunk + 4 * k);
    }
    if (rc == LT_WEIGHTS_OK && fgetc(f) != EOF) {
        snprintf(err, err_size, "the file has data after its %zu values", net->n_weights);
        rc = LT_WEIGHTS_EMISMATCH;
    }
    if (rc == LT_WEIGHTS_OK)
        memcpy(net->w, w, net->n_weights * sizeof *w);
    free(w);
    fclose(f);
    return rc;
}
