/* The plotting library, the PNG writer and the plot stages.
 *
 * Ticks, labels and colours are checked against matplotlib, principal axes
 * and counts against scikit-learn (tests/reference/plot.py). Figures are
 * checked by reading the PNG back: size, text chunks, and that data were
 * drawn. Set LT_PLOT_DEMO_DIR to keep a copy of each stage's figure. */
#include <CUnit/Basic.h>
#include <cairo.h>
#include <errno.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ctx.h"
#include "io/png.h"
#include "latent/data.h"
#include "math/pca2.h"
#include "plot/internal.h"
#include "plot/plot.h"
#include "testrun.h"
#include "stages/plot_common.h"
#include "testutil.h"

const char *lt_test_root = ".";
static lt_json *ref;

extern const lt_stage_def plot_scatter_stage;
extern const lt_stage_def plot_variance_stage;
extern const lt_stage_def plot_projection_stage;

/* ---- reading PNGs back ---------------------------------------------- */

typedef struct png_back {
    int width, height, color_type;
    unsigned char *rgba; /* width * height * 4, straight alpha */
    char text[8][2][128];
    int n_text;
} png_back;

static int read_png(const char *path, png_back *out)
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
    out->color_type = png_get_color_type(png, info);
    if (out->color_type == PNG_COLOR_TYPE_RGB)
        png_set_add_alpha(png, 0xff, PNG_FILLER_AFTER);
    png_read_update_info(png, info);
    out->rgba = malloc((size_t)out->width * out->height * 4);
    for (int r = 0; r < out->height; r++)
        png_read_row(png, out->rgba + (size_t)r * out->width * 4, NULL);
    png_read_end(png, info);
    png_textp text;
    int n = 0;
    png_get_text(png, info, &text, &n);
    for (int i = 0; i < n && i < 8; i++) {
        snprintf(out->text[i][0], 128, "%s", text[i].key);
        snprintf(out->text[i][1], 128, "%s", text[i].text);
    }
    out->n_text = n < 8 ? n : 8;
    png_destroy_read_struct(&png, &info, NULL);
    fclose(f);
    return 0;
}

/* Pixels that are not white, and pixels with colour (not grey): text and
 * frame are black or grey, so coloured pixels mean data were drawn. */
static void count_ink(const png_back *p, size_t *ink, size_t *colored)
{
    *ink = *colored = 0;
    for (size_t i = 0; i < (size_t)p->width * p->height; i++) {
        const unsigned char *px = p->rgba + 4 * i;
        if (px[0] != 255 || px[1] != 255 || px[2] != 255)
            (*ink)++;
        int lo = px[0] < px[1] ? px[0] : px[1], hi = px[0] > px[1] ? px[0] : px[1];
        lo = lo < px[2] ? lo : px[2];
        hi = hi > px[2] ? hi : px[2];
        if (hi - lo > 40)
            (*colored)++;
    }
}

/* ---- ticks ---------------------------------------------------------- */

