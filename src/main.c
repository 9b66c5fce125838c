/* latent: the command line. Parses argv and hands over to src/core/. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/cache.h"
#include "core/fsutil.h"
#include "core/diff.h"
#include "core/params.h"
#include "core/pipeline.h"
#include "core/registry.h"
#include "core/run.h"
#include "core/schema.h"
#include "core/sweep_run.h"

static const char usage[] =
    "usage: latent run FILE [--set STAGE.PARAM=VALUE]... [--out DIR] [--threads N] [--no-cache] [--quiet]\n"
    "       latent check FILE... [--set STAGE.PARAM=VALUE]... [--threads N] [--quiet]\n"
    "       latent validate FILE... [--max-points N] [--format text|json|github]\n"
    "       latent sweep FILE [--list | --emit slurm | --collect | --jobs N] [--out DIR]\n"
    "       latent stages [KIND]\n"
    "       latent schema\n"
    "       latent cache [--size | --clear]\n"
    "       latent diff RUN_A RUN_B [--atol X] [--rtol Y] [--json] [--all]\n"
    "\n"
    "  run       run a pipeline; outputs land in outputs/<pipeline>/ (or --out DIR)\n"
    "  check     run, then verify the file's expect: block; exit 1 on a miss\n"
    "  validate  check configs without running; exit 2 when any file is bad\n"
    "  sweep     list, run (--jobs N in parallel), emit a Slurm array for, or collect\n"
    "            the points of a file's sweep: block; `run` on such a file runs them all,\n"
    "            `run --point K` just one\n"
    "  stages    list stage kinds, or one kind's parameters\n"
    "  schema    print the JSON Schema of pipeline files\n"
    "  cache     print the stage cache's folder, its size, or clear it\n"
    "            ($LATENT_CACHE_DIR, else $XDG_CACHE_HOME/latent or ~/.cache/latent)\n"
    "  diff      compare two runs' metrics (a run folder or a metrics.json each);\n"
    "            a value changed when |a - b| > atol + rtol * |a| (default 0, 0);\n"
    "            exit 1 when any changed or exists on one side only\n"
    "\n"
    "exit status: 0 ok, 1 an expectation missed, 2 bad config or input, 3 runtime failure\n";

struct args {
    char **files;
    size_t n_files;
    char **sets;
    size_t n_sets;
    lt_run_opts run;
    long point;         /* --point K, or -1 */
    size_t max_points;  /* --max-points N, or 0 for the default */
    int jobs;           /* --jobs N */
    bool list, collect; /* sweep --list / --collect */
    const char *emit;   /* sweep --emit slurm */
    lt_diag_format format; /* validate --format: how problems are printed */
};

/* Returns 0, or 2 after printing a usage error. */
static int parse_args(int argc, char **argv, struct args *a)
{
    a->files = calloc((size_t)argc, sizeof *a->files);
    a->sets = calloc((size_t)argc, sizeof *a->sets);
    if (!a->files || !a->sets)
        return 3;
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        const char *value = NULL;
        bool takes_value = !strcmp(arg, "--set") || !strcmp(arg, "--out") || !strcmp(arg, "--threads") ||
                           !strcmp(arg, "--point") || !strcmp(arg, "--max-points") ||
                           !strcmp(arg, "--jobs") || !strcmp(arg, "--emit") ||
                           !strcmp(arg, "--format");
        if (takes_value) {
            if (i + 1 >= argc) {
                fprintf(stderr, "latent: %s needs a value\n", arg);
                return 2;
            }
            value = argv[++i];
        }
        if (!strcmp(arg, "--format")) {
            int f = lt_diag_format_parse(value);
            if (f < 0) {
                fprintf(stderr, "latent: --format takes text, json or github, got '%s'\n", value);
                return 2;
            }
            a->format = (lt_diag_format)f;
        } else if (!strcmp(arg, "--set")) {
            a->sets[a->n_sets++] = (char *)value;
        } else if (!strcmp(arg, "--out")) {
            a->run.out_dir = value;
        } else if (!strcmp(arg, "--threads")) {
            char *end;
            long n = strtol(value, &end, 10);
            if (*end || n < 1 || n > 1024) {
                fprintf(stderr, "latent: --threads: expected an integer in [1, 1024], got \"%s\"\n", value);
                return 2;
            }
            a->run.threads = (int)n;
        } else if (!strcmp(arg, "--point") || !strcmp(arg, "--max-points") || !strcmp(arg, "--jobs")) {
            char *end;
            long n = strtol(value, &end, 10);
            long lo = !strcmp(arg, "--point") ? 0 : 1;
            if (*end || !*value || n < lo || n > 100000000) {
                fprintf(stderr, "latent: %s: expected an integer >= %ld, got \"%s\"\n", arg, lo, value);
                return 2;
            }
            if (!strcmp(arg, "--point"))
                a->point = n;
            else if (!strcmp(arg, "--jobs"))
                a->jobs = (int)n;
            else
                a->max_points = (size_t)n;
        } else if (!strcmp(arg, "--emit")) {
            if (strcmp(value, "slurm") != 0) {
                fprintf(stderr, "latent: --emit: only 'slurm' is known, got \"%s\"\n", value);
                return 2;
            }
            a->emit = value;
        } else if (!strcmp(arg, "--list")) {
            a->list = true;
        } else if (!strcmp(arg, "--collect")) {
            a->collect = true;
        } else if (!strcmp(arg, "--no-cache")) {
            a->run.no_cache = true;
        } else if (!strcmp(arg, "--quiet") || !strcmp(arg, "-q")) {
            a->run.quiet = true;
        } else if (arg[0] == '-' && arg[1]) {
            fprintf(stderr, "latent: unknown option '%s'\n%s", arg, usage);
            return 2;
        } else {
            a->files[a->n_files++] = (char *)arg;
        }
    }
    return 0;
}

