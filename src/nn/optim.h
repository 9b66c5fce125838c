/* Optimisers with Keras's update rules and defaults. One is chosen by the
 * stage's `optimizer: {sgd: {learning_rate: 1.5}}` parameter.
 *
 *   sgd      v = momentum v - lr g; w += nesterov ? momentum v - lr g : v
 *            (plain w -= lr g when momentum is 0); lr 0.01
 *   adam     m += (1 - b1)(g - m); v += (1 - b2)(g^2 - v);
 *            w -= lr sqrt(1 - b2^t) / (1 - b1^t) m / (sqrt(v) + eps);
 *            lr 0.001, b1 0.9, b2 0.999, eps 1e-7
 *   rmsprop  v = rho v + (1 - rho) g^2; u = momentum u + lr g / (sqrt(v) +
 *            eps); w -= u; lr 0.001, rho 0.9, momentum 0, eps 1e-7
 *   nadam    PyTorch's torch.optim.NAdam (not Keras's): mu_t = b1 (1 - 0.5
 *            0.96^(t psi)), P_t = mu_1 ... mu_t; m += (1 - b1)(g - m);
 *            v += (1 - b2)(g^2 - v); d = sqrt(v) / sqrt(1 - b2^t) + eps;
 *            w -= lr (1 - mu_t) / (1 - P_t) g / d
 *                 + lr mu_{t+1} / (1 - P_t mu_{t+1}) m / d;
 *            lr 0.002, b1 0.9, b2 0.999, eps 1e-8, psi (momentum_decay) 4e-3
 *            (the formula of PyTorch's documentation and of its foreach
 *            implementation; Debian's 1.13 single-tensor loop multiplies
 *            P_t mu_{t+1} by mu_t once more, a slip later releases fixed)
 * Note that Keras's momentum differs from PyTorch's (which accumulates g,
 * not lr g); with momentum 0 they agree. */
#ifndef LATENT_NN_OPTIM_H
#define LATENT_NN_OPTIM_H

#include <stdbool.h>
#include <stddef.h>

#include "latent/stage.h"

typedef struct lt_optim lt_optim;

typedef struct lt_optim_kind {
    lt_spec_def spec; /* first: an lt_spec's def leads back here */
    /* State values kept per weight (velocities, moments) for CONFIG. */
    size_t (*slots)(const void *config);
    /* Before a step (may be NULL): the step's own numbers into o->coef,
     * from its 1-based number o->t. */
    void (*prepare)(lt_optim *o);
    /* The step on the weights [from, to) from the gradient g: each weight's
     * update on its own, so that the range is cut into blocks among the
     * threads with the same bits. */
    void (*step)(const lt_optim *o, float *w, const float *g, size_t from, size_t to);
} lt_optim_kind;

extern const lt_optim_kind lt_optim_sgd, lt_optim_adam, lt_optim_rmsprop, lt_optim_nadam;

/* Every optimiser kind, NULL-terminated: the kinds of an LT_SPECS parameter. */
extern const lt_spec_def *const lt_optim_kinds[];

/* An optimiser at work on n weights. */
struct lt_optim {
    const lt_optim_kind *kind;
    const void *config; /* borrowed from the stage's config */
    size_t n;
    float *state; /* slots * n values, zero at first; owned */
    long t;       /* steps taken */
    double product; /* nadam: mu_1 ... mu_t, the momentum schedule's product */
    float coef[3];  /* the current step's numbers (prepare) */
};

/* rmsprop with its defaults: the optimiser when none is named, as in
 * Keras's compile(). Borrowed, static. */
const lt_spec *lt_optim_default(void);

/* The rate of plain SGD (no momentum), whose step w -= rate g a layer can
 * fuse into its backward pass; 0 for any other optimiser. */
float lt_optim_plain_sgd_rate(const lt_optim *o);

/* The learning rate of an optimiser spec, for messages. */
double lt_optim_learning_rate(const lt_spec *spec);

/* Sets up O for N weights with the kind and config of SPEC (borrowed: it
 * must outlive O). Returns 0, or -1 when out of memory. Free with
 * lt_optim_free. */
int lt_optim_init(lt_optim *o, const lt_spec *spec, size_t n);
/* One step: updates w[0..n) from the gradient g, in blocks on the threads
 * of nn/parallel.h. */
void lt_optim_step(lt_optim *o, float *w, const float *g);
/* Forgets the state (moments back to zero, t = 0). */
void lt_optim_reset(lt_optim *o);
void lt_optim_free(lt_optim *o);

#endif
