/* The variational autoencoder's parts against PyTorch
 * (tests/reference/make_vae.py): Nadam step by step, the
 * reparameterisation and KL term, gradient checks of the sampling layer
 * with fixed eps and of the KL term, and a few training steps of small and
 * Geron-sized VAEs from the same weights and eps, and of the Keras
 * example's convolutional VAE (Adam, summed loss); the latent grid's normal
 * quantiles against scipy. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/net.h"
#include "nn/optim.h"
#include "nn/parallel.h"
#include "nn/shares.h"
#include "nn/vae_latent.h"
#include "nn/vae_train.h"
#include "stages/vae.h"
#include "testnn.h"
#include "testutil.h"

const char *lt_test_root = ".";
static lt_json *ref;

/* An owned float copy of a JSON array of numbers. */
static float *floats(const lt_json *a, size_t *n)
{
    *n = lt_json_size(a);
    float *f = malloc((*n ? *n : 1) * sizeof *f);
    if (!f)
        exit(1);
    for (size_t i = 0; i < *n; i++)
        f[i] = (float)lt_json_number(lt_json_value_at(a, i));
    return f;
}

static double maxdiff_f(const float *a, const lt_json *want)
{
    size_t n = lt_json_size(want);
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs((double)a[i] - lt_json_number(lt_json_value_at(want, i))));
    return m;
}

static void test_nadam(void)
{
    const lt_json *c = lt_json_get(ref, "nadam");
    char yaml[128];
    snprintf(yaml, sizeof yaml, "optimizer: {nadam: {learning_rate: %.17g}}",
             lt_json_number(lt_json_get(c, "lr")));
    test_specs specs = test_specs_bind(yaml);
    size_t n;
    float *w = floats(lt_json_get(c, "w0"), &n);
    lt_optim opt;
    CU_ASSERT_EQUAL_FATAL(lt_optim_init(&opt, &specs.optimizer.items[0], n), 0);
    const lt_json *grads = lt_json_get(c, "grads"), *after = lt_json_get(c, "after");
    double worst = 0;
    for (size_t t = 0; t < lt_json_size(grads); t++) {
        size_t gn;
        float *g = floats(lt_json_value_at(grads, t), &gn);
        lt_optim_step(&opt, w, g);
        worst = fmax(worst, maxdiff_f(w, lt_json_value_at(after, t)));
        free(g);
    }
    NEAR("nadam: 25 steps of 7 weights vs torch.optim.NAdam", worst, 1e-6);
    lt_optim_free(&opt);
    free(w);
    test_specs_free(&specs);
}

/* A network of one vae_latent layer whose input is [mean | log_var]: the
 * heads are identities, so the layer samples the given mean and log_var. */
static void identity_latent(lt_net *net, struct lt_vae_latent_config *lc, lt_spec *spec, int d,
                            size_t batch)
{
    lc->latent_dim = d;
    *spec = (lt_spec){.def = &lt_layer_vae_latent.spec, .config = lc};
    lt_nn_shape in = lt_nn_shape_1d(2 * d);
    size_t bad;
    CU_ASSERT_EQUAL_FATAL(lt_net_build(net, spec, 1, &in, batch, 1, &bad, NULL),
                          LT_NET_OK);
    float *w = net->w;
    size_t in_size = (size_t)(2 * d), k = (size_t)d;
    memset(w, 0, net->n_weights * sizeof *w);
    for (size_t j = 0; j < k; j++) {
        w[j * k + j] = 1;                                   /* mean head: rows 0..d */
        w[in_size * k + k + (k + j) * k + j] = 1;           /* log_var head: rows d..2d */
    }
}

