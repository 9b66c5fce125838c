/* Declared metrics (lt_metric in latent/stage.h): the placeholders match
 * what they stand for and nothing else; every built-in kind's table is
 * well formed; and a context that knows the stage's kind refuses a report
 * the kind does not declare, or a value that is not finite, as the runner
 * then fails the run. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/metrics.h"
#include "core/params.h"
#include "core/registry.h"
#include "testutil.h"

const char *lt_test_root = ".";

static void test_placeholders(void)
{
    const lt_stage_def *ae = lt_registry_find("autoencoder");
    const lt_stage_def *logreg = lt_registry_find("logreg");
    const lt_stage_def *stats = lt_registry_find("stats");
    CU_ASSERT_FATAL(ae && logreg && stats);
    CU_ASSERT(lt_metric_declared(logreg, "train_accuracy"));
    CU_ASSERT(lt_metric_declared(logreg, "valid_accuracy"));
    CU_ASSERT(lt_metric_declared(logreg, "test_confusion_matrix"));
    CU_ASSERT(!lt_metric_declared(logreg, "all_accuracy"));
    CU_ASSERT(!lt_metric_declared(logreg, "train_accuracy2"));
    CU_ASSERT(!lt_metric_declared(logreg, "_accuracy"));
    CU_ASSERT(lt_metric_declared(stats, "valid.first_ratio"));
    CU_ASSERT(!lt_metric_declared(stats, "first_ratio"));
    /* {metrics}: a kind of the autoencoder's `metrics` list. */
    CU_ASSERT(lt_metric_declared(ae, "rounded_accuracy"));
    CU_ASSERT(lt_metric_declared(ae, "val_rounded_accuracy"));
    CU_ASSERT(lt_metric_declared(ae, "history.val_rounded_accuracy"));
    CU_ASSERT(lt_metric_declared(ae, "history.loss"));
    CU_ASSERT(!lt_metric_declared(ae, "history.val_rounded_acuracy"));
    CU_ASSERT(!lt_metric_declared(ae, "val_"));
    /* Spelt out for hints. */
    char *names[256];
    size_t n = lt_metric_names(logreg, names, 256);
    bool found = false;
    for (size_t i = 0; i < n; i++) {
        found |= strcmp(names[i], "valid_confusion_matrix") == 0;
        free(names[i]);
    }
    CU_ASSERT(found);
    CU_ASSERT_PTR_NULL(names[n]);
}

/* Every kind's metric names are unique, helped, and their placeholders
 * stand for something. */
static void test_tables(void)
{
    size_t n;
    const lt_stage_def *const *all = lt_registry(&n);
    size_t with_metrics = 0;
    for (size_t k = 0; k < n; k++) {
        const lt_stage_def *d = all[k];
        with_metrics += d->n_metrics > 0;
        CU_ASSERT(d->n_metrics == 0 || d->metrics != NULL);
        char *names[512];
        size_t spelt = lt_metric_names(d, names, 512);
        CU_ASSERT(spelt >= d->n_metrics);
        for (size_t i = 0; i < spelt; i++) {
            if (strchr(names[i], '{'))
                printf("\n    %s: '%s' has a placeholder that stands for nothing", d->name, names[i]);
            CU_ASSERT_PTR_NULL(strchr(names[i], '{'));
            CU_ASSERT(lt_metric_declared(d, names[i]));
            for (size_t j = 0; j < i; j++)
                if (strcmp(names[i], names[j]) == 0) {
                    printf("\n    %s: '%s' is declared twice", d->name, names[i]);
                    CU_FAIL("a metric declared twice");
                }
        }
        for (size_t i = 0; i < spelt; i++)
            free(names[i]);
        for (size_t i = 0; i < d->n_metrics; i++)
            CU_ASSERT(d->metrics[i].help && *d->metrics[i].help);
        /* A row's `when` names another choice or bool row and values it can
         * take; a row with a default in words has an "unset" field value. */
        for (size_t i = 0; i < d->n_params; i++) {
            const lt_param *p = &d->params[i];
            if (!lt_param_when_valid(d->params, d->n_params, p))
                printf("\n    %s: %s has a `when` (%s) that names no value of a choice or bool", d->name,
                       p->name, p->when);
            CU_ASSERT(lt_param_when_valid(d->params, d->n_params, p));
            bool unset_value = (p->type == LT_P_INT || p->type == LT_P_REAL) && p->flags & LT_NULLABLE &&
                               (isnan(p->def) || (p->flags & LT_MIN_OPEN ? p->def <= p->min : p->def < p->min) ||
                                (p->flags & LT_MAX_OPEN ? p->def >= p->max : p->def > p->max));
            if (p->def_text && !unset_value)
                printf("\n    %s: %s's default is in words but has no unset value", d->name, p->name);
            CU_ASSERT(!p->def_text || unset_value);
        }
    }
    CU_ASSERT(with_metrics >= 20);
}

