/* `latent init DATA.csv [--label COLUMN] [--out FILE]`: a starter pipeline
 * for a table of the user's own that runs unchanged. */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The delimiter the header line uses most: ',', ';' or a tab. */
static char sniff_delimiter(const char *line)
{
    static const char cands[] = ",;\t";
    char best = ',';
    size_t best_n = 0;
    for (const char *d = cands; *d; d++) {
        size_t n = 0;
        for (const char *c = line; *c; c++)
            n += *c == *d;
        if (n > best_n) {
            best_n = n;
            best = *d;
        }
    }
    return best;
}

/* Splits LINE (modified) at DELIM into at most MAX fields, quotes and
 * surrounding blanks stripped. Returns the count. */
static size_t split_fields(char *line, char delim, char **fields, size_t max)
{
    size_t n = 0;
    line[strcspn(line, "\r\n")] = '\0';
    for (char *start = line; n < max;) {
        char *end = strchr(start, delim);
        if (end)
            *end = '\0';
        while (*start == ' ' || *start == '"')
            start++;
        size_t len = strlen(start);
        while (len && (start[len - 1] == ' ' || start[len - 1] == '"'))
            start[--len] = '\0';
        fields[n++] = start;
        if (!end)
            break;
        start = end + 1;
    }
    return n;
}

/* A pipeline name from the file's stem: letters, digits, '-' and '_'. */
static void pipeline_name(const char *data, char *out, size_t size)
{
    const char *base = strrchr(data, '/');
    base = base ? base + 1 : data;
    size_t k = 0;
    for (const char *c = base; *c && *c != '.' && k + 1 < size; c++)
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-' ||
            *c == '_')
            out[k++] = *c;
    out[k] = '\0';
    if (k == 0 || !((out[0] >= 'a' && out[0] <= 'z') || (out[0] >= 'A' && out[0] <= 'Z')))
        snprintf(out, size, "starter");
}

/* The data file as the pipeline should name it: relative to the folder of
 * OUT when it lies in the same folder, else absolute. Owned. */
static char *data_path_for(const char *data, const char *out)
{
    char *d1 = strdup(data), *d2 = strdup(out);
    char *rd = NULL, *ro = NULL, *result = NULL;
    if (d1 && d2) {
        rd = realpath(dirname(d1), NULL);
        ro = realpath(dirname(d2), NULL);
    }
    const char *base = strrchr(data, '/');
    base = base ? base + 1 : data;
    if (rd && ro && !strcmp(rd, ro))
        result = strdup(base);
    else
        result = realpath(data, NULL);
    free(d1);
    free(d2);
    free(rd);
    free(ro);
    return result;
}

/* A YAML plain scalar is safe for names of letters, digits and _./-; other
 * names are double-quoted. */
static void yaml_scalar(const char *s, FILE *out)
{
    bool plain = *s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-") == strlen(s);
    if (plain) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (const char *c = s; *c; c++) {
        if (*c == '"' || *c == '\\')
            fputc('\\', out);
        fputc(*c, out);
    }
    fputc('"', out);
}

static void write_pipeline(FILE *f, const char *name, const char *data_arg, const char *path, char delim,
                           const char *label, size_t n_features)
{
    int k = n_features >= 2 ? 2 : 1;
    fprintf(f, "# yaml-language-server: $schema=%s\n", LATENT_SCHEMA_FILE);
    fprintf(f, "# A starter pipeline, written by `latent init %s%s%s`.\n", data_arg, label ? " --label " : "",
            label ? label : "");
    fputs("# Run it: latent run THIS_FILE. `latent stages KIND` lists a kind's parameters;\n"
          "# `latent run THIS_FILE --set pca.n_components=3` tries another value without editing.\n",
          f);
    fprintf(f, "pipeline: %s\n", name);
    fprintf(f, "description: >\n  The table %s, standardised and reduced to its first %d principal\n"
               "  component%s%s.\n",
            path, k, k == 1 ? "" : "s", label ? ", with a logistic regression of the labels on them" : "");
    fputs("seed: 0\nstages:\n", f);
    fputs("  # The table: one row per sample, one numeric column per feature.\n  data:     {use: dataset.csv, with: {path: ",
          f);
    yaml_scalar(path, f);
    if (delim != ',')
        fprintf(f, ", delimiter: \"%s\"", delim == '\t' ? "\\t" : ";");
    if (label) {
        fputs(", label_column: ", f);
        yaml_scalar(label, f);
    }
    fputs("}}\n", f);
    fputs("  # A quarter of the rows held out as the test split (every stage fits on train).\n"
          "  split:    {use: split, with: {test_size: 0.25}}\n"
          "  # Each feature to zero mean and unit variance, as StandardScaler.\n"
          "  scaled:   {use: scaler.standard}\n",
          f);
    fprintf(f, "  # The leading principal components, as scikit-learn's PCA.\n"
               "  pca:      {use: pca, with: {n_components: %d}}\n",
            k);
    if (label)
        fputs("  # Logistic regression on the components: train and test accuracy.\n"
              "  lr:       {use: logreg, input: pca}\n",
              f);
    if (k == 2)
        fprintf(f, "  # The train rows on the first two components%s.\n"
                   "  view:     {use: plot.scatter, input: pca, with: {axes: false, equal: false%s}}\n",
                label ? ", coloured by label" : "", label ? "" : ", color: none");
    fputs("  # How much of the variance each component explains.\n"
          "  spectrum: {use: plot.variance, input: pca.spectrum}\n",
          f);
}