static void test_reparameterisation(void)
{
    const lt_json *c = lt_json_get(ref, "sampling");
    size_t nm, nl, ne;
    float *mean = floats(lt_json_get(c, "mean"), &nm), *lv = floats(lt_json_get(c, "log_var"), &nl);
    float *eps = floats(lt_json_get(c, "eps"), &ne);
    const int d = 3;
    size_t rows = nm / d;
    float *x = malloc(rows * 2 * d * sizeof *x);
    CU_ASSERT_FATAL(x != NULL);
    for (size_t i = 0; i < rows; i++) {
        memcpy(x + i * 2 * d, mean + i * d, d * sizeof *x);
        memcpy(x + i * 2 * d + d, lv + i * d, d * sizeof *x);
    }
    lt_net net;
    struct lt_vae_latent_config lc;
    lt_spec spec;
    identity_latent(&net, &lc, &spec, d, rows);
    lt_vae_latent *st = lt_vae_latent_of(&net.layers[0]);
    st->eps_mode = LT_VAE_EPS_FIXED;
    st->fixed_eps = eps;
    st->kl_sum = 0;
    const float *z = lt_net_forward(&net, x, rows, 1, true);
    NEAR("z = mean + exp(log_var / 2) eps vs torch", maxdiff_f(z, lt_json_get(c, "z")), 1e-6);
    double kl_want = 0, kl_one = 0;
    const lt_json *kl = lt_json_get(c, "kl");
    for (size_t i = 0; i < rows; i++)
        kl_want += lt_json_number(lt_json_value_at(kl, i));
    kl_one = lt_vae_kl(mean, lv, d);
    NEAR("KL summed over the batch vs torch (float64)", fabs(st->kl_sum - kl_want), 1e-9);
    NEAR("KL of the first sample vs torch", fabs(kl_one - lt_json_number(lt_json_value_at(kl, 0))),
         1e-12);
    /* eps_mode zero: z is the mean (the codings). */
    st->eps_mode = LT_VAE_EPS_ZERO;
    z = lt_net_forward(&net, x, rows, 1, false);
    double m = 0;
    for (size_t i = 0; i < nm; i++)
        m = fmax(m, fabs((double)z[i] - (double)mean[i]));
    NEAR("eps zero: z is the mean", m, 0);
    lt_net_free(&net);
    free(x);
    free(mean);
    free(lv);
    free(eps);
}

/* J = sum r_i z_i + kl_coef / n * sum_samples KL, through a dense layer
 * into the latent layer, eps fixed. */
struct kl_probe {
    lt_net net;
    size_t n;
    const float *x, *r;
    double kl_coef;
};

static double kl_objective(struct kl_probe *p)
{
    lt_vae_latent *st = lt_vae_latent_of(&p->net.layers[1]);
    st->kl_sum = 0;
    const float *z = lt_net_forward(&p->net, p->x, p->n, 2, true);
    double s = 0;
    for (size_t i = 0; i < p->n * 3; i++)
        s += (double)p->r[i] * (double)z[i];
    return s + p->kl_coef / (double)p->n * st->kl_sum;
}

/* Returns the mismatches between analytic and central-difference
 * gradients of J for weights and inputs. */
