/* report.html: escaping, embedded plots, every section's content, and the
 * sweep report's table, read back from the written files. */
#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>

#include "util/fsutil.h"
#include "core/report.h"
#include "core/sha256.h"
#include "io/html.h"
#include "testutil.h"

const char *lt_test_root = ".";

static char *capture_base64(const char *data, size_t n)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    lt_html_base64(f, (const unsigned char *)data, n);
    fclose(f);
    return text;
}

static void test_base64(void)
{
    /* The test vectors of RFC 4648, section 10. */
    static const char *const vectors[][2] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
                                             {"foo", "Zm9v"},  {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
                                             {"foobar", "Zm9vYmFy"}};
    for (size_t i = 0; i < sizeof vectors / sizeof *vectors; i++) {
        char *got = capture_base64(vectors[i][0], strlen(vectors[i][0]));
        CU_ASSERT_STRING_EQUAL(got, vectors[i][1]);
        free(got);
    }
    char *high = capture_base64("\xff\xfe\x80", 3);
    CU_ASSERT_STRING_EQUAL(high, "//6A");
    free(high);
}

static void test_escape(void)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    lt_html_text(f, "<a href='x'>&\"σ</a>");
    lt_html_text(f, NULL);
    fclose(f);
    CU_ASSERT_STRING_EQUAL(text, "&lt;a href=&#39;x&#39;&gt;&amp;&quot;σ&lt;/a&gt;");
    free(text);
}

/* ---- the run report ----------------------------------------------------- */

static char *make_dir(void)
{
    char tmpl[] = "/tmp/latent-report-XXXXXX";
    return mkdtemp(tmpl) ? strdup(tmpl) : NULL;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
}

