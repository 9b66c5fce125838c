/* `latent stages`: the stage kinds and their parameter tables as text. */
#include "cli/cli.h"

#include <string.h>

#include "core/params.h"
#include "core/registry.h"

/* One parameter per entry, type and default first, then its help; the kinds
 * of a list parameter (layers, say) follow it, each with its own table. */
static void print_params(const lt_param *params, size_t n, int indent, FILE *out)
{
    for (size_t i = 0; i < n; i++) {
        const lt_param *p = &params[i];
        char want[512], def[128];
        const char *dflt = lt_param_default_text(p, def, sizeof def);
        /* A list's kinds are listed below it, not in its type. */
        const char *type = p->type != LT_P_SPECS            ? lt_param_expected(p, want, sizeof want)
                           : p->flags & LT_SINGLE           ? "{kind: {parameters}}"
                                                            : "a list of {kind: {parameters}}";
        /* A single spec left out means what its help says. */
        if (p->type == LT_P_SPECS && (p->flags & LT_SINGLE) && dflt)
            fprintf(out, "%*s%-18s %s; optional\n", indent, "", p->name, type);
        else
            fprintf(out, "%*s%-18s %s; %s%s\n", indent, "", p->name, type, dflt ? "default " : "required",
                    dflt ? dflt : "");
        fprintf(out, "%*s%-18s %s\n", indent, "", "", p->help);
        for (size_t k = 0; p->type == LT_P_SPECS && p->kinds[k]; k++) {
            const lt_spec_def *kind = p->kinds[k];
            fprintf(out, "%*s  - %s: %s\n", indent + 18, "", kind->name, kind->summary);
            print_params(kind->params, kind->n_params, indent + 24, out);
        }
    }
}

void lt_cli_print_kind(const lt_stage_def *d, FILE *out)
{
    fprintf(out, "%s: %s\n", d->name, d->summary);
    const char *origin = lt_registry_origin(d);
    if (origin)
        fprintf(out, "  plugin: %s\n", origin);
    if (d->max_inputs == 0)
        fprintf(out, "  inputs: none (a source)");
    else if (d->min_inputs == d->max_inputs)
        fprintf(out, "  inputs: %d", d->min_inputs);
    else
        fprintf(out, "  inputs: %d to %d", d->min_inputs, d->max_inputs);
    if (d->reads & ~LT_READS(LT_DATASET)) {
        fprintf(out, " (");
        for (int k = 0, first = 1; k < LT_N_VALUE_KINDS; k++)
            if (d->reads >> k & 1u) {
                fprintf(out, "%sa %s", first ? "" : " or ", lt_value_kind_name((lt_value_kind)k));
                first = 0;
            }
        fprintf(out, ")");
    }
    if (d->n_outputs == 0)
        fprintf(out, "; outputs: none (metrics and files only)\n");
    else
        fprintf(out, "; outputs (input: STAGE.OUTPUT; STAGE alone reads the first):\n");
    for (size_t k = 0; k < d->n_outputs; k++)
        fprintf(out, "    %-18s %s%s; %s\n", d->outputs[k].name, lt_value_kind_name(d->outputs[k].kind),
                k == 0 ? ", the default" : ", computed only when read", d->outputs[k].help);
    if (d->n_params == 0) {
        fprintf(out, "  no parameters\n");
    } else {
        fprintf(out, "  parameters:\n");
        print_params(d->params, d->n_params, 4, out);
    }
    if (d->n_metrics == 0) {
        fprintf(out, "  no metrics\n");
        return;
    }
    /* {split} and {P} spell out in expect: targets; the help says so. */
    fprintf(out, "  metrics ({split}: train, valid or test; {P}: a kind of list parameter P):\n");
    for (size_t i = 0; i < d->n_metrics; i++)
        fprintf(out, "    %-26s %s\n", d->metrics[i].name, d->metrics[i].help);
}

void lt_cli_print_kinds(const char *prefix, FILE *out)
{
    size_t n;
    const lt_stage_def *const *all = lt_registry(&n);
    size_t len = prefix ? strlen(prefix) : 0;
    for (size_t i = 0; i < n; i++)
        if (!prefix || !strncmp(all[i]->name, prefix, len))
            fprintf(out, "  %-24s %s\n", all[i]->name, all[i]->summary);
}
