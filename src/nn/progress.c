#include "nn/progress.h"

#include <string.h>
#include <time.h>

#define BAR_WIDTH 24
#define REDRAW_SECONDS 0.1

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void lt_progress_init(lt_progress *p, lt_ctx *ctx, int epochs, size_t batches,
                      const char *const *metric_names, size_t n_metrics)
{
    *p = (lt_progress){.ctx = ctx, .enabled = lt_progress_shown(ctx, false), .epochs = epochs,
                       .batches = batches, .n_metrics = n_metrics, .metric_names = metric_names};
    p->live = lt_progress_shown(ctx, true);
}

void lt_progress_epoch(lt_progress *p, int epoch)
{
    p->epoch = epoch;
    p->started = now();
    p->drawn = 0;
}

/* Appends "  PREFIXloss L  PREFIXmetric M ..." to LINE (of SIZE bytes). */
static void values(const lt_progress *p, char *line, size_t size, const char *prefix, double loss,
                   const double *metrics)
{
    size_t used = strlen(line);
    used += (size_t)snprintf(line + used, used < size ? size - used : 0, "  %sloss %.4f", prefix, loss);
    for (size_t k = 0; k < p->n_metrics && used < size; k++)
        used += (size_t)snprintf(line + used, size - used, "  %s%s %.4f", prefix, p->metric_names[k],
                                 metrics[k]);
}

void lt_progress_batch(lt_progress *p, size_t done, double loss, const double *metrics)
{
    if (!p->live)
        return;
    double t = now();
    if (done < p->batches && t - p->drawn < REDRAW_SECONDS)
        return;
    p->drawn = t;
    double elapsed = t - p->started, rate = elapsed > 0 ? (double)done / elapsed : 0;
    double eta = rate > 0 ? (double)(p->batches - done) / rate : 0;
    int filled = p->batches ? (int)(BAR_WIDTH * done / p->batches) : BAR_WIDTH;
    char bar[BAR_WIDTH + 1], line[1024];
    for (int i = 0; i < BAR_WIDTH; i++)
        bar[i] = i < filled ? '=' : i == filled ? '>' : ' ';
    bar[BAR_WIDTH] = '\0';
    snprintf(line, sizeof line, "epoch %d/%d [%s] %zu/%zu", p->epoch, p->epochs, bar, done, p->batches);
    values(p, line, sizeof line, "", loss, metrics);
    lt_progress_say(p->ctx, true, "%s  %.0f batch/s  ETA %.1f s", line, rate, eta);
}

void lt_progress_end(lt_progress *p, double loss, const double *metrics, double val_loss,
                     const double *val_metrics)
{
    if (!p->enabled)
        return;
    char line[2048];
    snprintf(line, sizeof line, "epoch %d/%d  %zu batches  %.2f s", p->epoch, p->epochs, p->batches,
             now() - p->started);
    values(p, line, sizeof line, "", loss, metrics);
    if (val_metrics)
        values(p, line, sizeof line, "val_", val_loss, val_metrics);
    lt_progress_say(p->ctx, false, "%s", line);
}