/* What the runner's context does with reports. */
static void test_refused_reports(void)
{
    lt_ctx *ctx = lt_ctx_new_test();
    const lt_stage_def *split = lt_registry_find("split");
    ctx->def = split;
    lt_report_int(ctx, "n_train", 3);
    CU_ASSERT_PTR_NULL(lt_ctx_error(ctx));
    lt_report_int(ctx, "n_rows", 3);
    MESSAGE_IS(lt_ctx_error(ctx), "stage 'test': reports metric 'n_rows', which split does not declare "
                                  "(a bug in the stage: add it to its metrics table)");
    CU_ASSERT_PTR_NULL(lt_json_get(lt_ctx_test_metrics(ctx), "n_rows"));

    lt_ctx_enter(ctx, "pca", 0, 0, lt_ctx_test_metrics(ctx));
    ctx->def = lt_registry_find("pca");
    double v[3] = {1, INFINITY, NAN};
    lt_report_vec(ctx, "explained_variance", v, 3);
    MESSAGE_IS(lt_ctx_error(ctx), "stage 'pca': metric 'explained_variance'[1] is Inf; a run's results "
                                  "must be finite numbers");
    CU_ASSERT_PTR_NULL(lt_json_get(lt_ctx_test_metrics(ctx), "explained_variance"));
    lt_ctx_enter(ctx, "pca", 0, 0, lt_ctx_test_metrics(ctx));
    ctx->def = lt_registry_find("pca");
    lt_report_num(ctx, "noise_variance", NAN);
    MESSAGE_IS(lt_ctx_error(ctx), "stage 'pca': metric 'noise_variance' is NaN; a run's results must be "
                                  "finite numbers");

    /* An output with an infinity. */
    lt_ctx_enter(ctx, "scaled", 0, 0, lt_ctx_test_metrics(ctx));
    lt_data *d = lt_data_new();
    CU_ASSERT_FATAL(d && (d->split[LT_TEST].x = lt_mat_new(2, 3)));
    CU_ASSERT_EQUAL(lt_ctx_check_output(ctx, d, false), LT_OK);
    /* NaN is a missing value where the stage passes those on, not elsewhere. */
    d->split[LT_TEST].x->v[1] = NAN;
    CU_ASSERT_EQUAL(lt_ctx_check_output(ctx, d, true), LT_OK);
    d->split[LT_TEST].x->v[1] = 0;
    d->split[LT_TEST].x->v[4] = -INFINITY;
    CU_ASSERT_EQUAL(lt_ctx_check_output(ctx, d, true), LT_ERUNTIME);
    MESSAGE_IS(lt_ctx_error(ctx), "stage 'scaled': its output's test split holds -Inf at row 2, column 2; "
                                  "a run's results must be finite numbers");
    lt_data_free(&d);
    lt_ctx_free_test(ctx);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("metrics", NULL, NULL);
    CU_add_test(s, "placeholders", test_placeholders);
    CU_add_test(s, "every kind's table", test_tables);
    CU_add_test(s, "refused reports and outputs", test_refused_reports);
    return lt_test_run();
}