static void test_ticks_known(void)
{
    lt_ticks t;
    CU_ASSERT_EQUAL(lt_ticks_locate(0, 1, 9, false, &t), 6);
    for (int i = 0; i < 6; i++)
        CU_ASSERT_DOUBLE_EQUAL(t.v[i], 0.2 * i, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(t.step, 0.2, 1e-15);

    /* Steps of 2 from -4 to 14: the ends lie just outside the range. */
    CU_ASSERT_EQUAL(lt_ticks_locate(-3.7, 12.2, 9, false, &t), 10);
    CU_ASSERT_DOUBLE_EQUAL(t.v[0], -4, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(t.v[9], 14, 1e-12);
    lt_ticks shown;
    lt_ticks_visible(&t, -3.7, 12.2, &shown);
    CU_ASSERT_EQUAL(shown.n, 8);
    CU_ASSERT_DOUBLE_EQUAL(shown.v[0], -2, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(shown.v[7], 12, 1e-12);
}

static void test_ticks_match_matplotlib(void)
{
    const lt_json *cases = lt_json_get(ref, "ticks");
    size_t n_cases = lt_json_size(cases), checked_labels = 0;
    double worst = 0;
    for (size_t c = 0; c < n_cases; c++) {
        const lt_json *k = lt_json_at(cases, c);
        double vmin = lt_json_number(lt_json_get(k, "vmin"));
        double vmax = lt_json_number(lt_json_get(k, "vmax"));
        int nbins = (int)lt_json_number(lt_json_get(k, "nbins"));
        bool integer = lt_json_number(lt_json_get(k, "integer")) != 0;
        const lt_json *want = lt_json_get(k, "ticks");
        lt_ticks t;
        lt_ticks_locate(vmin, vmax, nbins, integer, &t);
        if ((size_t)t.n != lt_json_size(want)) {
            fprintf(stderr, "case [%g, %g] nbins %d: %d ticks, matplotlib %zu\n", vmin,
                    vmax, nbins, t.n, lt_json_size(want));
            CU_FAIL("tick count differs from matplotlib");
            continue;
        }
        for (int i = 0; i < t.n; i++) {
            double w = lt_json_number(lt_json_at(want, (size_t)i));
            worst = fmax(worst, fabs(t.v[i] - w) / fmax(1, fabs(w)));
        }

        /* Labels, except where matplotlib would subtract an offset. */
        const char *offset = lt_json_string(lt_json_get(k, "offset_text"));
        if (offset[0] == '+' || strncmp(offset, "\u2212", 3) == 0)
            continue;
        lt_ticks shown;
        lt_ticks_visible(&t, vmin, vmax, &shown);
        lt_tick_format f = lt_ticks_format(shown.v, shown.n, shown.step);
        const lt_json *labels = lt_json_get(k, "labels");
        CU_ASSERT_EQUAL_FATAL((size_t)shown.n, lt_json_size(labels));
        for (int i = 0; i < shown.n; i++) {
            char buf[64];
            lt_tick_label(buf, sizeof buf, shown.v[i], f);
            const char *w = lt_json_string(lt_json_at(labels, (size_t)i));
            CU_ASSERT_PTR_NOT_NULL_FATAL(w);
            if (!w)
                return;
            if (strcmp(buf, w) != 0)
                fprintf(stderr, "case [%g, %g]: label '%s', matplotlib '%s'\n", vmin,
                        vmax, buf, w);
            CU_ASSERT_STRING_EQUAL(buf, w);
        }
        /* "1e6" or "1e−7": a power of ten that divides the labels. */
        int exponent = 0;
        const char *e = strchr(offset, 'e');
        if (e) {
            bool negative = strncmp(e + 1, "\u2212", 3) == 0;
            exponent = atoi(e + (negative ? 4 : 1));
            exponent = negative ? -exponent : exponent;
        }
        CU_ASSERT_EQUAL(f.exponent, exponent);
        checked_labels++;
    }
    printf("\n    %zu tick cases, %zu with labels; max relative tick difference %.3g\n",
           n_cases, checked_labels, worst);
    CU_ASSERT(worst <= 1e-12);
    CU_ASSERT(checked_labels >= 12);
}

static void test_ticks_degenerate(void)
{
    lt_ticks t;
    CU_ASSERT(lt_ticks_locate(3, 3, 9, false, &t) >= 2);
    CU_ASSERT(t.v[0] <= 3 && t.v[t.n - 1] >= 3);
    CU_ASSERT(lt_ticks_locate(0, 0, 9, false, &t) >= 2);
    CU_ASSERT(t.v[0] < 0 && t.v[t.n - 1] > 0);
    CU_ASSERT(lt_ticks_locate(NAN, 1, 9, false, &t) >= 2);
    for (int i = 0; i < t.n; i++)
        CU_ASSERT(isfinite(t.v[i]));
    /* Reversed limits give ascending ticks. */
    lt_ticks_locate(1, 0, 9, false, &t);
    CU_ASSERT_DOUBLE_EQUAL(t.v[0], 0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(t.v[t.n - 1], 1, 1e-12);
    CU_ASSERT_EQUAL(lt_ticks_nbins(360, 10, true), 9);
    CU_ASSERT_EQUAL(lt_ticks_nbins(100, 10, false), 5);
    CU_ASSERT_EQUAL(lt_ticks_nbins(5, 10, true), 1);
}

static void test_tick_labels(void)
{
    char buf[64];
    lt_tick_label(buf, sizeof buf, -0.0000001, (lt_tick_format){2, 0});
    CU_ASSERT_STRING_EQUAL(buf, "0.00");
    lt_tick_label(buf, sizeof buf, -2.5, (lt_tick_format){1, 0});
    CU_ASSERT_STRING_EQUAL(buf, "\u22122.5");
    lt_tick_label(buf, sizeof buf, 2.5e6, (lt_tick_format){1, 6});
    CU_ASSERT_STRING_EQUAL(buf, "2.5");
    lt_tick_exponent_label(buf, sizeof buf, (lt_tick_format){0, 6});
    CU_ASSERT_STRING_EQUAL(buf, "\u00d710\u2076");
    lt_tick_exponent_label(buf, sizeof buf, (lt_tick_format){0, -12});
    CU_ASSERT_STRING_EQUAL(buf, "\u00d710\u207b\u00b9\u00b2");
    lt_tick_exponent_label(buf, sizeof buf, (lt_tick_format){3, 0});
    CU_ASSERT_STRING_EQUAL(buf, "");
    double v[] = {0, 0.25, 0.5, 0.75};
    lt_tick_format f = lt_ticks_format(v, 4, 0.25);
    CU_ASSERT_EQUAL(f.decimals, 2);
    CU_ASSERT_EQUAL(f.exponent, 0);
}

/* ---- colours -------------------------------------------------------- */

static void test_colors(void)
{
    lt_rgba c = lt_color_cycle(0);
    CU_ASSERT_DOUBLE_EQUAL(c.r, 0x1f / 255.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(c.g, 0x77 / 255.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(c.b, 0xb4 / 255.0, 1e-12);
    lt_rgba wrapped = lt_color_cycle(13), third = lt_color_cycle(3);
    CU_ASSERT(wrapped.r == third.r && wrapped.g == third.g && wrapped.b == third.b);

    const lt_json *v = lt_json_get(ref, "viridis");
    const lt_json *ts = lt_json_get(v, "t"), *rgb = lt_json_get(v, "rgb");
    double worst = 0;
    for (size_t i = 0; i < lt_json_size(ts); i++) {
        lt_rgba got = lt_colormap_viridis(lt_json_number(lt_json_at(ts, i)));
        double g[3] = {got.r, got.g, got.b};
        worst = fmax(worst, lt_test_maxdiff(g, 3, lt_json_at(rgb, i)));
    }
    printf("\n    viridis: max difference from matplotlib %.4f (%.2f/255)\n", worst,
           worst * 255);
    /* matplotlib looks up a 256-entry table; within 3/255 is the same
     * colour to the eye. */
    CU_ASSERT(worst <= 3.0 / 255);
}

/* ---- PNG writer ----------------------------------------------------- */

static char *temp_path(const char *name)
{
    static char path[256];
    snprintf(path, sizeof path, "/tmp/latent-test-png-%d-%s", (int)getpid(), name);
    return path;
}

static int same_file(const char *a, const char *b)
{
    size_t na, nb;
    char *x = lt_read_file(a, &na), *y = lt_read_file(b, &nb);
    int same = x && y && na == nb && memcmp(x, y, na) == 0;
    free(x);
    free(y);
    return same;
}

static void test_png_roundtrip(void)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 7, 5);
    cairo_t *cr = cairo_create(s);
    cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE);
    cairo_set_source_rgba(cr, 1, 1, 1, 1);
    cairo_paint(cr);
    cairo_set_source_rgba(cr, 0x1f / 255.0, 0x77 / 255.0, 0xb4 / 255.0, 1);
    cairo_rectangle(cr, 0, 0, 2, 2);
    cairo_fill(cr);
    cairo_set_source_rgba(cr, 1, 0.5, 0, 0.5); /* half transparent */
    cairo_rectangle(cr, 4, 3, 3, 2);
    cairo_fill(cr);
    cairo_set_source_rgba(cr, 0, 0, 0, 0);
    cairo_rectangle(cr, 6, 0, 1, 1);
    cairo_fill(cr);
    cairo_destroy(cr);
    cairo_surface_flush(s);

    const char *text[] = {"Title", "round trip", "Software", "latent test", NULL};
    char a[256], b[256];
    snprintf(a, sizeof a, "%s", temp_path("a.png"));
    snprintf(b, sizeof b, "%s", temp_path("b.png"));
    unsigned char *data = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s);
    CU_ASSERT_EQUAL_FATAL(lt_png_write_argb32(a, data, 7, 5, stride, text), 0);
    CU_ASSERT_EQUAL_FATAL(lt_png_write_argb32(b, data, 7, 5, stride, text), 0);
    CU_ASSERT(same_file(a, b));

    png_back p;
    CU_ASSERT_EQUAL_FATAL(read_png(a, &p), 0);
    CU_ASSERT_EQUAL(p.width, 7);
    CU_ASSERT_EQUAL(p.height, 5);
    CU_ASSERT_EQUAL(p.color_type, PNG_COLOR_TYPE_RGB_ALPHA);
    const unsigned char *blue = p.rgba, *white = p.rgba + 4 * 3;
    const unsigned char *orange = p.rgba + 4 * (3 * 7 + 5), *clear = p.rgba + 4 * 6;
    CU_ASSERT(blue[0] == 0x1f && blue[1] == 0x77 && blue[2] == 0xb4 && blue[3] == 255);
    CU_ASSERT(white[0] == 255 && white[1] == 255 && white[2] == 255 && white[3] == 255);
    /* Straight alpha: the colour comes back whole, the alpha halved. */
    CU_ASSERT(orange[0] == 255 && abs(orange[1] - 128) <= 1 && orange[2] == 0);
    CU_ASSERT(abs(orange[3] - 128) <= 1);
    CU_ASSERT_EQUAL(clear[3], 0);
    CU_ASSERT_EQUAL_FATAL(p.n_text, 2);
    CU_ASSERT_STRING_EQUAL(p.text[0][0], "Title");
    CU_ASSERT_STRING_EQUAL(p.text[0][1], "round trip");
    CU_ASSERT_STRING_EQUAL(p.text[1][0], "Software");
    CU_ASSERT_STRING_EQUAL(p.text[1][1], "latent test");
    free(p.rgba);

    /* An opaque image is written without an alpha channel. */
    cr = cairo_create(s);
    cairo_set_source_rgb(cr, 0.2, 0.4, 0.6);
    cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE);
    cairo_paint(cr);
    cairo_destroy(cr);
    cairo_surface_flush(s);
    CU_ASSERT_EQUAL_FATAL(lt_png_write_argb32(a, data, 7, 5, stride, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(read_png(a, &p), 0);
    CU_ASSERT_EQUAL(p.color_type, PNG_COLOR_TYPE_RGB);
    CU_ASSERT(p.rgba[0] == 51 && p.rgba[1] == 102 && p.rgba[2] == 153);
    CU_ASSERT_EQUAL(p.n_text, 0);
    free(p.rgba);

    /* Errors: bad arguments, a folder that does not exist, a bad key. */
    errno = 0;
    CU_ASSERT_EQUAL(lt_png_write_argb32(a, data, 0, 5, stride, NULL), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    CU_ASSERT_EQUAL(lt_png_write_argb32("/nonexistent/x.png", data, 7, 5, stride, NULL), -1);
    CU_ASSERT_EQUAL(errno, ENOENT);
    const char *bad_key[] = {"", "empty key", NULL};
    CU_ASSERT_EQUAL(lt_png_write_argb32(b, data, 7, 5, stride, bad_key), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    cairo_surface_destroy(s);
    remove(a);
    remove(b);
}

/* ---- 2-D principal components ---------------------------------------- */

/* The reference points as two columns; owned by the caller. */
static size_t reference_points(double **x, double **y)
{
    const lt_json *pts = lt_json_get(lt_json_get(ref, "pca2d"), "x");
    size_t n = lt_json_size(pts);
    *x = malloc(n * sizeof **x);
    *y = malloc(n * sizeof **y);
    for (size_t i = 0; i < n; i++) {
        (*x)[i] = lt_json_number(lt_json_at(lt_json_at(pts, i), 0));
        (*y)[i] = lt_json_number(lt_json_at(lt_json_at(pts, i), 1));
    }
    return n;
}

static void test_pca2_matches_sklearn(void)
{
    const lt_json *r = lt_json_get(ref, "pca2d");
    double *x, *y;
    size_t n = reference_points(&x, &y);
    lt_pca2 p;
    CU_ASSERT_EQUAL_FATAL(lt_pca2_fit(x, y, n, &p), 0);
    double d_mean = lt_test_maxdiff(p.mean, 2, lt_json_get(r, "mean"));
    double d_comp = fmax(lt_test_maxdiff(p.component[0], 2, lt_json_at(lt_json_get(r, "components"), 0)),
                         lt_test_maxdiff(p.component[1], 2, lt_json_at(lt_json_get(r, "components"), 1)));
    double d_var = lt_test_maxdiff(p.variance, 2, lt_json_get(r, "explained_variance"));
    double d_ratio = lt_test_maxdiff(p.ratio, 2, lt_json_get(r, "explained_variance_ratio"));
    printf("\n    pca2 vs sklearn: mean %.2g, components %.2g, variance %.2g, ratio %.2g\n",
           d_mean, d_comp, d_var, d_ratio);
    CU_ASSERT(d_mean <= 1e-12);
    CU_ASSERT(d_comp <= 1e-10); /* includes the sign convention */
    CU_ASSERT(d_var <= 1e-10);
    CU_ASSERT(d_ratio <= 1e-12);

    CU_ASSERT_EQUAL(lt_pca2_fit(x, y, 1, &p), -1);
    double same[3] = {2, 2, 2};
    CU_ASSERT_EQUAL(lt_pca2_fit(same, same, 3, &p), 0);
    CU_ASSERT_EQUAL(p.variance[0], 0);
    CU_ASSERT_EQUAL(p.ratio[0], 0);
    free(x);
    free(y);
}

/* ---- stages --------------------------------------------------------- */

/* Deterministic normal deviates for synthetic data. */
static double gauss(unsigned long *state)
{
    double u[2];
    for (int k = 0; k < 2; k++) {
        *state = *state * 6364136223846793005UL + 1442695040888963407UL;
        u[k] = ((*state >> 11) + 0.5) / 9007199254740992.0;
    }
    return sqrt(-2 * log(u[0])) * cos(2 * M_PI * u[1]);
}

/* The reference points as a train split; labels from which side of the
 * first principal axis's normal they lie on. */
static lt_data *points_data(bool labels, bool values)
{
    double *x, *y;
    size_t n = reference_points(&x, &y);
    lt_data *d = lt_data_new();
    d->split[LT_TRAIN].x = lt_mat_new(n, 2);
    d->n_features = 2;
    for (size_t i = 0; i < n; i++) {
        d->split[LT_TRAIN].x->v[2 * i] = x[i];
        d->split[LT_TRAIN].x->v[2 * i + 1] = y[i];
    }
    if (labels) {
        d->split[LT_TRAIN].y = malloc(n * sizeof(int));
        for (size_t i = 0; i < n; i++)
            d->split[LT_TRAIN].y[i] = x[i] + 1 > 0;
        d->n_classes = 2;
        d->class_names = malloc(2 * sizeof(char *));
        d->class_names[0] = strdup("left");
        d->class_names[1] = strdup("right");
    }
    if (values) {
        d->split[LT_TRAIN].t = malloc(n * sizeof(double));
        for (size_t i = 0; i < n; i++)
            d->split[LT_TRAIN].t[i] = y[i];
    }
    free(x);
    free(y);
    return d;
}

/* Three labelled clusters in 4 columns with train and test splits. */
static lt_data *cluster_data(void)
{
    unsigned long state = 42;
    lt_data *d = lt_data_new();
    size_t sizes[2] = {450, 150};
    int splits[2] = {LT_TRAIN, LT_TEST};
    for (int s = 0; s < 2; s++) {
        lt_split *sp = &d->split[splits[s]];
        sp->x = lt_mat_new(sizes[s], 4);
        sp->y = malloc(sizes[s] * sizeof(int));
        for (size_t i = 0; i < sizes[s]; i++) {
            int c = (int)(i % 3);
            double *row = sp->x->v + 4 * i;
            double a = gauss(&state), b = gauss(&state);
            row[0] = 4 * c + 1.5 * a;
            row[1] = 2.0 * c + 0.6 * a + 0.8 * b;
            row[2] = gauss(&state);
            row[3] = gauss(&state);
            sp->y[i] = c;
        }
    }
    d->n_features = 4;
    d->feature_names = malloc(4 * sizeof(char *));
    const char *names[4] = {"mean radius", "mean texture", "x2", "x3"};
    for (int j = 0; j < 4; j++)
        d->feature_names[j] = strdup(names[j]);
    d->n_classes = 3;
    d->class_names = malloc(3 * sizeof(char *));
    const char *classes[3] = {"setosa", "versicolor", "virginica"};
    for (int c = 0; c < 3; c++)
        d->class_names[c] = strdup(classes[c]);
    return d;
}

/* Runs DEF as stage NAME on the value IN; on success checks the figure it
 * wrote. */
static int run_stage_on(const lt_stage_def *def, const char *name, const void *cfg, lt_value in,
                        lt_ctx **pctx)
{
    lt_ctx *ctx = lt_ctx_new_test();
    lt_ctx_enter(ctx, name, 0, 0, lt_ctx_test_metrics(ctx));
    *pctx = ctx;
    CU_ASSERT_EQUAL(def->n_outputs, 0);
    int rc = def->run(ctx, cfg, &in, 1, NULL);
    if (rc != LT_OK)
        return rc;

    char want[256], path[512];
    snprintf(want, sizeof want, "plots/%s.png", name);
    CU_ASSERT_STRING_EQUAL(lt_json_string(lt_json_get(lt_ctx_test_metrics(ctx), "file")), want);
    snprintf(path, sizeof path, "%s/%s", ctx->test_dir, want);
    png_back p;
    CU_ASSERT_EQUAL_FATAL(read_png(path, &p), 0);
    CU_ASSERT_EQUAL(p.width, 800);
    CU_ASSERT_EQUAL(p.height, 600);
    CU_ASSERT_EQUAL(p.color_type, PNG_COLOR_TYPE_RGB);
    size_t ink, colored;
    count_ink(&p, &ink, &colored);
    /* Frame, ticks and text alone ink about 2% of a figure; data more. */
    CU_ASSERT(ink > 800 * 600 / 25);
    CU_ASSERT(colored > 2000);
    CU_ASSERT(p.n_text >= 1 && strcmp(p.text[0][0], "Software") == 0);
    free(p.rgba);

    const char *demo = getenv("LT_PLOT_DEMO_DIR");
    if (demo) {
        size_t len;
        char *bytes = lt_read_file(path, &len);
        snprintf(path, sizeof path, "%s/%s.png", demo, name);
        FILE *f = fopen(path, "wb");
        if (f && bytes)
            fwrite(bytes, 1, len, f);
        if (f)
            fclose(f);
        free(bytes);
    }
    return rc;
}

/* As run_stage_on, for a dataset. */
static int run_stage(const lt_stage_def *def, const char *name, const void *cfg, const lt_data *d,
                     lt_ctx **pctx)
{
    return run_stage_on(def, name, cfg, (lt_value){.data = (lt_data *)d}, pctx);
}

struct scatter_cfg {
    int split, x, y, color;
    bool axes, equal;
    char *title, *xlabel, *ylabel;
    double alpha;
    PLOT_OUTPUT_FIELDS;
};

static void test_scatter(void)
{
    const lt_json *r = lt_json_get(ref, "pca2d");
    lt_data *d = points_data(true, true);
    struct scatter_cfg cfg = {.split = 0, .x = 0, .y = 1, .color = 0, .axes = true,
                              .equal = true, .alpha = 0.5, .dpi = PLOT_BASE_DPI};
    CU_ASSERT_EQUAL(plot_scatter_stage.config_size, sizeof cfg);
    lt_ctx *ctx;
    CU_ASSERT_EQUAL(run_stage(&plot_scatter_stage, "scatter_labels", &cfg, d, &ctx), LT_OK);
    lt_json *m = lt_ctx_test_metrics(ctx);
    double mean[2] = {lt_ctx_test_metric(ctx, "mean", 0), lt_ctx_test_metric(ctx, "mean", 1)};
    double var[2] = {lt_ctx_test_metric(ctx, "explained_variance", 0),
                     lt_ctx_test_metric(ctx, "explained_variance", 1)};
    double comp0[2] = {lt_json_number(lt_json_at(lt_json_at(lt_json_get(m, "components"), 0), 0)),
                       lt_json_number(lt_json_at(lt_json_at(lt_json_get(m, "components"), 0), 1))};
    CU_ASSERT(lt_test_maxdiff(mean, 2, lt_json_get(r, "mean")) <= 1e-12);
    CU_ASSERT(lt_test_maxdiff(var, 2, lt_json_get(r, "explained_variance")) <= 1e-10);
    CU_ASSERT(lt_test_maxdiff(comp0, 2, lt_json_at(lt_json_get(r, "components"), 0)) <= 1e-10);
    lt_ctx_free_test(ctx);

    cfg.color = 2; /* by value, with a colour bar */
    cfg.title = "coloured by value";
    CU_ASSERT_EQUAL(run_stage(&plot_scatter_stage, "scatter_values", &cfg, d, &ctx), LT_OK);
    lt_ctx_free_test(ctx);
    lt_data_free(&d);

    /* Unlabelled data coloured "by label" fall back to one colour. */
    d = points_data(false, false);
    cfg.color = 0;
    cfg.title = NULL;
    CU_ASSERT_EQUAL(run_stage(&plot_scatter_stage, "scatter_plain", &cfg, d, &ctx), LT_OK);
    lt_ctx_free_test(ctx);
    cfg.color = 2;
    CU_ASSERT_EQUAL(run_stage(&plot_scatter_stage, "bad", &cfg, d, &ctx), LT_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(lt_ctx_error(ctx), "no per-row values"));
    lt_ctx_free_test(ctx);
    lt_data_free(&d);

    d = cluster_data();
    cfg = (struct scatter_cfg){.split = 3, .x = 0, .y = 1, .color = 0, .axes = true,
                               .equal = false, .alpha = 0.5, .dpi = PLOT_BASE_DPI};
    CU_ASSERT_EQUAL(run_stage(&plot_scatter_stage, "scatter_clusters", &cfg, d, &ctx), LT_OK);
    lt_ctx_free_test(ctx);

    cfg.x = 4;
    CU_ASSERT_EQUAL(run_stage(&plot_scatter_stage, "bad", &cfg, d, &ctx), LT_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(lt_ctx_error(ctx),
                                  "x is column 4 but the input has 4 columns (0 to 3)"));
    lt_ctx_free_test(ctx);
    cfg.x = 0;
    cfg.split = LT_VALID;
    CU_ASSERT_EQUAL(run_stage(&plot_scatter_stage, "bad", &cfg, d, &ctx), LT_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(lt_ctx_error(ctx),
                                  "split 'valid' is absent from the input (it has train, test)"));
    lt_ctx_free_test(ctx);
    lt_data_free(&d);
}

struct variance_cfg {
    double threshold;
    char *title;
    PLOT_OUTPUT_FIELDS;
};

static lt_spectrum *spectrum_data(double threshold)
{
    const lt_json *ratio = lt_json_get(lt_json_get(ref, "spectrum"), "ratio");
    lt_spectrum *d = lt_spectrum_new(lt_json_size(ratio));
    for (size_t i = 0; i < d->n; i++)
        d->ratio[i] = lt_json_number(lt_json_at(ratio, i));
    d->threshold = threshold;
    return d;
}

static void test_variance(void)
{
    const lt_json *s = lt_json_get(ref, "spectrum");
    const lt_json *thresholds = lt_json_get(s, "thresholds"), *counts = lt_json_get(s, "n_components");
    lt_spectrum *d = spectrum_data(0);
    struct variance_cfg cfg = {.dpi = PLOT_BASE_DPI};
    CU_ASSERT_EQUAL(plot_variance_stage.config_size, sizeof cfg);
    lt_ctx *ctx;
    for (size_t i = 0; i < lt_json_size(thresholds); i++) {
        cfg.threshold = lt_json_number(lt_json_at(thresholds, i));
        const char *name = cfg.threshold == 0.95 ? "variance" : "variance_other";
        CU_ASSERT_EQUAL(run_stage_on(&plot_variance_stage, name, &cfg, (lt_value){.spectrum = d}, &ctx), LT_OK);
        CU_ASSERT_EQUAL(lt_ctx_test_metric(ctx, "n_components", 0),
                        lt_json_number(lt_json_at(counts, i)));
        lt_ctx_free_test(ctx);
    }
    /* Unset, the threshold is the pca's, else 0.95 (10 components). */
    cfg.threshold = 0;
    CU_ASSERT_EQUAL(run_stage_on(&plot_variance_stage, "variance_default", &cfg, (lt_value){.spectrum = d}, &ctx), LT_OK);
    CU_ASSERT_EQUAL(lt_ctx_test_metric(ctx, "threshold", 0), 0.95);
    CU_ASSERT_EQUAL(lt_ctx_test_metric(ctx, "n_components", 0), 10);
    lt_ctx_free_test(ctx);
    lt_spectrum_free(&d);
    d = spectrum_data(0.8);
    CU_ASSERT_EQUAL(run_stage_on(&plot_variance_stage, "variance_pca", &cfg, (lt_value){.spectrum = d}, &ctx), LT_OK);
    CU_ASSERT_EQUAL(lt_ctx_test_metric(ctx, "n_components", 0), 5);
    lt_ctx_free_test(ctx);
    lt_spectrum_free(&d);

    d = lt_spectrum_new(0);
    CU_ASSERT_EQUAL(run_stage_on(&plot_variance_stage, "bad", &cfg, (lt_value){.spectrum = d}, &ctx), LT_EINPUT);
    CU_ASSERT_STRING_EQUAL(lt_ctx_error(ctx), "stage 'bad': the input spectrum is empty");
    lt_ctx_free_test(ctx);
    lt_spectrum_free(&d);
}

struct projection_cfg {
    int component, split;
    char *title;
    PLOT_OUTPUT_FIELDS;
};

static void test_projection(void)
{
    const lt_json *r = lt_json_get(ref, "pca2d");
    lt_data *d = points_data(false, false);
    struct projection_cfg cfg = {.dpi = PLOT_BASE_DPI};
    CU_ASSERT_EQUAL(plot_projection_stage.config_size, sizeof cfg);
    lt_ctx *ctx;
    double worst = 0;
    for (int k = 0; k < 2; k++) {
        cfg.component = k;
        CU_ASSERT_EQUAL(run_stage(&plot_projection_stage, k ? "projection_pc2" : "projection",
                                  &cfg, d, &ctx), LT_OK);
        double got[2] = {lt_ctx_test_metric(ctx, "explained_variance_ratio", 0),
                         lt_ctx_test_metric(ctx, "reconstruction_error", 0)};
        double want[2] = {
            lt_json_number(lt_json_at(lt_json_get(r, "explained_variance_ratio"), (size_t)k)),
            lt_json_number(lt_json_at(lt_json_get(r, "reconstruction_error"), (size_t)k))};
        worst = fmax(worst, fmax(fabs(got[0] - want[0]), fabs(got[1] - want[1])));
        double v[2] = {lt_ctx_test_metric(ctx, "component", 0),
                       lt_ctx_test_metric(ctx, "component", 1)};
        CU_ASSERT(lt_test_maxdiff(v, 2, lt_json_at(lt_json_get(r, "components"), (size_t)k)) <= 1e-10);
        lt_ctx_free_test(ctx);
    }
    printf("\n    projection vs sklearn: max difference %.2g\n", worst);
    CU_ASSERT(worst <= 1e-10);

    cfg.component = 0;
    cfg.split = LT_TEST;
    CU_ASSERT_EQUAL(run_stage(&plot_projection_stage, "bad", &cfg, d, &ctx), LT_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(lt_ctx_error(ctx), "split 'test' is absent"));
    lt_ctx_free_test(ctx);
    lt_data_free(&d);

    d = cluster_data();
    cfg.split = 0;
    CU_ASSERT_EQUAL(run_stage(&plot_projection_stage, "bad", &cfg, d, &ctx), LT_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(lt_ctx_error(ctx), "has 4 columns but this plot needs 2-D"));
    lt_ctx_free_test(ctx);
    lt_data_free(&d);
}

/* Same input, same bytes: figures can be compared and cached by hash. */
static void test_figures_are_deterministic(void)
{
    lt_data *d = cluster_data();
    struct scatter_cfg cfg = {.split = 0, .x = 0, .y = 1, .axes = true, .equal = true,
                              .alpha = 0.5, .dpi = PLOT_BASE_DPI};
    lt_ctx *a, *b;
    CU_ASSERT_EQUAL_FATAL(run_stage(&plot_scatter_stage, "same", &cfg, d, &a), LT_OK);
    CU_ASSERT_EQUAL_FATAL(run_stage(&plot_scatter_stage, "same", &cfg, d, &b), LT_OK);
    char pa[512], pb[512];
    snprintf(pa, sizeof pa, "%s/plots/same.png", a->test_dir);
    snprintf(pb, sizeof pb, "%s/plots/same.png", b->test_dir);
    CU_ASSERT(same_file(pa, pb));
    lt_ctx_free_test(a);
    lt_ctx_free_test(b);
    lt_data_free(&d);
}

/* ---- the library directly ---------------------------------------------- */

static void test_figure_panels_and_errors(void)
{
    CU_ASSERT_PTR_NULL(lt_figure_new(0, 600, 1, 1));
    CU_ASSERT_PTR_NULL(lt_figure_new(800, 600, 0, 1));
    lt_figure *fig = lt_figure_new(1200, 500, 1, 2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fig);
    CU_ASSERT_PTR_NULL(lt_figure_axes(fig, 2));
    lt_figure_set_title(fig, "two panels");
    double x[50], y[50];
    for (int i = 0; i < 50; i++) {
        x[i] = i * 0.2;
        y[i] = sin(x[i]);
    }
    for (int k = 0; k < 2; k++) {
        lt_axes *ax = lt_figure_axes(fig, k);
        lt_axes_plot(ax, x, y, 50, &(lt_style){.marker = k ? LT_MARKER_SQUARE : 0, .label = "sin"});
        lt_axes_set_legend(ax, LT_LEGEND_BEST);
        lt_axes_set_title(ax, k ? "right" : "left");
    }
    CU_ASSERT_EQUAL(lt_figure_render(fig), 0);
    cairo_surface_t *s = lt_figure_surface(fig);
    CU_ASSERT_EQUAL(cairo_image_surface_get_width(s), 1200);
    CU_ASSERT_EQUAL(cairo_image_surface_get_height(s), 500);
    char path[256];
    snprintf(path, sizeof path, "%s", temp_path("panels.png"));
    CU_ASSERT_EQUAL(lt_figure_write_png(fig, path, NULL), 0);
    png_back p;
    CU_ASSERT_EQUAL_FATAL(read_png(path, &p), 0);
    size_t ink, colored;
    count_ink(&p, &ink, &colored);
    CU_ASSERT(colored > 500);
    free(p.rgba);
    remove(path);

    /* The first failure sticks: a marked figure refuses to render. */
    lt_figure_fail(fig);
    errno = 0;
    CU_ASSERT_EQUAL(lt_figure_render(fig), -1);
    CU_ASSERT_EQUAL(errno, ENOMEM);
    CU_ASSERT_PTR_NULL(lt_figure_surface(fig));
    lt_figure_free(&fig);
    CU_ASSERT_PTR_NULL(fig);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    ref = lt_test_reference("plot.json");
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("plot", NULL, NULL);
    CU_add_test(s, "ticks: known cases", test_ticks_known);
    CU_add_test(s, "ticks and labels match matplotlib", test_ticks_match_matplotlib);
    CU_add_test(s, "ticks: degenerate ranges", test_ticks_degenerate);
    CU_add_test(s, "tick labels", test_tick_labels);
    CU_add_test(s, "tab10 and viridis", test_colors);
    CU_add_test(s, "png round trip", test_png_roundtrip);
    CU_add_test(s, "2-D pca matches sklearn", test_pca2_matches_sklearn);
    CU_add_test(s, "plot.scatter", test_scatter);
    CU_add_test(s, "plot.variance", test_variance);
    CU_add_test(s, "plot.projection", test_projection);
    CU_add_test(s, "figures are deterministic", test_figures_are_deterministic);
    CU_add_test(s, "figure panels and sticky errors", test_figure_panels_and_errors);
    int rc = lt_test_run();
    lt_json_free(ref);
    cairo_debug_reset_static_data(); /* so leak checkers see only our leaks */
    return rc;
}
