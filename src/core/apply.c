#include "core/apply.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cblas.h>

#include "core/ctx.h"
#include "util/fsutil.h"
#include "core/model.h"
#include "core/models.h"
#include "core/params.h"
#include "core/registry.h"
#include "io/json.h"
#include "io/rows.h"
#include "math/logreg.h"

/* One stage of the run, as run.json has it. */
typedef struct run_stage {
    const char *name, *kind;
    const lt_json *with;  /* its resolved parameters; borrowed */
    const char *input;    /* its first input, or NULL for a source */
    const lt_stage_def *def;
} run_stage;

typedef struct apply_state {
    const lt_apply_opts *opts;
    char *run_json;       /* RUN_DIR/run.json */
    lt_json *run;
    run_stage *stages;
    size_t n_stages;
    lt_ctx ctx;
    char *staging, *out_dir;
    lt_json *metrics;
} apply_state;

/* The command's own problems, one line each in the user's --format: CODE
 * is lt_code_*, FILE what the problem is about. */
#define say(a, code, file, ...) lt_diag_emit((a)->opts->format, code, file, __VA_ARGS__)

/* Prints the stage's error kept by the context (or FALLBACK, when the stage
 * failed without one) in the user's --format. */
static void say_stage_error(const apply_state *a, const char *fallback)
{
    const lt_diag_item *it = lt_ctx_failure(&a->ctx);
    lt_diag_format f = a->opts->format;
    if (it)
        lt_diag_print_item(it, f, lt_diag_stream(f));
    else
        lt_diag_emit(f, lt_code_stage_runtime, NULL, "%s", fallback);
}

/* Prints what a binder recorded in D, and clears it. */
static void say_all(const apply_state *a, lt_diag *d)
{
    lt_diag_print_as(d, a->opts->format, lt_diag_stream(a->opts->format));
    lt_diag_clear(d);
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static char *model_path(const apply_state *a, const char *stage)
{
    char rel[600];
    snprintf(rel, sizeof rel, "models/%s.npz", stage);
    return lt_path_join(a->opts->run_dir, rel);
}

/* Reads run.json into a->stages. Returns 0 or an exit code after a message. */
static int read_run(apply_state *a)
{
    a->run_json = lt_path_join(a->opts->run_dir, "run.json");
    errno = 0;
    char *text = a->run_json ? lt_read_file(a->run_json, NULL) : NULL;
    if (!text) {
        int e = errno ? errno : ENOMEM;
        say(a, e == ENOMEM ? lt_code_resource : lt_code_input, a->opts->run_dir,
            "not a finished run: cannot read run.json: %s", strerror(e));
        return errno == ENOMEM ? 3 : 2;
    }
    a->run = lt_json_parse(text);
    free(text);
    const lt_json *stages = lt_json_get(lt_json_get(a->run, "config"), "stages");
    if (!lt_json_get(a->run, "latent_version") || !lt_json_is_object(stages)) {
        say(a, lt_code_input, a->run_json, "not a run.json latent wrote (no config.stages)");
        return 2;
    }
    a->n_stages = lt_json_size(stages);
    a->stages = calloc(a->n_stages + 1, sizeof *a->stages);
    if (!a->stages)
        return 3;
    for (size_t i = 0; i < a->n_stages; i++) {
        run_stage *s = &a->stages[i];
        const lt_json *st = lt_json_value_at(stages, i);
        s->name = lt_json_key_at(stages, i);
        s->kind = lt_json_string(lt_json_get(st, "use"));
        s->with = lt_json_get(st, "with");
        const lt_json *in = lt_json_get(st, "input");
        s->input = lt_json_len(in) ? lt_json_string(lt_json_at(in, 0)) : NULL;
        s->def = s->kind ? lt_registry_find(s->kind) : NULL;
        if (!s->def) {
            say(a, lt_code_stage_kind, a->run_json,
                "stage '%s' has kind '%s', which this latent does not know", s->name,
                s->kind ? s->kind : "?");
            return 2;
        }
    }
    return 0;
}

static long find_stage(const apply_state *a, const char *name)
{
    for (size_t i = 0; name && i < a->n_stages; i++)
        if (strcmp(a->stages[i].name, name) == 0)
            return (long)i;
    return -1;
}

/* The target stage: --stage NAME, or the last stage that saved a model. */
static long pick_target(const apply_state *a)
{
    if (a->opts->stage) {
        long t = find_stage(a, a->opts->stage);
        if (t < 0) {
            say(a, lt_code_input, a->run_json, "the run has no stage named '%s'", a->opts->stage);
            return -1;
        }
        char *path = model_path(a, a->opts->stage);
        bool saved = path && exists(path);
        free(path);
        if (!saved) {
            say(a, lt_code_model, a->opts->run_dir,
                "stage '%s' (%s) saved no model (models/%s.npz); latent apply stops at a stage "
                "that fitted one", a->opts->stage, a->stages[t].kind, a->opts->stage);
            return -1;
        }
        return t;
    }
    for (size_t i = a->n_stages; i-- > 0;) {
        char *path = model_path(a, a->stages[i].name);
        bool saved = path && exists(path);
        free(path);
        if (saved)
            return (long)i;
    }
    say(a, lt_code_model, a->opts->run_dir, "the run saved no models (models/ is empty); nothing to apply");
    return -1;
}

/* The column names of DATA's first line (a CSV header), split on DELIM;
 * true when NAME is one of them. */
/* DELIMS: the run's delimiter, or every one `delimiter: auto` sniffs. */
static bool header_has(const char *data, const char *delims, const char *name)
{
    FILE *f = fopen(data, "r");
    char line[65536];
    bool found = false;
    if (f && fgets(line, sizeof line, f)) {
        for (char *p = line; !found && *p;) {
            char *end = p + strcspn(p, delims);
            if (!*end)
                end = NULL;
            if (end)
                *end = '\0';
            p[strcspn(p, "\r\n")] = '\0';
            char *q = p;
            size_t len = strlen(q);
            if (len >= 2 && q[0] == '"' && q[len - 1] == '"') {
                q[len - 1] = '\0';
                q++;
            }
            found = strcmp(q, name) == 0;
            p = end ? end + 1 : p + strlen(p);
        }
    }
    if (f)
        fclose(f);
    return found;
}

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcasecmp(s + n - t, tail) == 0;
}

