#include "nn/loss.h"

#include <math.h>
#include <stdbool.h>

const char *const lt_loss_names[] = {"mse", "binary_crossentropy", NULL};

static double mse(const float *y, const float *t, size_t count, float scale, float *grad)
{
    double sum = 0;
    for (size_t i = 0; i < count; i++) {
        float e = y[i] - t[i];
        sum += (double)(e * e);
        if (grad)
            grad[i] = 2.0f * scale * e;
    }
    return sum;
}

static double bce(const float *y, const float *t, size_t count, float scale, float *grad)
{
    const float eps = LT_KERAS_EPSILON, hi = 1.0f - LT_KERAS_EPSILON;
    double sum = 0;
    for (size_t i = 0; i < count; i++) {
        float p = y[i] < eps ? eps : y[i] > hi ? hi : y[i];
        float a = p + eps, b = 1.0f - p + eps;
        sum -= (double)(t[i] * logf(a) + (1.0f - t[i]) * logf(b));
        if (grad) {
            bool clipped = !(y[i] >= eps && y[i] <= hi);
            grad[i] = clipped ? 0.0f : scale * ((1.0f - t[i]) / b - t[i] / a);
        }
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
