#include "nn/loss.h"

#include <math.h>

#include "nn/vmath.h"

const char *const lt_loss_names[] = {"mse", "binary_crossentropy", NULL};

/* Terms are computed a chunk at a time into a small buffer by a loop the
 * compiler vectorises, then summed in double, in a fixed order. */
#define CHUNK LT_LOSS_CHUNK

LT_SIMD_CLONES
static double sum_terms(const float *term, size_t n)
{
    double s[4] = {0, 0, 0, 0};
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        for (int k = 0; k < 4; k++)
            s[k] += (double)term[i + k];
    for (; i < n; i++)
        s[0] += (double)term[i];
    return (s[0] + s[1]) + (s[2] + s[3]);
}

/* The terms (and, with GRAD, SCALE times their derivatives) of N
 * predictions, into TERM. */
LT_SIMD_CLONES
static void mse_terms(const float *y, const float *t, size_t n, float scale, float *grad,
                      float *term)
{
    for (size_t i = 0; i < n; i++) {
        float e = y[i] - t[i];
        term[i] = e * e;
    }
    if (grad)
        for (size_t i = 0; i < n; i++)
            grad[i] = 2.0f * scale * (y[i] - t[i]);
}

/* Keras's clip, the way round that keeps a NaN prediction NaN. */
static inline float clip(float y)
{
    const float eps = LT_KERAS_EPSILON, hi = 1.0f - LT_KERAS_EPSILON;
    return lt_selectf(y < eps, eps, lt_selectf(y > hi, hi, y));
}

LT_SIMD_CLONES
static void bce_terms(const float *y, const float *t, size_t n, float scale, float *grad,
                      float *term)
{
    const float eps = LT_KERAS_EPSILON, hi = 1.0f - LT_KERAS_EPSILON;
    /* Two copies of the loop, so each is branch-free and vectorises. */
    if (grad) {
        for (size_t i = 0; i < n; i++) {
            float a = clip(y[i]) + eps, b = 1.0f - clip(y[i]) + eps;
            term[i] = -(t[i] * lt_logf(a) + (1.0f - t[i]) * lt_logf(b));
            /* (1 - t) / b - t / a with one division; zero where clipped. */
            float g = scale * (((1.0f - t[i]) * a - t[i] * b) / (a * b));
            grad[i] = lt_selectf((y[i] >= eps) & (y[i] <= hi), g, 0.0f);
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            float a = clip(y[i]) + eps, b = 1.0f - clip(y[i]) + eps;
            term[i] = -(t[i] * lt_logf(a) + (1.0f - t[i]) * lt_logf(b));
        }
    }
}

void lt_loss_terms(lt_loss loss, const float *y, const float *t, size_t count, float scale,
                   float *grad, float *terms)
{
    switch (loss) {
    case LT_LOSS_MSE: mse_terms(y, t, count, scale, grad, terms); return;
    case LT_LOSS_BINARY_CROSSENTROPY: bce_terms(y, t, count, scale, grad, terms); return;
    }
}

double lt_loss_sum_terms(const float *terms, size_t count)
{
    double sum = 0;
    for (size_t start = 0; start < count; start += CHUNK)
        sum += sum_terms(terms + start, count - start < CHUNK ? count - start : CHUNK);
    return sum;
}

double lt_loss_sum(lt_loss loss, const float *y, const float *t, size_t count, float scale,
                   float *grad)
{
    float term[CHUNK];
    double sum = 0;
    for (size_t start = 0; start < count; start += CHUNK) {
        size_t n = count - start < CHUNK ? count - start : CHUNK;
        lt_loss_terms(loss, y + start, t + start, n, scale, grad ? grad + start : NULL, term);
        sum += sum_terms(term, n);
    }
    return sum;
}
