#include "core/models.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "util/fsutil.h"
#include "core/model.h"
#include "core/sha256.h"

int lt_models_bind_from(lt_stage_inst *s, const lt_node *from, const lt_node *with,
                        const lt_bind_site *site, lt_diag *diag)
{
    size_t before = diag->n;
    const char *file = site->file;
    if (!s->def->fits) {
        lt_diag_add(diag, lt_code_model, file, from->line, from->col,
                    "stage '%s': %s fits nothing, so it takes no 'from' (saved models are for "
                    "fitting stages)", s->name, s->def->name);
        return 1;
    }
    if (from->kind != LT_SCALAR || lt_node_is_null(from) || !from->value[0]) {
        lt_diag_add(diag, lt_code_model, file, from->line, from->col,
                    "stage '%s': from: expected the path of a saved model (models/<stage>.npz), "
                    "got %s", s->name, lt_node_describe(from));
        return 1;
    }
    bool as_is = from->value[0] == '/' || !site->basedir || strcmp(site->basedir, ".") == 0;
    s->from = as_is ? strdup(from->value) : lt_path_join(site->basedir, from->value);
    char err[1024];
    if (!s->from || !(s->model = lt_model_read(s->from, err, sizeof err))) {
        lt_diag_add(diag, lt_code_resource, file, from->line, from->col, "stage '%s': %s", s->name,
                    s->from ? err : "out of memory");
        return 1;
    }
    const char *kind = lt_model_text(s->model, LT_MODEL_KIND_KEY);
    if (strcmp(kind, s->def->name) != 0) {
        lt_diag_add(diag, lt_code_model, file, from->line, from->col,
                    "stage '%s': %s: the model was saved by a %s stage, not %s", s->name, s->from,
                    kind, s->def->name);
        return 1;
    }
    /* The content, not the name, identifies the model for the cache. */
    size_t len = 0;
    char *bytes = lt_read_file(s->from, &len);
    if (!bytes) {
        lt_diag_add(diag, lt_code_model, file, from->line, from->col, "stage '%s': %s: cannot read: %s", s->name,
                    s->from, strerror(errno));
        return 1;
    }
    lt_sha256_hex(bytes, len, s->from_sha256);
    free(bytes);
    /* The saved parameters are JSON, which is YAML. */
    const char *params = lt_model_text(s->model, LT_MODEL_PARAMS_KEY);
    lt_node *saved = params ? lt_yaml_parse(s->from, params, strlen(params), diag) : NULL;
    if (!saved) {
        if (diag->n == before)
            lt_diag_add(diag, lt_code_model, file, from->line, from->col,
                        "stage '%s': %s: the model has no readable '%s.npy'", s->name, s->from,
                        LT_MODEL_PARAMS_KEY);
        return (int)(diag->n - before);
    }
    for (size_t i = 0; with && with->kind == LT_MAP && i < with->n; i++) {
        lt_node *copy = lt_node_copy(with->items[i]);
        if (!copy || lt_node_put(saved, with->keys[i]->value, copy, with->keys[i]->line,
                                 with->keys[i]->col) != 0) {
            lt_node_free(copy);
            lt_diag_add(diag, lt_code_resource, file, 0, 0, "out of memory");
        }
    }
    lt_bind_site at = *site;
    at.file = s->from;
    lt_params_bind(s->def->params, s->def->n_params, s->config, saved, &at, diag);
    lt_node_free(saved);
    return (int)(diag->n - before);
}

/* "a, b, c" of the first names, for messages: at most 8, then "... (N in all)". */
static void list_names(char *const *names, size_t n, char *buf, size_t size)
{
    int h = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && i < 8 && h >= 0 && (size_t)h < size; i++)
        h += snprintf(buf + h, size - (size_t)h, "%s%s", i ? ", " : "", names[i]);
    if (n > 8 && h >= 0 && (size_t)h < size)
        snprintf(buf + h, size - (size_t)h, ", ... (%zu in all)", n);
}

static int check_features(lt_ctx *ctx, const lt_model *m, const lt_data *in)
{
    double saved_n = 0;
    if (lt_model_num(ctx, m, LT_MODEL_NFEAT_KEY, &saved_n) != LT_OK)
        return LT_EINPUT;
    size_t n_names = 0;
    long at = lt_model_find(m, LT_MODEL_NAMES_KEY);
    char *const *names = at >= 0 ? lt_model_strs(ctx, m, LT_MODEL_NAMES_KEY, &n_names) : NULL;
    if (at >= 0 && !names)
        return LT_EINPUT;
    char want[600], got[600];
    if ((size_t)saved_n != in->n_features) {
        if (names && in->feature_names) {
            list_names(names, n_names, want, sizeof want);
            list_names(in->feature_names, in->n_features, got, sizeof got);
            return lt_model_fail(ctx, m,
                              "the model was fitted on %zu features (%s), but the input has %zu (%s)",
                              (size_t)saved_n, want, in->n_features, got);
        }
        return lt_model_fail(ctx, m,
                          "the model was fitted on %zu features, but the input has %zu",
                          (size_t)saved_n, in->n_features);
    }
    for (size_t j = 0; names && in->feature_names && j < n_names; j++)
        if (strcmp(names[j], in->feature_names[j]) != 0) {
            list_names(names, n_names, want, sizeof want);
            list_names(in->feature_names, in->n_features, got, sizeof got);
            return lt_model_fail(ctx, m,
                              "feature %zu is '%s' in the model but '%s' in the input; "
                              "expected %s, found %s", j + 1, names[j], in->feature_names[j],
                              want, got);
        }
    size_t dims = 0, zero = 0;
    const double *shape = lt_model_get(ctx, m, LT_MODEL_SHAPE_KEY, &(size_t){LT_ANY}, &zero);
    if (!shape)
        return LT_EINPUT;
    dims = m->members[lt_model_find(m, LT_MODEL_SHAPE_KEY)].info.count;
    bool image = in->image_rows > 0;
    bool same = image ? dims == 2 && shape[0] == in->image_rows && shape[1] == in->image_cols
                      : dims == 1;
    if (!same) {
        char saved[64], now[64];
        if (dims == 2)
            snprintf(saved, sizeof saved, "%g x %g images", shape[0], shape[1]);
        else
            snprintf(saved, sizeof saved, "rows of %zu features", (size_t)saved_n);
        if (image)
            snprintf(now, sizeof now, "%d x %d images", in->image_rows, in->image_cols);
        else
            snprintf(now, sizeof now, "rows of %zu features", in->n_features);
        return lt_model_fail(ctx, m,
                          "the model was fitted on %s, but the input has %s", saved, now);
    }
    return LT_OK;
}

