/* The autoencoder stage's model summary and its training metrics. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stages/autoencoder.h"

/* 163814 -> "163,814", as Keras's summary prints counts. */
static const char *grouped(size_t v, char *buf, size_t size)
{
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%zu", v), k = 0;
    for (int i = 0; i < n && (size_t)k + 2 < size; i++) {
        if (i && (n - i) % 3 == 0)
            buf[k++] = ',';
        buf[k++] = digits[i];
    }
    buf[k] = '\0';
    return buf;
}

static size_t part_weights(const ae_model *m, size_t from, size_t to)
{
    size_t sum = 0;
    for (size_t i = from; i < to; i++)
        sum += m->net.layers[i].n_weights;
    return sum;
}

void ae_print_summary(lt_ctx *ctx, const struct autoencoder_config *cfg, const ae_model *m)
{
    char shape[64], count[32], name[64];
    if (!lt_progress_shown(ctx, false))
        return;
    lt_progress_say(ctx, false, "model of stage '%s' (input %s)", lt_ctx_stage(ctx),
                    lt_nn_shape_text(&m->net.in, shape, sizeof shape));
    lt_progress_say(ctx, false, "  %-26s %-16s %12s", "layer", "output shape", "params");
    for (size_t i = 0; i < m->net.n_layers; i++) {
        const lt_layer *l = &m->net.layers[i];
        char where[32];
        ae_layer_name(cfg, i, where, sizeof where);
        snprintf(name, sizeof name, "%s %s", where, l->kind->spec.name);
        lt_progress_say(ctx, false, "  %-26s %-16s %12s", name,
                        lt_nn_shape_text(&l->out, shape, sizeof shape),
                        grouped(l->n_weights, count, sizeof count));
    }
    char enc[32], dec[32];
    lt_progress_say(ctx, false, "  total params: %s (encoder %s, decoder %s)",
                    grouped(m->net.n_weights, count, sizeof count),
                    grouped(part_weights(m, 0, m->n_encoder), enc, sizeof enc),
                    grouped(part_weights(m, m->n_encoder, m->net.n_layers), dec, sizeof dec));
}

void ae_report_params(lt_ctx *ctx, const ae_model *m)
{
    size_t n = m->net.n_layers;
    double *per_layer = calloc(n ? n : 1, sizeof *per_layer);
    if (per_layer)
        for (size_t i = 0; i < n; i++)
            per_layer[i] = (double)m->net.layers[i].n_weights;
    lt_report_vec(ctx, "layer_params", per_layer, n); /* NULL: out of memory, the run fails */
    free(per_layer);
    lt_report_int(ctx, "params", (long long)m->net.n_weights);
    lt_report_int(ctx, "encoder_params", (long long)part_weights(m, 0, m->n_encoder));
    lt_report_int(ctx, "decoder_params", (long long)part_weights(m, m->n_encoder, n));
    /* A list of numbers, as numpy's .shape reads, not the text "[2]". */
    const lt_nn_shape *codings = &m->net.layers[m->n_encoder - 1].out;
    double dims[LT_NN_MAX_RANK];
    for (int i = 0; i < codings->rank; i++)
        dims[i] = codings->dim[i];
    lt_report_vec(ctx, "codings_shape", dims, codings->rank > 0 ? (size_t)codings->rank : 0);
}

/* Reports NAME (the final epoch's value) and history.NAME (every epoch). */
static void report_series(lt_ctx *ctx, const char *name, const double *v, const lt_history *h)
{
    char key[160];
    snprintf(key, sizeof key, "history.%s", name);
    lt_report_vec(ctx, key, v, (size_t)h->epochs);
    if (h->final_epoch > 0)
        lt_report_num(ctx, name, v[h->final_epoch - 1]);
}

void ae_report_history(lt_ctx *ctx, const struct autoencoder_config *cfg, const lt_history *h)
{
    lt_report_int(ctx, "epochs_run", h->epochs);
    lt_report_int(ctx, "best_epoch", h->best_epoch);
    lt_report_int(ctx, "final_epoch", h->final_epoch);
    lt_report_bool(ctx, "stopped_early", h->stopped_early);
    report_series(ctx, "loss", h->loss, h);
    for (size_t k = 0; k < h->n_metrics; k++)
        report_series(ctx, cfg->metrics.items[k].def->name, h->metric + k * h->capacity, h);
    if (!h->has_valid)
        return;
    report_series(ctx, "val_loss", h->val_loss, h);
    for (size_t k = 0; k < h->n_metrics; k++) {
        char name[128];
        snprintf(name, sizeof name, "val_%s", cfg->metrics.items[k].def->name);
        report_series(ctx, name, h->val_metric + k * h->capacity, h);
    }
}
