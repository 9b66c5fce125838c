#include "nn/progress.h"

#include <time.h>
#include <unistd.h>

#define BAR_WIDTH 24
#define REDRAW_SECONDS 0.1

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void lt_progress_init(lt_progress *p, bool enabled, int epochs, size_t batches,
                      const char *const *metric_names, size_t n_metrics)
{
    *p = (lt_progress){.enabled = enabled, .out = stderr, .epochs = epochs,
                       .batches = batches, .n_metrics = n_metrics,
                       .metric_names = metric_names};
    p->live = enabled && isatty(fileno(stderr));
}

void lt_progress_epoch(lt_progress *p, int epoch)
{
    p->epoch = epoch;
    p->started = now();
    p->drawn = 0;
}

static void values(const lt_progress *p, const char *prefix, double loss, const double *metrics)
{
    fprintf(p->out, "  %sloss %.4f", prefix, loss);
    for (size_t k = 0; k < p->n_metrics; k++)
        fprintf(p->out, "  %s%s %.4f", prefix, p->metric_names[k], metrics[k]);
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
    fprintf(p->out, "\r\033[Kepoch %d/%d [", p->epoch, p->epochs);
    for (int i = 0; i < BAR_WIDTH; i++)
        fputc(i < filled ? '=' : i == filled ? '>' : ' ', p->out);
    fprintf(p->out, "] %zu/%zu", done, p->batches);
    values(p, "", loss, metrics);
    fprintf(p->out, "  %.0f batch/s  ETA %.1f s", rate, eta);
    fflush(p->out);
}

void lt_progress_end(lt_progress *p, double loss, const double *metrics, double val_loss,
                     const double *val_metrics)
{
    if (!p->enabled)
        return;
    double elapsed = now() - p->started;
    if (p->live)
        fprintf(p->out, "\r\033[K");
    fprintf(p->out, "epoch %d/%d  %zu batches  %.2f s", p->epoch, p->epochs, p->batches, elapsed);
    values(p, "", loss, metrics);
    if (val_metrics)
        values(p, "val_", val_loss, val_metrics);
    fputc('\n', p->out);
    fflush(p->out);
}