static lt_load_opts load_opts(const struct args *a, long point)
{
    return (lt_load_opts){.sets = a->sets, .n_sets = a->n_sets, .point = point, .max_points = a->max_points};
}

/* Loads and checks FILE at sweep point POINT (-1: none); prints every
 * problem. NULL when it is bad. */
static lt_pipeline *load(const char *file, const struct args *a, long point)
{
    lt_diag diag = {0};
    lt_load_opts o = load_opts(a, point);
    lt_pipeline *p = lt_pipeline_load(file, &o, &diag);
    if (p && lt_pipeline_check(p, &diag) > 0) {
        lt_pipeline_free(p);
        p = NULL;
    }
    /* A failure with nothing recorded: recording it needed memory too. */
    if (!p && lt_diag_count(&diag) == 0)
        lt_diag_add(&diag, file, 0, 0, "out of memory");
    /* Machine formats go to stdout, where CI runners read workflow commands. */
    lt_diag_print_as(&diag, a->format, a->format == LT_DIAG_TEXT ? stderr : stdout);
    lt_diag_clear(&diag);
    return p;
}

static int cmd_run(const struct args *a, bool check)
{
    if (a->n_files == 0 || (!check && a->n_files > 1)) {
        fprintf(stderr, "latent: %s takes %s\n", check ? "check" : "run",
                check ? "one or more pipeline files" : "one pipeline file");
        return 2;
    }
    if (a->run.out_dir && a->n_files > 1) {
        fprintf(stderr, "latent: --out takes one pipeline file\n");
        return 2;
    }
    int worst = 0;
    for (size_t i = 0; i < a->n_files; i++) {
        lt_pipeline *p = load(a->files[i], a, -1);
        int rc = LT_EINPUT;
        lt_load_opts o = load_opts(a, -1);
        if (p && p->sweep.n_points > 0) {
            /* A sweep: every point (or the one --point names) in its folder. */
            rc = a->point >= 0 ? lt_sweep_run_point(a->files[i], &o, &a->run, (size_t)a->point, check)
                               : lt_sweep_run(a->files[i], &o, &a->run, check, a->jobs);
            lt_pipeline_free(p);
        } else if (p && a->point >= 0) {
            fprintf(stderr, "%s: --point: the file has no sweep\n", a->files[i]);
            lt_pipeline_free(p);
        } else if (p) {
            lt_json *metrics = NULL;
            rc = lt_run(p, &a->run, check ? &metrics : NULL);
            if (rc == LT_OK && check)
                rc = lt_expect_check(p, metrics, stdout, NULL);
            lt_json_free(metrics);
            lt_pipeline_free(p);
        }
        if (rc > worst)
            worst = rc;
    }
    return worst;
}

static int cmd_validate(const struct args *a)
{
    if (a->n_files == 0) {
        fprintf(stderr, "latent: validate takes one or more pipeline files\n");
        return 2;
    }
    /* Every file is checked, so one call shows every problem of a change. */
    int rc = 0;
    for (size_t i = 0; i < a->n_files; i++) {
        lt_pipeline *p = load(a->files[i], a, -1);
        if (!p) {
            rc = 2;
            continue;
        }
        /* The data files, as far as their first lines tell. */
        lt_diag probe = {0};
        int problems = lt_pipeline_probe(p, &probe);
        lt_diag_print_as(&probe, a->format, a->format == LT_DIAG_TEXT ? stderr : stdout);
        lt_diag_clear(&probe);
        if (problems) {
            lt_pipeline_free(p);
            rc = 2;
            continue;
        }
        size_t points = p->sweep.n_points;
        bool bad = false;
        /* Every point of a sweep must bind: a value may be wrong for its type. */
        for (size_t k = 0; k < points && !bad; k++) {
            lt_pipeline *q = load(a->files[i], a, (long)k);
            bad = !q;
            lt_pipeline_free(q);
        }
        if (bad)
            rc = 2;
        else if (a->format != LT_DIAG_TEXT)
            ; /* machine formats print problems only */
        else if (points)
            printf("%s: ok (%zu stage%s, %zu sweep points)\n", a->files[i], p->n_stages,
                   p->n_stages == 1 ? "" : "s", points);
        else
            printf("%s: ok (%zu stage%s)\n", a->files[i], p->n_stages, p->n_stages == 1 ? "" : "s");
        lt_pipeline_free(p);
    }
    return rc;
}

