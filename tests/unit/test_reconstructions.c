/* Image panels (lt_axes_image, lt_axes_set_axis_off) and the
 * plot.reconstructions stage: what it draws, reports and refuses. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/ctx.h"
#include "plot/plot.h"
#include "testcfg.h"
#include "testutil.h"

const char *lt_test_root = ".";

extern const lt_stage_def plot_reconstructions_stage;
#define STAGE (&plot_reconstructions_stage)

/* The grey level (red channel) of pixel (x, y) of a rendered figure. */
static int grey_at(lt_figure *fig, int x, int y)
{
    cairo_surface_t *s = lt_figure_surface(fig);
    const unsigned char *row = cairo_image_surface_get_data(s) +
                               (size_t)y * (size_t)cairo_image_surface_get_stride(s);
    uint32_t px;
    memcpy(&px, row + 4 * (size_t)x, sizeof px);
    return (int)(px >> 16 & 0xFF);
}

/* A 2 x 2 image filling a square panel without axes: 0 is white, 1 black,
 * 0.5 mid grey, NaN shows the background; nothing drawn around it. */
static void test_image_panel(void)
{
    lt_figure *fig = lt_figure_new(100, 100, 1, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fig);
    lt_figure_set_scale(fig, 2.5); /* 4 points of padding: the image spans 10..90 */
    lt_axes *ax = lt_figure_axes(fig, 0);
    lt_axes_set_axis_off(ax, true);
    lt_axes_set_equal(ax, true);
    const double v[4] = {0, 1, 0.5, NAN};
    lt_axes_image(ax, v, 2, 2, 0, 0, 2, 2, 0, 1);
    CU_ASSERT_EQUAL_FATAL(lt_figure_render(fig), 0);
    CU_ASSERT_EQUAL(grey_at(fig, 30, 30), 255); /* row 0 is the top row */
    CU_ASSERT_EQUAL(grey_at(fig, 70, 30), 0);
    CU_ASSERT_EQUAL(grey_at(fig, 30, 70), 128);
    CU_ASSERT_EQUAL(grey_at(fig, 70, 70), 255);
    /* Sharp pixels: the boundary between white and black is one step. */
    int edge = 0;
    for (int x = 11; x < 90; x++)
        edge += grey_at(fig, x, 30) != grey_at(fig, x - 1, 30);
    CU_ASSERT_EQUAL(edge, 1);
    /* No frame: the panel's border rows are background. */
    for (int x = 0; x < 100; x++)
        CU_ASSERT_EQUAL(grey_at(fig, x, 1) + grey_at(fig, x, 98), 2 * 255);
    lt_figure_free(&fig);
}

/* Values outside [vmin, vmax] clip to white and black. */
static void test_image_clips(void)
{
    lt_figure *fig = lt_figure_new(60, 60, 1, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fig);
    lt_axes *ax = lt_figure_axes(fig, 0);
    lt_axes_set_axis_off(ax, true);
    const double v[2] = {-3, 7};
    lt_axes_image(ax, v, 1, 2, 0, 0, 2, 1, 0, 1);
    CU_ASSERT_EQUAL_FATAL(lt_figure_render(fig), 0);
    CU_ASSERT_EQUAL(grey_at(fig, 15, 30), 255);
    CU_ASSERT_EQUAL(grey_at(fig, 45, 30), 0);
    lt_figure_free(&fig);
}

/* 3 images of 2 x 2 pixels in the splits given, float32, with classes. */
static lt_data *images(bool train, bool valid, bool test, double shift, bool f32)
{
    lt_data *d = lt_data_new();
    bool want[3] = {train, valid, test};
    for (int s = 0; s < 3; s++) {
        if (!want[s])
            continue;
        lt_mat *x = f32 ? lt_mat_new_f32(3, 4) : lt_mat_new(3, 4);
        for (size_t k = 0; k < 12; k++) {
            double v = (double)((k * 5 + (size_t)s) % 12) / 11.0 + shift;
            if (f32)
                x->f[k] = (float)v;
            else
                x->v[k] = v;
        }
        d->split[s].x = x;
        d->split[s].y = calloc(3, sizeof(int));
        d->split[s].y[1] = 1;
    }
    d->n_features = 4;
    d->n_classes = 2;
    d->class_names = calloc(2, sizeof(char *));
    d->class_names[0] = strdup("even");
    d->class_names[1] = strdup("odd");
    return d;
}

static int run(lt_ctx *ctx, void *cfg, const lt_data *a, const lt_data *b)
{
    const lt_data *in[2] = {a, b};
    lt_ctx_enter(ctx, "recon", 0, 0, lt_ctx_test_metrics(ctx));
    return lt_test_call(STAGE, ctx, cfg, in, b ? 2 : 1, NULL);
}

