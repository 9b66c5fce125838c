/* Stage configs for unit tests, filled through the stage's own parameter
 * table (so a test also checks the table's names, types and defaults). */
#ifndef LATENT_TESTCFG_H
#define LATENT_TESTCFG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/diag.h"
#include "core/params.h"
#include "core/yaml_doc.h"
#include "latent/stage.h"
#include "testrun.h"

static inline const lt_param *lt_test_param(const lt_stage_def *def, const char *name)
{
    for (size_t i = 0; i < def->n_params; i++)
        if (strcmp(def->params[i].name, name) == 0)
            return &def->params[i];
    fprintf(stderr, "stage %s has no parameter %s\n", def->name, name);
    exit(1);
}

/* An owned config (free()) holding every parameter's default, filled by the
 * runner's own lt_params_fill_defaults. Its string copies are swapped for the
 * table's literals (borrowed), so that tests may point string fields at their
 * own literals and release the whole config with free(). */
static inline void *lt_test_config(const lt_stage_def *def)
{
    char *cfg = calloc(1, def->config_size ? def->config_size : 1);
    if (!cfg)
        exit(1);
    lt_params_fill_defaults(def->params, def->n_params, cfg);
    for (size_t i = 0; i < def->n_params; i++) {
        const lt_param *p = &def->params[i];
        if (p->type == LT_P_STRING || p->type == LT_P_PATH) {
            char **copy = (char **)(cfg + p->offset);
            free(*copy);
            *(const char **)copy = p->def_str;
        }
    }
    return cfg;
}

static inline void lt_test_set_real(const lt_stage_def *def, void *cfg,
                                    const char *name, double v)
{
    *(double *)((char *)cfg + lt_test_param(def, name)->offset) = v;
}

static inline void lt_test_set_int(const lt_stage_def *def, void *cfg,
                                   const char *name, int v)
{
    *(int *)((char *)cfg + lt_test_param(def, name)->offset) = v;
}

static inline void lt_test_set_bool(const lt_stage_def *def, void *cfg,
                                    const char *name, bool v)
{
    *(bool *)((char *)cfg + lt_test_param(def, name)->offset) = v;
}

/* Points a vector parameter at v (borrowed: keep v alive while cfg is used). */
static inline void lt_test_set_vec(const lt_stage_def *def, void *cfg,
                                   const char *name, double *v, size_t n)
{
    lt_vec *f = (lt_vec *)((char *)cfg + lt_test_param(def, name)->offset);
    f->v = v;
    f->n = n;
}

/* Points a list-of-strings parameter at v (borrowed, as above). */
static inline void lt_test_set_strings(const lt_stage_def *def, void *cfg,
                                       const char *name, char **v, size_t n)
{
    lt_strings *f = (lt_strings *)((char *)cfg + lt_test_param(def, name)->offset);
    f->v = v;
    f->n = n;
}

static inline void lt_test_set_choice(const lt_stage_def *def, void *cfg,
                                      const char *name, const char *choice)
{
    const lt_param *p = lt_test_param(def, name);
    for (int c = 0; p->choices[c]; c++)
        if (strcmp(p->choices[c], choice) == 0) {
            *(int *)((char *)cfg + p->offset) = c;
            return;
        }
    fprintf(stderr, "parameter %s has no choice %s\n", name, choice);
    exit(1);
}

/* Runs a one-input stage the way the runner does: check, then run. */
/* Binds WITH (YAML text of a `with:` mapping) to DEF's table as the runner
 * does. Returns NULL when it binds without a problem, else the first
 * problem's message (a static copy, valid until the next call). */
static inline const char *lt_test_bind_error(const lt_stage_def *def, const char *with)
{
    static char first[1024];
    lt_diag d = {0};
    lt_node *node = lt_yaml_parse("t.yaml", with, strlen(with), &d);
    void *cfg = calloc(1, def->config_size ? def->config_size : 1);
    lt_bind_site site = {.file = "t.yaml", .stage = "s", .kind = def->name, .basedir = ".", .line = 1, .col = 1};
    if (node && cfg)
        lt_params_bind(def->params, def->n_params, cfg, node, &site, &d);
    const char *msg = d.n ? lt_diag_line(&d, 0) : NULL;
    if (msg)
        snprintf(first, sizeof first, "%s", msg);
    if (cfg)
        lt_params_release(def->params, def->n_params, cfg);
    free(cfg);
    lt_node_free(node);
    int n = (int)d.n;
    lt_diag_clear(&d);
    return n ? first : NULL;
}

static inline int lt_test_run_stage(const lt_stage_def *def, lt_ctx *ctx,
                                    const void *cfg, const lt_data *in, lt_data **out)
{
    if (def->check) {
        int rc = def->check(ctx, cfg);
        if (rc != LT_OK)
            return rc;
    }
    const lt_data *inputs[1] = {in};
    return lt_test_call(def, ctx, cfg, inputs, 1, out);
}

#endif
