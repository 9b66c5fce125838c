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

LT_SIMD_CLONES
static double mse(const float *y, const float *t, size_t count, float scale, float *grad)
{
    float term[CHUNK];
    double sum = 0;
    for (size_t start = 0; start < count; start += CHUNK) {
        size_t n = count - start < CHUNK ? count - start : CHUNK;
        const float *yc = y + start, *tc = t + start;
        for (size_t i = 0; i < n; i++) {
            float e = yc[i] - tc[i];
            term[i] = e * e;
        }
        if (grad)
            for (size_t i = 0; i < n; i++)
                grad[start + i] = 2.0f * scale * (yc[i] - tc[i]);
        sum += sum_terms(term, n);
    }
    return sum;
}

/* Keras's clip, the way round that keeps a NaN prediction NaN. */
static inline float clip(float y)
{
    const float eps = LT_KERAS_EPSILON, hi = 1.0f - LT_KERAS_EPSILON;
    return lt_selectf(y < eps, eps, lt_selectf(y > hi, hi, y));
}

LT_SIMD_CLONES
static double bce(const float *y, const float *t, size_t count, float scale, float *grad)
{
    const float eps = LT_KERAS_EPSILON, hi = 1.0f - LT_KERAS_EPSILON;
    float term[CHUNK];
    double sum = 0;
    for (size_t start = 0; start < count; start += CHUNK) {
        size_t n = count - start < CHUNK ? count - start : CHUNK;
        const float *yc = y + start, *tc = t + start;
        /* Two copies of the loop, so each is branch-free and vectorises. */
        if (grad) {
            float *gc = grad + start;
            for (size_t i = 0; i < n; i++) {
                float a = clip(yc[i]) + eps, b = 1.0f - clip(yc[i]) + eps;
                term[i] = -(tc[i] * lt_logf(a) + (1.0f - tc[i]) * lt_logf(b));
                /* (1 - t) / b - t / a with one division; zero where clipped. */
                float g = scale * (((1.0f - tc[i]) * a - tc[i] * b) / (a * b));
                gc[i] = lt_selectf((yc[i] >= eps) & (yc[i] <= hi), g, 0.0f);
            }
        } else {
            for (size_t i = 0; i < n; i++) {
                float a = clip(yc[i]) + eps, b = 1.0f - clip(yc[i]) + eps;
                term[i] = -(tc[i] * lt_logf(a) + (1.0f - tc[i]) * lt_logf(b));
            }
        }
        sum += sum_terms(term, n);
    }
    return sum;
}

double lt_loss_sum(lt_loss loss, const float *y, const float *t, size_t count, float scale,
                   float *grad)
{
    switch (loss) {
    case LT_LOSS_MSE: return mse(y, t, count, scale, grad);
    case LT_LOSS_BINARY_CROSSENTROPY: return bce(y, t, count, scale, grad);
    }
    return NAN;
}
