#include "core/run_dist.h"

#include "core/dist.h"

int lt_run_place(lt_ctx *ctx, const lt_stage_inst *s, size_t index, const lt_value *in,
                 bool *on_root, lt_data **whole, bool *here, lt_json *gathered)
{
    *here = true;
    if (s->n_inputs == 0)
        return LT_OK;
    bool alone = !s->def->distributed;
    for (size_t j = 0; j < s->n_inputs; j++)
        alone |= on_root[s->inputs[j]];
    if (!alone)
        return LT_OK;
    on_root[index] = true;
    *here = lt_dist_rank() == 0;
    bool any = false;
    for (size_t j = 0; j < s->n_inputs; j++) {
        size_t from = s->inputs[j];
        /* A value on rank 0 only is whole there already; the others are on
         * every rank, held whole (a source that cannot be cut) or in blocks. */
        if (on_root[from] || !in[j].data || !in[j].data->row_blocks)
            continue;
        char why[512];
        if (lt_dist_gather_data(in[j].data, &whole[j], why, sizeof why) != 0)
            return lt_dist_max(lt_fail(ctx, LT_ERUNTIME, "%s", why));
        any = true;
        if (whole[j] && !s->def->accepts_f32 && lt_data_has_f32(whole[j])) {
            lt_data *f64 = lt_data_to_f64(whole[j], why, sizeof why);
            lt_data_free(&whole[j]);
            if (!(whole[j] = f64))
                return lt_fail(ctx, LT_ERUNTIME, "%s", why);
        }
    }
    if (any)
        lt_json_push(gathered, lt_json_str(s->name));
    return LT_OK;
}