int lt_cli_init(int argc, char **argv)
{
    const char *data = NULL, *label = NULL, *out = NULL;
    for (int i = 2; i < argc; i++) {
        if ((!strcmp(argv[i], "--label") || !strcmp(argv[i], "--out")) && i + 1 < argc) {
            *(argv[i][2] == 'l' ? &label : &out) = argv[i + 1];
            i++;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "latent: init: unknown option or missing value '%s' (`latent init --help`)\n", argv[i]);
            return 2;
        } else if (data) {
            fprintf(stderr, "latent: init takes one data file, got a second: '%s'\n", argv[i]);
            return 2;
        } else {
            data = argv[i];
        }
    }
    if (!data) {
        fprintf(stderr, "latent: init takes a CSV file: latent init DATA.csv [--label COLUMN]\n");
        return 2;
    }
    FILE *in = fopen(data, "r");
    if (!in) {
        fprintf(stderr, "%s: cannot open: %s\n", data, strerror(errno));
        return 2;
    }
    char line[65536], row[65536];
    bool got = fgets(line, sizeof line, in) != NULL;
    bool got_row = got && fgets(row, sizeof row, in) != NULL;
    fclose(in);
    if (!got) {
        fprintf(stderr, "%s:1:1: the file is empty\n", data);
        return 2;
    }
    char delim = sniff_delimiter(line);
    char *fields[4096];
    size_t n = split_fields(line, delim, fields, 4096);
    if (label) {
        size_t k = 0;
        while (k < n && strcmp(fields[k], label) != 0)
            k++;
        if (k == n) {
            fprintf(stderr, "%s:1:1: no column named '%s' in the header\n", data, label);
            return 2;
        }
    }
    /* A text column other than the label would stop the run at its first
     * row: say so now, with the fix. */
    char *values[4096];
    size_t n_values = got_row ? split_fields(row, delim, values, 4096) : 0;
    for (size_t k = 0; k < n_values && k < n; k++) {
        char *end;
        strtod(values[k], &end);
        if ((end == values[k] || *end) && !(label && !strcmp(fields[k], label))) {
            fprintf(stderr, "%s:2:%zu: column '%s' holds text (\"%s\"): name it with --label %s\n", data, k + 1,
                    fields[k], values[k], fields[k]);
            return 2;
        }
    }
    size_t n_features = n - (label ? 1 : 0);
    if (n_features < 1) {
        fprintf(stderr, "%s:1:1: no feature columns besides the label\n", data);
        return 2;
    }

    char name[128], default_out[PATH_MAX];
    pipeline_name(data, name, sizeof name);
    if (!out) {
        /* DATA's own folder and stem, so the path inside stays short. */
        snprintf(default_out, sizeof default_out, "%s", data);
        char *dot = strrchr(default_out, '.'), *slash = strrchr(default_out, '/');
        if (dot && (!slash || dot > slash))
            *dot = '\0';
        strncat(default_out, ".yaml", sizeof default_out - strlen(default_out) - 1);
        out = default_out;
    }
    char *path = data_path_for(data, out);
    if (!path) {
        fprintf(stderr, "%s: cannot resolve the path: %s\n", data, strerror(errno));
        return 2;
    }
    /* O_EXCL: a pipeline of the user's is never overwritten. */
    int fd = open(out, O_WRONLY | O_CREAT | O_EXCL, 0644);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        fprintf(stderr, "%s: cannot create: %s%s\n", out, strerror(errno),
                errno == EEXIST ? " (choose another name with --out)" : "");
        if (fd >= 0)
            close(fd);
        free(path);
        return 2;
    }
    write_pipeline(f, name, data, path, delim, label, n_features);
    free(path);
    if (fclose(f) != 0) {
        fprintf(stderr, "%s: cannot write: %s\n", out, strerror(errno));
        unlink(out);
        return 3;
    }
    printf("wrote %s; run it with: latent run %s\n", out, out);
    return 0;
}