/* Runs stage kind DEF with CONFIG on IN (NULL for a source), asking for the
 * outputs in the mask WANTED (bit k: output k; the default always), and
 * hands output INDEX over into *OUT (owned; the others are freed). */
static int run_kind(apply_state *a, const lt_stage_def *def, const void *config, const lt_data *in,
                    unsigned wanted, int index, lt_data **out)
{
    lt_value ins[1] = {{.data = (lt_data *)in}};
    lt_value outs[LT_MAX_OUTPUTS] = {{0}};
    a->ctx.wanted = wanted | 1u;
    int rc = def->run(&a->ctx, config, in ? ins : NULL, in ? 1 : 0, outs);
    *out = outs[index].data;
    outs[index].data = NULL;
    for (int k = 0; k < LT_MAX_OUTPUTS; k++)
        lt_value_free(&outs[k]);
    if (rc == LT_OK && !*out)
        rc = lt_fail(&a->ctx, LT_ERUNTIME, "produced no output (a bug in the stage)");
    return rc;
}

/* Reads DATA with the run's dataset options (its source stage SRC). */
static int read_data(apply_state *a, const run_stage *src, lt_data **out)
{
    const char *data = a->opts->data;
    const char *kind = ends_with(data, ".npy") ? "dataset.npy"
                       : ends_with(data, ".csv") || ends_with(data, ".tsv") || ends_with(data, ".txt")
                           ? "dataset.csv"
                           : NULL;
    if (!kind) {
        say(a, lt_code_data, data, "latent apply reads a .csv or .npy file");
        return 2;
    }
    const lt_stage_def *def = lt_registry_find(kind);
    /* The run's options when it read the same kind of file, else defaults. */
    bool same = strcmp(src->kind, kind) == 0;
    lt_json *with = lt_json_object();
    for (size_t i = 0; same && with && i < lt_json_size(src->with); i++) {
        char *text = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&text, &len);
        if (mem) {
            lt_json_write_compact(lt_json_value_at(src->with, i), mem);
            fclose(mem);
        }
        lt_json_set(with, lt_json_key_at(src->with, i), text ? lt_json_parse(text) : NULL);
        free(text);
    }
    lt_json_set(with, "path", lt_json_str(data));
    if (strcmp(kind, "dataset.npy") == 0)
        lt_json_set(with, "labels", lt_json_str("")); /* the labels were the run's file */
    const char *label = lt_json_string(lt_json_get(with, "label_column"));
    const lt_json *header = lt_json_get(with, "header");
    const char *delim = lt_json_string(lt_json_get(with, "delimiter"));
    char *endp;
    if (label && *label && (!header || lt_json_is_bool(header)) && (strtol(label, &endp, 10), *endp) &&
        !header_has(data, !delim || !*delim || !strcmp(delim, "auto") ? ",;\t"
                          : !strcmp(delim, "whitespace") ? " \t" : (char[]){delim[0], '\0'},
                    label))
        lt_json_set(with, "label_column", lt_json_str("")); /* DATA is unlabelled */
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (mem) {
        lt_json_write_compact(with, mem);
        fclose(mem);
    }
    lt_json_free(with);
    lt_diag diag = {0};
    lt_node *node = text ? lt_yaml_parse(a->run_json, text, len, &diag) : NULL;
    free(text);
    void *config = calloc(1, def->config_size + 1);
    lt_bind_site site = {.file = a->run_json, .stage = src->name, .kind = kind, .basedir = "."};
    int rc = node && config ? 0 : 3;
    if (rc == 0 && lt_params_bind(def->params, def->n_params, config, node, &site, &diag) != 0)
        rc = 2;
    lt_node_free(node);
    say_all(a, &diag);
    if (rc == 0) {
        lt_json *m = lt_json_object();
        lt_ctx_enter(&a->ctx, src->name, 0, 0, m);
        rc = (def->check ? def->check(&a->ctx, config) : LT_OK);
        if (rc == LT_OK)
            rc = run_kind(a, def, config, NULL, 1u, 0, out);
        if (rc != LT_OK)
            say_stage_error(a, "cannot read the data");
        lt_json_free(m);
    }
    if (config)
        lt_params_release(def->params, def->n_params, config);
    free(config);
    /* Every stage gets dense float64 rows, as the run's would after conversion. */
    if (rc == 0 && (lt_data_has_stream(*out) || lt_data_has_f32(*out))) {
        char why[512];
        lt_data *dense = lt_data_to_f64(*out, why, sizeof why);
        lt_data_free(out);
        if (!dense) {
            say(a, lt_code_data, NULL, "%s", why);
            return 2;
        }
        *out = dense;
    }
    return rc;
}

