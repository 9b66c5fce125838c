/* A small JSON value tree and writer: metrics.json, run.json, the schema.
 *
 * Objects keep their keys in insertion order so output is deterministic.
 * Ownership: a value added to a container belongs to it; lt_json_free on the
 * root frees the whole tree. Every constructor returns NULL when out of
 * memory, and adding NULL to a container is a no-op that marks the container
 * as failed (lt_json_write then fails), so callers can build trees without
 * checking each step. Adding to a NULL container frees the value and
 * returns NULL, so a chain of additions under a container that could not be
 * made leaks nothing. */
#ifndef LATENT_JSON_H
#define LATENT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct lt_json lt_json;

lt_json *lt_json_object(void);
lt_json *lt_json_array(void);
lt_json *lt_json_num(double v);    /* non-finite values are written as null */
lt_json *lt_json_int(long long v);
lt_json *lt_json_bool(bool v);
lt_json *lt_json_str(const char *s); /* copies s */
lt_json *lt_json_null(void);
lt_json *lt_json_vec(const double *v, size_t n);
lt_json *lt_json_mat(const double *v, size_t rows, size_t cols);

/* Adds (or replaces) KEY in object O; takes ownership of V. Returns V, or
 * NULL when it could not be added (then V is freed). */
lt_json *lt_json_set(lt_json *o, const char *key, lt_json *v);
/* Appends V to array A; takes ownership of V. Returns V, or NULL when it
 * could not be appended (then V is freed). */
lt_json *lt_json_push(lt_json *a, lt_json *v);
/* True when something could not be added to V (V itself, not its
 * children): it is incomplete, and lt_json_write refuses it. */
bool lt_json_failed(const lt_json *v);
/* The member KEY of object O, or NULL. Borrowed. */
lt_json *lt_json_get(const lt_json *o, const char *key);

/* Numeric value of a number (or int/bool) node; NAN otherwise. */
double lt_json_number(const lt_json *v);
bool lt_json_is_array(const lt_json *v);
bool lt_json_is_object(const lt_json *v);
bool lt_json_is_bool(const lt_json *v);
bool lt_json_is_null(const lt_json *v); /* null (not a NaN number) */
size_t lt_json_len(const lt_json *v);            /* array length */
lt_json *lt_json_at(const lt_json *v, size_t i); /* borrowed */

/* Writes V as indented JSON followed by a newline. Returns 0, or -1 on an
 * I/O error or an earlier allocation failure inside the tree. */
int lt_json_write(const lt_json *v, FILE *f);
/* Writes V on one line with no spaces. Returns 0 or -1. */
int lt_json_write_compact(const lt_json *v, FILE *f);

void lt_json_free(lt_json *v);

/* Parses JSON text (numbers become doubles). Returns an owned tree, or NULL
 * on a syntax error or when out of memory. */
lt_json *lt_json_parse(const char *text);
/* The text of a string node, or NULL. Borrowed. */
const char *lt_json_string(const lt_json *v);
/* Members of an object or elements of an array. */
size_t lt_json_size(const lt_json *v);
/* Key I of an object, or NULL. Borrowed. */
const char *lt_json_key_at(const lt_json *v, size_t i);
/* Value I of an object or array, or NULL. Borrowed. */
lt_json *lt_json_value_at(const lt_json *v, size_t i);

/* Writes the shortest decimal form of D that reads back as the same double
 * ("0.1", "3", "1e-05"); buf must hold 32 bytes. */
void lt_json_format_double(char *buf, double d);

#endif
