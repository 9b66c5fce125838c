#include "nn/optim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/parallel.h"
#include "nn/vmath.h"

struct sgd_config {
    double learning_rate, momentum;
    bool nesterov;
};

struct adam_config {
    double learning_rate, beta_1, beta_2, epsilon;
};

struct rmsprop_config {
    double learning_rate, rho, momentum, epsilon;
};

struct nadam_config {
    double learning_rate, beta_1, beta_2, epsilon, momentum_decay;
};

#define CFG struct sgd_config
static const lt_param sgd_params[] = {
    LT_REAL(CFG, learning_rate, 0.01, 0, 1e300, LT_MIN_OPEN, "step size"),
    LT_REAL(CFG, momentum, 0, 0, 1, LT_MAX_OPEN, "velocity decay (Keras's convention)"),
    LT_BOOL(CFG, nesterov, false, "Nesterov momentum"),
};
#undef CFG
#define CFG struct adam_config
static const lt_param adam_params[] = {
    LT_REAL(CFG, learning_rate, 0.001, 0, 1e300, LT_MIN_OPEN, "step size"),
    LT_REAL(CFG, beta_1, 0.9, 0, 1, LT_MAX_OPEN, "decay of the first-moment estimate"),
    LT_REAL(CFG, beta_2, 0.999, 0, 1, LT_MAX_OPEN, "decay of the second-moment estimate"),
    LT_REAL(CFG, epsilon, 1e-7, 0, 1e300, LT_MIN_OPEN, "added to the root of the second moment"),
};
#undef CFG
/* Written once here: the table below and lt_optim_default's config (the
 * stages' optimizer when none is given) both take them. */
#define RMSPROP_LEARNING_RATE 0.001
#define RMSPROP_RHO 0.9
#define RMSPROP_MOMENTUM 0
#define RMSPROP_EPSILON 1e-7
#define CFG struct rmsprop_config
static const lt_param rmsprop_params[] = {
    LT_REAL(CFG, learning_rate, RMSPROP_LEARNING_RATE, 0, 1e300, LT_MIN_OPEN, "step size"),
    LT_REAL(CFG, rho, RMSPROP_RHO, 0, 1, LT_MAX_OPEN, "decay of the mean square of the gradient"),
    LT_REAL(CFG, momentum, RMSPROP_MOMENTUM, 0, 1, LT_MAX_OPEN, "velocity decay"),
    LT_REAL(CFG, epsilon, RMSPROP_EPSILON, 0, 1e300, LT_MIN_OPEN, "added to the root mean square"),
};
#undef CFG
#define CFG struct nadam_config
static const lt_param nadam_params[] = {
    LT_REAL(CFG, learning_rate, 0.002, 0, 1e300, LT_MIN_OPEN, "step size (PyTorch's default)"),
    LT_REAL(CFG, beta_1, 0.9, 0, 1, LT_MAX_OPEN, "decay of the first-moment estimate"),
    LT_REAL(CFG, beta_2, 0.999, 0, 1, LT_MAX_OPEN, "decay of the second-moment estimate"),
    LT_REAL(CFG, epsilon, 1e-8, 0, 1e300, LT_MIN_OPEN,
            "added to the bias-corrected root of the second moment"),
    LT_REAL(CFG, momentum_decay, 4e-3, 0, 1e300, 0,
            "psi of the momentum schedule mu_t = beta_1 (1 - 0.5 * 0.96^(t psi))"),
};
#undef CFG

static size_t sgd_slots(const void *config)
{
    const struct sgd_config *c = config;
    return c->momentum > 0 ? 1 : 0;
}

LT_SIMD_CLONES
static void sgd_step(const lt_optim *o, float *w, const float *g, size_t from, size_t to)
{
    const struct sgd_config *c = o->config;
    const float lr = (float)c->learning_rate, mu = (float)c->momentum;
    if (!o->state) {
        for (size_t i = from; i < to; i++)
            w[i] -= lr * g[i];
        return;
    }
    float *v = o->state;
    for (size_t i = from; i < to; i++) {
        v[i] = mu * v[i] - lr * g[i];
        w[i] += c->nesterov ? mu * v[i] - lr * g[i] : v[i];
    }
}