/* A fitting stage of the chain bound to its saved model, as a pipeline
 * stage with `from:` would be. */
static int bind_saved(apply_state *a, const run_stage *rs, lt_stage_inst *s)
{
    memset(s, 0, sizeof *s);
    s->name = (char *)rs->name;
    s->def = rs->def;
    s->config = calloc(1, rs->def->config_size + 1);
    char *path = model_path(a, rs->name);
    if (!s->config || !path) {
        free(path);
        return 3;
    }
    lt_node from = {.kind = LT_SCALAR, .value = path};
    lt_bind_site site = {.file = a->run_json, .stage = rs->name, .kind = rs->def->name};
    lt_diag diag = {0};
    int problems = lt_models_bind_from(s, &from, NULL, &site, &diag);
    say_all(a, &diag);
    free(path);
    return problems ? 2 : 0;
}

static void release_saved(lt_stage_inst *s)
{
    if (s->config)
        lt_params_release(s->def->params, s->def->n_params, s->config);
    free(s->config);
    free(s->from);
    lt_model_free(s->model);
    memset(s, 0, sizeof *s);
}

/* What a classifier predicts for the rows of IN, from its saved coef_,
 * intercept_ and classes_ (logreg's, or lda's, whose probabilities are the
 * same logistic or softmax of its linear scores). */
