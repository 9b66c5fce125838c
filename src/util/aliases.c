/* Names scikit-learn and Keras use for things latent calls otherwise, for
 * did-you-mean hints: a user coming from them types theirs. The one table of
 * such aliases; a hint is only given when ours is among the candidates. */
#include "util/suggest.h"

#include <string.h>

static const struct {
    const char *theirs, *ours;
} aliases[] = {
    /* stage kinds */
    {"PCA", "pca"},
    {"IncrementalPCA", "pca"},
    {"KernelPCA", "kernel_pca"},
    {"LogisticRegression", "logreg"},
    {"StandardScaler", "scaler.standard"},
    {"MinMaxScaler", "scaler.minmax"},
    {"TSNE", "tsne"},
    {"MDS", "mds"},
    {"Isomap", "isomap"},
    {"LinearDiscriminantAnalysis", "lda"},
    {"train_test_split", "split"},
    /* parameters */
    {"svd_solver", "solver"},
    {"restore_best_weights", "restore_best"},
};

const char *lt_alias_of(const char *word, const char *const *candidates)
{
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
        if (strcmp(word, aliases[i].theirs) != 0)
            continue;
        for (size_t k = 0; candidates && candidates[k]; k++)
            if (!strcmp(candidates[k], aliases[i].ours))
                return candidates[k];
    }
    return NULL;
}
