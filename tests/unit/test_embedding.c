/* plot.embedding: the figure it writes (read back: size, ink), colour bar
 * against legend, several panels, and the thumbnails the lecture's greedy
 * rule keeps, on cases worked out by hand. Set LT_PLOT_DEMO_DIR to keep a
 * copy of each figure. */
#include <CUnit/Basic.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "plot/color.h"
#include "testcfg.h"
#include "testutil.h"

extern const lt_stage_def plot_embedding_stage;

const char *lt_test_root = ".";

/* ---- reading the PNG back ------------------------------------------- */

typedef struct image {
    int width, height;
    unsigned char *rgba; /* width * height * 4 */
} image;

static int read_png(const char *path, image *out)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        fclose(f);
        free(out->rgba);
        out->rgba = NULL;
        return -1;
    }
    png_init_io(png, f);
    png_read_info(png, info);
    out->width = (int)png_get_image_width(png, info);
    out->height = (int)png_get_image_height(png, info);
    if (png_get_color_type(png, info) == PNG_COLOR_TYPE_RGB)
        png_set_add_alpha(png, 0xff, PNG_FILLER_AFTER);
    png_read_update_info(png, info);
    out->rgba = malloc((size_t)out->width * out->height * 4);
    for (int r = 0; r < out->height; r++)
        png_read_row(png, out->rgba + (size_t)r * out->width * 4, NULL);
    png_read_end(png, info);
    png_destroy_read_struct(&png, &info, NULL);
    fclose(f);
    return 0;
}

static bool colored(const unsigned char *px)
{
    int lo = px[0], hi = px[0];
    for (int c = 1; c < 3; c++) {
        lo = px[c] < lo ? px[c] : lo;
        hi = px[c] > hi ? px[c] : hi;
    }
    return hi - lo > 40;
}

/* Pixels not white. */
static size_t ink(const image *im)
{
    size_t n = 0;
    for (size_t i = 0; i < (size_t)im->width * im->height; i++)
        n += memcmp(im->rgba + 4 * i, "\xff\xff\xff", 3) != 0;
    return n;
}

/* The most coloured pixels in one column of the right quarter: a colour
 * bar fills most of the panel's height; scattered points do not. */
static int tallest_colored_column(const image *im)
{
    int best = 0;
    for (int x = im->width * 3 / 4; x < im->width; x++) {
        int n = 0;
        for (int y = 0; y < im->height; y++)
            n += colored(im->rgba + 4 * ((size_t)y * im->width + x));
        best = n > best ? n : best;
    }
    return best;
}

/* Pixels within 12 of colour C on every channel. */
static size_t pixels_near(const image *im, lt_rgba c)
{
    int want[3] = {(int)lround(255 * c.r), (int)lround(255 * c.g), (int)lround(255 * c.b)};
    size_t n = 0;
    for (size_t i = 0; i < (size_t)im->width * im->height; i++) {
        const unsigned char *px = im->rgba + 4 * i;
        n += abs(px[0] - want[0]) <= 12 && abs(px[1] - want[1]) <= 12 &&
             abs(px[2] - want[2]) <= 12;
    }
    return n;
}

/* ---- running the stage ---------------------------------------------- */

struct run {
    lt_ctx *ctx;
    int rc;
    image png; /* rgba NULL unless rc is LT_OK */
};

static struct run run(const char *name, void *cfg, const lt_data *const *inputs, int n)
{
    struct run r = {lt_ctx_new_test(), LT_OK, {0}};
    CU_ASSERT_PTR_NOT_NULL_FATAL(r.ctx);
    lt_ctx_enter(r.ctx, name, 0, 0, lt_ctx_test_metrics(r.ctx));
    r.rc = plot_embedding_stage.check(r.ctx, cfg);
    lt_data *out = NULL;
    if (r.rc == LT_OK)
        r.rc = lt_test_call(&plot_embedding_stage, r.ctx, cfg, inputs, n, &out);
    CU_ASSERT_PTR_NULL(out);
    if (r.rc != LT_OK)
        return r;
    char path[512];
    snprintf(path, sizeof path, "%s/plots/%s.png", r.ctx->test_dir, name);
    CU_ASSERT_EQUAL_FATAL(read_png(path, &r.png), 0);
    const char *demo = getenv("LT_PLOT_DEMO_DIR");
    if (demo) {
        size_t len;
        char *bytes = lt_read_file(path, &len), copy[512];
        snprintf(copy, sizeof copy, "%s/%s.png", demo, name);
        FILE *f = fopen(copy, "wb");
        if (f && bytes)
            fwrite(bytes, 1, len, f);
        if (f)
            fclose(f);
        free(bytes);
    }
    return r;
}

static void release(struct run *r)
{
    free(r->png.rgba);
    lt_ctx_free_test(r->ctx);
}

static const char *metric_str(struct run *r, const char *name)
{
    return lt_json_string(lt_json_get(lt_ctx_test_metrics(r->ctx), name));
}

/* N points on a circle (an embedding that no column crosses much), with the
 * angle as per-row value and class i % 3 when labelled. */