static void test_stage_reports(void)
{
    lt_ctx *ctx = lt_ctx_new_test();
    void *cfg = lt_test_config(STAGE);
    lt_test_set_int(STAGE, cfg, "n_images", 2);
    lt_test_set_int(STAGE, cfg, "start", 1);
    lt_data *a = images(true, true, true, 0, true), *b = images(true, true, true, -0.25, false);
    CU_ASSERT_EQUAL_FATAL(run(ctx, cfg, a, b), LT_OK);
    /* auto takes valid; every pixel is 0.25 off (to float32's precision). */
    CU_ASSERT_DOUBLE_EQUAL(lt_ctx_test_metric(ctx, "image_mse", 0), 0.0625, 1e-7);
    CU_ASSERT_DOUBLE_EQUAL(lt_ctx_test_metric(ctx, "image_mse", 1), 0.0625, 1e-7);
    CU_ASSERT(isnan(lt_ctx_test_metric(ctx, "image_mse", 2)));
    CU_ASSERT_EQUAL(lt_ctx_test_metric(ctx, "start", 0), 1);
    const lt_json *m = lt_ctx_test_metrics(ctx);
    CU_ASSERT_STRING_EQUAL(lt_json_string(lt_json_get(m, "split")), "valid");
    char path[4096];
    snprintf(path, sizeof path, "%s/plots/recon.png", ctx->test_dir);
    struct stat st;
    CU_ASSERT_EQUAL(stat(path, &st), 0);

    /* One input: a grid; without a valid split auto takes test. */
    lt_data_free(&a);
    a = images(true, false, true, 0, false);
    lt_ctx_free_test(ctx);
    ctx = lt_ctx_new_test();
    CU_ASSERT_EQUAL(run(ctx, cfg, a, NULL), LT_OK);
    CU_ASSERT_STRING_EQUAL(lt_json_string(lt_json_get(lt_ctx_test_metrics(ctx), "split")), "test");
    CU_ASSERT(isnan(lt_ctx_test_metric(ctx, "mean_image_mse", 0)));
    lt_data_free(&a);
    lt_data_free(&b);
    free(cfg);
    lt_ctx_free_test(ctx);
}

static void expect_error(void *cfg, const lt_data *a, const lt_data *b, const char *message)
{
    lt_ctx *ctx = lt_ctx_new_test();
    CU_ASSERT_EQUAL(run(ctx, cfg, a, b), LT_EINPUT);
    MESSAGE_IS(lt_ctx_error(ctx), message);
    lt_ctx_free_test(ctx);
}

static void test_stage_errors(void)
{
    void *cfg = lt_test_config(STAGE);
    lt_data *a = images(true, true, false, 0, true), *b = images(true, true, false, 0, false);
    lt_test_set_int(STAGE, cfg, "n_images", 4);
    expect_error(cfg, a, b, "stage 'recon': start 0 and n_images 4 need 4 rows but split "
                            "'valid' has 3");
    lt_test_set_int(STAGE, cfg, "n_images", 3);
    lt_test_set_choice(STAGE, cfg, "split", "test");
    expect_error(cfg, a, b, "stage 'recon': split 'test' is absent from the input");
    lt_test_set_choice(STAGE, cfg, "split", "auto");

    lt_mat_free(&b->split[LT_VALID].x);
    b->split[LT_VALID].x = lt_mat_new(2, 4);
    expect_error(cfg, a, b, "stage 'recon': the reconstructions have 2 rows in split 'valid' "
                            "but the images have 3");
    lt_mat_free(&b->split[LT_VALID].x);
    b->split[LT_VALID].x = lt_mat_new(3, 2);
    expect_error(cfg, a, b, "stage 'recon': the reconstructions have 2 columns but the images "
                            "have 4: feed the second input from a stage that reconstructs "
                            "(input: STAGE.reconstruction of a pca or an autoencoder)");
    lt_mat_free(&b->split[LT_VALID].x);
    expect_error(cfg, a, b, "stage 'recon': the reconstructions (second input) have no "
                            "'valid' split");

    lt_test_set_int(STAGE, cfg, "n_images", 9);
    lt_test_set_int(STAGE, cfg, "columns", 1);
    expect_error(cfg, a, a, "stage 'recon': 9 images in rows of 1 need 18 rows of panels, at "
                            "most 16 fit: raise columns");
    lt_test_set_int(STAGE, cfg, "n_images", 1);
    lt_mat_free(&a->split[LT_VALID].x);
    a->split[LT_VALID].x = lt_mat_new(3, 3);
    expect_error(cfg, a, NULL, "stage 'recon': the input's rows are not images: it has no "
                               "image shape and 3 columns are not a square number");
    a->image_rows = 1;
    a->image_cols = 2;
    expect_error(cfg, a, NULL, "stage 'recon': images of 1 x 2 pixels need 2 columns, the "
                               "input has 3");
    free(cfg);
    lt_data_free(&a);
    lt_data_free(&b);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("plot.reconstructions", NULL, NULL);
    CU_add_test(s, "an image panel without axes", test_image_panel);
    CU_add_test(s, "grey levels clip", test_image_clips);
    CU_add_test(s, "metrics, split fallback, one input", test_stage_reports);
    CU_add_test(s, "errors", test_stage_errors);
    return lt_test_run();
}