static int check_latent_gradients(double r_scale, double kl_coef, const char *label)
{
    enum { N = 4, IN = 5, D = 3 };
    test_specs specs = test_specs_bind("layers: [{dense: {units: 6, activation: tanh}}]");
    struct lt_vae_latent_config lc = {.latent_dim = D};
    lt_spec layers[2] = {specs.layers.items[0], {.def = &lt_layer_vae_latent.spec, .config = &lc}};
    struct kl_probe p = {.n = N, .kl_coef = kl_coef};
    lt_nn_shape in = lt_nn_shape_1d(IN);
    size_t bad;
    CU_ASSERT_EQUAL_FATAL(lt_net_build(&p.net, layers, 2, &in, N, 3, &bad, NULL),
                          LT_NET_OK);
    float x[N * IN], r[N * D], eps[N * D], dx[N * IN];
    lt_rng rng;
    lt_rng_seed(&rng, 4);
    for (size_t i = 0; i < N * IN; i++)
        x[i] = (float)lt_rng_gauss(&rng);
    for (size_t i = 0; i < N * D; i++) {
        r[i] = (float)(r_scale * lt_rng_gauss(&rng));
        eps[i] = (float)lt_rng_gauss(&rng);
    }
    for (size_t i = 0; i < p.net.n_weights; i++)
        p.net.w[i] += (float)(0.3 * lt_rng_gauss(&rng));
    p.x = x;
    p.r = r;
    lt_vae_latent *st = lt_vae_latent_of(&p.net.layers[1]);
    st->eps_mode = LT_VAE_EPS_FIXED;
    st->fixed_eps = eps;
    st->kl_coef = kl_coef;
    kl_objective(&p);
    memcpy(lt_net_output_grad(&p.net), r, sizeof r);
    lt_net_backward(&p.net, N, dx);
    size_t nw = p.net.n_weights;
    float *g = malloc(nw * sizeof *g);
    CU_ASSERT_FATAL(g != NULL);
    memcpy(g, p.net.g, nw * sizeof *g);
    int bad_count = 0;
    double worst = 0;
    const float step = 1e-2f;
    for (size_t j = 0; j < nw + N * IN; j++) {
        float *v = j < nw ? &p.net.w[j] : &x[j - nw];
        double analytic = j < nw ? g[j] : dx[j - nw];
        float keep = *v;
        *v = keep + step;
        double up = kl_objective(&p);
        *v = keep - step;
        double down = kl_objective(&p);
        *v = keep;
        double numeric = (up - down) / (2.0 * step), diff = fabs(analytic - numeric);
        worst = fmax(worst, diff);
        if (diff > 2e-3 + 1e-2 * fmax(fabs(analytic), fabs(numeric)) && bad_count++ < 5)
            printf("\n    %s: %s %zu analytic %.6g numeric %.6g", label,
                   j < nw ? "weight" : "input", j < nw ? j : j - nw, analytic, numeric);
    }
    printf("\n    %-62s max|diff| %.2g", label, worst);
    free(g);
    lt_net_free(&p.net);
    test_specs_free(&specs);
    return bad_count;
}

static void test_gradients(void)
{
    CU_ASSERT_EQUAL(check_latent_gradients(1, 0, "sampling layer, fixed eps (no KL)"), 0);
    CU_ASSERT_EQUAL(check_latent_gradients(0, 2.5, "KL term alone"), 0);
    CU_ASSERT_EQUAL(check_latent_gradients(1, 0.7, "sampling and KL together"), 0);
}

/* "layers: [{dense: {units: 8, activation: selu}}, ...]" for UNITS, the last
 * with LAST_ACT. */
static void dense_yaml(const lt_json *units, const char *last_act, char *buf, size_t size)
{
    size_t k = (size_t)snprintf(buf, size, "layers: [");
    for (size_t i = 0; i < lt_json_size(units); i++)
        k += (size_t)snprintf(buf + k, size - k, "%s{dense: {units: %d, activation: %s}}",
                              i ? ", " : "", (int)lt_json_number(lt_json_value_at(units, i)),
                              i + 1 == lt_json_size(units) ? last_act : "selu");
    snprintf(buf + k, size - k, "]");
}

/* Builds case C's network on FEATURES inputs at the case's batch and seed:
 * ENC's layers, the latent layer of config LC, DEC's layers. */
static void build_case_net(const lt_json *c, const test_specs *enc, const test_specs *dec,
                           struct lt_vae_latent_config *lc, size_t features, lt_net *net)
{
    size_t ne = enc->layers.n, nd = dec->layers.n, n = ne + nd + 1, bad;
    lt_spec specs[24];
    CU_ASSERT_FATAL(n <= 24);
    memcpy(specs, enc->layers.items, ne * sizeof *specs);
    specs[ne] = (lt_spec){.def = &lt_layer_vae_latent.spec, .config = lc};
    memcpy(specs + ne + 1, dec->layers.items, nd * sizeof *specs);
    lt_nn_shape in = lt_nn_shape_1d((int)features);
    CU_ASSERT_EQUAL_FATAL(lt_net_build(net, specs, n, &in,
                                       (size_t)lt_json_number(lt_json_get(c, "batch")),
                                       (uint32_t)lt_json_number(lt_json_get(c, "seed")), &bad, NULL),
                          LT_NET_OK);
}

/* Replays one reference step: trains NET on the BATCH rows at X, shared
 * among VS's threads (NULL: alone), into *GOT, and reads the step's
 * reference losses STEP into *WANT. */
