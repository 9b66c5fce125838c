/* What the embedding stages (tsne, mds, isomap, lda) share: picking the rows
 * to embed, and building the output value around the embedded matrices. */
#ifndef LATENT_STAGES_EMBEDDING_H
#define LATENT_STAGES_EMBEDDING_H

#include <stddef.h>

#include "latent/stage.h"

/* Choices of a `split` parameter naming the one split a stage without an
 * out-of-sample transform (tsne, mds) embeds; indices are lt_split_id. */
extern const char *const embed_split_choices[];

/* The rows of split SPLIT of IN, checked: present, at least MIN_ROWS rows,
 * every value finite. Returns the matrix (borrowed from IN), or NULL with
 * the error recorded in ctx. */
const lt_mat *embed_rows(lt_ctx *ctx, const lt_data *in, int split, size_t min_rows);

/* Warns, for a stage without an out-of-sample transform (named WHAT), when
 * IN holds splits other than the embedded one: they are left out. */
void embed_warn_dropped(lt_ctx *ctx, const lt_data *in, int split, const char *what);

/* Replaces D's feature names (freeing any) by PREFIX1 .. PREFIXk and sets
 * its feature count to K: the names of components (PC1, KPC1, ...).
 * Returns 0, or -1 when out of memory. */
int embed_name_features(lt_data *d, const char *prefix, size_t k);

/* An owned new value with the metadata of IN (classes, their names) but
 * not its image shape, feature names PREFIX1 .. PREFIXk,
 * and no splits. NULL when out of memory. */
lt_data *embed_new(const lt_data *in, const char *prefix, size_t k);

/* Puts M (owned, taken even on failure) into split S of OUT and copies the
 * labels and per-row values of IN's split S. Returns LT_OK or the code of
 * an out-of-memory error recorded in ctx. */
int embed_put(lt_ctx *ctx, lt_data *out, const lt_data *in, int s, lt_mat *m);

#endif
