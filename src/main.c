/* latent: the command line. Parses argv and hands over to src/core/. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cblas.h>

#include "core/apply.h"
#include "util/suggest.h"
#include "core/cache.h"
#include "util/fsutil.h"
#include "core/diff.h"
#include "core/params.h"
#include "core/pipeline.h"
#include "core/registry.h"
#include "core/run.h"
#include "core/schema.h"
#include "core/sweep_run.h"
#include "core/sweep_slurm.h"
#include "core/dist.h"
#include "core/plugins.h"
#include "cli/cli.h"

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
    lt_diag_format format; /* --format: how problems print (validate, check, run) */
    lt_slurm_opts slurm; /* its --array-limit, --partition, --time, --cpus-per-task, --mem */
    const char *slurm_option; /* the first of those given, to refuse them without --emit */
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
                           !strcmp(arg, "--format") ||
                           !strcmp(arg, "--array-limit") || !strcmp(arg, "--cpus-per-task") ||
                           !strcmp(arg, "--partition") || !strcmp(arg, "--time") || !strcmp(arg, "--mem");
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
            a->format = a->run.format = (lt_diag_format)f;
        } else if (!strcmp(arg, "--set")) {
            /* "--set pca.n_components 3": the value went to the next word. */
            if (!strchr(value, '=')) {
                if (i + 1 < argc && argv[i + 1][0] != '-')
                    fprintf(stderr, "latent: --set %s: expected STAGE.PARAM=VALUE; write --set %s=%s\n", value,
                            value, argv[i + 1]);
                else
                    fprintf(stderr, "latent: --set %s: expected STAGE.PARAM=VALUE\n", value);
                return 2;
            }
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
        } else if (!strcmp(arg, "--partition") || !strcmp(arg, "--time") || !strcmp(arg, "--mem")) {
            const char *want = lt_slurm_check_value(arg, value);
            if (want) {
                fprintf(stderr, "latent: %s: expected %s, got \"%s\"\n", arg, want, value);
                return 2;
            }
            *(!strcmp(arg, "--partition") ? &a->slurm.partition
              : !strcmp(arg, "--time")    ? &a->slurm.time
                                          : &a->slurm.mem) = value;
            a->slurm_option = a->slurm_option ? a->slurm_option : arg;
        } else if (!strcmp(arg, "--array-limit") || !strcmp(arg, "--cpus-per-task")) {
            char *end;
            long n = strtol(value, &end, 10);
            if (*end || !*value || n < 1 || n > 100000) {
                fprintf(stderr, "latent: %s: expected an integer in [1, 100000], got \"%s\"\n", arg, value);
                return 2;
            }
            *(!strcmp(arg, "--array-limit") ? &a->slurm.array_limit : &a->slurm.cpus_per_task) = (int)n;
            a->slurm_option = a->slurm_option ? a->slurm_option : arg;
        } else if (!strcmp(arg, "--point") || !strcmp(arg, "--max-points") || !strcmp(arg, "--jobs")) {
            char *end;
            long n = strtol(value, &end, 10);
            long lo = !strcmp(arg, "--point") ? 0 : 1, hi = 100000000;
            if (*end || !*value || n < lo || n > hi) {
                fprintf(stderr, "latent: %s: expected an integer in [%ld, %ld], got \"%s\"\n", arg, lo, hi, value);
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
            fprintf(stderr, "latent: unknown option '%s' (`latent %s --help` lists the options)\n", arg, argv[1]);
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
        lt_diag_add(&diag, lt_code_resource, file, 0, 0, "out of memory");
    /* Machine formats go to stdout, where CI runners read workflow commands. */
    /* Every rank of an MPI run finds the same problems; one prints them. */
    if (lt_dist_rank() == 0)
        lt_diag_print_as(&diag, a->format, lt_diag_stream(a->format));
    lt_diag_clear(&diag);
    return p;
}

static int cmd_run(const struct args *a, bool check)
{
    if (a->slurm_option) {
        fprintf(stderr, "latent: %s goes into a Slurm script: use it with `latent sweep FILE --emit slurm`\n",
                a->slurm_option);
        return 2;
    }
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
            lt_diag_emit(a->format, lt_code_sweep, a->files[i], "--point: the file has no sweep");
            lt_pipeline_free(p);
        } else if (p) {
            lt_json *metrics = NULL;
            rc = lt_run(p, &a->run, check ? &metrics : NULL);
            if (rc == LT_OK && check)
                /* Rank 0 holds every stage's metrics; the others follow its verdict. */
                rc = lt_dist_max(lt_dist_rank() == 0 ? lt_expect_check(p, metrics, stdout, NULL) : LT_OK);
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
        size_t points = p->sweep.n_points;
        /* Every point of a sweep must bind: a value may be wrong for its type. */
        lt_load_opts o = load_opts(a, -1);
        bool bad = points && lt_sweep_check_points(a->files[i], &o, points, true, a->format) > 0;
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
    if (a->slurm_option && !a->emit) {
        fprintf(stderr, "latent: %s goes into a Slurm script: it needs --emit slurm\n", a->slurm_option);
        return 2;
    }
    lt_pipeline *p = load(file, a, -1);
    if (!p)
        return 2;
    int rc = 0;
    lt_load_opts o = load_opts(a, -1);
    if (p->sweep.n_points == 0) {
        lt_diag_emit(a->format, lt_code_sweep, file, "the file has no sweep: block");
        rc = 2;
    } else if (a->list) {
        lt_sweep_list(p, stdout);
    } else if (a->emit) {
        rc = lt_sweep_emit_slurm(file, p, &o, &a->run, &a->slurm);
    } else if (a->collect) {
        rc = lt_sweep_collect(file, &o, &a->run);
    } else if (a->point >= 0) {
        rc = lt_sweep_run_point(file, &o, &a->run, (size_t)a->point, false);
    } else {
        rc = lt_sweep_run(file, &o, &a->run, false, a->jobs);
    }
    lt_pipeline_free(p);
    return rc;
}

/* `latent stages`: every kind; for each word, the kind it names or the
 * kinds starting with it. */
static int cmd_stages(const struct args *a)
{
    if (a->n_files == 0) {
        lt_cli_print_kinds(NULL, stdout);
        return 0;
    }
    size_t n;
    const lt_stage_def *const *all = lt_registry(&n);
    int rc = 0;
    for (size_t k = 0; k < a->n_files; k++) {
        const char *word = a->files[k];
        const lt_stage_def *d = lt_registry_find(word);
        if (d) {
            lt_cli_print_kind(d, stdout);
            continue;
        }
        size_t len = strlen(word), matches = 0;
        for (size_t i = 0; i < n; i++)
            matches += !strncmp(all[i]->name, word, len);
        if (matches) {
            lt_cli_print_kinds(word, stdout);
            continue;
        }
        const char **names = calloc(n + 1, sizeof *names);
        if (!names)
            return 3;
        for (size_t i = 0; i < n; i++)
            names[i] = all[i]->name;
        const char *hint = lt_did_you_mean(word, names);
        fprintf(stderr, "latent: unknown stage kind '%s'%s%s%s\n", word, hint ? "; did you mean '" : "",
                hint ? hint : "", hint ? "'?" : " (`latent stages` lists them)");
        free(names);
        rc = 2;
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
        fprintf(stderr, "usage: latent cache [--size | --clear] (`latent cache --help` says more)\n");
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

static int cmd_apply(int argc, char **argv)
{
    lt_apply_opts o = {0};
    const char *pos[2];
    int n_pos = 0;
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        bool valued = !strcmp(arg, "--stage") || !strcmp(arg, "--out") || !strcmp(arg, "--threads") ||
                      !strcmp(arg, "--format");
        if (valued && i + 1 >= argc) {
            fprintf(stderr, "latent: %s needs a value (latent apply --help)\n", arg);
            return 2;
        }
        if (!strcmp(arg, "--format")) {
            int f = lt_diag_format_parse(argv[++i]);
            if (f < 0) {
                fprintf(stderr, "latent: --format takes text, json or github, got '%s'\n", argv[i]);
                return 2;
            }
            o.format = (lt_diag_format)f;
        } else if (!strcmp(arg, "--stage")) {
            o.stage = argv[++i];
        } else if (!strcmp(arg, "--out")) {
            o.out_dir = argv[++i];
        } else if (!strcmp(arg, "--threads")) {
            char *end;
            long t = strtol(argv[++i], &end, 10);
            if (*end || t < 1 || t > 1024) {
                fprintf(stderr, "latent: --threads: expected an integer in [1, 1024], got '%s'\n", argv[i]);
                return 2;
            }
            openblas_set_num_threads((int)t);
        } else if (!strcmp(arg, "--quiet") || !strcmp(arg, "-q")) {
            o.quiet = true;
        } else if (arg[0] == '-' && arg[1]) {
            fprintf(stderr, "latent: unknown option '%s' (latent apply --help)\n", arg);
            return 2;
        } else if (n_pos == 2) {
            fprintf(stderr, "latent: apply takes a run folder and a data file, got a third: '%s'\n", arg);
            return 2;
        } else {
            pos[n_pos++] = arg;
        }
    }
    if (n_pos != 2) {
        fprintf(stderr, "latent: apply takes a run folder and a data file (latent apply --help)\n");
        return 2;
    }
    o.run_dir = pos[0];
    o.data = pos[1];
    return lt_apply(&o);
}

/* The commands that take the shared options (parse_args). */
static int dispatch(int argc, char **argv)
{
    const char *cmd = argv[1];
    if (!strcmp(cmd, "cache"))
        return cmd_cache(argc, argv);
    if (!strcmp(cmd, "diff"))
        return cmd_diff(argc, argv);
    if (!strcmp(cmd, "apply"))
        return cmd_apply(argc, argv);
    if (!strcmp(cmd, "init"))
        return lt_cli_init(argc, argv);
    if (!strcmp(cmd, "man"))
        return argc == 2 ? lt_cli_man(stdout) : (fprintf(stderr, "latent: man takes no arguments\n"), 2);
    if (!strcmp(cmd, "completion"))
        return lt_cli_completion(argc, argv, stdout);
    struct args a = {.point = -1};
    int rc = parse_args(argc, argv, &a);
    /* Under mpirun or srun, run, check and sweep work on all the ranks. */
    if (rc == 0 && lt_dist_init(&argc, &argv) != 0)
        rc = 3;
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
    }
    free(a.files);
    free(a.sets);
    lt_dist_finalize();
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        lt_cli_print_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--version")) {
        lt_cli_print_version(stdout);
        return 0;
    }
    const lt_cli_command *c = lt_cli_find(argv[1]);
    if (!c) {
        const char *names[64];
        size_t n = 0;
        for (const lt_cli_command *k = lt_cli_commands; k->name && n < 63; k++)
            names[n++] = k->name;
        names[n] = NULL;
        const char *hint = lt_did_you_mean(argv[1], names);
        fprintf(stderr, "latent: unknown command '%s'%s%s%s (`latent --help` lists them)\n", argv[1],
                hint ? "; did you mean '" : "", hint ? hint : "", hint ? "'?" : "");
        return 2;
    }
    if (lt_cli_wants_help(argc, argv)) {
        lt_cli_print_help(c, stdout);
        return 0;
    }
    lt_plugins_load(LATENT_PLUGIN_DIR, stderr);
    int rc = dispatch(argc, argv);
    lt_registry_release();
    return rc;
}