typedef struct predictions {
    size_t n, k;
    double *prob;   /* n x k */
    int *pred;      /* n */
    int *truth;     /* n model classes of DATA's labels, or NULL */
    char **cols;    /* k column names p_<class> */
    char **classes; /* k class names (owned: the model goes before the rows are written) */
} predictions;

static void free_predictions(predictions *p)
{
    free(p->prob);
    free(p->pred);
    free(p->truth);
    for (size_t j = 0; p->cols && j < p->k; j++)
        free(p->cols[j]);
    free(p->cols);
    for (size_t j = 0; p->classes && j < p->k; j++)
        free(p->classes[j]);
    free(p->classes);
}

static int predict(apply_state *a, const lt_model *m, const lt_data *in, predictions *out)
{
    lt_ctx *ctx = &a->ctx;
    const lt_mat *x = in->split[LT_TRAIN].x;
    size_t k = 0, rows = LT_ANY, cols = in->n_features;
    char *const *classes = lt_model_strs(ctx, m, "classes_", &k);
    const double *coef = classes ? lt_model_get(ctx, m, "coef_", &rows, &cols) : NULL;
    const double *icpt = coef ? lt_model_vec(ctx, m, "intercept_", rows) : NULL;
    if (!icpt || k < 2 || rows != (k == 2 ? 1 : k)) {
        if (icpt)
            lt_model_fail(ctx, m,
                       "coef_ has %zu rows for %zu classes", rows, k);
        say_stage_error(a, "the model cannot be read");
        return 2;
    }
    lt_logreg lr = {.n_features = cols, .n_classes = (int)k, .n_rows = (int)rows,
                    .coef = (double *)coef, .intercept = (double *)icpt};
    size_t n = x->rows;
    out->n = n;
    out->k = k;
    out->classes = calloc(k, sizeof *out->classes);
    for (size_t j = 0; out->classes && j < k; j++)
        if (!(out->classes[j] = strdup(classes[j])))
            return 3;
    out->prob = malloc((n ? n : 1) * k * sizeof *out->prob);
    out->pred = malloc((n ? n : 1) * sizeof *out->pred);
    out->cols = calloc(k, sizeof *out->cols);
    if (!out->classes || !out->prob || !out->pred || !out->cols || lt_logreg_proba(&lr, x, out->prob) != 0)
        return 3;
    for (size_t j = 0; j < k; j++) {
        size_t len = strlen(classes[j]) + 3;
        if (!(out->cols[j] = malloc(len)))
            return 3;
        snprintf(out->cols[j], len, "p_%s", classes[j]);
    }
    for (size_t i = 0; i < n; i++) {
        size_t best = 0; /* the first of the largest, as numpy's argmax */
        for (size_t j = 1; j < k; j++)
            if (out->prob[i * k + j] > out->prob[i * k + best])
                best = j;
        out->pred[i] = (int)best;
    }
    const int *y = in->split[LT_TRAIN].y;
    if (!y)
        return 0;
    /* DATA's labels as the model's classes, matched by name. */
    if (!(out->truth = malloc((n ? n : 1) * sizeof *out->truth)))
        return 3;
    for (size_t i = 0; i < n; i++) {
        char buf[16];
        const char *name = in->class_names && in->class_names[y[i]] ? in->class_names[y[i]] : buf;
        snprintf(buf, sizeof buf, "%d", y[i]);
        out->truth[i] = -1;
        for (size_t j = 0; j < k; j++)
            if (strcmp(classes[j], name) == 0)
                out->truth[i] = (int)j;
        if (out->truth[i] < 0) {
            char list[512];
            int h = 0;
            for (size_t j = 0; j < k && h >= 0 && (size_t)h < sizeof list; j++)
                h += snprintf(list + h, sizeof list - (size_t)h, "%s%s", j ? ", " : "", classes[j]);
            say(a, lt_code_data, a->opts->data,
                "row %zu: label '%s' is not one of the classes the model in %s was fitted on (%s)",
                i, name, lt_model_path(m), list);
            return 2;
        }
    }
    size_t hits = 0;
    double loss = 0;
    for (size_t i = 0; i < n; i++) {
        hits += out->pred[i] == out->truth[i];
        loss += lt_logreg_row_loss(out->prob + i * k, k, out->truth[i]);
    }
    lt_json *mine = lt_json_get(a->metrics, ctx->stage);
    lt_json_set(mine, "accuracy", lt_json_num(n ? (double)hits / (double)n : NAN));
    lt_json_set(mine, "log_loss", lt_json_num(n ? loss / (double)n : NAN));
    return 0;
}