static size_t two_slots(const void *config)
{
    (void)config;
    return 2;
}

static void adam_prepare(lt_optim *o)
{
    const struct adam_config *c = o->config;
    double t = (double)o->t;
    o->coef[0] = (float)(c->learning_rate * sqrt(1 - pow(c->beta_2, t)) / (1 - pow(c->beta_1, t)));
}

LT_SIMD_CLONES
static void adam_step(const lt_optim *o, float *w, const float *g, size_t from, size_t to)
{
    const struct adam_config *c = o->config;
    const float b1 = (float)c->beta_1, b2 = (float)c->beta_2, eps = (float)c->epsilon;
    const float step = o->coef[0];
    float *m = o->state, *v = o->state + o->n;
    for (size_t i = from; i < to; i++) {
        m[i] += (1.0f - b1) * (g[i] - m[i]);
        v[i] += (1.0f - b2) * (g[i] * g[i] - v[i]);
        w[i] -= step * m[i] / (sqrtf(v[i]) + eps);
    }
}

LT_SIMD_CLONES
static void rmsprop_step(const lt_optim *o, float *w, const float *g, size_t from, size_t to)
{
    const struct rmsprop_config *c = o->config;
    const float lr = (float)c->learning_rate, rho = (float)c->rho,
                mu = (float)c->momentum, eps = (float)c->epsilon;
    float *v = o->state, *u = o->state + o->n;
    for (size_t i = from; i < to; i++) {
        v[i] = rho * v[i] + (1.0f - rho) * g[i] * g[i];
        u[i] = mu * u[i] + lr * g[i] / (sqrtf(v[i]) + eps);
        w[i] -= u[i];
    }
}

/* The momentum schedule's t-th value (t 1-based). */
static double nadam_mu(const struct nadam_config *c, double t)
{
    return c->beta_1 * (1.0 - 0.5 * pow(0.96, t * c->momentum_decay));
}

/* The step sizes are worked out in double from the schedule, as PyTorch
 * does in Python floats; the per-weight update is float32 like its
 * tensors, in its order: the gradient's share first, then the moment's. */
static void nadam_prepare(lt_optim *o)
{
    const struct nadam_config *c = o->config;
    double t = (double)o->t, mu = nadam_mu(c, t), mu_next = nadam_mu(c, t + 1);
    o->product *= mu;
    o->coef[0] = (float)sqrt(1.0 - pow(c->beta_2, t));
    o->coef[1] = (float)(-c->learning_rate * (1.0 - mu) / (1.0 - o->product));
    o->coef[2] = (float)(-c->learning_rate * mu_next / (1.0 - o->product * mu_next));
}

LT_SIMD_CLONES
static void nadam_step(const lt_optim *o, float *w, const float *g, size_t from, size_t to)
{
    const struct nadam_config *c = o->config;
    const float b1 = (float)c->beta_1, b2 = (float)c->beta_2, eps = (float)c->epsilon;
    const float root_bc2 = o->coef[0], step_g = o->coef[1], step_m = o->coef[2];
    float *m = o->state, *v = o->state + o->n;
    for (size_t i = from; i < to; i++) {
        m[i] = m[i] * b1 + (1.0f - b1) * g[i];
        v[i] = v[i] * b2 + (1.0f - b2) * g[i] * g[i];
        float d = sqrtf(v[i]) / root_bc2 + eps;
        w[i] += step_g * (g[i] / d);
        w[i] += step_m * (m[i] / d);
    }
}

const lt_optim_kind lt_optim_sgd = {
    .spec = {.name = "sgd",
             .summary = "stochastic gradient descent, optionally with (Nesterov) momentum",
             .params = sgd_params,
             .n_params = LT_COUNT(sgd_params),
             .config_size = sizeof(struct sgd_config)},
    .slots = sgd_slots,
    .step = sgd_step,
};

const lt_optim_kind lt_optim_adam = {
    .spec = {.name = "adam",
             .summary = "Adam: steps scaled by running moments of the gradient",
             .params = adam_params,
             .n_params = LT_COUNT(adam_params),
             .config_size = sizeof(struct adam_config)},
    .slots = two_slots,
    .prepare = adam_prepare,
    .step = adam_step,
};

