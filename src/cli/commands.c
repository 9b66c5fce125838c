#include "cli/cli.h"

#include <string.h>

/* Options several commands share, declared once. */
#define OPT_SET {"--set", "STAGE.PARAM=VALUE", "override one parameter (repeatable); no space around '='"}
#define OPT_OUT {"--out", "DIR", "write the run folder to DIR instead of outputs/<pipeline>/"}
#define OPT_THREADS {"--threads", "N", "threads the stages may use (default: all cores)"}
#define OPT_NO_CACHE {"--no-cache", NULL, "recompute every stage instead of reusing cached results"}
#define OPT_QUIET {"--quiet", NULL, "no progress output (-q)"}
#define OPT_POINT {"--point", "K", "only sweep point K (0-based)"}
#define OPT_HELP {"--help", NULL, "print this help (-h)"}
#define OPT_END {NULL, NULL, NULL}

#define OPT_FORMAT                                                                                 \
    {"--format", "text|json|github",                                                               \
     "how errors and warnings are printed: text on stderr, or JSON lines (code, position, config " \
     "path) or GitHub workflow commands on stdout; the machine formats print no progress"}
static const lt_cli_option run_opts[] = {OPT_SET, OPT_OUT, OPT_THREADS, OPT_NO_CACHE, OPT_POINT,
                                         {"--jobs", "N", "sweep points to run at once"},
                                         OPT_QUIET, OPT_FORMAT, OPT_HELP, OPT_END};
static const lt_cli_option check_opts[] = {OPT_SET, OPT_OUT, OPT_THREADS, OPT_NO_CACHE, OPT_POINT, OPT_QUIET,
                                           OPT_FORMAT, OPT_HELP, OPT_END};
static const lt_cli_option validate_opts[] = {
    OPT_SET, {"--max-points", "N", "refuse a sweep of more than N points (default 1000)"},
    OPT_FORMAT, OPT_HELP, OPT_END};
static const lt_cli_option sweep_opts[] = {
    {"--list", NULL, "print the points, one line each"},
    {"--emit", "slurm", "write a Slurm array job script (RUN/slurm/sweep.sbatch) and print how to submit it"},
    {"--collect", NULL, "gather finished points into the sweep's summary and report"},
    {"--jobs", "N", "points to run at once"},
    {"--array-limit", "N", "with --emit slurm: at most N array tasks at once (Slurm's %N)"},
    {"--partition", "P", "with --emit slurm: the Slurm partition"},
    {"--time", "T", "with --emit slurm: each task's time limit (Slurm's --time)"},
    {"--cpus-per-task", "N", "with --emit slurm: CPUs per task; --threads defaults to them"},
    {"--mem", "M", "with --emit slurm: memory per task (Slurm's --mem)"},
    OPT_POINT, OPT_SET, OPT_OUT, OPT_THREADS, OPT_NO_CACHE, OPT_QUIET, OPT_FORMAT, OPT_HELP, OPT_END};
static const lt_cli_option plain_opts[] = {OPT_HELP, OPT_END};
static const lt_cli_option cache_opts[] = {{"--size", NULL, "print the cache's size"},
                                           {"--clear", NULL, "remove the cache folder"}, OPT_HELP, OPT_END};
static const lt_cli_option diff_opts[] = {
    {"--atol", "X", "absolute tolerance (default 0)"},
    {"--rtol", "Y", "relative tolerance (default 0)"},
    {"--json", NULL, "print the differences as JSON"},
    {"--all", NULL, "list unchanged values too"}, OPT_HELP, OPT_END};
static const lt_cli_option apply_opts[] = {
    {"--stage", "NAME", "replay up to stage NAME (default: the last that saved a model)"},
    {"--out", "DIR", "write NAME.npy, NAME.csv and metrics.json to DIR (default: RUN_DIR/apply)"},
    OPT_THREADS, OPT_QUIET, OPT_FORMAT, OPT_HELP, OPT_END};
static const lt_cli_option init_opts[] = {
    {"--label", "COLUMN", "the column holding class labels: adds a logistic regression"},
    {"--out", "FILE", "write the pipeline to FILE (default: DATA's name with .yaml; never overwrites)"},
    OPT_HELP, OPT_END};

