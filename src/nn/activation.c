#include "nn/activation.h"

#include <math.h>

#include "nn/vmath.h"

const char *const lt_act_names[] = {"linear", "relu", "leaky_relu", "elu", "selu",
                                    "sigmoid", "tanh", "softmax", NULL};

static void softmax_rows(float *y, size_t rows, size_t cols)
{
    for (size_t r = 0; r < rows; r++) {
        float *row = y + r * cols;
        /* Shifting by the row's maximum keeps exp from overflowing and
         * does not change the result. */
        float top = row[0];
        for (size_t j = 1; j < cols; j++)
            top = row[j] > top ? row[j] : top;
        float sum = 0;
        for (size_t j = 0; j < cols; j++) {
            row[j] = lt_expf(row[j] - top);
            sum += row[j];
        }
        float inv = 1.0f / sum;
        for (size_t j = 0; j < cols; j++)
            row[j] *= inv;
    }
}

LT_SIMD_CLONES
void lt_act_forward(lt_act act, float *y, size_t rows, size_t cols)
{
    size_t n = rows * cols;
    const float sa = (float)(LT_SELU_SCALE * LT_SELU_ALPHA), scale = (float)LT_SELU_SCALE;
    switch (act) {
    case LT_ACT_LINEAR: break;
    case LT_ACT_RELU:
        for (size_t i = 0; i < n; i++)
            y[i] = lt_selectf(y[i] > 0, y[i], 0);
        break;
    case LT_ACT_LEAKY_RELU:
        for (size_t i = 0; i < n; i++)
            y[i] = lt_selectf(y[i] > 0, y[i], LT_LEAKY_RELU_SLOPE * y[i]);
        break;
    case LT_ACT_ELU:
        for (size_t i = 0; i < n; i++)
            y[i] = lt_selectf(y[i] > 0, y[i], lt_expf(y[i]) - 1.0f);
        break;
    case LT_ACT_SELU:
        for (size_t i = 0; i < n; i++)
            y[i] = lt_selectf(y[i] > 0, scale * y[i], sa * (lt_expf(y[i]) - 1.0f));
        break;
    case LT_ACT_SIGMOID:
        for (size_t i = 0; i < n; i++)
            y[i] = 1.0f / (1.0f + lt_expf(-y[i]));
        break;
    case LT_ACT_TANH:
        for (size_t i = 0; i < n; i++)
            y[i] = tanhf(y[i]);
        break;
    case LT_ACT_SOFTMAX: softmax_rows(y, rows, cols); break;
    }
}

LT_SIMD_CLONES
static void add_bias(float *y, const float *b, size_t rows, size_t cols)
{
    for (size_t r = 0; r < rows; r++) {
        float *row = y + r * cols;
        for (size_t j = 0; j < cols; j++)
            row[j] += b[j];
    }
}

void lt_act_forward_bias(lt_act act, float *y, const float *b, size_t rows, size_t cols)
{
    /* Row by row, so the row is still in the first-level cache when the
     * activation reads it. */
    for (size_t r = 0; r < rows; r++) {
        add_bias(y + r * cols, b, 1, cols);
        lt_act_forward(act, y + r * cols, 1, cols);
    }
}

LT_SIMD_CLONES
void lt_act_backward(lt_act act, const float *y, float *d, size_t rows, size_t cols)
{
    size_t n = rows * cols;
    const float sa = (float)(LT_SELU_SCALE * LT_SELU_ALPHA), scale = (float)LT_SELU_SCALE;
    switch (act) {
    case LT_ACT_LINEAR: break;
    case LT_ACT_RELU:
        for (size_t i = 0; i < n; i++)
            d[i] = lt_selectf(y[i] > 0, d[i], 0);
        break;
    case LT_ACT_LEAKY_RELU:
        for (size_t i = 0; i < n; i++)
            d[i] = lt_selectf(y[i] > 0, d[i], LT_LEAKY_RELU_SLOPE * d[i]);
        break;
    case LT_ACT_ELU:
        for (size_t i = 0; i < n; i++)
            d[i] = lt_selectf(y[i] > 0, d[i], d[i] * (y[i] + 1.0f));
        break;
    case LT_ACT_SELU:
        for (size_t i = 0; i < n; i++)
            d[i] = lt_selectf(y[i] > 0, scale * d[i], d[i] * (y[i] + sa));
        break;
    case LT_ACT_SIGMOID:
        for (size_t i = 0; i < n; i++)
            d[i] *= y[i] * (1.0f - y[i]);
        break;
    case LT_ACT_TANH:
        for (size_t i = 0; i < n; i++)
            d[i] *= 1.0f - y[i] * y[i];
        break;
    case LT_ACT_SOFTMAX:
        for (size_t r = 0; r < rows; r++) {
            const float *yr = y + r * cols;
            float *dr = d + r * cols;
            float dot = 0;
            for (size_t j = 0; j < cols; j++)
                dot += dr[j] * yr[j];
            for (size_t j = 0; j < cols; j++)
                dr[j] = yr[j] * (dr[j] - dot);
        }
        break;
    }
}
