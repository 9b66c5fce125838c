#include "core/model.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"

lt_model *lt_model_new(void) { return calloc(1, sizeof(lt_model)); }

void lt_model_free(lt_model *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++) {
        free(m->members[i].name);
        free(m->members[i].data);
        if (m->num)
            free(m->num[i]);
        if (m->str)
            lt_npy_strings_free(m->str[i], m->members[i].info.count);
    }
    free(m->members);
    free(m->num);
    free(m->str);
    free(m->path);
    free(m);
}

const char *lt_model_path(const lt_model *m) { return m && m->path ? m->path : "(model)"; }

long lt_model_find(const lt_model *m, const char *name)
{
    for (size_t i = 0; m && i < m->n; i++)
        if (strcmp(m->members[i].name, name) == 0)
            return (long)i;
    return -1;
}

int lt_model_fail(lt_ctx *ctx, const lt_model *m, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return lt_fail(ctx, LT_EINPUT, "%s: %s", lt_model_path(m), msg);
}

bool lt_model_has(const lt_model *m, const char *name) { return lt_model_find(m, name) >= 0; }

/* ---- filling ------------------------------------------------------------ */

/* Stores an encoded array under NAME, replacing one of that name. */
static void put(lt_model *m, const char *name, const char *descr, int ndim, const size_t *shape,
                const void *data, size_t bytes)
{
    if (!m)
        return;
    if (!data && bytes) { /* the caller could not build the array */
        m->failed = true;
        return;
    }
    size_t len = 0;
    unsigned char *npy = lt_npy_encode(descr, ndim, shape, data, bytes, &len);
    char *copy = strdup(name);
    long at = lt_model_find(m, name);
    if (at < 0 && m->n == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 16;
        lt_npz_member *grown = realloc(m->members, cap * sizeof *grown);
        if (grown) {
            m->members = grown;
            m->cap = cap;
        }
    }
    if (!npy || !copy || (at < 0 && m->n == m->cap)) {
        free(npy);
        free(copy);
        m->failed = true;
        return;
    }
    if (at >= 0) {
        free(m->members[at].name);
        free(m->members[at].data);
    } else {
        at = (long)m->n++;
    }
    m->members[at] = (lt_npz_member){.name = copy, .data = npy, .len = len};
}

/* The .npy images hold little-endian elements ('<'). */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the .npz writer assumes a little-endian host");

void lt_model_put_num(lt_model *m, const char *name, double x)
{
    put(m, name, "<f8", 0, NULL, &x, sizeof x);
}

void lt_model_put_int(lt_model *m, const char *name, long long x)
{
    int64_t v = (int64_t)x;
    put(m, name, "<i8", 0, NULL, &v, sizeof v);
}

void lt_model_put_vec(lt_model *m, const char *name, const double *v, size_t n)
{
    put(m, name, "<f8", 1, &n, v, n * sizeof *v);
}

void lt_model_put_mat(lt_model *m, const char *name, const double *v, size_t rows, size_t cols)
{
    size_t shape[2] = {rows, cols};
    put(m, name, "<f8", 2, shape, v, rows * cols * sizeof *v);
}

void lt_model_put_ints(lt_model *m, const char *name, const int *v, size_t n)
{
    int64_t *w = malloc((n ? n : 1) * sizeof *w);
    if (!w) {
        if (m)
            m->failed = true;
        return;
    }
    for (size_t i = 0; i < n; i++)
        w[i] = v[i];
    put(m, name, "<i8", 1, &n, w, n * sizeof *w);
    free(w);
}

/* Decodes one UTF-8 character at *s into a code point (a stray byte stands
 * for itself) and advances *s. */
static uint32_t next_code_point(const unsigned char **s)
{
    const unsigned char *p = *s;
    int extra = p[0] >= 0xF0 ? 3 : p[0] >= 0xE0 ? 2 : p[0] >= 0xC0 ? 1 : 0;
    uint32_t cp = extra ? p[0] & (0x3F >> extra) : p[0];
    int k = 1;
    for (; k <= extra && (p[k] & 0xC0) == 0x80; k++)
        cp = cp << 6 | (p[k] & 0x3F);
    if (k <= extra) { /* a cut-off sequence */
        cp = p[0];
        k = 1;
    }
    *s = p + k;
    return cp;
}