const lt_cli_command lt_cli_commands[] = {
    {"run", "FILE", "run a pipeline; outputs land in outputs/<pipeline>/ (or --out DIR)",
     "A file with a sweep: block runs every point, or only the one --point names.", run_opts,
     "latent run pipelines/breast_cancer.yaml --set pca.n_components=3", true},
    {"check", "FILE...", "run, then verify the file's expect: block; exit 1 on a miss", NULL, check_opts,
     "latent check pipelines/breast_cancer.yaml", true},
    {"validate", "FILE...", "check configs without running; exit 2 when any file is bad",
     "Every point of a sweep is bound too, so a value wrong for its type is found.", validate_opts,
     "latent validate pipelines/*.yaml", true},
    {"sweep", "FILE", "list, run, emit a Slurm array for, or collect the points of a file's sweep: block",
     "Without an option it runs every point (--jobs N in parallel), or the one --point names.",
     sweep_opts, "latent sweep pipelines/sweep_pca.yaml --list", true},
    {"stages", "[KIND | PREFIX]...", "list stage kinds, those starting with PREFIX, or one kind's parameters",
     NULL, plain_opts, "latent stages scaler", false},
    {"schema", "", "print the JSON Schema of pipeline files", NULL, plain_opts,
     "latent schema > schemas/pipeline.schema.json", false},
    {"cache", "", "print the stage cache's folder, its size, or clear it",
     "The folder is $LATENT_CACHE_DIR, else $XDG_CACHE_HOME/latent or ~/.cache/latent.", cache_opts,
     "latent cache --size", false},
    {"diff", "RUN_A RUN_B", "compare two runs' metrics (a run folder or a metrics.json each)",
     "A value changed when |a - b| > atol + rtol * |a|; exit 1 when any changed or exists on one side only.",
     diff_opts, "latent diff outputs/a outputs/b --rtol 1e-6", false},
    {"apply", "RUN_DIR DATA", "replay a finished run's fitted stages (its models/) on new rows",
     "DATA is a .csv or .npy file, read with the run's dataset options; a label column is optional. Nothing "
     "is refitted.", apply_opts, "latent apply outputs/breast-cancer new_rows.csv --stage scaled_lr", false},
    {"init", "DATA.csv", "write a starter pipeline for a CSV table of your own",
     "The pipeline reads the table, splits it, scales, runs PCA, plots, and with --label fits a logistic "
     "regression. It runs unchanged; edit it from there.",
     init_opts, "latent init measurements.csv --label species", false},
    {"man", "", "print latent's man page (roff), generated from the command and stage tables", NULL,
     plain_opts, "latent man | man -l -", false},
    {"completion", "bash|zsh", "print a shell completion script",
     "The scripts complete commands, options, pipeline files, and after --set the stages of the pipeline "
     "on the line (from `latent completion stages FILE`) and their kinds' parameters.",
     plain_opts,
     "latent completion bash > ~/.local/share/bash-completion/completions/latent", false},
    {NULL, NULL, NULL, NULL, NULL, NULL, false},
};

const lt_cli_command *lt_cli_find(const char *name)
{
    for (const lt_cli_command *c = lt_cli_commands; c->name; c++)
        if (!strcmp(c->name, name))
            return c;
    return NULL;
}

bool lt_cli_wants_help(int argc, char **argv)
{
    for (int i = 2; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return true;
    return false;
}

/* "latent run FILE [--set STAGE.PARAM=VALUE]... [--out DIR]" */
static void print_synopsis(const lt_cli_command *c, FILE *out)
{
    fprintf(out, "latent %s%s%s", c->name, *c->args ? " " : "", c->args);
    for (const lt_cli_option *o = c->options; o->name; o++) {
        if (!strcmp(o->name, "--help"))
            continue;
        fprintf(out, " [%s%s%s]%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "",
                !strcmp(o->name, "--set") ? "..." : "");
    }
}

void lt_cli_print_usage(FILE *out)
{
    for (const lt_cli_command *c = lt_cli_commands; c->name; c++) {
        fputs(c == lt_cli_commands ? "usage: " : "       ", out);
        print_synopsis(c, out);
        fputc('\n', out);
    }
    fputc('\n', out);
    for (const lt_cli_command *c = lt_cli_commands; c->name; c++)
        fprintf(out, "  %-10s %s\n", c->name, c->summary);
    fputs("\n`latent COMMAND --help` describes one command; `latent --version` prints the build.\n"
          "exit status: 0 ok, 1 an expectation missed, 2 bad config or input, 3 runtime failure\n",
          out);
}

void lt_cli_print_help(const lt_cli_command *c, FILE *out)
{
    fputs("usage: ", out);
    print_synopsis(c, out);
    fprintf(out, "\n\n%s\n", c->summary);
    if (c->details)
        fprintf(out, "%s\n", c->details);
    fputs("\noptions:\n", out);
    for (const lt_cli_option *o = c->options; o->name; o++) {
        char head[64];
        snprintf(head, sizeof head, "%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        fprintf(out, "  %-26s %s\n", head, o->help);
    }
    fprintf(out, "\nexample:\n  %s\n", c->example);
}
