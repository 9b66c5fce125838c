/* Network-engine test helpers: layer lists written as in a pipeline file,
 * bound through the core's parameter binder (so the tests also exercise
 * the layers' parameter tables). */
#ifndef LATENT_TESTNN_H
#define LATENT_TESTNN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/params.h"
#include "core/yaml_doc.h"
#include "nn/layer.h"
#include "nn/metric.h"
#include "nn/optim.h"

/* A bound `layers:` list plus an optional optimizer and metrics. */
typedef struct test_specs {
    lt_specs layers, optimizer, metrics;
} test_specs;

static const lt_param test_specs_params[] = {
    LT_SPECS(test_specs, layers, 0, lt_layer_kinds, "layers"),
    LT_SPECS(test_specs, optimizer, LT_SINGLE, lt_optim_kinds, "optimizer"),
    LT_SPECS(test_specs, metrics, 0, lt_metric_kinds, "metrics"),
};

/* Binds YAML such as "layers: [{dense: {units: 3}}]". Aborts the test
 * program on a binding error (a broken test must fail loudly). Release
 * with test_specs_free. */
static inline test_specs test_specs_bind(const char *yaml)
{
    lt_diag d = {0};
    lt_node *root = lt_yaml_parse("test.yaml", yaml, strlen(yaml), &d);
    test_specs s = {0};
    lt_bind_site site = {.file = "test.yaml", .stage = "test", .kind = "test", .basedir = "."};
    if (!root || lt_params_bind(test_specs_params, LT_COUNT(test_specs_params), &s, root, &site,
                                &d) != 0) {
        lt_diag_print(&d, stderr);
        exit(1);
    }
    lt_node_free(root);
    lt_diag_clear(&d);
    return s;
}

static inline void test_specs_free(test_specs *s)
{
    lt_params_release(test_specs_params, LT_COUNT(test_specs_params), s);
}

#endif
