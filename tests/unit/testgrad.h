/* A finite-difference gradient check of a network written as a layer list,
 * for the layer test programs.
 *
 * The engine computes in float32, so the check uses central differences
 * with a step of 1e-2 (1e-3 for activations with a kink, where a wider step
 * could cross it) on an objective sum_i r_i y_i summed in double, and
 * accepts |analytic - numeric| <= 2e-3 + 1e-2 * max(|analytic|, |numeric|).
 * A wrong factor, sign, offset or transposition is off by far more.
 *
 * A step can move a unit across a kink (relu's or selu's at 0, a max-pool
 * window changing its winner), where no difference quotient approximates
 * the derivative. The check notices such a coordinate by its one-sided
 * quotients disagreeing, skips it, and fails if more than 3% are skipped. */
#ifndef LATENT_TESTGRAD_H
#define LATENT_TESTGRAD_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "math/rng.h"
#include "nn/net.h"
#include "testnn.h"

struct grad_probe {
    lt_net net;
    size_t batch, out_size;
    const float *x, *r;
};

/* The objective: sum_i r_i y_i over the batch's outputs, in double. */
static inline double grad_objective(struct grad_probe *p)
{
    const float *y = lt_net_forward(&p->net, p->x, p->batch, p->net.n_layers, true);
    double s = 0;
    for (size_t i = 0; i < p->batch * p->out_size; i++)
        s += (double)p->r[i] * (double)y[i];
    return s;
}

/* Checks dL/dw and dL/dx of the network in YAML ("layers: [...]") for BATCH
 * samples of shape IN drawn from N(0, x_scale^2). Prints the largest
 * difference; returns the number of mismatches (the first few printed),
 * plus one when too many coordinates sat on a kink. */
static inline int check_gradients(const char *yaml, lt_nn_shape in, size_t batch, float step,
                                  double x_scale)
{
    test_specs specs = test_specs_bind(yaml);
    struct grad_probe p = {.batch = batch};
    size_t bad = 0;
    lt_diag d = {.limit = 1};
    if (lt_net_build(&p.net, specs.layers.items, specs.layers.n, &in, batch, 11, &bad, &d) !=
        LT_NET_OK) {
        printf("\n    %s: cannot build: %s", yaml, d.n ? d.items[0].message : "out of memory");
        lt_diag_clear(&d);
        test_specs_free(&specs);
        return 1;
    }
    p.out_size = p.net.layers[p.net.n_layers - 1].out_size;
    size_t nx = batch * p.net.in_size, ny = batch * p.out_size, nw = p.net.n_weights;
    float *x = malloc(nx * sizeof *x), *r = malloc(ny * sizeof *r);
    float *dx = malloc(nx * sizeof *dx), *g = malloc((nw ? nw : 1) * sizeof *g);
    if (!x || !r || !dx || !g) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    lt_rng rng;
    lt_rng_seed(&rng, 5);
    for (size_t i = 0; i < nx; i++)
        x[i] = (float)(x_scale * lt_rng_gauss(&rng));
    for (size_t i = 0; i < ny; i++)
        r[i] = (float)lt_rng_gauss(&rng);
    /* Non-zero biases, so a bias that is ignored shows. */
    for (size_t i = 0; i < nw; i++)
        p.net.w[i] += (float)(0.1 * lt_rng_gauss(&rng));
    p.x = x;
    p.r = r;

    grad_objective(&p);
    memcpy(lt_net_output_grad(&p.net), r, ny * sizeof *r);
    lt_net_backward(&p.net, batch, dx);
    memcpy(g, p.net.g, nw * sizeof *g);

    int mismatches = 0;
    size_t kinks = 0, total = nw + nx;
    double worst = 0, here = grad_objective(&p);
    for (size_t j = 0; j < total; j++) {
        float *v = j < nw ? &p.net.w[j] : &x[j - nw];
        double analytic = j < nw ? g[j] : dx[j - nw];
        float keep = *v;
        *v = keep + step;
        double up = grad_objective(&p);
        *v = keep - step;
        double down = grad_objective(&p);
        *v = keep;
        double numeric = (up - down) / (2.0 * (double)step);
        double ahead = (up - here) / step, behind = (here - down) / step;
        if (fabs(ahead - behind) > 2e-3 + 0.05 * fmax(fabs(ahead), fabs(behind))) {
            kinks++;
            continue;
        }
        worst = fmax(worst, fabs(analytic - numeric));
        double scale = fmax(fabs(analytic), fabs(numeric));
        if (fabs(analytic - numeric) > 2e-3 + 1e-2 * scale && mismatches++ < 5)
            printf("\n    %s: %s %zu analytic %.6g numeric %.6g", yaml, j < nw ? "weight" : "input",
                   j < nw ? j : j - nw, analytic, numeric);
    }
    printf("\n    %-72.72s max|diff| %.2g (%zu of %zu kinks skipped)", yaml + 8, worst, kinks, total);
    if (kinks * 100 > 3 * total)
        mismatches++;
    free(x);
    free(r);
    free(dx);
    free(g);
    lt_net_free(&p.net);
    test_specs_free(&specs);
    return mismatches;
}

#endif