/* A '<U' array of the strings S (N of them; 0-d when ndim is 0). */
static void put_strings(lt_model *m, const char *name, const char *const *s, size_t n, int ndim)
{
    if (!m)
        return;
    if (!s && n) {
        m->failed = true;
        return;
    }
    size_t width = 1;
    for (size_t i = 0; i < n; i++) {
        size_t chars = 0;
        for (const unsigned char *p = (const unsigned char *)(s[i] ? s[i] : ""); *p; chars++)
            next_code_point(&p);
        width = chars > width ? chars : width;
    }
    uint32_t *units = calloc(n * width + 1, sizeof *units);
    if (!units) {
        m->failed = true;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const unsigned char *p = (const unsigned char *)(s[i] ? s[i] : "");
        for (size_t c = 0; *p; c++)
            units[i * width + c] = next_code_point(&p);
    }
    char descr[32];
    snprintf(descr, sizeof descr, "<U%zu", width);
    put(m, name, descr, ndim, &n, units, n * width * sizeof *units);
    free(units);
}

void lt_model_put_str(lt_model *m, const char *name, const char *s)
{
    put_strings(m, name, &s, 1, 0);
}

void lt_model_put_strs(lt_model *m, const char *name, const char *const *s, size_t n)
{
    put_strings(m, name, s, n, 1);
}

int lt_model_write(const lt_model *m, const char *path, char *err, size_t err_size)
{
    if (m->failed) {
        snprintf(err, err_size, "%s: out of memory storing the model's arrays", path);
        return -1;
    }
    lt_diag d = {.limit = 1};
    int rc = lt_npz_write(path, m->members, m->n, &d);
    if (rc != 0)
        snprintf(err, err_size, "%s", d.n ? lt_diag_line(&d, 0) : "cannot write the archive");
    lt_diag_clear(&d);
    return rc;
}

/* ---- reading ------------------------------------------------------------ */

lt_model *lt_model_read(const char *path, char *err, size_t err_size)
{
    lt_diag d = {.limit = 1};
    lt_npz *z = lt_npz_read(path, &d);
    if (!z)
        snprintf(err, err_size, "%s", d.n ? lt_diag_line(&d, 0) : "cannot read the archive");
    lt_diag_clear(&d);
    if (!z)
        return NULL;
    lt_model *m = lt_model_new();
    if (m) {
        m->members = z->members;
        m->n = m->cap = z->n;
        z->members = NULL;
        z->n = 0;
    }
    lt_npz_free(z);
    if (!m || !(m->path = strdup(path)) || !(m->num = calloc(m->n + 1, sizeof *m->num)) ||
        !(m->str = calloc(m->n + 1, sizeof *m->str))) {
        snprintf(err, err_size, "%s: out of memory", path);
        lt_model_free(m);
        return NULL;
    }
    for (size_t i = 0; i < m->n; i++) {
        const lt_npz_member *e = &m->members[i];
        bool ok = e->info.kind == 'U'
                      ? (m->str[i] = lt_npy_strings(e->data, &e->info)) != NULL
                      : (m->num[i] = malloc(e->info.count * sizeof(double) + 1)) != NULL &&
                            lt_npy_values(e->data, &e->info, m->num[i]) == 0;
        if (!ok) {
            snprintf(err, err_size, "%s: member '%s.npy': cannot decode its %s", path, e->name,
                     e->info.kind == 'U' ? "strings" : "numbers");
            lt_model_free(m);
            return NULL;
        }
    }
    long f = lt_model_find(m, LT_MODEL_FORMAT_KEY);
    const char *kind = lt_model_text(m, LT_MODEL_KIND_KEY);
    if (f < 0 || !m->num[f] || m->members[f].info.count != 1 || !kind) {
        snprintf(err, err_size, "%s: not a latent model: it lacks the members '%s.npy' and '%s.npy' "
                 "(latent writes them in models/<stage>.npz)", path, LT_MODEL_FORMAT_KEY,
                 LT_MODEL_KIND_KEY);
        lt_model_free(m);
        return NULL;
    }
    double version = m->num[f][0];
    if (version > LT_MODEL_FORMAT || version < 1) {
        const char *by = lt_model_text(m, LT_MODEL_VERSION_KEY);
        snprintf(err, err_size, "%s: model format version %g%s%s%s; this latent (%s) reads "
                 "version %d", path, version, by ? " (written by latent " : "", by ? by : "",
                 by ? ")" : "", LATENT_VERSION, LT_MODEL_FORMAT);
        lt_model_free(m);
        return NULL;
    }
    return m;
}

