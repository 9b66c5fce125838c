/* Parameter tables at work: binding YAML to config structs, describing
 * parameters for `latent stages`, and their JSON Schema.
 *
 * Everything here is driven by a stage's lt_param table, so a parameter is
 * declared once and validated, documented and schematised the same way. */
#ifndef LATENT_CORE_PARAMS_H
#define LATENT_CORE_PARAMS_H

#include "util/diag.h"
#include "core/yaml_doc.h"
#include "io/json.h"
#include "latent/stage.h"

/* Where binding messages point and how paths resolve. */
typedef struct lt_bind_site {
    const char *file;    /* the pipeline file, for messages */
    const char *stage;   /* the stage's name, for messages */
    const char *kind;    /* the stage's kind, for messages */
    const char *context; /* NULL, or where inside the stage: "encoder[1] dense: " */
    const char *basedir; /* folder LT_P_PATH values are relative to */
    int line, col;       /* the stage's own position, for missing keys */
} lt_bind_site;

/* Fills CONFIG (config_size zeroed bytes) with every parameter's default, as
 * lt_params_bind does before reading 'with'; a choice becomes its index.
 * Strings and paths are copies owned by CONFIG (NULL where the default is
 * none, or a copy failed): release them with lt_params_release. Vectors,
 * matrices and lists stay empty. */
void lt_params_fill_defaults(const lt_param *params, size_t n_params, void *config);

/* Fills CONFIG (config_size zeroed bytes) with defaults, then with the values
 * of WITH (a mapping, or NULL for none). Every problem found is added to DIAG.
 * Returns the number of problems. Whatever it allocated inside CONFIG must be
 * released with lt_params_release, problems or not. */
int lt_params_bind(const lt_param *params, size_t n_params, void *config,
                   const lt_node *with, const lt_bind_site *site, lt_diag *diag);
/* Frees the strings, vectors and matrices that binding put in CONFIG. */
void lt_params_release(const lt_param *params, size_t n_params, void *config);

/* "an integer in [1, 100]", "one of full, covariance, auto", ...
 * Writes into BUF (SIZE bytes) and returns it. */
char *lt_param_expected(const lt_param *p, char *buf, size_t size);
/* The default as users would write it ("0.25", "auto", "none"), or NULL for
 * a required parameter. Writes into BUF and returns it. */
const char *lt_param_default_text(const lt_param *p, char *buf, size_t size);

/* The values in CONFIG as a JSON object (owned) that binds back to the same
 * config: real values only, a row whose `when` does not hold and an unset
 * one (a data-dependent default, a seed of -1) left out. For cache keys and
 * saved models. */
lt_json *lt_params_to_json(const lt_param *params, size_t n_params, const void *config);
/* As lt_params_to_json, for run.json after the stage ran: an unset row is
 * the value the stage used (USED, its lt_ctx_resolved values, may be NULL),
 * and an unset seed is SEED, the pipeline's. */
lt_json *lt_params_resolved_json(const lt_param *params, size_t n_params, const void *config,
                                 uint32_t seed, const lt_json *used);

/* True when P (a row of PARAMS) applies to CONFIG: it has no `when`, or
 * the parameter it names has one of the values it lists. */
bool lt_param_applies(const lt_param *params, size_t n_params, const lt_param *p, const void *config);
/* True when P's `when` (if any) names another choice or bool row of PARAMS
 * and only values it can take (a check for tables, in tests). */
bool lt_param_when_valid(const lt_param *params, size_t n_params, const lt_param *p);
/* "solver is randomized", "kernel is poly or sigmoid": P's `when` (not
 * NULL) in words. Writes into BUF and returns it. */
char *lt_param_when_text(const lt_param *p, char *buf, size_t size);
/* The JSON Schema of one parameter (owned). */
lt_json *lt_param_schema(const lt_param *p);
/* For a row P with a `when`: {"if": P given, "then": its condition holds}
 * (owned), for the allOf of the `with` object; NULL for a row without. */
lt_json *lt_param_when_schema(const lt_param *params, size_t n_params, const lt_param *p);

#endif
