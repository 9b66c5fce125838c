/* The values on the graph's edges besides lt_data's own functions: spectra
 * and the lt_value that holds either. */
#include <stdlib.h>
#include <string.h>

#include "latent/data.h"

lt_spectrum *lt_spectrum_new(size_t n)
{
    lt_spectrum *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->n = n;
    s->variance = calloc(n ? n : 1, sizeof *s->variance);
    s->ratio = calloc(n ? n : 1, sizeof *s->ratio);
    if (!s->variance || !s->ratio)
        lt_spectrum_free(&s);
    return s;
}

lt_spectrum *lt_spectrum_copy(const lt_spectrum *src)
{
    lt_spectrum *s = lt_spectrum_new(src->n);
    if (!s)
        return NULL;
    memcpy(s->variance, src->variance, src->n * sizeof *s->variance);
    memcpy(s->ratio, src->ratio, src->n * sizeof *s->ratio);
    s->n_kept = src->n_kept;
    s->threshold = src->threshold;
    return s;
}

void lt_spectrum_free(lt_spectrum **ps)
{
    if (!ps || !*ps)
        return;
    free((*ps)->variance);
    free((*ps)->ratio);
    free(*ps);
    *ps = NULL;
}

const char *lt_value_kind_name(lt_value_kind kind)
{
    static const char *const names[LT_N_VALUE_KINDS] = {
        [LT_DATASET] = "dataset", [LT_SPECTRUM] = "spectrum", [LT_PREDICTIONS] = "predictions"};
    return kind >= 0 && kind < LT_N_VALUE_KINDS ? names[kind] : "?";
}

bool lt_value_empty(const lt_value *v) { return !v->data && !v->spectrum; }

void lt_value_free(lt_value *v)
{
    lt_data_free(&v->data);
    lt_spectrum_free(&v->spectrum);
}
