/* The config layer: YAML with positions, aliases and their limits, parameter
 * binding and its messages, did-you-mean, SHA-256. */
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "util/suggest.h"
#include "util/diag.h"
#include "core/params.h"
#include "core/sha256.h"
#include "core/yaml_doc.h"
#include "io/yaml_write.h"
#include "testutil.h"

const char *lt_test_root = ".";

static lt_node *parse(const char *text, lt_diag *d)
{
    return lt_yaml_parse("t.yaml", text, strlen(text), d);
}

static void test_positions(void)
{
    lt_diag d = {0};
    lt_node *root = parse("a: 1\nstages:\n  pca: {use: pca}\n", &d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    const lt_node *pca = lt_node_get(lt_node_get(root, "stages"), "pca");
    CU_ASSERT_EQUAL(pca->line, 3);
    CU_ASSERT_EQUAL(pca->col, 8);
    const lt_node *key = lt_node_key(lt_node_get(root, "stages"), "pca");
    CU_ASSERT_EQUAL(key->line, 3);
    CU_ASSERT_EQUAL(key->col, 3);
    lt_node_free(root);
}

static void test_duplicate_key(void)
{
    lt_diag d = {0};
    CU_ASSERT_PTR_NULL(parse("a: 1\nb: 2\na: 3\n", &d));
    CU_ASSERT_EQUAL_FATAL(d.n, 1);
    CU_ASSERT_STRING_EQUAL(lt_diag_line(&d, 0), "t.yaml:3:1: duplicate key 'a' (first defined at line 1)");
    lt_diag_clear(&d);
}

static void test_syntax_error(void)
{
    lt_diag d = {0};
    CU_ASSERT_PTR_NULL(parse("a: [1, 2\nb: 3\n", &d));
    CU_ASSERT_EQUAL_FATAL(d.n, 1);
    CU_ASSERT_NSTRING_EQUAL(lt_diag_line(&d, 0), "t.yaml:", 7);
    CU_ASSERT_PTR_NOT_NULL(strstr(lt_diag_line(&d, 0), "YAML syntax error"));
    lt_diag_clear(&d);
}

static void test_alias_and_merge(void)
{
    lt_diag d = {0};
    lt_node *root = parse("base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 5\nd: *b\n", &d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    const lt_node *c = lt_node_get(root, "c");
    CU_ASSERT_STRING_EQUAL(lt_node_get(c, "x")->value, "1");
    CU_ASSERT_STRING_EQUAL(lt_node_get(c, "y")->value, "5");
    CU_ASSERT_STRING_EQUAL(lt_node_get(lt_node_get(root, "d"), "y")->value, "2");
    lt_node_free(root);
}

static void test_billion_laughs_refused(void)
{
    char text[4096] = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
    for (char c = 'b'; c <= 'j'; c++) {
        char line[128];
        snprintf(line, sizeof line, "%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n", c, c,
                 c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1);
        strcat(text, line);
    }
    lt_diag d = {0};
    CU_ASSERT_PTR_NULL(parse(text, &d));
    CU_ASSERT_EQUAL_FATAL(d.n, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(lt_diag_line(&d, 0), "would expand the document past 100000 nodes"));
    lt_diag_clear(&d);
}

static void test_deep_nesting_refused(void)
{
    char text[512] = "a: ";
    for (int i = 0; i < 80; i++)
        strcat(text, "[");
    for (int i = 0; i < 80; i++)
        strcat(text, "]");
    lt_diag d = {0};
    CU_ASSERT_PTR_NULL(parse(text, &d));
    CU_ASSERT_EQUAL_FATAL(d.n, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(lt_diag_line(&d, 0), "nesting deeper than 64 levels"));
    lt_diag_clear(&d);
}

struct cfg {
    int k;
    double frac;
    bool flag;
    int mode;
    lt_vec mean;
    lt_matrix cov;
    double ncomp;
    int64_t seed;
    char *path;
};
static const char *const modes[] = {"full", "covariance", "auto", NULL};
static const lt_param table[] = {
    LT_INT(struct cfg, k, 2, 1, 100, 0, "an int"),
    LT_REAL(struct cfg, frac, 0.25, 0, 1, LT_MIN_OPEN | LT_MAX_OPEN, "a fraction"),
    LT_BOOL(struct cfg, flag, true, "a flag"),
    LT_CHOICE(struct cfg, mode, "auto", modes, "a choice"),
    LT_VECTOR(struct cfg, mean, LT_REQUIRED, "a vector"),
    LT_MATRIX(struct cfg, cov, 0, "a matrix"),
    LT_NCOMP(struct cfg, ncomp, "components"),
    LT_SEED(struct cfg, seed, "seed"),
    LT_PATH(struct cfg, path, NULL, 0, "a path"),
};

static int bind(const char *text, struct cfg *c, lt_diag *d)
{
    lt_diag pd = {0};
    lt_node *with = parse(text, &pd);
    CU_ASSERT_EQUAL(pd.n, 0);
    memset(c, 0, sizeof *c);
    lt_bind_site site = {.file = "p.yaml", .stage = "s", .kind = "kind.x", .basedir = "/base", .line = 7, .col = 3};
    int n = lt_params_bind(table, LT_COUNT(table), c, with, &site, d);
    lt_node_free(with);
    return n;
}

static void test_bind_values(void)
{
    struct cfg c;
    lt_diag d = {0};
    CU_ASSERT_EQUAL(bind("mean: [1, -2.5]\ncov: [[4, 2], [2, 2]]\nncomp: 0.95\npath: data/x.csv\n", &c, &d), 0);
    CU_ASSERT_EQUAL(c.k, 2);
    CU_ASSERT_EQUAL(c.frac, 0.25);
    CU_ASSERT_TRUE(c.flag);
    CU_ASSERT_EQUAL(c.mode, 2);
    CU_ASSERT_EQUAL_FATAL(c.mean.n, 2);
    CU_ASSERT_EQUAL(c.mean.v[1], -2.5);
    CU_ASSERT_EQUAL(c.cov.rows, 2);
    CU_ASSERT_EQUAL(c.cov.v[3], 2.0);
    CU_ASSERT_EQUAL(c.ncomp, 0.95);
    CU_ASSERT_EQUAL(c.seed, -1);
    CU_ASSERT_STRING_EQUAL(c.path, "/base/data/x.csv");
    lt_params_release(table, LT_COUNT(table), &c);
    CU_ASSERT_PTR_NULL(c.path);
}

static void test_bind_errors(void)
{
    struct cfg c;
    lt_diag d = {0};
    int n = bind("k: two\nfrac: 1\nmode: ful\nncomp: 0\nseed: -3\nflag: yes\nsigma: 1\ncov: [[1, 2], [3]]\n", &c, &d);
    CU_ASSERT_EQUAL(n, 9);
    CU_ASSERT_EQUAL_FATAL(d.n, 9);
    const char *want[] = {
        "p.yaml:1:4: stage 's': k: expected an integer in [1, 100], got \"two\"",
        "p.yaml:2:7: stage 's': frac: expected a number in (0, 1), got \"1\"",
        "p.yaml:6:7: stage 's': flag: expected true or false, got \"yes\"",
        "p.yaml:3:7: stage 's': mode: unknown value \"ful\"; did you mean \"full\"? (expected one of full, covariance, auto)",
        "p.yaml:7:3: stage 's': mean: required parameter is missing (expected a list of numbers)",
        "p.yaml:8:15: stage 's': cov: row 2 should be a list of 2 numbers like row 1, got 1 numbers",
        "p.yaml:4:8: stage 's': ncomp: expected an integer >= 1, a number in (0, 1), or all, got \"0\"",
        "p.yaml:5:7: stage 's': seed: expected an integer in [0, 4294967295] or null, got \"-3\"",
        "p.yaml:7:1: stage 's': unknown parameter 'sigma' (`latent stages kind.x` lists them)",
    };
    for (size_t i = 0; i < d.n && i < 9; i++)
        CU_ASSERT_STRING_EQUAL(lt_diag_line(&d, i), want[i]);
    lt_params_release(table, LT_COUNT(table), &c);
    lt_diag_clear(&d);
}

struct dense_cfg {
    int units;
    int activation;
};
static const char *const acts[] = {"linear", "relu", "selu", NULL};
static const lt_param dense_params[] = {
    LT_INT(struct dense_cfg, units, 0, 1, 1e6, LT_REQUIRED, "width"),
    LT_CHOICE(struct dense_cfg, activation, "linear", acts, "activation"),
};
static const lt_spec_def dense_kind = {"dense", "a dense layer", dense_params, 2, sizeof(struct dense_cfg)};
static const lt_spec_def flatten_kind = {"flatten", "flatten", NULL, 0, 0};
static const lt_spec_def *const kinds[] = {&dense_kind, &flatten_kind, NULL};
struct net_cfg {
    lt_specs layers;
    lt_specs one;
};
static const lt_param net_params[] = {
    LT_SPECS(struct net_cfg, layers, 0, kinds, "layers"),
    LT_SPECS(struct net_cfg, one, LT_SINGLE, kinds, "one layer"),
};

static void test_bind_specs(void)
{
    lt_diag pd = {0}, d = {0};
    lt_node *with = parse("layers: [flatten, {dense: {units: 30, activation: selu}}, {flatten: {}}]\n"
                          "one: {dense: {units: 7}}\n", &pd);
    struct net_cfg c = {0};
    lt_bind_site site = {.file = "p.yaml", .stage = "ae", .kind = "autoencoder", .basedir = "."};
    CU_ASSERT_EQUAL(lt_params_bind(net_params, 2, &c, with, &site, &d), 0);
    CU_ASSERT_EQUAL_FATAL(c.one.n, 1);
    CU_ASSERT_EQUAL(((const struct dense_cfg *)c.one.items[0].config)->units, 7);
    CU_ASSERT_EQUAL_FATAL(c.layers.n, 3);
    CU_ASSERT_PTR_EQUAL(c.layers.items[0].def, &flatten_kind);
    CU_ASSERT_PTR_EQUAL(c.layers.items[1].def, &dense_kind);
    const struct dense_cfg *dc = c.layers.items[1].config;
    CU_ASSERT_EQUAL(dc->units, 30);
    CU_ASSERT_EQUAL(dc->activation, 2);
    CU_ASSERT_EQUAL(c.layers.items[1].line, 1);
    CU_ASSERT_EQUAL(c.layers.items[1].col, 20);
    lt_params_release(net_params, 2, &c);
    lt_node_free(with);

    with = parse("layers:\n  - {dense: {units: 0}}\n  - dens\n  - {dense: {activation: selu}}\n", &pd);
    c = (struct net_cfg){0};
    CU_ASSERT_EQUAL(lt_params_bind(net_params, 1, &c, with, &site, &d), 3);
    CU_ASSERT_EQUAL_FATAL(d.n, 3);
    CU_ASSERT_STRING_EQUAL(lt_diag_line(&d, 0), "p.yaml:2:21: stage 'ae': layers[0] dense: units: expected an integer in [1, 1000000], got \"0\"");
    CU_ASSERT_STRING_EQUAL(lt_diag_line(&d, 1), "p.yaml:3:5: stage 'ae': layers: unknown kind 'dens'; did you mean 'dense'?");
    CU_ASSERT_STRING_EQUAL(lt_diag_line(&d, 2), "p.yaml:4:6: stage 'ae': layers[2] dense: units: required parameter is missing (expected an integer in [1, 1000000])");
    lt_params_release(net_params, 1, &c);
    lt_node_free(with);
    lt_diag_clear(&d);
}

struct strings_cfg {
    lt_strings names;
    char *label;
    int decimal;
};
static const char *const marks[] = {".", ",", NULL};
static const lt_param strings_table[] = {
    LT_STRINGS(struct strings_cfg, names, 0, "names"),
    LT_STRING(struct strings_cfg, label, "", 0, "a label"),
    LT_CHOICE(struct strings_cfg, decimal, ".", marks, "a mark"),
};

/* A list of strings takes names, numbers as their text, or one scalar; an
 * empty default reads as "" and a choice that is no word is quoted. */
static void test_bind_strings(void)
{
    const char *texts[] = {"names: [id, 2, 'Wine ID']\n", "names: Tasting note\n",
                           "names: {a: 1}\n", "names: [a, [b]]\n"};
    size_t want_n[] = {3, 1};
    for (int t = 0; t < 4; t++) {
        lt_diag pd = {0}, d = {0};
        lt_node *with = parse(texts[t], &pd);
        struct strings_cfg c = {0};
        lt_bind_site site = {.file = "p.yaml", .stage = "s", .kind = "k", .basedir = "."};
        int n = lt_params_bind(strings_table, LT_COUNT(strings_table), &c, with, &site, &d);
        if (t < 2) {
            CU_ASSERT_EQUAL(n, 0);
            CU_ASSERT_EQUAL_FATAL(c.names.n, want_n[t]);
            CU_ASSERT_STRING_EQUAL(c.names.v[c.names.n - 1], t ? "Tasting note" : "Wine ID");
            if (t == 0)
                CU_ASSERT_STRING_EQUAL(c.names.v[1], "2");
        } else {
            CU_ASSERT_EQUAL_FATAL(d.n, 1);
            MESSAGE_IS(lt_diag_line(&d, 0), t == 2 ? "p.yaml:1:8: stage 's': names: expected a list of "
                                            "strings, got a mapping"
                                          : "p.yaml:1:12: stage 's': names: expected a list of "
                                            "strings, got a list");
        }
        lt_params_release(strings_table, LT_COUNT(strings_table), &c);
        CU_ASSERT_PTR_NULL(c.names.v);
        lt_node_free(with);
        lt_diag_clear(&d);
    }
    char buf[64], want[128];
    CU_ASSERT_STRING_EQUAL(lt_param_default_text(&strings_table[1], buf, sizeof buf), "\"\"");
    CU_ASSERT_STRING_EQUAL(lt_param_default_text(&strings_table[2], buf, sizeof buf), "'.'");
    CU_ASSERT_STRING_EQUAL(lt_param_expected(&strings_table[2], want, sizeof want),
                           "one of '.', ','");
}

static void test_did_you_mean(void)
{
    const char *cands[] = {"n_components", "solver", "whiten", NULL};
    CU_ASSERT_STRING_EQUAL(lt_did_you_mean("n_component", cands), "n_components");
    CU_ASSERT_STRING_EQUAL(lt_did_you_mean("solvr", cands), "solver");
    CU_ASSERT_PTR_NULL(lt_did_you_mean("banana", cands));
}

static void test_sha256(void)
{
    char hex[65];
    lt_sha256_hex("", 0, hex);
    CU_ASSERT_STRING_EQUAL(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    lt_sha256_hex("abc", 3, hex);
    CU_ASSERT_STRING_EQUAL(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *s = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    lt_sha256_hex(s, strlen(s), hex);
    CU_ASSERT_STRING_EQUAL(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* Prints D in FORMAT to a string (owned by the caller). */
static char *printed(const lt_diag *d, lt_diag_format format)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    lt_diag_print_as(d, format, f);
    fclose(f);
    return buf;
}

/* One problem, three formats: people, JSON lines, GitHub workflow commands
 * (whose escaping of '%', ',', ':' and line breaks GitHub documents). Each
 * item keeps its code, config path and second position in every format. */
static void test_diag_formats(void)
{
    lt_diag d = {0};
    lt_diag_add(&d, lt_code_param_type, "p,1.yaml", 4, 7, "n_components: got \"50%%\"\nnext");
    lt_diag_report(&d, LT_SEV_ERROR,
                   (lt_diag_at){.code = lt_code_param_value, .file = "p.yaml", .line = 12, .col = 3,
                                .path = "stages.pca.with.n_components"},
                   "stage 'pca': bad");
    lt_diag_note(&d, NULL, 4, 5, "first defined");
    lt_diag_add(&d, lt_code_data, "data.csv", 0, 0, "cannot read");
    lt_diag_note(&d, "p.yaml", 3, 9, "named");
    lt_diag_report(&d, LT_SEV_WARNING, (lt_diag_at){.code = lt_code_warning, .file = "p.yaml", .line = 2, .col = 1},
                   "stage 'mds': only train");
    char *text = printed(&d, LT_DIAG_TEXT);
    CU_ASSERT_STRING_EQUAL(text, "p,1.yaml:4:7: n_components: got \"50%\"\nnext\n"
                                 "p.yaml:12:3: stage 'pca': bad (first defined at line 4)\n"
                                 "data.csv: cannot read (named at p.yaml:3:9)\n"
                                 "p.yaml:2:1: warning: stage 'mds': only train\n");
    char *json = printed(&d, LT_DIAG_JSON);
    CU_ASSERT_STRING_EQUAL(json,
        "{\"severity\": \"error\", \"code\": \"param.type\", \"file\": \"p,1.yaml\", \"line\": 4, "
        "\"column\": 7, \"path\": null, \"message\": \"n_components: got \\\"50%\\\"\\u000anext\"}\n"
        "{\"severity\": \"error\", \"code\": \"param.value\", \"file\": \"p.yaml\", \"line\": 12, "
        "\"column\": 3, \"path\": \"stages.pca.with.n_components\", \"message\": \"stage 'pca': bad\", "
        "\"note\": {\"message\": \"first defined\", \"file\": \"p.yaml\", \"line\": 4, \"column\": 5}}\n"
        "{\"severity\": \"error\", \"code\": \"data\", \"file\": \"data.csv\", \"line\": 0, \"column\": 0, "
        "\"path\": null, \"message\": \"cannot read\", \"note\": {\"message\": \"named\", \"file\": "
        "\"p.yaml\", \"line\": 3, \"column\": 9}}\n"
        "{\"severity\": \"warning\", \"code\": \"warning\", \"file\": \"p.yaml\", \"line\": 2, "
        "\"column\": 1, \"path\": null, \"message\": \"stage 'mds': only train\"}\n");
    char *gh = printed(&d, LT_DIAG_GITHUB);
    CU_ASSERT_STRING_EQUAL(gh, "::error file=p%2C1.yaml,line=4,col=7,title=param.type::n_components: got "
                               "\"50%25\"%0Anext\n"
                               "::error file=p.yaml,line=12,col=3,title=param.value::stage 'pca': bad\n"
                               "::error file=data.csv,title=data::cannot read\n"
                               "::warning file=p.yaml,line=2,col=1,title=warning::stage 'mds': only train\n");
    free(text);
    free(json);
    free(gh);
    CU_ASSERT_EQUAL(lt_diag_format_parse("github"), LT_DIAG_GITHUB);
    CU_ASSERT_EQUAL(lt_diag_format_parse("xml"), -1);
    lt_diag_clear(&d);
}

/* A stage's runtime error is an item with the stage's code and path, and
 * lt_fail_param points at the parameter's own value. */
static void test_ctx_failure_item(void)
{
    lt_ctx *ctx = lt_ctx_new_test();
    CU_ASSERT_PTR_NULL(lt_ctx_failure(ctx));
    lt_fail_param(ctx, LT_EINPUT, "test_size", "must be below %g", 1.0);
    lt_fail(ctx, LT_ERUNTIME, "a later error is a consequence and is not kept");
    const lt_diag_item *it = lt_ctx_failure(ctx);
    CU_ASSERT_PTR_NOT_NULL_FATAL(it);
    CU_ASSERT_STRING_EQUAL(it->code, "param.value");
    CU_ASSERT_STRING_EQUAL(it->path, "stages.test.with.test_size");
    CU_ASSERT_STRING_EQUAL(it->message, "stage 'test': must be below 1");
    CU_ASSERT_STRING_EQUAL(lt_ctx_error(ctx), "stage 'test': must be below 1");
    lt_ctx_enter(ctx, "load", 0, 0, lt_ctx_test_metrics(ctx));
    CU_ASSERT_PTR_NULL(lt_ctx_failure(ctx));
    lt_fail_at(ctx, LT_EINPUT, "x.csv", 3, 2, "expected a number");
    it = lt_ctx_failure(ctx);
    CU_ASSERT_PTR_NOT_NULL_FATAL(it);
    CU_ASSERT_STRING_EQUAL(it->code, "data");
    CU_ASSERT_STRING_EQUAL(it->path, "stages.load");
    CU_ASSERT_EQUAL(it->line, 3);
    CU_ASSERT_EQUAL(it->col, 2);
    CU_ASSERT_STRING_EQUAL(lt_ctx_error(ctx), "x.csv:3:2: expected a number");
    lt_ctx_free_test(ctx);
}

/* Problems past the limit are counted and said, never silently lost. */
static void test_diag_dropped(void)
{
    lt_diag d = {.limit = 2};
    for (int i = 1; i <= 5; i++)
        lt_diag_add(&d, lt_code_param_value, "p.yaml", i, 1, "problem %d", i);
    CU_ASSERT_EQUAL(d.n, 2);
    CU_ASSERT_EQUAL(lt_diag_count(&d), 5);
    char *text = printed(&d, LT_DIAG_TEXT);
    CU_ASSERT_STRING_EQUAL(text, "p.yaml:1:1: problem 1\np.yaml:2:1: problem 2\n"
                                 "3 more problems not shown (past the limit of 2, or out of memory)\n");
    free(text);
    lt_diag_clear(&d);
}

/* lt_yaml_write's YAML reads back to the same values, quoting what would
 * otherwise change meaning ("true", " x", "1e3") and keeping line breaks. */
static void test_yaml_write_reads_back(void)
{
    lt_json *v = lt_json_parse("{\"name\": \"a b\", \"stages\": {\"s\": {\"t\": \"true\", \"n\": \"1e3\", "
                               "\"sp\": \" x\", \"multi\": \"one\\ntwo\\n\", \"list\": [1, 2.5, true, null]}}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    lt_yaml_write(f, v, NULL);
    fclose(f);
    lt_diag d = {0};
    lt_node *root = lt_yaml_parse("w.yaml", text, len, &d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    const lt_node *s = lt_node_get(lt_node_get(root, "stages"), "s");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_STRING_EQUAL(lt_node_get(root, "name")->value, "a b");
    CU_ASSERT_STRING_EQUAL(lt_node_get(s, "t")->value, "true");
    CU_ASSERT_FALSE(lt_node_get(s, "t")->plain);
    CU_ASSERT_FALSE(lt_node_get(s, "n")->plain);
    CU_ASSERT_STRING_EQUAL(lt_node_get(s, "sp")->value, " x");
    CU_ASSERT_STRING_EQUAL(lt_node_get(s, "multi")->value, "one\ntwo\n");
    const lt_node *list = lt_node_get(s, "list");
    CU_ASSERT_EQUAL_FATAL(list->n, 4);
    CU_ASSERT_STRING_EQUAL(list->items[1]->value, "2.5");
    CU_ASSERT_STRING_EQUAL(list->items[2]->value, "true");
    CU_ASSERT_TRUE(list->items[2]->plain);
    CU_ASSERT_STRING_EQUAL(list->items[3]->value, "null");
    lt_node_free(root);
    lt_diag_clear(&d);
    free(text);
    lt_json_free(v);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        lt_test_root = argv[1];
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("config", NULL, NULL);
    CU_add_test(s, "positions are 1-based line:col", test_positions);
    CU_add_test(s, "YAML written from JSON reads back the same", test_yaml_write_reads_back);
    CU_add_test(s, "diagnostics: text, JSON lines, GitHub commands", test_diag_formats);
    CU_add_test(s, "a stage's error is an item with code and path", test_ctx_failure_item);
    CU_add_test(s, "diagnostics: problems past the limit are counted", test_diag_dropped);
    CU_add_test(s, "duplicate keys are an error", test_duplicate_key);
    CU_add_test(s, "syntax errors keep libyaml's position", test_syntax_error);
    CU_add_test(s, "aliases and merge keys", test_alias_and_merge);
    CU_add_test(s, "alias bombs are refused", test_billion_laughs_refused);
    CU_add_test(s, "deep nesting is refused", test_deep_nesting_refused);
    CU_add_test(s, "binding values and defaults", test_bind_values);
    CU_add_test(s, "binding errors name place and expectation", test_bind_errors);
    CU_add_test(s, "lists of {kind: {params}}", test_bind_specs);
    CU_add_test(s, "lists of strings, default texts", test_bind_strings);
    CU_add_test(s, "did you mean", test_did_you_mean);
    CU_add_test(s, "sha256 test vectors", test_sha256);
    return lt_test_run();
}
