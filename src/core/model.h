/* The saved model behind lt_model (latent/stage.h): named arrays kept as
 * .npy images, written to and read from an .npz archive (io/npz.h).
 *
 * A model a stage fills holds the arrays it put; the runner adds the
 * metadata members (LT_MODEL_* below) and writes it. A model read back has
 * every member decoded, numbers as doubles and strings as UTF-8. */
#ifndef LATENT_CORE_MODEL_H
#define LATENT_CORE_MODEL_H

#include <stdbool.h>

#include "io/npz.h"
#include "latent/stage.h"

/* The archive format this latent writes; a larger one is refused. */
#define LT_MODEL_FORMAT 1

/* Metadata members, beside the stage's own arrays. */
#define LT_MODEL_FORMAT_KEY "latent.format_version" /* int64 */
#define LT_MODEL_VERSION_KEY "latent.version"       /* latent's version */
#define LT_MODEL_KIND_KEY "latent.kind"             /* the stage kind */
#define LT_MODEL_STAGE_KEY "latent.stage"           /* the stage's name */
#define LT_MODEL_PARAMS_KEY "latent.params"         /* resolved parameters, JSON */
#define LT_MODEL_SHAPE_KEY "latent.input_shape"     /* [features] or [rows, cols] of images */
#define LT_MODEL_CLASSES_KEY "latent.class_names"   /* the input's classes, when labelled */
#define LT_MODEL_NAMES_KEY "feature_names_in_"      /* scikit-learn's name; when named */
#define LT_MODEL_NFEAT_KEY "n_features_in_"         /* scikit-learn's name */

struct lt_model {
    char *path;               /* read from (owned), or NULL for one being filled */
    lt_npz_member *members;   /* owned */
    size_t n, cap;
    double **num;             /* read: each member's numbers, or NULL for strings */
    char ***str;              /* read: each member's strings, or NULL for numbers */
    bool failed;              /* filling: an array could not be stored */
};

/* An empty model to fill: owned (lt_model_free), or NULL when out of memory. */
lt_model *lt_model_new(void);
void lt_model_free(lt_model *m);

/* Writes M to PATH. Returns 0, or -1 with the reason in err. */
int lt_model_write(const lt_model *m, const char *path, char *err, size_t err_size);

/* Reads the model saved at PATH: owned, or NULL with "PATH: ..." in err for
 * a file that is missing, no .npz, damaged, truncated, of a newer format,
 * or without latent's metadata. */
lt_model *lt_model_read(const char *path, char *err, size_t err_size);

/* The string member NAME (its first string), or NULL. Borrowed. */
const char *lt_model_text(const lt_model *m, const char *name);
/* Index of member NAME, or -1. */
long lt_model_find(const lt_model *m, const char *name);

#endif