static size_t count(const char *haystack, const char *needle)
{
    size_t n = 0;
    for (const char *p = haystack; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* A run folder with two plots (a stage's and a stray one) and a pipeline
 * file whose digest run.json records (or not, when STALE). */
static char *write_run_report(const char *dir, bool stale, bool with_expectations)
{
    char *plots = lt_path_join(dir, "plots");
    CU_ASSERT_EQUAL_FATAL(lt_mkdir_p(plots), 0);
    char *view = lt_path_join(plots, "view.png"), *extra = lt_path_join(plots, "aaa.png");
    write_text(view, "PNGDATA1"); /* the report embeds bytes; it never decodes them */
    write_text(extra, "foobar");
    char *yaml = lt_path_join(dir, "pipe.yaml");
    const char *yaml_text = "pipeline: demo # as written\n";
    write_text(yaml, yaml_text);
    char digest[65];
    lt_sha256_hex(yaml_text, strlen(yaml_text), digest);

    char run_text[4096];
    snprintf(run_text, sizeof run_text,
             "{\"pipeline\": \"demo<b>\", \"file\": \"%s\", \"file_sha256\": \"%s\", \"seed\": 7,"
             " \"wall_seconds\": 1.5,"
             " \"stage_seconds\": {\"data\": 0.25, \"fit\": 0.0012, \"view\": 0.5},"
             " \"cached\": {\"data\": true, \"fit\": false, \"view\": false},"
             " \"config\": {\"pipeline\": \"demo<b>\", \"description\": \"line one\\nline <two>\\n\", \"seed\": 7,"
             "  \"stages\": {"
             "   \"data\": {\"use\": \"dataset.randn\", \"input\": [], \"with\": {\"rows\": 10, \"name\": null}},"
             "   \"fit\": {\"use\": \"pca\", \"input\": [\"data\"],"
             "            \"with\": {\"n_components\": 2, \"solver\": \"auto\"}},"
             "   \"view\": {\"use\": \"plot.scatter\", \"input\": [\"fit\"], \"with\": {\"title\": \"a: b\"}}}},"
             " \"files\": [\"plots/view.png\", \"metrics.json\"]}",
             yaml, stale ? "0000" : digest);
    lt_json *run = lt_json_parse(run_text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(run);
    lt_json *metrics = lt_json_parse(
        "{\"fit\": {\"ratio\": [0.5, 0.25], \"long\": [0, 1, 2, 3, 4, 5, 6, 7, 8, 0.30000000000000004],"
        "  \"confusion\": [[3, 1], [0, 4]], \"big\": [[1,2,3,4,5,6,7,8,9,10,11,12,13]], \"ok\": true,"
        "  \"note\": \"<script>alert(1)</script>\", \"tiny\": 1.0000000000000002, \"missing\": null},"
        " \"view\": {\"file\": \"plots/view.png\"}}");
    /* A weight matrix too large to list whole. */
    double *w = calloc(150 * 120, sizeof *w);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    w[99 * 120 + 99] = 0.75;
    w[100 * 120 + 100] = 0.125;
    lt_json_set(lt_json_get(metrics, "fit"), "weights", lt_json_mat(w, 150, 120));
    lt_json_set(lt_json_get(metrics, "fit"), "bias", lt_json_vec(w, 6000));
    free(w);
    lt_json *expectations = lt_json_parse(
        "[{\"target\": \"fit.ratio[0]\", \"measured\": 0.5, \"expected\": \"0.5 ± 0\", \"ok\": true},"
        " {\"target\": \"fit.gone\", \"measured\": null, \"problem\": \"not reported\", \"expected\": \">= 1\","
        "  \"ok\": false}]");
    char *path = lt_path_join(dir, "report.html");
    CU_ASSERT_EQUAL(lt_report_write(dir, run, metrics, with_expectations ? expectations : NULL, path), 0);
    char *html = lt_read_file(path, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(html);
    lt_json_free(run);
    lt_json_free(metrics);
    lt_json_free(expectations);
    free(path);
    free(plots);
    free(view);
    free(extra);
    free(yaml);
    return html;
}

static void test_run_report(void)
{
    char *dir = make_dir();
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    char *html = write_run_report(dir, false, true);

    /* Text from the run is escaped wherever it lands. */
    CU_ASSERT_PTR_NULL(strstr(html, "<script>alert"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "<title>demo&lt;b&gt;</title>"));
    CU_ASSERT_PTR_NULL(strstr(html, "demo<b>"));

    /* Plots: the stage's first, then the stray one; embedded as base64. */
    const char *stage_plot = strstr(html, "src=\"data:image/png;base64,UE5HREFUQTE=\"");
    const char *stray_plot = strstr(html, "src=\"data:image/png;base64,Zm9vYmFy\"");
    CU_ASSERT_PTR_NOT_NULL(stage_plot);
    CU_ASSERT_PTR_NOT_NULL(stray_plot);
    CU_ASSERT(stage_plot && stray_plot && stage_plot < stray_plot);
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "<figcaption>view (plot.scatter): plots/view.png</figcaption>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "<figcaption>plots/aaa.png</figcaption>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "<a href=\"#plot-plots/view.png\">plots/view.png</a>"));

    /* Expectations: one row each, the miss marked, its problem shown. */
    CU_ASSERT_EQUAL(count(html, "<span class=\"verdict ok\">ok</span>"), 1);
    CU_ASSERT_EQUAL(count(html, "<span class=\"verdict bad\">miss</span>"), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "not reported"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "✗ 1/2 expectations hold"));

    /* Stages: graph boxes, table rows with parameters, the cache column. */
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "<svg"));
    CU_ASSERT_EQUAL(count(html, "<rect x="), 3 + 2); /* three boxes, two time bars (one stage was cached) */
    CU_ASSERT_EQUAL(count(html, "marker-end=\"url(#arrow)\""), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "from cache"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "<td class=\"text\">hit</td>"));
    CU_ASSERT_EQUAL(count(html, "<td class=\"text\">computed</td>"), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "n_components</span> 2 · <span class=\"muted\">solver</span> auto"));
    CU_ASSERT_PTR_NULL(strstr(html, ">name</span>")); /* unset parameters are left out */
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "data-v=\"0.0012\" title=\"0.0012 s\">1.2 ms</td>"));

    /* Metrics: full precision for scalars, short vectors inline, long
     * ones folded with every value inside, matrices as tables. */
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "data-v=\"1.0000000000000002\">1.0000000000000002</td>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "[<span title=\"0.5\">0.5</span>, <span title=\"0.25\">0.25</span>]"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "<summary>[0, 1, 2, 3, …] <span class=\"muted\">10 values</span>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "<span class=\"i\">9</span>0.30000000000000004</div>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "<th>1</th><td title=\"0\">0</td><td title=\"4\">4</td></tr>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "<summary>1 × 13 <span class=\"muted\">matrix</span>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "The first 100 × 100 of 150 × 120; metrics.json holds them all."));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "<td title=\"0.75\">0.75</td></tr>"));
    CU_ASSERT_PTR_NULL(strstr(html, "0.125</td>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "<span class=\"i\">4999</span>0</div></div><p class=\"summary\">"
                                        "The first 5000 of 6000 values; metrics.json holds them all.</p>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "class=\"text bool-true\" data-v=\"1\">true</td>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "<td class=\"text\">null</td>"));

    /* The configuration as YAML: multi-line strings as literal blocks,
     * strings that need it quoted; the file as written, digest matching. */
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "<span class=\"k\">description</span>: |\n  line one\n  line &lt;two&gt;\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "<span class=\"k\">with</span>: {title: &quot;a: b&quot;}\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "<span class=\"k\">input</span>: [data]\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "pipeline: demo # as written"));
    free(html);

    /* A pipeline file that changed since the run is not shown as its text. */
    html = write_run_report(dir, true, false);
    CU_ASSERT_PTR_NULL(strstr(html, "pipeline: demo # as written"));
    CU_ASSERT_PTR_NULL(strstr(html, "id=\"expectations\""));
    CU_ASSERT_PTR_NULL(strstr(html, "expectations hold"));
    free(html);

    lt_remove_tree(dir);
    free(dir);
}