static lt_data *circle(size_t n, bool labelled, double radius)
{
    lt_data *d = lt_data_new();
    lt_split *s = &d->split[LT_TRAIN];
    s->x = lt_mat_new(n, 2);
    s->t = malloc(n * sizeof(double));
    if (labelled)
        s->y = malloc(n * sizeof(int));
    for (size_t i = 0; i < n; i++) {
        double a = 2 * M_PI * (double)i / (double)n;
        s->x->v[2 * i] = radius * cos(a);
        s->x->v[2 * i + 1] = radius * sin(a);
        s->t[i] = a;
        if (labelled)
            s->y[i] = (int)(i % 3);
    }
    d->n_features = 2;
    if (labelled) {
        d->n_classes = 3;
        d->class_names = malloc(3 * sizeof(char *));
        const char *names[3] = {"T-shirt/top", "Trouser", "Pullover"};
        for (int c = 0; c < 3; c++)
            d->class_names[c] = strdup(names[c]);
    }
    return d;
}

static void *config(void) { return lt_test_config(&plot_embedding_stage); }

static void test_value_colour_bar(void)
{
    lt_data *d = circle(400, false, 1);
    void *cfg = config();
    const lt_data *in[1] = {d};
    struct run r = run("by_value", cfg, in, 1);
    CU_ASSERT_EQUAL_FATAL(r.rc, LT_OK);
    CU_ASSERT_EQUAL(r.png.width, 800);
    CU_ASSERT_EQUAL(r.png.height, 600);
    CU_ASSERT(ink(&r.png) > 800 * 600 / 25);
    CU_ASSERT_STRING_EQUAL(metric_str(&r, "color"), "value");
    CU_ASSERT(tallest_colored_column(&r.png) > 600 / 2);
    /* Both ends of viridis are on the bar. */
    CU_ASSERT(pixels_near(&r.png, lt_colormap_viridis(0)) > 100);
    CU_ASSERT(pixels_near(&r.png, lt_colormap_viridis(1)) > 100);
    release(&r);
    free(cfg);
    lt_data_free(&d);
}

static void test_label_legend(void)
{
    lt_data *d = circle(300, true, 1);
    void *cfg = config();
    lt_test_set_real(&plot_embedding_stage, cfg, "alpha", 1); /* exact class colours */
    const lt_data *in[1] = {d};
    struct run r = run("by_label", cfg, in, 1);
    CU_ASSERT_EQUAL_FATAL(r.rc, LT_OK);
    CU_ASSERT_EQUAL(r.png.width, 800);
    CU_ASSERT_EQUAL(r.png.height, 600);
    CU_ASSERT_STRING_EQUAL(metric_str(&r, "color"), "label");
    /* No colour bar; the classes in tab10's first three colours. */
    CU_ASSERT(tallest_colored_column(&r.png) < 600 / 4);
    for (int c = 0; c < 3; c++)
        CU_ASSERT(pixels_near(&r.png, lt_color_cycle(c)) > 200);
    CU_ASSERT(pixels_near(&r.png, lt_color_cycle(3)) == 0);
    release(&r);

    /* Asking for values from data that have labels and values works too. */
    lt_test_set_choice(&plot_embedding_stage, cfg, "color", "value");
    r = run("labelled_by_value", cfg, in, 1);
    CU_ASSERT_EQUAL(r.rc, LT_OK);
    CU_ASSERT(r.rc != LT_OK || tallest_colored_column(&r.png) > 600 / 2);
    release(&r);

    free(d->split[LT_TRAIN].y);
    d->split[LT_TRAIN].y = NULL;
    lt_test_set_choice(&plot_embedding_stage, cfg, "color", "label");
    r = run("bad", cfg, in, 1);
    CU_ASSERT_EQUAL(r.rc, LT_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(lt_ctx_error(r.ctx), "no per-row labels"));
    release(&r);
    free(cfg);
    lt_data_free(&d);
}

static void test_panels(void)
{
    lt_data *a = circle(200, false, 1), *b = circle(200, false, 5), *c = circle(100, false, 2);
    void *cfg = config();
    *(const char **)((char *)cfg + lt_test_param(&plot_embedding_stage, "titles")->offset) =
        "linear|rbf|sigmoid";
    const lt_data *in[3] = {a, b, c};
    struct run r = run("three", cfg, in, 3);
    CU_ASSERT_EQUAL_FATAL(r.rc, LT_OK);
    CU_ASSERT_EQUAL(r.png.width, 3 * 440 + 80);
    CU_ASSERT_EQUAL(r.png.height, 480);
    CU_ASSERT_EQUAL(lt_ctx_test_metric(r.ctx, "panels", 0), 3);
    /* One colour bar, right of the last panel. */
    CU_ASSERT(tallest_colored_column(&r.png) > 480 / 2);
    release(&r);

    r = run("bad", cfg, in, 2);
    CU_ASSERT_EQUAL(r.rc, LT_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(lt_ctx_error(r.ctx), "titles has 3 entries for 2 panels"));
    release(&r);
    free(cfg);
    lt_data_free(&a);
    lt_data_free(&b);
    lt_data_free(&c);
}