static int cmd_sweep(const struct args *a)
{
    if (a->n_files != 1) {
        fprintf(stderr, "latent: sweep takes one pipeline file\n");
        return 2;
    }
    const char *file = a->files[0];
    lt_pipeline *p = load(file, a, -1);
    if (!p)
        return 2;
    int rc = 0;
    lt_load_opts o = load_opts(a, -1);
    if (p->sweep.n_points == 0) {
        fprintf(stderr, "%s: the file has no sweep: block\n", file);
        rc = 2;
    } else if (a->list) {
        lt_sweep_list(p, stdout);
    } else if (a->emit) {
        lt_sweep_emit_slurm(file, p, &o, &a->run, stdout);
    } else if (a->collect) {
        rc = lt_sweep_collect(file, &o, &a->run);
    } else {
        rc = lt_sweep_run(file, &o, &a->run, false, a->jobs);
    }
    lt_pipeline_free(p);
    return rc;
}

/* One parameter per entry, type and default first, then its help; the kinds
 * of a list parameter (layers, say) follow it, each with its own table. */
static void print_params(const lt_param *params, size_t n, int indent)
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
            printf("%*s%-18s %s; optional\n", indent, "", p->name, type);
        else
            printf("%*s%-18s %s; %s%s\n", indent, "", p->name, type,
                   dflt ? "default " : "required", dflt ? dflt : "");
        printf("%*s%-18s %s\n", indent, "", "", p->help);
        for (size_t k = 0; p->type == LT_P_SPECS && p->kinds[k]; k++) {
            const lt_spec_def *kind = p->kinds[k];
            printf("%*s  - %s: %s\n", indent + 18, "", kind->name, kind->summary);
            print_params(kind->params, kind->n_params, indent + 24);
        }
    }
}

static void print_kind(const lt_stage_def *d)
{
    printf("%s: %s\n", d->name, d->summary);
    if (d->max_inputs == 0)
        printf("  inputs: none (a source)");
    else if (d->min_inputs == d->max_inputs)
        printf("  inputs: %d", d->min_inputs);
    else
        printf("  inputs: %d to %d", d->min_inputs, d->max_inputs);
    if (d->reads & ~LT_READS(LT_DATASET)) {
        printf(" (");
        for (int k = 0, first = 1; k < LT_N_VALUE_KINDS; k++)
            if (d->reads >> k & 1u) {
                printf("%sa %s", first ? "" : " or ", lt_value_kind_name((lt_value_kind)k));
                first = 0;
            }
        printf(")");
    }
    if (d->n_outputs == 0)
        printf("; outputs: none (metrics and files only)\n");
    else
        printf("; outputs (input: STAGE.OUTPUT; STAGE alone reads the first):\n");
    for (size_t k = 0; k < d->n_outputs; k++)
        printf("    %-18s %s%s; %s\n", d->outputs[k].name, lt_value_kind_name(d->outputs[k].kind),
               k == 0 ? ", the default" : ", computed only when read", d->outputs[k].help);
    if (d->n_params == 0) {
        printf("  no parameters\n");
        return;
    }
    printf("  parameters:\n");
    print_params(d->params, d->n_params, 4);
}

static int cmd_stages(const struct args *a)
{
    size_t n;
    const lt_stage_def *const *all = lt_registry(&n);
    if (a->n_files == 0) {
        for (size_t i = 0; i < n; i++)
            printf("  %-24s %s\n", all[i]->name, all[i]->summary);
        return 0;
    }
    int rc = 0;
    for (size_t k = 0; k < a->n_files; k++) {
        const lt_stage_def *d = lt_registry_find(a->files[k]);
        if (!d) {
            const char *names[256];
            for (size_t i = 0; i < n && i < 255; i++)
                names[i] = all[i]->name;
            names[n < 255 ? n : 255] = NULL;
            const char *hint = lt_did_you_mean(a->files[k], names);
            fprintf(stderr, "latent: unknown stage kind '%s'%s%s%s\n", a->files[k],
                    hint ? "; did you mean '" : "", hint ? hint : "", hint ? "'?" : "");
            rc = 2;
            continue;
        }
        print_kind(d);
    }
    return rc;
}

