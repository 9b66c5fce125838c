#include "nn/fastact.h"

#include "nn/vecact.h"

/* Whole vectors, then the tail in a padded one: no scalar epilogue. */
#define VECTOR_LOOP(fn, v, n)                                                                      \
    do {                                                                                           \
        size_t i_ = 0;                                                                             \
        lt_vf x_;                                                                                  \
        for (; i_ + LT_VF_LANES <= (n); i_ += LT_VF_LANES) {                                       \
            lt_vf_load(&x_, (v) + i_);                                                             \
            fn(&x_);                                                                               \
            lt_vf_store((v) + i_, &x_);                                                            \
        }                                                                                          \
        if (i_ < (n)) {                                                                            \
            lt_vf_load_part(&x_, (v) + i_, (n) - i_);                                              \
            fn(&x_);                                                                               \
            lt_vf_store_part((v) + i_, &x_, (n) - i_);                                             \
        }                                                                                          \
    } while (0)

LT_VF_CLONES void lt_fast_sigmoid(float *v, size_t n)
{
    VECTOR_LOOP(lt_vf_sigmoid, v, n);
}

LT_VF_CLONES void lt_fast_tanh(float *v, size_t n)
{
    VECTOR_LOOP(lt_vf_tanh, v, n);
}

void lt_act_row(lt_act act, float *v, size_t n)
{
    switch (act) {
    case LT_ACT_SIGMOID: lt_fast_sigmoid(v, n); break;
    case LT_ACT_TANH: lt_fast_tanh(v, n); break;
    default: lt_act_forward(act, v, 1, n); break;
    }
}

void lt_act_gates(lt_act act, float *v, size_t gates, size_t u)
{
    if (act != LT_ACT_SOFTMAX) {
        lt_act_row(act, v, gates * u);
        return;
    }
    for (size_t k = 0; k < gates; k++)
        lt_act_row(act, v + k * u, u);
}