/* Five points already in [0, 1] (so the scaling is the identity) and 8 x 8
 * images with a bright square, labelled 0..4. */
static void thumbnail_case(lt_data **emb, lt_data **images, bool f32)
{
    static const double pos[5][2] = {{0, 0}, {0.05, 0.05}, {0.5, 0.5}, {1, 1}, {0.9, 0.2}};
    lt_data *e = lt_data_new(), *im = lt_data_new();
    e->split[LT_TRAIN].x = lt_mat_new(5, 2);
    e->split[LT_TRAIN].y = malloc(5 * sizeof(int));
    memcpy(e->split[LT_TRAIN].x->v, pos, sizeof pos);
    for (int i = 0; i < 5; i++)
        e->split[LT_TRAIN].y[i] = i;
    e->n_features = 2;
    e->n_classes = 5;
    im->split[LT_TRAIN].x = f32 ? lt_mat_new_f32(5, 64) : lt_mat_new(5, 64);
    for (size_t i = 0; i < 5; i++)
        for (size_t p = 0; p < 64; p++) {
            double v = (p / 8 >= 2 && p / 8 < 6 && p % 8 >= 2 && p % 8 < 6) ? 0.9 : 0.1 * (double)i;
            if (f32)
                im->split[LT_TRAIN].x->f[i * 64 + p] = (float)v;
            else
                im->split[LT_TRAIN].x->v[i * 64 + p] = v;
        }
    im->n_features = 64;
    im->image_rows = im->image_cols = 8;
    *emb = e;
    *images = im;
}

static void test_thumbnails(void)
{
    lt_data *e, *im;
    thumbnail_case(&e, &im, true);
    void *cfg = config();
    lt_test_set_bool(&plot_embedding_stage, cfg, "thumbnails", true);
    lt_test_set_real(&plot_embedding_stage, cfg, "thumbnail_size", 40);
    const lt_data *in[2] = {e, im};
    /* Kept by hand: (0, 0); not (0.05, 0.05), 0.005 from it; (0.5, 0.5);
     * not (1, 1), where the lecture's list starts; (0.9, 0.2), 0.25 from
     * (0.5, 0.5). */
    struct run r = run("thumbnails", cfg, in, 2);
    CU_ASSERT_EQUAL_FATAL(r.rc, LT_OK);
    CU_ASSERT_EQUAL(r.png.width, 1000);
    CU_ASSERT_EQUAL(r.png.height, 800);
    CU_ASSERT_EQUAL(lt_ctx_test_metric(r.ctx, "thumbnails", 0), 3);
    /* Frames of the kept classes 0, 2 and 4 (their points are under the
     * cards); the skipped 1 and 3 show only as points. */
    size_t frame0 = pixels_near(&r.png, lt_color_cycle(0));
    size_t point1 = pixels_near(&r.png, lt_color_cycle(1));
    CU_ASSERT(frame0 > 4 * point1);
    CU_ASSERT(pixels_near(&r.png, lt_color_cycle(4)) > 4 * point1);
    /* The images' dark squares. */
    CU_ASSERT(pixels_near(&r.png, (lt_rgba){0, 0, 0, 1}) > 3 * 20 * 20);
    release(&r);

    /* A wider spacing drops (0.9, 0.2): 0.25 from (0.5, 0.5). */
    lt_test_set_real(&plot_embedding_stage, cfg, "spacing", 0.3);
    r = run("thumbnails_sparse", cfg, in, 2);
    CU_ASSERT_EQUAL(r.rc, LT_OK);
    CU_ASSERT_EQUAL(lt_ctx_test_metric(r.ctx, "thumbnails", 0), 2);
    release(&r);

    r = run("bad", cfg, in, 1);
    CU_ASSERT_EQUAL(r.rc, LT_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(lt_ctx_error(r.ctx), "thumbnails need two inputs"));
    release(&r);

    const lt_data *swapped[2] = {e, e};
    r = run("bad", cfg, swapped, 2);
    CU_ASSERT_EQUAL(r.rc, LT_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(lt_ctx_error(r.ctx), "holds no images"));
    release(&r);

    lt_mat_free(&im->split[LT_TRAIN].x);
    im->split[LT_TRAIN].x = lt_mat_new(4, 64);
    r = run("bad", cfg, in, 2);
    CU_ASSERT_EQUAL(r.rc, LT_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(
        strstr(lt_ctx_error(r.ctx), "the train split has 5 rows in the embedding but 4"));
    release(&r);

    *(const char **)((char *)cfg + lt_test_param(&plot_embedding_stage, "titles")->offset) = "a";
    r = run("bad", cfg, in, 2);
    CU_ASSERT_EQUAL(r.rc, LT_EINPUT);
    release(&r);
    free(cfg);
    lt_data_free(&e);
    lt_data_free(&im);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("plot.embedding", NULL, NULL);
    CU_add_test(s, "by value: colour bar", test_value_colour_bar);
    CU_add_test(s, "by label: legend", test_label_legend);
    CU_add_test(s, "several panels", test_panels);
    CU_add_test(s, "thumbnails", test_thumbnails);
    return lt_test_run();
}
