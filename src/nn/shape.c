#include "nn/shape.h"

#include <stdint.h>
#include <stdio.h>

lt_nn_shape lt_nn_shape_unknown(void)
{
    return (lt_nn_shape){.rank = LT_NN_UNKNOWN};
}

lt_nn_shape lt_nn_shape_1d(int a)
{
    return (lt_nn_shape){.rank = 1, .dim = {a}};
}

lt_nn_shape lt_nn_shape_2d(int a, int b)
{
    return (lt_nn_shape){.rank = 2, .dim = {a, b}};
}

bool lt_nn_shape_known(const lt_nn_shape *s)
{
    if (s->rank < 1 || s->rank > LT_NN_MAX_RANK)
        return false;
    for (int i = 0; i < s->rank; i++)
        if (s->dim[i] < 1)
            return false;
    return true;
}

size_t lt_nn_shape_size(const lt_nn_shape *s)
{
    if (!lt_nn_shape_known(s))
        return 0;
    size_t n = 1;
    for (int i = 0; i < s->rank; i++) {
        if (n > SIZE_MAX / (size_t)s->dim[i])
            return 0;
        n *= (size_t)s->dim[i];
    }
    return n;
}

bool lt_nn_shape_equal(const lt_nn_shape *a, const lt_nn_shape *b)
{
    if (!lt_nn_shape_known(a) || !lt_nn_shape_known(b) || a->rank != b->rank)
        return false;
    for (int i = 0; i < a->rank; i++)
        if (a->dim[i] != b->dim[i])
            return false;
    return true;
}

char *lt_nn_shape_text(const lt_nn_shape *s, char *buf, size_t size)
{
    if (s->rank < 1 || s->rank > LT_NN_MAX_RANK) {
        snprintf(buf, size, "[?]");
        return buf;
    }
    size_t k = (size_t)snprintf(buf, size, "[");
    for (int i = 0; i < s->rank && k < size; i++) {
        if (s->dim[i] >= 1)
            k += (size_t)snprintf(buf + k, size - k, "%s%d", i ? ", " : "", s->dim[i]);
        else
            k += (size_t)snprintf(buf + k, size - k, "%s?", i ? ", " : "");
    }
    if (k < size)
        snprintf(buf + k, size - k, "]");
    return buf;
}