static void replay_step(lt_net *net, lt_optim *opt, const lt_vae_config *cfg, const float *x,
                        size_t batch, lt_vae_shares *vs, const lt_json *step, lt_vae_losses *got,
                        lt_vae_losses *want)
{
    CU_ASSERT_EQUAL(lt_vae_shares_step(net, opt, cfg, x, batch, vs, got), LT_VAE_OK);
    *want = (lt_vae_losses){.loss = lt_json_number(lt_json_get(step, "loss")),
                            .reconstruction = lt_json_number(lt_json_get(step, "reconstruction")),
                            .kl = lt_json_number(lt_json_get(step, "kl"))};
}

/* THREADS > 1: each batch shared among that many threads
 * (lt_vae_shares_step), which must follow torch as closely as one thread. */
static void training_case(const lt_json *c, int threads)
{
    const char *name = lt_json_string(lt_json_get(c, "name"));
    char yaml[1024], label[128];
    dense_yaml(lt_json_get(c, "encoder"), "selu", yaml, sizeof yaml);
    test_specs enc = test_specs_bind(yaml);
    dense_yaml(lt_json_get(c, "decoder"), "sigmoid", yaml, sizeof yaml);
    test_specs dec = test_specs_bind(yaml);
    snprintf(yaml, sizeof yaml, "optimizer: {nadam: {learning_rate: %.17g}}",
             lt_json_number(lt_json_get(c, "learning_rate")));
    test_specs opt_spec = test_specs_bind(yaml);
    struct lt_vae_latent_config lc = {.latent_dim = (int)lt_json_number(lt_json_get(c, "latent_dim"))};
    size_t ne = enc.layers.n, nd = dec.layers.n;
    size_t features = (size_t)lt_json_number(lt_json_get(c, "features"));
    size_t batch = (size_t)lt_json_number(lt_json_get(c, "batch"));
    const lt_json *steps = lt_json_get(c, "steps");
    lt_net net;
    build_case_net(c, &enc, &dec, &lc, features, &net);
    lt_optim opt;
    CU_ASSERT_EQUAL_FATAL(lt_optim_init(&opt, &opt_spec.optimizer.items[0], net.n_weights), 0);
    size_t rows = batch * lt_json_size(steps);
    float *x = malloc(rows * features * sizeof *x);
    CU_ASSERT_FATAL(x != NULL);
    lt_rng data;
    lt_rng_seed(&data, (uint32_t)lt_json_number(lt_json_get(c, "data_seed")));
    for (size_t i = 0; i < rows * features; i++)
        x[i] = (float)lt_rng_uniform(&data);
    const char *reduction = lt_json_string(lt_json_get(c, "reduction"));
    lt_vae_config cfg = {.loss = LT_LOSS_BINARY_CROSSENTROPY,
                         .reduction = strcmp(reduction, "sum") == 0 ? LT_VAE_SUM : LT_VAE_MEAN,
                         .kl_weight = lt_json_number(lt_json_get(c, "kl_weight")),
                         .latent = ne};
    lt_vae_shares vs = {0};
    if (threads > 1) {
        CU_ASSERT_EQUAL_FATAL(lt_nn_parallel_set_threads(threads), threads);
        int shared = lt_vae_shares_init(&vs, &net, ne, threads);
        if (batch < (size_t)threads * LT_SHARES_MIN_ROWS) {
            CU_ASSERT_EQUAL(shared, 0); /* too few rows a share: the caller steps alone */
            lt_nn_parallel_set_threads(1);
            threads = 1;
        } else {
            CU_ASSERT_EQUAL_FATAL(shared, 1);
        }
    }
    double worst = 0, worst_parts = 0;
    for (size_t s = 0; s < lt_json_size(steps); s++) {
        lt_vae_losses got, want;
        replay_step(&net, &opt, &cfg, x + s * batch * features, batch, threads > 1 ? &vs : NULL,
                    lt_json_value_at(steps, s), &got, &want);
        double scale = fmax(1, fabs(want.loss));
        worst = fmax(worst, fabs(got.loss - want.loss) / scale);
        worst_parts = fmax(worst_parts, fabs(got.reconstruction - want.reconstruction) / scale);
        worst_parts = fmax(worst_parts, fabs(got.kl - want.kl) / scale);
    }
    if (threads > 1) {
        lt_vae_shares_free(&vs);
        lt_nn_parallel_set_threads(1);
    }
    snprintf(label, sizeof label, "%s (%s, %d threads): %zu steps' losses vs torch, relative",
             name, reduction, threads, lt_json_size(steps));
    NEAR(label, worst, 1e-6);
    snprintf(label, sizeof label, "%s: reconstruction and KL parts, relative", name);
    NEAR(label, worst_parts, 1e-6);
    const lt_json *final = lt_json_get(c, "final");
    double wd = 0;
    for (size_t i = 0; i < ne + nd; i++) {
        size_t li = i < ne ? i : i + 1;
        char key[64];
        snprintf(key, sizeof key, "layer%zu_kernel_head", i);
        wd = fmax(wd, maxdiff_f(net.layers[li].w, lt_json_get(final, key)));
    }
    const lt_layer *lat = &net.layers[ne];
    wd = fmax(wd, maxdiff_f(lat->w, lt_json_get(final, "mean_head_kernel_head")));
    wd = fmax(wd, maxdiff_f(lat->w + lat->in_size * (size_t)lc.latent_dim + (size_t)lc.latent_dim,
                            lt_json_get(final, "log_var_head_kernel_head")));
    snprintf(label, sizeof label, "%s: weights after the last step", name);
    NEAR(label, wd, 1e-6);
    free(x);
    lt_optim_free(&opt);
    lt_net_free(&net);
    test_specs_free(&enc);
    test_specs_free(&dec);
    test_specs_free(&opt_spec);
}