const char *lt_model_text(const lt_model *m, const char *name)
{
    long i = lt_model_find(m, name);
    return i >= 0 && m->str && m->str[i] && m->members[i].info.count > 0 ? m->str[i][0] : NULL;
}

static void shape_text(const lt_npy *info, char *buf, size_t size)
{
    int h = snprintf(buf, size, "(");
    for (int d = 0; d < info->ndim && h > 0 && (size_t)h < size; d++)
        h += snprintf(buf + h, size - (size_t)h, "%zu%s", info->shape[d],
                      info->ndim == 1 ? "," : d + 1 < info->ndim ? ", " : "");
    if (h > 0 && (size_t)h < size)
        snprintf(buf + h, size - (size_t)h, ")");
}

const double *lt_model_get(lt_ctx *ctx, const lt_model *m, const char *name, size_t *rows,
                           size_t *cols)
{
    long i = lt_model_find(m, name);
    if (i < 0) {
        lt_model_fail(ctx, m, "has no member '%s.npy'", name);
        return NULL;
    }
    const lt_npy *info = &m->members[i].info;
    if (!m->num || !m->num[i]) {
        lt_model_fail(ctx, m,
                   "member '%s.npy' holds strings; expected numbers", name);
        return NULL;
    }
    size_t want_r = rows ? *rows : 0, want_c = cols ? *cols : 0;
    int want_dims = want_c ? 2 : want_r ? 1 : 0;
    size_t r = info->ndim >= 1 ? info->shape[0] : 0, c = info->ndim >= 2 ? info->shape[1] : 0;
    if (info->ndim != want_dims || (want_r != LT_ANY && want_dims >= 1 && r != want_r) ||
        (want_c != LT_ANY && want_dims == 2 && c != want_c)) {
        char have[64], want[64] = "()";
        shape_text(info, have, sizeof have);
        if (want_dims == 1)
            snprintf(want, sizeof want, want_r == LT_ANY ? "(n,)" : "(%zu,)", want_r);
        else if (want_dims == 2 && want_r == LT_ANY && want_c == LT_ANY)
            snprintf(want, sizeof want, "(n, m)");
        else if (want_dims == 2 && want_r == LT_ANY)
            snprintf(want, sizeof want, "(n, %zu)", want_c);
        else if (want_dims == 2 && want_c == LT_ANY)
            snprintf(want, sizeof want, "(%zu, m)", want_r);
        else if (want_dims == 2)
            snprintf(want, sizeof want, "(%zu, %zu)", want_r, want_c);
        lt_model_fail(ctx, m,
                   "member '%s.npy' has shape %s; expected %s", name, have, want);
        return NULL;
    }
    if (rows)
        *rows = r;
    if (cols)
        *cols = c;
    return m->num[i];
}

const double *lt_model_vec(lt_ctx *ctx, const lt_model *m, const char *name, size_t n)
{
    size_t cols = 0;
    return lt_model_get(ctx, m, name, &n, &cols);
}

int lt_model_num(lt_ctx *ctx, const lt_model *m, const char *name, double *x)
{
    size_t r = 0, c = 0;
    const double *v = lt_model_get(ctx, m, name, &r, &c);
    if (!v)
        return LT_EINPUT;
    *x = v[0];
    return LT_OK;
}

char *const *lt_model_strs(lt_ctx *ctx, const lt_model *m, const char *name, size_t *n)
{
    long i = lt_model_find(m, name);
    if (i < 0 || !m->str || !m->str[i]) {
        lt_model_fail(ctx, m,
                   i < 0 ? "has no member '%s.npy'" : "member '%s.npy' holds numbers; expected strings",
                   name);
        return NULL;
    }
    *n = m->members[i].info.count;
    return m->str[i];
}

lt_model *lt_ctx_model_out(lt_ctx *ctx)
{
    if (!ctx->model_out && !(ctx->model_out = lt_model_new()))
        lt_fail(ctx, LT_ERUNTIME, "out of memory");
    return ctx->model_out;
}

const lt_model *lt_ctx_model_in(const lt_ctx *ctx) { return ctx->model_in; }
