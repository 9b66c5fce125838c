/* The JSON Schema of pipeline files, generated from the stage tables. */
#ifndef LATENT_CORE_SCHEMA_H
#define LATENT_CORE_SCHEMA_H

#include "io/json.h"

/* The whole schema (draft-07, which editors' YAML plugins understand). Owned. */
lt_json *lt_schema(void);
/* {"type": TYPE}, the piece every part of the schema starts from. Owned. */
lt_json *lt_schema_typed(const char *type);

#endif