const lt_optim_kind lt_optim_rmsprop = {
    .spec = {.name = "rmsprop",
             .summary = "RMSprop: steps divided by a running root mean square of the gradient",
             .params = rmsprop_params,
             .n_params = LT_COUNT(rmsprop_params),
             .config_size = sizeof(struct rmsprop_config)},
    .slots = two_slots,
    .step = rmsprop_step,
};

const lt_optim_kind lt_optim_nadam = {
    .spec = {.name = "nadam",
             .summary = "NAdam as PyTorch's: Adam with Nesterov momentum on a decaying "
                        "momentum schedule",
             .params = nadam_params,
             .n_params = LT_COUNT(nadam_params),
             .config_size = sizeof(struct nadam_config)},
    .slots = two_slots,
    .prepare = nadam_prepare,
    .step = nadam_step,
};

const lt_spec_def *const lt_optim_kinds[] = {&lt_optim_sgd.spec, &lt_optim_adam.spec,
                                             &lt_optim_rmsprop.spec, &lt_optim_nadam.spec,
                                             NULL};

const lt_spec *lt_optim_default(void)
{
    static struct rmsprop_config config = {.learning_rate = RMSPROP_LEARNING_RATE,
                                           .rho = RMSPROP_RHO,
                                           .momentum = RMSPROP_MOMENTUM,
                                           .epsilon = RMSPROP_EPSILON};
    static const lt_spec spec = {.def = &lt_optim_rmsprop.spec, .config = &config};
    return &spec;
}

float lt_optim_plain_sgd_rate(const lt_optim *o)
{
    if (o->kind != &lt_optim_sgd)
        return 0;
    const struct sgd_config *c = o->config;
    return c->momentum == 0 ? (float)c->learning_rate : 0;
}

double lt_optim_learning_rate(const lt_spec *spec)
{
    if (spec->def == &lt_optim_sgd.spec)
        return ((const struct sgd_config *)spec->config)->learning_rate;
    if (spec->def == &lt_optim_adam.spec)
        return ((const struct adam_config *)spec->config)->learning_rate;
    if (spec->def == &lt_optim_nadam.spec)
        return ((const struct nadam_config *)spec->config)->learning_rate;
    return ((const struct rmsprop_config *)spec->config)->learning_rate;
}

int lt_optim_init(lt_optim *o, const lt_spec *spec, size_t n)
{
    const lt_optim_kind *kind = (const lt_optim_kind *)spec->def;
    size_t slots = kind->slots(spec->config);
    *o = (lt_optim){.kind = kind, .config = spec->config, .n = n, .product = 1.0};
    if (slots && n) {
        o->state = calloc(slots * n, sizeof *o->state);
        if (!o->state)
            return -1;
    }
    return 0;
}

/* Weights per block of a step: tens of microseconds of work, a few
 * blocks a thread for the networks' few hundred thousand weights. */
#define STEP_BLOCK 16384

struct step_job {
    const lt_optim *o;
    float *w;
    const float *g;
};

static void step_block(void *arg, size_t b)
{
    struct step_job *j = arg;
    size_t from = b * STEP_BLOCK, to = from + STEP_BLOCK < j->o->n ? from + STEP_BLOCK : j->o->n;
    j->o->kind->step(j->o, j->w, j->g, from, to);
}

void lt_optim_step(lt_optim *o, float *w, const float *g)
{
    o->t++;
    if (o->kind->prepare)
        o->kind->prepare(o);
    struct step_job j = {.o = o, .w = w, .g = g};
    lt_nn_parallel_for(step_block, &j, (o->n + STEP_BLOCK - 1) / STEP_BLOCK);
}

void lt_optim_reset(lt_optim *o)
{
    if (o->state)
        memset(o->state, 0, o->kind->slots(o->config) * o->n * sizeof *o->state);
    o->t = 0;
    o->product = 1.0;
}

void lt_optim_free(lt_optim *o)
{
    free(o->state);
    o->state = NULL;
}
