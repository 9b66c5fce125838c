/* Suggestions for a mistyped name: the closest candidate, or the one a
 * scikit-learn or Keras user would have meant. */
#ifndef LATENT_UTIL_SUGGEST_H
#define LATENT_UTIL_SUGGEST_H

/* The candidate closest to WORD by edit distance, if close enough to be a
 * likely typo, else NULL. CANDIDATES is NULL-terminated. */
const char *lt_did_you_mean(const char *word, const char *const *candidates);
/* Ours among CANDIDATES for a scikit-learn or Keras name (PCA -> pca,
 * svd_solver -> solver), or NULL. The table is in aliases.c. */
const char *lt_alias_of(const char *word, const char *const *candidates);

#endif