static void test_training(void)
{
    const lt_json *cases = lt_json_get(ref, "training");
    CU_ASSERT_EQUAL_FATAL(lt_json_size(cases), 3);
    for (size_t i = 0; i < lt_json_size(cases); i++)
        for (int threads = 1; threads <= 3; threads++)
            training_case(lt_json_value_at(cases, i), threads);
}

/* "layers: " and the JSON string KEY (a layer list in the pipelines' flow
 * style), bound. */
static test_specs flow_layers(const lt_json *c, const char *key)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml, "layers: %s", lt_json_string(lt_json_get(c, key)));
    return test_specs_bind(yaml);
}

/* The conv case's weights at the start, for each weighted layer's summed
 * change (the reference's "moved"). */
static double layer_moved(const lt_layer *l, const float *w0)
{
    double s = 0;
    for (size_t i = 0; i < l->n_weights; i++)
        s += (double)l->w[i] - (double)w0[i];
    return s;
}

struct conv_result {
    double loss[8];
    double worst, worst_parts, worst_weights, worst_moved;
    bool shared; /* the batches were shared among threads by rows */
};

/* The convolutional VAE of pipelines/vae_conv.yaml (reference:
 * make_vae.py conv_steps_case) on THREADS threads: the stage's
 * lt_nn_own_threads, and with the trainer's row shares (nn/vae_shares.h)
 * where the batch gives each thread enough rows. */