/* Writes the results of the target stage NAME into staging. */
static int write_results(apply_state *a, const char *name, const lt_data *d,
                         const predictions *p, const double *row_error)
{
    const lt_split *sp = &d->split[LT_TRAIN];
    lt_rows r = {.n = sp->x->rows, .label_header = "label", .extra = row_error,
                 .extra_name = "reconstruction_error"};
    if (p) {
        r.cols = p->k;
        r.values = p->prob;
        r.col_names = p->cols;
        r.predicted = p->pred;
        r.class_names = p->classes;
    } else {
        r.cols = sp->x->cols;
        r.values = sp->x->v;
        r.col_names = d->feature_names;
    }
    /* A network's float32 output, as the float64 values that hold it exactly. */
    char why[512];
    lt_mat *wide = !p && !sp->x->v && sp->x->rows * sp->x->cols > 0 ? lt_mat_to_f64(sp->x, why, sizeof why) : NULL;
    if (!p && !sp->x->v && sp->x->rows * sp->x->cols > 0 && !wide)
        return 3;
    if (wide)
        r.values = wide->v;
    if (sp->y) {
        r.labels = sp->y;
        r.label_names = d->class_names;
    }
    char file[600], err[1024];
    snprintf(file, sizeof file, "%s.npy", name);
    char *npy = lt_path_join(a->staging, file);
    snprintf(file, sizeof file, "%s.csv", name);
    char *csv = lt_path_join(a->staging, file);
    char *metrics = lt_path_join(a->staging, "metrics.json");
    int rc = npy && csv && metrics ? 0 : 3;
    if (rc == 0 && (lt_rows_write_npy(npy, &r, 0, err, sizeof err) != 0 ||
                    lt_rows_write_csv(csv, &r, err, sizeof err) != 0)) {
        say(a, lt_code_resource, NULL, "%s", err);
        rc = 3;
    }
    FILE *f = rc == 0 ? fopen(metrics, "w") : NULL;
    if (rc == 0 && (!f || lt_json_write(a->metrics, f) != 0 || fclose(f) != 0)) {
        say(a, lt_code_resource, metrics, "cannot write: %s", strerror(errno));
        rc = 3;
    }
    free(npy);
    free(csv);
    free(metrics);
    lt_mat_free(&wide);
    return rc;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* An autoencoder's reconstructions of IN (its reconstruction output), each row's mean squared error into *err (owned), and
 * their summary into the stage's metrics. */
static int reconstruction_error(apply_state *a, const lt_stage_inst *s, const lt_data *in,
                                double **err)
{
    int index = -1;
    for (size_t k = 0; k < s->def->n_outputs; k++)
        if (!strcmp(s->def->outputs[k].name, "reconstruction"))
            index = (int)k;
    if (index < 0)
        return 0; /* a network without a reconstruction to compare */
    lt_data *rec = NULL;
    lt_json *scratch = lt_json_object();
    lt_json *mine = a->ctx.metrics;
    a->ctx.metrics = scratch; /* its metrics repeat the first run's */
    int st = run_kind(a, s->def, s->config, in, 1u << index, index, &rec);
    a->ctx.metrics = mine;
    lt_json_free(scratch);
    if (st != LT_OK) {
        say_stage_error(a, "the stage failed");
        return st == LT_EINPUT ? 2 : 3;
    }
    const lt_mat *x = in->split[LT_TRAIN].x, *y = rec->split[LT_TRAIN].x;
    size_t n = x->rows, p = x->cols;
    double *xr = malloc(p * sizeof *xr + 1), *yr = malloc(p * sizeof *yr + 1);
    double *sorted = malloc(n * sizeof *sorted + 1);
    *err = malloc(n * sizeof **err + 1);
    char why[512];
    int rc = xr && yr && sorted && *err ? 0 : 3;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (lt_mat_read_rows(x, i, 1, xr, why, sizeof why) != 0 ||
            lt_mat_read_rows(y, i, 1, yr, why, sizeof why) != 0) {
            rc = 3;
            break;
        }
        double sum = 0;
        for (size_t j = 0; j < p; j++)
            sum += (xr[j] - yr[j]) * (xr[j] - yr[j]);
        (*err)[i] = sorted[i] = p ? sum / (double)p : 0;
    }
    if (rc == 0 && n > 0) {
        qsort(sorted, n, sizeof *sorted, cmp_double);
        double mean = 0;
        for (size_t i = 0; i < n; i++)
            mean += sorted[i];
        mean /= (double)n;
        lt_json *r = lt_json_set(mine, "reconstruction_error", lt_json_object());
        lt_json_set(r, "mean", lt_json_num(mean));
        lt_json_set(r, "min", lt_json_num(sorted[0]));
        lt_json_set(r, "median", lt_json_num(n % 2 ? sorted[n / 2]
                                                   : (sorted[n / 2 - 1] + sorted[n / 2]) / 2));
        lt_json_set(r, "p95", lt_json_num(sorted[(size_t)(0.95 * (double)(n - 1))]));
        lt_json_set(r, "max", lt_json_num(sorted[n - 1]));
    }
    free(xr);
    free(yr);
    free(sorted);
    lt_data_free(&rec);
    return rc;
}

