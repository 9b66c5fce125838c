/* Saved models at the seams of the pipeline: the `from:` key of a fitting
 * stage when a pipeline loads, and models/<stage>.npz around a stage's run.
 * The lt_model type itself is in core/model.h. */
#ifndef LATENT_CORE_MODELS_H
#define LATENT_CORE_MODELS_H

#include "core/params.h"
#include "core/pipeline.h"

/* For stage S (kind resolved, config zeroed) with `from: FROM`: reads the
 * model (the path relative to SITE->basedir), checks it was saved by S's
 * kind, and binds S's config from the saved parameters, WITH (may be NULL)
 * overriding them. Keeps the model and its path in S. Problems go to DIAG at
 * FROM's position in FILE; returns their number. */
int lt_models_bind_from(lt_stage_inst *s, const lt_node *from, const lt_node *with,
                        const lt_bind_site *site, lt_diag *diag);

/* Before S runs on IN: points CTX at S's saved model, when it has one, after
 * checking that IN has the features (count and names) and the shape the
 * model was fitted on. Returns LT_OK or LT_EINPUT with the error recorded. */
int lt_models_enter(lt_ctx *ctx, const lt_stage_inst *s, const lt_data *in);

/* After S ran on IN: writes what it put in lt_ctx_model_out, with the
 * metadata, to the artifact models/<stage>.npz; a stage that applied a
 * saved model passes that file on unchanged. Returns LT_OK or an error code
 * with the error recorded. */
int lt_models_leave(lt_ctx *ctx, const lt_stage_inst *s, const lt_data *in);

/* Puts the metadata members of a model fitted by S on IN into M. */
void lt_models_put_meta(lt_model *m, const lt_stage_inst *s, const lt_data *in);

#endif
