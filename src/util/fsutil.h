/* File-system helpers for the run folder: atomic writes, folder trees. */
#ifndef LATENT_UTIL_FSUTIL_H
#define LATENT_UTIL_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>

/* True when P is relative, non-empty and has no "..", "." or empty component:
 * a path that cannot leave the folder it is joined to. */
bool lt_path_is_plain_relative(const char *p);
/* Creates every missing folder above the file PATH. Returns 0 or -1. */
int lt_mkdir_parents(const char *path);
/* Creates folder DIR and its missing parents. Returns 0 or -1. */
int lt_mkdir_p(const char *dir);
/* Removes DIR and everything under it (does not follow links). 0 or -1. */
int lt_remove_tree(const char *dir);
/* Joins A and B with one '/'. Returns an owned string or NULL. */
char *lt_path_join(const char *a, const char *b);
/* The folder part of PATH ("." when none). Owned string or NULL. */
char *lt_path_dirname(const char *path);
/* Reads a whole file. Returns an owned NUL-terminated buffer and sets *len,
 * or NULL with errno set. */
char *lt_read_file(const char *path, size_t *len);

#endif
