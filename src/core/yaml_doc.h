/* The pipeline file as a tree of nodes that remember where they came from.
 *
 * Built from libyaml's event stream. Every node carries its 1-based line and
 * column, so any later check can point at the exact spot in the file.
 * Anchors and aliases are expanded by copying, within a budget of nodes and a
 * nesting limit, so a hostile file cannot blow up memory (billion laughs).
 * Merge keys (`<<: *base`) are supported; duplicate keys are an error. */
#ifndef LATENT_CORE_YAML_DOC_H
#define LATENT_CORE_YAML_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include "util/diag.h"

typedef enum { LT_SCALAR, LT_SEQ, LT_MAP } lt_node_kind;

typedef struct lt_node lt_node;
struct lt_node {
    lt_node_kind kind;
    int line, col;  /* 1-based; line 0 for a value from the command line */
    const char *source; /* NULL: the pipeline file; else where the value came
                           from, e.g. "--set pca.n_components=2" (borrowed) */
    char *value;    /* scalars: the text */
    bool plain;     /* scalars: unquoted (so `null`, `~`, `true` are special) */
    size_t n;       /* items of a sequence, pairs of a mapping */
    lt_node **items; /* sequence items, or mapping values */
    lt_node **keys;  /* mapping keys (scalars), parallel to items */
};

enum { LT_YAML_MAX_NODES = 100000, LT_YAML_MAX_DEPTH = 64 };

/* Parses TEXT (LEN bytes) from FILE (the name used in messages). Returns the
 * root node (owned; free with lt_node_free), or NULL with errors added to
 * DIAG. An empty document gives an empty mapping. */
lt_node *lt_yaml_parse(const char *file, const char *text, size_t len,
                       lt_diag *diag);

void lt_node_free(lt_node *n);
/* An owned deep copy of N, or NULL when out of memory. */
lt_node *lt_node_copy(const lt_node *n);

/* The value of KEY in mapping MAP, or NULL (also when MAP is not a map). */
lt_node *lt_node_get(const lt_node *map, const char *key);
/* The key node of KEY in MAP, or NULL: for messages about the key itself. */
lt_node *lt_node_key(const lt_node *map, const char *key);
/* Replaces or adds KEY in MAP with VALUE (owned by MAP afterwards); KEY's
 * node takes position AT. Returns 0 or -1 when out of memory. */
int lt_node_put(lt_node *map, const char *key, lt_node *value, int line, int col);
/* Makes an empty mapping node at the given position. Owned, or NULL. */
lt_node *lt_node_new_map(int line, int col);

/* True for a plain `null`, `~`, `Null`, `NULL` or empty plain scalar. */
bool lt_node_is_null(const lt_node *n);
/* "a mapping", "a list", "a string", "null": for messages. */
const char *lt_node_describe(const lt_node *n);

#endif