static void test_unwritable(void)
{
    lt_json *run = lt_json_parse("{\"pipeline\": \"x\"}");
    lt_json *metrics = lt_json_object();
    CU_ASSERT_EQUAL(lt_report_write("/nonexistent", run, metrics, NULL, "/nonexistent/dir/report.html"), -1);
    lt_json_free(run);
    lt_json_free(metrics);
}

/* ---- the sweep report --------------------------------------------------- */

static void test_sweep_report(void)
{
    char summary_path[4096];
    snprintf(summary_path, sizeof summary_path, "%s/tests/report/sweep_summary.json", lt_test_root);
    char *summary_text = lt_read_file(summary_path, NULL);
    lt_json *summary = summary_text ? lt_json_parse(summary_text) : NULL;
    free(summary_text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(summary);
    char *dir = make_dir();
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    char *png = lt_path_join(dir, "acc.png"), *path = lt_path_join(dir, "report.html");
    write_text(png, "foob");
    const char *params[] = {"logreg.C", "pca.n_components", "not.in.any.row", NULL};
    const char *plots[] = {png, "/nonexistent/plot.png", NULL};
    lt_sweep_report r = {.title = "sweep<1>", .rows = lt_json_get(summary, "rows"), .params = params,
                         .link_column = "point", .plots = plots};
    CU_ASSERT_EQUAL_FATAL(lt_report_sweep_write(path, &r), 0);
    char *html = lt_read_file(path, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(html);

    /* Columns: the parameters in the order given (absent ones dropped),
     * then the rest in order of first appearance. */
    CU_ASSERT_PTR_NOT_NULL(strstr(html,
                                  "<thead><tr><th class=\"param\">logreg.C</th><th class=\"param\">pca.n_components"
                                  "</th><th>point</th><th>logreg.train_accuracy</th><th>logreg.test_accuracy</th>"
                                  "<th>logreg.converged</th></tr></thead>"));
    CU_ASSERT_PTR_NULL(strstr(html, "not.in.any.row"));
    CU_ASSERT_EQUAL(count(html, "<tr><td class=\"num\""), 8);
    /* Sorting reads data-v: full precision even where the cell is short. */
    CU_ASSERT_PTR_NOT_NULL(
        strstr(html, "<td class=\"num\" data-v=\"0.9230769230769231\" title=\"0.9230769230769231\">0.923077</td>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "<a href=\"7-n_components=10,C=1/report.html\">7-n_components=10,C=1</a>"));
    /* The point without a test accuracy gets an empty cell. */
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "<td class=\"num\" data-v=\"0.9906103286384976\" "
                                        "title=\"0.9906103286384976\">0.99061</td><td></td>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "<title>sweep&lt;1&gt;</title>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "src=\"data:image/png;base64,Zm9vYg==\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "<figcaption>acc.png</figcaption>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "cannot read /nonexistent/plot.png: No such file or directory"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "table class=\"sortable sweep\""));
    free(html);
    lt_remove_tree(dir);
    free(dir);
    free(png);
    free(path);
    lt_json_free(summary);
}

/* Papercut: constant columns (a split's sizes) came first and pushed the
 * metrics a sweep is for off screen; they go after the varying ones. */
static void test_sweep_report_constant_last(void)
{
    lt_json *rows = lt_json_parse("[{\"point\": \"0-C=1\", \"split.n_train\": 426, \"lr.acc\": 0.9, "
                                  "\"split.n_test\": 143, \"lr.n_iter\": 7},"
                                  "{\"point\": \"1-C=2\", \"split.n_train\": 426, \"lr.acc\": 0.95, "
                                  "\"split.n_test\": 143, \"lr.n_iter\": 7}]");
    CU_ASSERT_PTR_NOT_NULL_FATAL(rows);
    char *dir = make_dir();
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    char *path = lt_path_join(dir, "report.html");
    const char *params[] = {"lr.C", NULL}; /* in no row: dropped */
    lt_sweep_report r = {.title = "t", .rows = rows, .params = params, .link_column = "point"};
    CU_ASSERT_EQUAL_FATAL(lt_report_sweep_write(path, &r), 0);
    char *html = lt_read_file(path, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(html);
    /* The point's folder is text, so it counts as varying. */
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "<thead><tr><th>point</th><th>lr.acc</th><th>split.n_train</th>"
                                        "<th>split.n_test</th><th>lr.n_iter</th></tr></thead>"));
    free(html);
    lt_remove_tree(dir);
    free(dir);
    free(path);
    lt_json_free(rows);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("report", NULL, NULL);
    CU_add_test(s, "base64 (RFC 4648 vectors)", test_base64);
    CU_add_test(s, "HTML escaping", test_escape);
    CU_add_test(s, "run report", test_run_report);
    CU_add_test(s, "unwritable path", test_unwritable);
    CU_add_test(s, "sweep report", test_sweep_report);
    CU_add_test(s, "sweep report: constant columns last", test_sweep_report_constant_last);
    return lt_test_run();
}
