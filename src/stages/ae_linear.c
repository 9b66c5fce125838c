/* A linear autoencoder against PCA (Baldi and Hornik, 1989): trained to
 * its optimum, the decoder's span is the top-k principal subspace and the
 * reconstruction error is PCA's. The stage measures both for any affine
 * model: the largest principal angle between the two k-dimensional
 * subspaces, and the two reconstruction errors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "math/linalg.h"
#include "math/pca.h"
#include "nn/eval.h"
#include "stages/autoencoder.h"

bool ae_is_linear(const ae_model *m)
{
    for (size_t i = 0; i < m->net.n_layers; i++) {
        const lt_layer *l = &m->net.layers[i];
        if (!l->kind->view && !(l->kind->affine && l->kind->affine(l->config)))
            return false;
    }
    return true;
}

/* The decoder as z -> z M + c: rows of M (k x d) are f(e_i) - f(0). */
static void decoder_matrix(ae_model *m, size_t k, size_t d, float *basis, float *zero_out,
                           double *mat)
{
    lt_net *net = &m->net;
    /* Row k of basis is the zero code, the others the unit vectors. */
    memset(basis, 0, (k + 1) * k * sizeof *basis);
    for (size_t i = 0; i < k; i++)
        basis[i * k + i] = 1;
    const float *y = lt_net_forward_range(net, basis + k * k, 1, m->n_encoder, net->n_layers, false);
    memcpy(zero_out, y, d * sizeof *y);
    for (size_t start = 0; start < k; start += net->batch) {
        size_t rows = k - start < net->batch ? k - start : net->batch;
        y = lt_net_forward_range(net, basis + start * k, rows, m->n_encoder, net->n_layers, false);
        for (size_t r = 0; r < rows; r++)
            for (size_t j = 0; j < d; j++)
                mat[(start + r) * d + j] = (double)y[r * d + j] - (double)zero_out[j];
    }
}

/* The largest principal angle in degrees between the row spaces of A and
 * B (k x d each, B's rows orthonormal); 90 when A has rank < k. */
static int largest_angle(const double *a, const double *b, size_t k, size_t d, double *degrees)
{
    double *u = malloc(k * k * sizeof *u), *s = malloc(k * sizeof *s),
           *vt = malloc(k * d * sizeof *vt), *cross = malloc(k * k * sizeof *cross),
           *cu = malloc(k * k * sizeof *cu), *cs = malloc(k * sizeof *cs),
           *cvt = malloc(k * k * sizeof *cvt);
    int rc = u && s && vt && cross && cu && cs && cvt ? LT_LA_OK : LT_LA_ENOMEM;
    if (rc == LT_LA_OK)
        rc = lt_svd_thin(a, k, d, NULL, u, s, vt); /* vt: an orthonormal basis of A's rows */
    if (rc == LT_LA_OK && !(s[k - 1] > 1e-9 * s[0])) {
        *degrees = 90;
    } else if (rc == LT_LA_OK) {
        for (size_t i = 0; i < k; i++)
            for (size_t j = 0; j < k; j++) {
                double dot = 0;
                for (size_t t = 0; t < d; t++)
                    dot += vt[i * d + t] * b[j * d + t];
                cross[i * k + j] = dot;
            }
        rc = lt_svd_thin(cross, k, k, NULL, cu, cs, cvt);
        /* The cosines of the principal angles are the singular values. */
        double c = cs[k - 1] < 1 ? cs[k - 1] : 1;
        *degrees = acos(c) * 180 / M_PI;
    }
    free(u);
    free(s);
    free(vt);
    free(cross);
    free(cu);
    free(cs);
    free(cvt);
    return rc;
}

static double reconstruction_mse(ae_model *m, const float *x, size_t n, float *out)
{
    size_t d = m->net.in_size;
    lt_nn_predict(&m->net, x, n, m->net.n_layers, out);
    double sum = 0;
    for (size_t i = 0; i < n * d; i++) {
        double e = (double)out[i] - (double)x[i];
        sum += e * e;
    }
    return sum / ((double)n * (double)d);
}

int ae_report_linear(lt_ctx *ctx, ae_model *m, const float *x, size_t n)
{
    size_t k = m->net.layers[m->n_encoder - 1].out_size, d = m->net.in_size;
    if (k > n || k > d)
        return LT_OK; /* PCA keeps at most min(n, d) components */
    double *xd = malloc(n * d * sizeof *xd), *mat = malloc(k * d * sizeof *mat),
           *scores = NULL;
    float *basis = malloc((k + 1) * k * sizeof *basis), *recon = malloc(n * d * sizeof *recon);
    float *zero_out = malloc(d * sizeof *zero_out);
    lt_pca pca = {0};
    int rc = LT_OK;
    if (!xd || !mat || !basis || !recon || !zero_out) {
        rc = lt_fail(ctx, LT_ERUNTIME, "out of memory comparing the model with PCA");
        goto done;
    }
    for (size_t i = 0; i < n * d; i++)
        xd[i] = (double)x[i];
    if (lt_pca_fit(&pca, xd, n, d, (double)k, LT_PCA_FULL, &scores) != LT_PCA_OK) {
        rc = lt_fail(ctx, LT_ERUNTIME, "the PCA of the training data failed");
        goto done;
    }
    decoder_matrix(m, k, d, basis, zero_out, mat);
    double angle, pca_mse;
    if (largest_angle(mat, pca.components, k, d, &angle) != LT_LA_OK ||
        lt_pca_reconstruction_mse(&pca, xd, scores, n, &pca_mse) != LT_PCA_OK) {
        rc = lt_fail(ctx, LT_ERUNTIME, "out of memory comparing the model with PCA");
        goto done;
    }
    lt_report_num(ctx, "subspace_angle_to_pca", angle);
    lt_report_num(ctx, "reconstruction_mse", reconstruction_mse(m, x, n, recon));
    lt_report_num(ctx, "pca_reconstruction_mse", pca_mse);
done:
    lt_pca_free(&pca);
    free(scores);
    free(xd);
    free(mat);
    free(basis);
    free(recon);
    free(zero_out);
    return rc;
}