static struct conv_result conv_training_case(const lt_json *c, int threads)
{
    struct conv_result r = {0};
    const char *name = lt_json_string(lt_json_get(c, "name"));
    char yaml[256], label[160];
    test_specs enc = flow_layers(c, "encoder"), dec = flow_layers(c, "decoder");
    snprintf(yaml, sizeof yaml, "optimizer: {adam: {learning_rate: %.17g}}",
             lt_json_number(lt_json_get(c, "learning_rate")));
    test_specs opt_spec = test_specs_bind(yaml);
    struct lt_vae_latent_config lc = {.latent_dim = (int)lt_json_number(lt_json_get(c, "latent_dim"))};
    size_t ne = enc.layers.n, n = ne + dec.layers.n + 1;
    CU_ASSERT_EQUAL_FATAL(ne, (size_t)lt_json_number(lt_json_get(c, "n_encoder")));
    const size_t features = 784, batch = (size_t)lt_json_number(lt_json_get(c, "batch"));
    const lt_json *steps = lt_json_get(c, "steps");
    CU_ASSERT_FATAL(lt_json_size(steps) <= 8);
    lt_net net;
    build_case_net(c, &enc, &dec, &lc, features, &net);
    CU_ASSERT(lt_vae_shares_fit(&net, ne)); /* every layer kind is by_rows */
    lt_optim opt;
    CU_ASSERT_EQUAL_FATAL(lt_optim_init(&opt, &opt_spec.optimizer.items[0], net.n_weights), 0);
    float *w0 = malloc(net.n_weights * sizeof *w0);
    size_t rows = batch * lt_json_size(steps);
    float *x = malloc(rows * features * sizeof *x);
    CU_ASSERT_FATAL(x != NULL && w0 != NULL);
    memcpy(w0, net.w, net.n_weights * sizeof *w0);
    lt_rng data;
    lt_rng_seed(&data, (uint32_t)lt_json_number(lt_json_get(c, "data_seed")));
    for (size_t i = 0; i < rows * features; i++) {
        double u = lt_rng_uniform(&data);
        x[i] = (float)(u * u * u);
    }
    lt_vae_config cfg = {.loss = LT_LOSS_BINARY_CROSSENTROPY, .reduction = LT_VAE_SUM,
                         .kl_weight = 1, .latent = ne};
    lt_vae_latent_of(&net.layers[ne])->eps_mode = LT_VAE_EPS_DRAW;
    lt_nn_threads before = lt_nn_own_threads(threads);
    /* As lt_vae_train: row shares when each thread gets enough rows (the
     * batch of 128), else one step whose layers spread their blocks. */
    lt_vae_shares vs = {0};
    int shared = threads > 1 ? lt_vae_shares_init(&vs, &net, ne, threads) : 0;
    CU_ASSERT_EQUAL(shared, batch >= (size_t)threads * LT_SHARES_MIN_ROWS && threads > 1);
    r.shared = shared > 0;
    for (size_t s = 0; s < lt_json_size(steps); s++) {
        lt_vae_losses got, want;
        replay_step(&net, &opt, &cfg, x + s * batch * features, batch, shared > 0 ? &vs : NULL,
                    lt_json_value_at(steps, s), &got, &want);
        r.loss[s] = got.loss;
        r.worst = fmax(r.worst, fabs(got.loss - want.loss) / fabs(want.loss));
        /* Each part on its own scale: the KL is a thousandth of the loss. */
        r.worst_parts = fmax(r.worst_parts, fabs(got.reconstruction - want.reconstruction) /
                                                fabs(want.reconstruction));
        r.worst_parts = fmax(r.worst_parts, fabs(got.kl - want.kl) / fabs(want.kl));
    }
    if (shared > 0)
        lt_vae_shares_free(&vs);
    lt_nn_restore_threads(before);
    const lt_json *final = lt_json_get(c, "final"), *moved = lt_json_get(c, "moved");
    size_t k = 0;
    for (size_t li = 0; li < n; li++) {
        const lt_layer *l = &net.layers[li];
        if (!l->n_weights)
            continue;
        double want = lt_json_number(lt_json_value_at(moved, k++));
        double got = layer_moved(l, w0 + (size_t)(l->w - net.w));
        r.worst_moved = fmax(r.worst_moved, fabs(got - want) / fmax(fabs(want), 1e-2));
        if (li == ne)
            continue;
        char key[64];
        size_t filters = (size_t)l->out.dim[l->out.rank - 1];
        snprintf(key, sizeof key, "layer%zu_kernel_head", li);
        r.worst_weights = fmax(r.worst_weights, maxdiff_f(l->w, lt_json_get(final, key)));
        snprintf(key, sizeof key, "layer%zu_bias_head", li);
        r.worst_weights = fmax(r.worst_weights,
                               maxdiff_f(l->w + l->n_weights - filters, lt_json_get(final, key)));
    }
    CU_ASSERT_EQUAL(k, lt_json_size(moved));
    const lt_layer *lat = &net.layers[ne];
    size_t d = (size_t)lc.latent_dim, head = lat->in_size * d + d;
    r.worst_weights = fmax(r.worst_weights,
                           maxdiff_f(lat->w, lt_json_get(final, "mean_head_kernel_head")));
    r.worst_weights = fmax(r.worst_weights,
                           maxdiff_f(lat->w + head, lt_json_get(final, "log_var_head_kernel_head")));
    r.worst_weights = fmax(r.worst_weights,
                           maxdiff_f(lat->w + head + lat->in_size * d,
                                     lt_json_get(final, "log_var_head_bias")));
    snprintf(label, sizeof label, "%s (%d threads): %zu steps' losses vs torch, rel.", name,
             threads, lt_json_size(steps));
    NEAR(label, r.worst, 1e-6);
    /* The parts, weights and changes carry float32 summation noise that
     * Adam's first steps amplify: a gradient element near zero, where the
     * products' rounding decides its sign, moves its weight by up to the
     * whole learning rate. How much depends on OpenBLAS's kernels: on the
     * batch of 128, 1.2e-6, 3.7e-9 and 2.7e-7 with its AVX-512 ones, 1.0e-5,
     * 2.3e-6 and 2.2e-4 with its Haswell ones (OPENBLAS_CORETYPE=Haswell).
     * The bounds sit above the second; a wrong gradient is off by orders
     * of magnitude more. */
    snprintf(label, sizeof label, "%s: reconstruction, KL, each relative", name);
    NEAR(label, r.worst_parts, 1e-4);
    snprintf(label, sizeof label, "%s: weights after the last step", name);
    NEAR(label, r.worst_weights, 1e-5);
    snprintf(label, sizeof label, "%s: each layer's summed change, rel.", name);
    NEAR(label, r.worst_moved, 1e-3);
    free(x);
    free(w0);
    lt_optim_free(&opt);
    lt_net_free(&net);
    test_specs_free(&enc);
    test_specs_free(&dec);
    test_specs_free(&opt_spec);
    return r;
}