static int cmd_cache(int argc, char **argv)
{
    char *dir = lt_cache_default_dir();
    int rc = 0;
    if (argc == 3 && !strcmp(argv[2], "--size")) {
        printf("%s: %.1f MiB\n", dir, (double)lt_cache_size(dir) / (1 << 20));
    } else if (argc == 3 && !strcmp(argv[2], "--clear")) {
        struct stat st;
        if (stat(dir, &st) == 0 && lt_remove_tree(dir) != 0) {
            fprintf(stderr, "latent: cannot remove %s\n", dir);
            rc = 3;
        } else {
            printf("removed %s\n", dir);
        }
    } else if (argc == 2) {
        printf("%s\n", dir);
    } else {
        fprintf(stderr, "usage: latent cache [--size | --clear]\n");
        rc = 2;
    }
    free(dir);
    return rc;
}

static int cmd_schema(void)
{
    lt_json *s = lt_schema();
    int rc = lt_json_write(s, stdout) == 0 ? 0 : 3;
    lt_json_free(s);
    return rc;
}

/* ---- latent diff -------------------------------------------------------- */

/* Parses a tolerance: a finite number >= 0. */
static bool parse_tolerance(const char *opt, const char *value, double *out)
{
    char *end;
    double x = strtod(value, &end);
    if (end == value || *end || !(x >= 0) || x == HUGE_VAL) {
        fprintf(stderr, "latent: %s: expected a number >= 0, got \"%s\"\n", opt, value);
        return false;
    }
    *out = x;
    return true;
}

static const char diff_usage[] = "latent diff RUN_A RUN_B [--atol X] [--rtol Y] [--json] [--all]";

static int cmd_diff(int argc, char **argv)
{
    const char *runs[2];
    int n_runs = 0;
    double atol = 0, rtol = 0;
    bool json = false, all = false;
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--atol") || !strcmp(arg, "--rtol")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "latent: %s needs a value\n", arg);
                return 2;
            }
            if (!parse_tolerance(arg, argv[i + 1], arg[2] == 'a' ? &atol : &rtol))
                return 2;
            i++;
        } else if (!strcmp(arg, "--json")) {
            json = true;
        } else if (!strcmp(arg, "--all")) {
            all = true;
        } else if (arg[0] == '-' && arg[1]) {
            fprintf(stderr, "latent: unknown option '%s'; usage: %s\n", arg, diff_usage);
            return 2;
        } else if (n_runs == 2) {
            fprintf(stderr, "latent: diff takes two runs, got a third: '%s'\n", arg);
            return 2;
        } else {
            runs[n_runs++] = arg;
        }
    }
    if (n_runs != 2) {
        fprintf(stderr, "latent: diff takes two runs (run folders or metrics.json files)\n");
        return 2;
    }
    char *path_a = NULL, *path_b = NULL;
    lt_json *a = lt_diff_load(runs[0], &path_a);
    lt_json *b = a ? lt_diff_load(runs[1], &path_b) : NULL;
    int rc = 2;
    if (a && b) {
        lt_diff d = {0};
        rc = 3;
        if (lt_diff_compute(a, b, atol, rtol, &d) == 0) {
            lt_json *out = json ? lt_diff_json(&d, path_a, path_b) : NULL;
            int io = json ? lt_json_write(out, stdout) : lt_diff_print(&d, path_a, path_b, all, stdout);
            lt_json_free(out);
            if (io == 0)
                rc = lt_diff_differs(&d) ? 1 : 0;
        }
        if (rc == 3)
            fprintf(stderr, "latent diff: out of memory or cannot write the output\n");
        lt_diff_free(&d);
    }
    lt_json_free(a);
    lt_json_free(b);
    free(path_a);
    free(path_b);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("latent %s\n", LATENT_VERSION);
        return 0;
    }
    if (!strcmp(argv[1], "cache"))
        return cmd_cache(argc, argv);
    if (!strcmp(argv[1], "diff"))
        return cmd_diff(argc, argv);
    struct args a = {.point = -1};
    int rc = parse_args(argc, argv, &a);
    const char *cmd = argv[1];
    if (rc == 0) {
        if (!strcmp(cmd, "run"))
            rc = cmd_run(&a, false);
        else if (!strcmp(cmd, "check"))
            rc = cmd_run(&a, true);
        else if (!strcmp(cmd, "validate"))
            rc = cmd_validate(&a);
        else if (!strcmp(cmd, "stages"))
            rc = cmd_stages(&a);
        else if (!strcmp(cmd, "sweep"))
            rc = cmd_sweep(&a);
        else if (!strcmp(cmd, "schema"))
            rc = cmd_schema();
        else {
            fprintf(stderr, "latent: unknown command '%s'\n%s", cmd, usage);
            rc = 2;
        }
    }
    free(a.files);
    free(a.sets);
    return rc;
}
