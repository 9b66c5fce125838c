/* lt_data and lt_spectrum to and from a file: the stage cache's storage format.
 *
 * A plain binary layout in this machine's byte order, preceded by a magic
 * and a version; the cache stores a SHA-256 next to it and never trusts a
 * file whose checksum does not match, so a truncated or foreign file is
 * detected before it is parsed. */
#ifndef LATENT_IO_DATAFILE_H
#define LATENT_IO_DATAFILE_H

#include <stdio.h>

#include "latent/data.h"

/* Writes D to F. Returns 0, or -1 on an I/O error. */
int lt_datafile_write(const lt_data *d, FILE *f);
/* Reads a value written by lt_datafile_write. Returns an owned lt_data, or
 * NULL when the file is malformed or memory runs out. */
lt_data *lt_datafile_read(FILE *f);

/* The same for a spectrum: 0 or -1; an owned lt_spectrum or NULL. */
int lt_spectrumfile_write(const lt_spectrum *s, FILE *f);
lt_spectrum *lt_spectrumfile_read(FILE *f);

#endif
