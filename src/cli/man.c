/* `latent man`: the man page, from the command table and the stage
 * registry, so it lists exactly what this build (and its plugins) has. */
#include "cli/cli.h"

#include <string.h>

#include "core/params.h"
#include "core/registry.h"

/* TEXT for roff: backslashes doubled as \e, a leading dot or quote made
 * literal, hyphens as real minus signs where a user would type them. */
static void roff(const char *text, FILE *out)
{
    if (*text == '.' || *text == '\'')
        fputs("\\&", out);
    for (const char *c = text; *c; c++) {
        if (*c == '\\')
            fputs("\\e", out);
        else if (*c == '-')
            fputs("\\-", out);
        else if (*c == '\n') {
            fputc('\n', out);
            if (c[1] == '.' || c[1] == '\'')
                fputs("\\&", out);
        } else
            fputc(*c, out);
    }
}

static void man_commands(FILE *out)
{
    fputs(".SH COMMANDS\n", out);
    for (const lt_cli_command *c = lt_cli_commands; c->name; c++) {
        fprintf(out, ".SS \"latent %s", c->name);
        if (*c->args) {
            fputc(' ', out);
            roff(c->args, out);
        }
        fputs("\"\n", out);
        roff(c->summary, out);
        fputs(".\n", out);
        if (c->details) {
            fputc('\n', out);
            roff(c->details, out);
            fputc('\n', out);
        }
        for (const lt_cli_option *o = c->options; o->name; o++) {
            fputs(".TP\n.B ", out);
            roff(o->name, out);
            if (o->arg) {
                fputs(" \\fI", out);
                roff(o->arg, out);
                fputs("\\fR", out);
            }
            fputc('\n', out);
            roff(o->help, out);
            fputc('\n', out);
        }
        fputs(".PP\nExample:\n.RS\n.EX\n", out);
        roff(c->example, out);
        fputs("\n.EE\n.RE\n", out);
    }
}

static void man_params(const lt_param *params, size_t n, FILE *out)
{
    for (size_t i = 0; i < n; i++) {
        const lt_param *p = &params[i];
        char want[512], def[128];
        const char *dflt = lt_param_default_text(p, def, sizeof def);
        fputs(".TP\n.B ", out);
        roff(p->name, out);
        fputs("\n", out);
        roff(p->type == LT_P_SPECS ? (p->flags & LT_SINGLE ? "{kind: {parameters}}" : "a list of {kind: {parameters}}")
                                   : lt_param_expected(p, want, sizeof want),
             out);
        fputs("; ", out);
        if (dflt) {
            fputs("default ", out);
            roff(dflt, out);
        } else {
            fputs("required", out);
        }
        fputs(".\n.br\n", out);
        roff(p->help, out);
        fputc('\n', out);
        if (p->type == LT_P_SPECS) {
            fputs(".RS\n", out);
            for (size_t k = 0; p->kinds[k]; k++) {
                const lt_spec_def *kind = p->kinds[k];
                fputs(".TP\n.B ", out);
                roff(kind->name, out);
                fputc('\n', out);
                roff(kind->summary, out);
                fputc('\n', out);
                if (kind->n_params) {
                    fputs(".RS\n", out);
                    man_params(kind->params, kind->n_params, out);
                    fputs(".RE\n", out);
                }
            }
            fputs(".RE\n", out);
        }
    }
}

static void man_stages(FILE *out)
{
    size_t n;
    const lt_stage_def *const *all = lt_registry(&n);
    fputs(".SH STAGE KINDS\n"
          "Each stage of a pipeline file names its kind with\n.B use:\n"
          "and sets parameters under\n.BR with: .\n"
          ".B latent stages KIND\nprints the same description.\n",
          out);
    for (size_t i = 0; i < n; i++) {
        const lt_stage_def *d = all[i];
        fputs(".SS ", out);
        roff(d->name, out);
        fputc('\n', out);
        roff(d->summary, out);
        fputs(".\n.br\n", out);
        const char *origin = lt_registry_origin(d);
        if (origin) {
            fputs("From the plugin ", out);
            roff(origin, out);
            fputs(".\n.br\n", out);
        }
        if (d->max_inputs == 0)
            fputs("Inputs: none (a source)", out);
        else if (d->min_inputs == d->max_inputs)
            fprintf(out, "Inputs: %d", d->min_inputs);
        else
            fprintf(out, "Inputs: %d to %d", d->min_inputs, d->max_inputs);
        if (d->n_outputs == 0)
            fputs("; outputs: none (metrics and files only).\n", out);
        else
            fputs("; outputs (input: STAGE.OUTPUT; STAGE alone reads the first):\n", out);
        for (size_t k = 0; k < d->n_outputs; k++) {
            fputs(".br\n", out);
            roff(d->outputs[k].name, out);
            fprintf(out, " (%s%s): ", lt_value_kind_name(d->outputs[k].kind),
                    k == 0 ? ", the default" : ", computed only when read");
            roff(d->outputs[k].help, out);
            fputs("\n", out);
        }
        if (d->n_params == 0)
            fputs(".br\nNo parameters.\n", out);
        else
            man_params(d->params, d->n_params, out);
    }
}

int lt_cli_man(FILE *out)
{
    fputs(".\\\" Generated by `latent man` from latent's command and stage tables; do not edit.\n", out);
    fprintf(out, ".TH LATENT 1 \"\" \"latent %s\" \"User Commands\"\n", LATENT_VERSION);
    fputs(".SH NAME\nlatent \\- run declarative machine-learning pipelines\n.SH SYNOPSIS\n", out);
    for (const lt_cli_command *c = lt_cli_commands; c->name; c++) {
        fprintf(out, ".B latent %s\n", c->name);
        if (*c->args) {
            fputs(".I ", out);
            roff(c->args, out);
            fputc('\n', out);
        }
        fputs(".br\n", out);
    }
    fputs(".SH DESCRIPTION\n"
          ".B latent\nreads a pipeline file (YAML): a list of stages, each naming a stage kind and its\n"
          "parameters. It runs the stages in order on OpenBLAS and writes metrics, plots, provenance\n"
          "and an HTML report into one run folder.\n"
          ".B latent COMMAND \\-\\-help\ndescribes one command.\n",
          out);
    man_commands(out);
    man_stages(out);
    fputs(".SH ENVIRONMENT\n"
          ".TP\n.B LATENT_CACHE_DIR\nthe stage cache's folder (else $XDG_CACHE_HOME/latent or ~/.cache/latent)\n"
          ".TP\n.B LATENT_PLUGIN_PATH\ncolon\\-separated folders searched for stage plugins (*.so) before the\n"
          "install prefix's lib/latent/plugins\n"
          ".TP\n.B LATENT_NO_PLUGINS\nwhen set, no plugin is loaded\n"
          ".SH EXIT STATUS\n0 ok, 1 an expectation missed, 2 bad config or input, 3 runtime failure.\n"
          ".SH FILES\n.TP\n.I outputs/<pipeline>/\nthe run folder: metrics.json, run.json, plots/, report.html\n"
          ".SH SEE ALSO\n"
          "The JSON Schema of pipeline files:\n.BR \"latent schema\" .\n",
          out);
    return ferror(out) ? 3 : 0;
}