int lt_models_enter(lt_ctx *ctx, const lt_stage_inst *s, const lt_data *in)
{
    ctx->model_in = NULL;
    if (!s->model)
        return LT_OK;
    int rc = in ? check_features(ctx, s->model, in) : LT_OK;
    if (rc == LT_OK)
        ctx->model_in = s->model;
    return rc;
}

void lt_models_put_meta(lt_model *m, const lt_stage_inst *s, const lt_data *in)
{
    lt_model_put_int(m, LT_MODEL_FORMAT_KEY, LT_MODEL_FORMAT);
    lt_model_put_str(m, LT_MODEL_VERSION_KEY, LATENT_VERSION);
    lt_model_put_str(m, LT_MODEL_KIND_KEY, s->def->name);
    lt_model_put_str(m, LT_MODEL_STAGE_KEY, s->name);
    lt_json *params = lt_params_to_json(s->def->params, s->def->n_params, s->config);
    char *text = NULL;
    size_t len = 0;
    FILE *mem = params ? open_memstream(&text, &len) : NULL;
    int wrote = mem ? lt_json_write_compact(params, mem) : -1;
    if (mem && fclose(mem) == 0 && wrote == 0 && text)
        lt_model_put_str(m, LT_MODEL_PARAMS_KEY, text);
    else
        m->failed = true;
    free(text);
    lt_json_free(params);
    if (!in)
        return;
    lt_model_put_int(m, LT_MODEL_NFEAT_KEY, (long long)in->n_features);
    if (in->feature_names)
        lt_model_put_strs(m, LT_MODEL_NAMES_KEY, (const char *const *)in->feature_names,
                          in->n_features);
    if (in->image_rows > 0) {
        int shape[2] = {in->image_rows, in->image_cols};
        lt_model_put_ints(m, LT_MODEL_SHAPE_KEY, shape, 2);
    } else {
        int shape[1] = {(int)in->n_features};
        lt_model_put_ints(m, LT_MODEL_SHAPE_KEY, shape, 1);
    }
    if (in->n_classes > 0) {
        char **names = calloc((size_t)in->n_classes, sizeof *names);
        for (int c = 0; names && c < in->n_classes; c++) {
            char buf[32];
            snprintf(buf, sizeof buf, "%d", c);
            names[c] = strdup(in->class_names && in->class_names[c] ? in->class_names[c] : buf);
            if (!names[c])
                m->failed = true;
        }
        if (names)
            lt_model_put_strs(m, LT_MODEL_CLASSES_KEY, (const char *const *)names,
                              (size_t)in->n_classes);
        else
            m->failed = true;
        for (int c = 0; names && c < in->n_classes; c++)
            free(names[c]);
        free(names);
    }
}

/* Copies the file at FROM to TO. Returns 0 or -1. */
static int copy_file(const char *from, const char *to)
{
    size_t len = 0;
    char *bytes = lt_read_file(from, &len);
    FILE *f = bytes ? fopen(to, "wb") : NULL;
    int rc = f && fwrite(bytes, 1, len, f) == len ? 0 : -1;
    if (f && fclose(f) != 0)
        rc = -1;
    free(bytes);
    return rc;
}

int lt_models_leave(lt_ctx *ctx, const lt_stage_inst *s, const lt_data *in)
{
    if (!s->def->fits)
        return LT_OK;
    char name[600];
    snprintf(name, sizeof name, "models/%s.npz", s->name);
    if (s->model) {
        const char *path = lt_ctx_artifact(ctx, name);
        if (!path)
            return LT_ERUNTIME;
        if (copy_file(s->from, path) != 0)
            return lt_fail(ctx, LT_ERUNTIME, "cannot copy %s to %s: %s", s->from, name,
                           strerror(errno));
        return LT_OK;
    }
    lt_model *m = ctx->model_out;
    if (!m)
        return LT_OK; /* the stage had nothing to save */
    lt_models_put_meta(m, s, in);
    const char *path = lt_ctx_artifact(ctx, name);
    if (!path)
        return LT_ERUNTIME;
    char err[1024];
    if (lt_model_write(m, path, err, sizeof err) != 0)
        return lt_fail(ctx, LT_ERUNTIME, "%s", err);
    return LT_OK;
}