static void test_conv_training(void)
{
    const lt_json *cases = lt_json_get(ref, "conv_training");
    CU_ASSERT_EQUAL_FATAL(lt_json_size(cases), 2);
    for (size_t i = 0; i < lt_json_size(cases); i++) {
        const lt_json *c = lt_json_value_at(cases, i);
        struct conv_result one = conv_training_case(c, 1), two = conv_training_case(c, 2);
        /* Unshared, the layers add their blocks' gradients in block order:
         * the thread count changes nothing. Shared, it changes the order of
         * the gradient's sum over the shares, and so the last bits. */
        double m = 0;
        for (size_t s = 0; s < 8; s++)
            m = fmax(m, fabs(one.loss[s] - two.loss[s]) / fmax(1, fabs(one.loss[s])));
        if (two.shared)
            NEAR("conv VAE: 2 threads' shared losses vs 1 thread's, relative", m, 1e-6);
        else
            NEAR("conv VAE: 2 threads' losses vs 1 thread's", m, 0);
    }
}


static void test_quantiles(void)
{
    const lt_json *c = lt_json_get(ref, "quantile");
    const lt_json *p = lt_json_get(c, "p"), *z = lt_json_get(c, "z");
    double worst = 0;
    for (size_t i = 0; i < lt_json_size(p); i++)
        worst = fmax(worst, fabs(vae_normal_quantile(lt_json_number(lt_json_value_at(p, i))) -
                                 lt_json_number(lt_json_value_at(z, i))));
    NEAR("normal quantiles of the latent grid vs scipy's norm.ppf", worst, 1e-12);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    ref = lt_test_reference("vae.json");
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("nn_vae", NULL, NULL);
    CU_add_test(s, "nadam steps vs torch", test_nadam);
    CU_add_test(s, "reparameterisation and KL vs torch", test_reparameterisation);
    CU_add_test(s, "gradient checks: sampling with fixed eps, KL", test_gradients);
    CU_add_test(s, "VAE training steps vs torch", test_training);
    CU_add_test(s, "convolutional VAE training steps vs torch", test_conv_training);
    CU_add_test(s, "normal quantiles vs scipy", test_quantiles);
    int rc = lt_test_run();
    lt_json_free(ref);
    return rc;
}
