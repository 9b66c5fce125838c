/* What the libFuzzer harnesses share: the readers under test take a path, so
 * each input is written to a file in one per-process folder first. */
#ifndef LATENT_FUZZ_UTIL_H
#define LATENT_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Writes DATA to a file named NAME in the harness's own temporary folder
 * (made on first use, removed at exit) and returns its path, owned by this
 * module and valid until the next call. Aborts when the file cannot be
 * written: a harness that cannot feed its reader must not pass silently. */
const char *lt_fuzz_file(const char *name, const uint8_t *data, size_t size);

/* A NUL-terminated copy of DATA, owned by the caller (free). Aborts when out
 * of memory. */
char *lt_fuzz_text(const uint8_t *data, size_t size);

#endif
