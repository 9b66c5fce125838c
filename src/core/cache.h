/* The stage cache: a stage's output, metrics and files, kept under a key made
 * of everything that determines them, so a later run with the same key reads
 * them back instead of recomputing.
 *
 * The key covers the stage's name and kind, which of its outputs are read,
 * its resolved parameters, the keys of its inputs, the pipeline's seed, the thread count (which can change the
 * last bits of BLAS results) and latent's version and build. Files named by path
 * parameters enter the key by size and modification time.
 *
 * An entry is a folder written under a temporary name and renamed into place;
 * its entry.json lists a SHA-256 for each file, checked on every read, so a
 * truncated or corrupted entry is recomputed, never trusted. The cache is a
 * folder that can be deleted at any time. */
#ifndef LATENT_CORE_CACHE_H
#define LATENT_CORE_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "io/json.h"
#include "latent/stage.h"

typedef struct lt_cache {
    char *dir;        /* owned; NULL when the cache is off */
    size_t max_bytes; /* outputs larger than this are not stored */
} lt_cache;

/* The cache folder: $LATENT_CACHE_DIR, else $XDG_CACHE_HOME/latent, else
 * ~/.cache/latent. Owned string. */
char *lt_cache_default_dir(void);

/* The key (64 hex digits) for a stage. CONFIG is the stage's resolved
 * parameters as JSON (lt_params_to_json); INPUT_KEYS the keys of its inputs
 * (an input's key names the output it reads). Path-valued parameters are
 * passed as PATHS (NULL-terminated) so their files' size and time enter the
 * key. OUTPUTS is the mask of the outputs the run computes (bit k: output
 * k): a run that reads one more output must not hit an entry without it. */
void lt_cache_key(const char *stage, const char *kind, const lt_json *config,
                  const char *const *input_keys, size_t n_inputs, const char *const *paths,
                  unsigned outputs, unsigned seed, int threads, char out[65]);

/* Looks KEY up. On a hit returns true, fills OUT[k] (owned) for every
 * output k in WANTED (OUTPUTS, N_OUTPUTS: the kind's table), sets *METRICS
 * (owned), and copies the entry's files into STAGING under their names. A
 * damaged entry, or one without a wanted output, is removed and counts as a
 * miss, with OUT left empty and *DAMAGED set (else cleared), so the caller
 * can say so. */
bool lt_cache_load(const lt_cache *c, const char *key, const char *staging, const lt_output *outputs,
                   size_t n_outputs, unsigned wanted, lt_value *out, lt_json **metrics, bool *damaged);

/* Stores the non-empty values of OUT[0..N_OUTPUTS), one file each, METRICS
 * and the files NAMES (relative to STAGING) under KEY. Failures are silent:
 * the cache is an optimisation. */
void lt_cache_store(const lt_cache *c, const char *key, const lt_value *out, size_t n_outputs,
                    const lt_json *metrics, const char *staging, char *const *names, size_t n_names);

/* Total bytes in the cache folder (for `latent cache --size`). */
long long lt_cache_size(const char *dir);

#endif
