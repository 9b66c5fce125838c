#include "core/sweep_slurm.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/fsutil.h"
#include "core/sweep_run.h"

const char *lt_slurm_check_value(const char *option, const char *value)
{
    /* The values land on #SBATCH lines, so they must be one plain word;
     * Slurm itself checks the rest when the job is submitted. */
    const char *allowed = !strcmp(option, "--time") ? "0123456789:-"
                          : !strcmp(option, "--mem") ? "0123456789KMGTkmgt"
                                                     : NULL;
    const char *want = !strcmp(option, "--time")  ? "a Slurm time such as 30, 2:00:00 or 1-12:00"
                       : !strcmp(option, "--mem") ? "a size such as 4G or 500M"
                                                  : "a partition name (letters, digits, '_', '-', '.', ',')";
    if (!*value)
        return want;
    for (const char *c = value; *c; c++) {
        bool ok = allowed ? strchr(allowed, *c) != NULL
                          : (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                                strchr("_-.,", *c);
        if (!ok)
            return want;
    }
    return NULL;
}

/* Writes S single-quoted for sh: every byte as it is, a ' as '\''. */
static void put_quoted(FILE *out, const char *s)
{
    fputc('\'', out);
    for (; *s; s++)
        if (*s == '\'')
            fputs("'\\''", out);
        else
            fputc(*s, out);
    fputc('\'', out);
}

/* True when S needs no quoting on an #SBATCH line or a command line. */
static bool plain_word(const char *s)
{
    for (; *s; s++)
        if (!strchr("/._-+=,:%@", *s) && !(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z') &&
            !(*s >= '0' && *s <= '9'))
            return false;
    return true;
}

static void put_word(FILE *out, const char *s)
{
    if (plain_word(s))
        fputs(s, out);
    else
        put_quoted(out, s);
}

/* The options every task and the --collect command share: the --set
 * overrides (a --set on a swept parameter narrows the sweep, so both must
 * see the same ones) and the run folder. */
static void put_shared_args(FILE *out, const lt_load_opts *load, const char *root)
{
    for (size_t i = 0; i < load->n_sets; i++) {
        fputs(" --set ", out);
        put_word(out, load->sets[i]);
    }
    fputs(" --out ", out);
    put_word(out, root);
}

static void write_script(FILE *out, const char *exe, const char *file, const char *cwd, const char *root,
                         const char *logs, const lt_pipeline *p, const lt_load_opts *load,
                         const lt_run_opts *run, const lt_slurm_opts *slurm, int cpus)
{
    size_t n = p->sweep.n_points;
    fprintf(out, "#!/bin/sh\n");
    fprintf(out, "# Slurm job array for the sweep of %s (%zu points), written by latent %s.\n", file, n,
            LATENT_VERSION);
    fprintf(out, "# Array task K runs point K into %s/sweep/. A task that is requeued or\n", root);
    fprintf(out, "# submitted again keeps a finished point and redoes one that was cut short\n");
    fprintf(out, "# (a run commits its folder atomically; stages already fitted come from the cache).\n");
    fprintf(out, "#SBATCH --job-name=%s\n", p->name);
    fprintf(out, "#SBATCH --array=0-%zu", n ? n - 1 : 0);
    if (slurm->array_limit > 0)
        fprintf(out, "%%%d", slurm->array_limit);
    fprintf(out, "\n#SBATCH --cpus-per-task=%d\n", cpus);
    fprintf(out, "#SBATCH --ntasks=1\n");
    if (slurm->partition)
        fprintf(out, "#SBATCH --partition=%s\n", slurm->partition);
    if (slurm->time)
        fprintf(out, "#SBATCH --time=%s\n", slurm->time);
    if (slurm->mem)
        fprintf(out, "#SBATCH --mem=%s\n", slurm->mem);
    /* sbatch takes a double-quoted value on an #SBATCH line. */
    fprintf(out, plain_word(logs) ? "#SBATCH --output=%s/%%A_%%a.out\n" : "#SBATCH --output=\"%s/%%A_%%a.out\"\n",
            logs);
    fprintf(out, "#SBATCH --requeue\n");
    fprintf(out, "set -eu\n");
    /* Relative paths in --set values mean what they meant where this was written. */
    fputs("cd ", out);
    put_word(out, cwd);
    fputs("\nexec ", out);
    put_word(out, exe);
    fputs(" run ", out);
    put_word(out, file);
    fputs(" --point \"$SLURM_ARRAY_TASK_ID\"", out);
    if (run->threads > 0)
        fprintf(out, " --threads %d", run->threads);
    else
        fprintf(out, " --threads \"${SLURM_CPUS_PER_TASK:-%d}\"", cpus);
    if (run->no_cache)
        fputs(" --no-cache", out);
    put_shared_args(out, load, root);
    fputs(" --quiet\n", out);
}

/* realpath of PATH, which must exist. Owned string or NULL. */
static char *absolute(const char *path)
{
    char buf[PATH_MAX];
    return realpath(path, buf) ? strdup(buf) : NULL;
}

int lt_sweep_emit_slurm(const char *file, const lt_pipeline *p, const lt_load_opts *load,
                        const lt_run_opts *run, const lt_slurm_opts *slurm)
{
    /* Before any folder exists: a task that would fail on a bad value should
     * not wait in Slurm's queue to say so. */
    if (lt_sweep_check_points(file, load, p->sweep.n_points, true, run->format) > 0)
        return LT_EINPUT;
    int rc = LT_ERUNTIME;
    int cpus = slurm->cpus_per_task > 0 ? slurm->cpus_per_task : run->threads > 0 ? run->threads : 1;
    char cwd[PATH_MAX];
    char *root = lt_sweep_root(p, run);
    char *exe = absolute("/proc/self/exe");
    char *abs_file = absolute(file);
    char *abs_root = NULL, *logs = NULL, *script = NULL, *tmp = NULL;
    if (!root || !exe || !abs_file || !getcwd(cwd, sizeof cwd)) {
        lt_diag_emit(run->format, lt_code_resource, file,
                     "cannot find the absolute paths of latent and the file: %s", strerror(errno));
        goto done;
    }
    if (lt_mkdir_p(root) != 0 || !(abs_root = absolute(root)) || !(logs = lt_path_join(abs_root, "slurm")) ||
        lt_mkdir_p(logs) != 0 || !(script = lt_path_join(logs, "sweep.sbatch")) ||
        !(tmp = lt_path_join(logs, ".sweep.sbatch.tmp"))) {
        lt_diag_emit(run->format, lt_code_resource, root, "cannot create the folder for the Slurm script: %s",
                     strerror(errno));
        goto done;
    }
    FILE *f = fopen(tmp, "w");
    bool written = false;
    if (f) {
        write_script(f, exe, abs_file, cwd, abs_root, logs, p, load, run, slurm, cpus);
        written = !ferror(f);
        written &= fclose(f) == 0;
    }
    if (!written || rename(tmp, script) != 0) {
        lt_diag_emit(run->format, lt_code_resource, script, "cannot write the Slurm script: %s",
                     strerror(errno));
        remove(tmp);
        goto done;
    }
    printf("wrote %s: %zu array tasks", script, p->sweep.n_points);
    if (slurm->array_limit > 0)
        printf(", at most %d at once", slurm->array_limit);
    printf(", %d CPU%s each\n", cpus, cpus == 1 ? "" : "s");
    printf("submit it with:\n  sbatch ");
    put_word(stdout, script);
    printf("\nwhen the array has finished, build the summary with:\n  ");
    put_word(stdout, exe);
    fputs(" sweep ", stdout);
    put_word(stdout, abs_file);
    put_shared_args(stdout, load, abs_root);
    fputs(" --collect\n", stdout);
    rc = LT_OK;
done:
    free(root);
    free(exe);
    free(abs_file);
    free(abs_root);
    free(logs);
    free(script);
    free(tmp);
    return rc;
}