/* Moves the three results from staging into the output folder. */
static int commit_results(apply_state *a, const char *name)
{
    char files[3][600];
    snprintf(files[0], sizeof files[0], "%s.npy", name);
    snprintf(files[1], sizeof files[1], "%s.csv", name);
    snprintf(files[2], sizeof files[2], "metrics.json");
    int rc = 0;
    for (int i = 0; i < 3 && rc == 0; i++) {
        char *from = lt_path_join(a->staging, files[i]), *to = lt_path_join(a->out_dir, files[i]);
        if (!from || !to || rename(from, to) != 0) {
            say(a, lt_code_resource, a->out_dir, "cannot move %s into place: %s", files[i],
                strerror(errno));
            rc = 3;
        }
        free(from);
        free(to);
    }
    return rc;
}

/* Runs the chain of stages ending at TARGET on the rows read from DATA. */
static int replay(apply_state *a, long target)
{
    /* The chain, from the target back to its source along first inputs. */
    size_t chain[64], n = 0;
    for (long i = target; i >= 0 && n < 64; i = find_stage(a, a->stages[i].input)) {
        chain[n++] = (size_t)i;
        if (!a->stages[i].input)
            break;
    }
    const run_stage *src = &a->stages[chain[n - 1]];
    if (src->input || src->def->max_inputs > 0) {
        say(a, lt_code_graph, a->run_json, "the chain to stage '%s' does not start at a dataset",
            a->stages[target].name);
        return 2;
    }
    lt_data *cur = NULL;
    int rc = read_data(a, src, &cur);
    predictions pred = {0};
    double *row_error = NULL;
    const char *name = a->stages[target].name;
    for (size_t c = n - 1; rc == 0 && c-- > 0;) {
        const run_stage *rs = &a->stages[chain[c]];
        char *path = model_path(a, rs->name);
        bool saved = path && exists(path);
        free(path);
        if (!saved) {
            if (!a->opts->quiet && a->opts->format == LT_DIAG_TEXT)
                fprintf(stderr, "latent apply: stage '%s' (%s) saved no model; its input passes "
                        "through\n", rs->name, rs->kind);
            continue;
        }
        lt_stage_inst s;
        rc = bind_saved(a, rs, &s);
        lt_json *m = lt_json_set(a->metrics, rs->name, lt_json_object());
        lt_ctx_enter(&a->ctx, rs->name, 0, 0, m);
        if (rc == 0 && lt_models_enter(&a->ctx, &s, cur) != LT_OK) {
            say_stage_error(a, "the model does not fit");
            rc = 2;
        }
        lt_json_set(m, "rows", lt_json_int((long long)lt_data_rows(cur, LT_TRAIN)));
        bool classifier = !strcmp(rs->kind, "logreg") || !strcmp(rs->kind, "lda");
        if (rc == 0 && chain[c] == (size_t)target && classifier) {
            rc = predict(a, s.model, cur, &pred);
        } else if (rc == 0 && rs->def->n_outputs) {
            if (chain[c] == (size_t)target && !strcmp(rs->kind, "autoencoder"))
                rc = reconstruction_error(a, &s, cur, &row_error);
            lt_data *next = NULL;
            int st = rc == 0 ? run_kind(a, rs->def, s.config, cur, 1u, 0, &next) : LT_OK;
            if (rc == 0 && st != LT_OK) {
                say_stage_error(a, "the stage failed");
                rc = st == LT_EINPUT ? 2 : 3;
            }
            lt_data_free(&cur);
            cur = next;
        }
        release_saved(&s);
        if (rc == 0 && !cur)
            rc = 3;
    }
    if (rc == 0 && lt_json_failed(a->metrics))
        rc = 3;
    if (rc == 0)
        rc = write_results(a, name, cur, pred.prob ? &pred : NULL, row_error);
    if (rc == 0)
        rc = commit_results(a, name);
    if (rc == 0 && !a->opts->quiet && a->opts->format == LT_DIAG_TEXT)
        fprintf(stderr, "latent apply: wrote %s/%s.npy, %s.csv and metrics.json (%zu rows)\n",
                a->out_dir, name, name, lt_data_rows(cur, LT_TRAIN));
    free_predictions(&pred);
    free(row_error);
    lt_data_free(&cur);
    return rc;
}

