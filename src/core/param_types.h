/* What each parameter type does, one entry per lt_param_type: its default,
 * how YAML binds to it, what it owns, its JSON for run.json, its JSON
 * Schema and the words for messages and help. params.c walks a table's rows
 * and asks the row's type; a new type is one new entry here (a static
 * assert counts them). Internal to params.c and param_types.c. */
#ifndef LATENT_CORE_PARAM_TYPES_H
#define LATENT_CORE_PARAM_TYPES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/params.h"

/* A binding in progress: where messages point, and how many there were. */
typedef struct lt_binder {
    const lt_bind_site *site;
    lt_diag *diag;
    int errors;
} lt_binder;

/* Adds a problem at node AT (NULL: at the stage) about row P (NULL: about
 * the stage's `with` as a whole). */
void lt_bind_problem(lt_binder *b, const lt_node *at, const lt_param *p, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* "expected an integer >= 1, got "two"", or "remove the quotes" for a
 * quoted number where the type wants a number. */
void lt_bind_type_problem(lt_binder *b, const lt_node *n, const lt_param *p);

/* FIELD below is the row's field inside the config (config + offset). */
typedef struct lt_param_ops {
    /* Writes the row's default; strings are copies the field owns. */
    void (*set_default)(const lt_param *p, void *field);
    /* Binds node N (never a `null` that means the default), or adds a problem. */
    void (*bind)(lt_binder *b, const lt_param *p, void *field, const lt_node *n);
    /* Frees what the field owns and empties it; NULL: it owns nothing. */
    void (*release)(const lt_param *p, void *field);
    /* True when the field holds its "unset" value (a nullable number out of
     * range, NaN, a seed of -1, an empty list): run.json leaves it out, or
     * says what the stage used. NULL: never. */
    bool (*unset)(const lt_param *p, const void *field);
    /* The field's value as JSON that binds back to it (owned). */
    lt_json *(*to_json)(const lt_param *p, const void *field);
    /* The row's JSON Schema, without description and default (owned). */
    lt_json *(*schema)(const lt_param *p);
    /* The default as JSON for the schema (owned); NULL: none stated. */
    lt_json *(*schema_default)(const lt_param *p);
    /* "an integer in [1, 100]": what a value must be. */
    void (*expected)(const lt_param *p, char *buf, size_t size);
    /* "0.25", "auto", "the pipeline's seed": the default in words. */
    void (*default_text)(const lt_param *p, char *buf, size_t size);
    bool numeric;    /* a quoted number is the mistake "remove the quotes" */
    bool null_binds; /* `null` is a value of the type (all, the pipeline's
                        seed) and goes to bind() */
} lt_param_ops;

/* The entry for P's type. */
const lt_param_ops *lt_param_ops_of(const lt_param *p);

#endif
