/* Reaching a stage's config fields in a unit test through its parameter
 * table (configs come from testcfg.h's lt_test_config), so tests need no copy
 * of a stage's private struct and break loudly when a field is renamed or
 * retyped. */
#ifndef LATENT_TEST_STAGE_CONFIG_H
#define LATENT_TEST_STAGE_CONFIG_H

#include <CUnit/Basic.h>
#include <stdint.h>
#include <string.h>

#include "core/registry.h"
#include "latent/stage.h"
#include "testcfg.h" /* lt_test_config */

/* The built-in stage NAME; fails the test when missing. */
static inline const lt_stage_def *lt_test_stage(const char *name)
{
    const lt_stage_def *def = lt_registry_find(name);
    CU_ASSERT_PTR_NOT_NULL_FATAL(def);
    return def;
}

/* The field NAME of cfg, asserted to have parameter type TYPE. */
static inline void *lt_test_field(const lt_stage_def *def, void *cfg,
                                  const char *name, lt_param_type type)
{
    for (size_t i = 0; i < def->n_params; i++)
        if (strcmp(def->params[i].name, name) == 0) {
            CU_ASSERT_EQUAL_FATAL(def->params[i].type, type);
            return (char *)cfg + def->params[i].offset;
        }
    CU_FAIL_FATAL("no such parameter");
    return NULL;
}

#define LT_TEST_INT(def, cfg, name) (*(int *)lt_test_field(def, cfg, name, LT_P_INT))
#define LT_TEST_REAL(def, cfg, name) (*(double *)lt_test_field(def, cfg, name, LT_P_REAL))
#define LT_TEST_BOOL(def, cfg, name) (*(bool *)lt_test_field(def, cfg, name, LT_P_BOOL))
#define LT_TEST_SEED(def, cfg, name) (*(int64_t *)lt_test_field(def, cfg, name, LT_P_SEED))
#define LT_TEST_VEC(def, cfg, name) (*(lt_vec *)lt_test_field(def, cfg, name, LT_P_VEC))
#define LT_TEST_MATRIX(def, cfg, name) \
    (*(lt_matrix *)lt_test_field(def, cfg, name, LT_P_MATRIX))

#endif
