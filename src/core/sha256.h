/* SHA-256 (FIPS 180-4), for the pipeline file's fingerprint in run.json and
 * the config hash stamped into plots. */
#ifndef LATENT_CORE_SHA256_H
#define LATENT_CORE_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* Writes the 64 lowercase hex digits of SHA-256(DATA[0..LEN)) and a NUL. */
void lt_sha256_hex(const void *data, size_t len, char out[65]);

#endif