int lt_apply(const lt_apply_opts *opts)
{
    apply_state a = {.opts = opts};
    int rc = read_run(&a);
    long target = rc == 0 ? pick_target(&a) : -1;
    if (rc == 0 && target < 0)
        rc = 2;
    bool made = false; /* the output folder, so that a failure removes it again */
    if (rc == 0) {
        a.out_dir = opts->out_dir ? strdup(opts->out_dir) : lt_path_join(opts->run_dir, "apply");
        made = a.out_dir && !exists(a.out_dir);
        char partial[64];
        snprintf(partial, sizeof partial, ".partial-apply-%ld", (long)getpid());
        a.staging = a.out_dir ? lt_path_join(a.out_dir, partial) : NULL;
        a.metrics = lt_json_object();
        if (!a.staging || !a.metrics || lt_mkdir_p(a.out_dir) != 0 || lt_mkdir_p(a.staging) != 0) {
            lt_diag_emit(opts->format, lt_code_resource, a.out_dir ? a.out_dir : "?",
                         "cannot create the output folder: %s", strerror(errno));
            rc = 3;
        }
    }
    if (rc == 0) {
        const lt_json *seed = lt_json_get(a.run, "seed");
        a.ctx = (lt_ctx){.pipeline = lt_json_string(lt_json_get(a.run, "pipeline")),
                         .file = a.run_json, .staging = a.staging,
                         .seed = seed ? (uint32_t)lt_json_number(seed) : 0,
                         .threads = openblas_get_num_threads(), .quiet = opts->quiet,
                         .format = opts->format};
        a.ctx.png_text[0] = "Software";
        a.ctx.png_text[1] = "latent " LATENT_VERSION;
        rc = replay(&a, target);
        lt_ctx_release(&a.ctx);
    }
    if (a.staging)
        lt_remove_tree(a.staging);
    if (rc != 0 && made)
        rmdir(a.out_dir);
    free(a.staging);
    free(a.out_dir);
    lt_json_free(a.metrics);
    lt_json_free(a.run);
    free(a.stages);
    free(a.run_json);
    return rc;
}
