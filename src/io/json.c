#include "io/json.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum kind { J_NULL, J_BOOL, J_INT, J_NUM, J_STR, J_ARR, J_OBJ };

struct lt_json {
    enum kind kind;
    bool failed; /* a child could not be allocated */
    bool b;
    long long i;
    double d;
    char *s;
    lt_json **items; /* array elements or object values */
    char **keys;     /* object keys, parallel to items */
    size_t n, cap;
};

static lt_json *make(enum kind k)
{
    lt_json *v = calloc(1, sizeof *v);
    if (v)
        v->kind = k;
    return v;
}

lt_json *lt_json_object(void) { return make(J_OBJ); }
lt_json *lt_json_array(void) { return make(J_ARR); }
lt_json *lt_json_null(void) { return make(J_NULL); }

lt_json *lt_json_num(double d)
{
    lt_json *v = make(J_NUM);
    if (v)
        v->d = d;
    return v;
}

lt_json *lt_json_int(long long i)
{
    lt_json *v = make(J_INT);
    if (v)
        v->i = i;
    return v;
}

lt_json *lt_json_bool(bool b)
{
    lt_json *v = make(J_BOOL);
    if (v)
        v->b = b;
    return v;
}

lt_json *lt_json_str(const char *s)
{
    lt_json *v = make(J_STR);
    if (v && !(v->s = strdup(s ? s : ""))) {
        free(v);
        return NULL;
    }
    return v;
}

static int grow(lt_json *c)
{
    if (c->n < c->cap)
        return 0;
    size_t cap = c->cap ? 2 * c->cap : 8;
    lt_json **items = realloc(c->items, cap * sizeof *items);
    if (!items)
        return -1;
    c->items = items;
    if (c->kind == J_OBJ) {
        char **keys = realloc(c->keys, cap * sizeof *keys);
        if (!keys)
            return -1;
        c->keys = keys;
    }
    c->cap = cap;
    return 0;
}

lt_json *lt_json_push(lt_json *a, lt_json *v)
{
    if (!a) { /* a container that failed to be made still owns V */
        lt_json_free(v);
        return NULL;
    }
    if (!v || grow(a) != 0) {
        a->failed = true;
        lt_json_free(v);
        return NULL;
    }
    a->items[a->n++] = v;
    return v;
}

lt_json *lt_json_set(lt_json *o, const char *key, lt_json *v)
{
    if (!o) { /* a container that failed to be made still owns V */
        lt_json_free(v);
        return NULL;
    }
    if (!v) {
        o->failed = true;
        return NULL;
    }
    for (size_t i = 0; i < o->n; i++)
        if (strcmp(o->keys[i], key) == 0) {
            lt_json_free(o->items[i]);
            o->items[i] = v;
            return v;
        }
    char *k = strdup(key);
    if (!k || grow(o) != 0) {
        free(k);
        o->failed = true;
        lt_json_free(v);
        return NULL;
    }
    o->keys[o->n] = k;
    o->items[o->n++] = v;
    return v;
}

bool lt_json_failed(const lt_json *v) { return v && v->failed; }

lt_json *lt_json_get(const lt_json *o, const char *key)
{
    if (!o || o->kind != J_OBJ)
        return NULL;
    for (size_t i = 0; i < o->n; i++)
        if (strcmp(o->keys[i], key) == 0)
            return o->items[i];
    return NULL;
}

double lt_json_number(const lt_json *v)
{
    if (!v)
        return NAN;
    switch (v->kind) {
    case J_NUM: return v->d;
    case J_INT: return (double)v->i;
    case J_BOOL: return v->b ? 1.0 : 0.0;
    default: return NAN;
    }
}

bool lt_json_is_array(const lt_json *v) { return v && v->kind == J_ARR; }
bool lt_json_is_object(const lt_json *v) { return v && v->kind == J_OBJ; }
bool lt_json_is_bool(const lt_json *v) { return v && v->kind == J_BOOL; }
bool lt_json_is_null(const lt_json *v) { return v && v->kind == J_NULL; }
size_t lt_json_len(const lt_json *v) { return v && v->kind == J_ARR ? v->n : 0; }
lt_json *lt_json_at(const lt_json *v, size_t i)
{
    return v && v->kind == J_ARR && i < v->n ? v->items[i] : NULL;
}

lt_json *lt_json_vec(const double *x, size_t n)
{
    lt_json *a = lt_json_array();
    for (size_t i = 0; i < n && a; i++)
        lt_json_push(a, lt_json_num(x[i]));
    return a;
}

lt_json *lt_json_mat(const double *x, size_t rows, size_t cols)
{
    lt_json *a = lt_json_array();
    for (size_t i = 0; i < rows && a; i++)
        lt_json_push(a, lt_json_vec(x + i * cols, cols));
    return a;
}

void lt_json_free(lt_json *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++) {
        lt_json_free(v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->s);
    free(v);
}

void lt_json_format_double(char *buf, double d)
{
    /* The shortest of %.15g .. %.17g that reads back exactly: deterministic
     * and what Python's repr() would print in most cases. */
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, 32, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    /* JSON needs a digit after a leading '-' or '.', which %g always gives. */
}

static int write_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*p < 0x20)
                fprintf(f, "\\u%04x", *p);
            else
                fputc(*p, f);
        }
    }
    return fputc('"', f) == EOF ? -1 : 0;
}

static bool is_flat(const lt_json *v)
{
    for (size_t i = 0; i < v->n; i++)
        if (v->items[i]->kind == J_ARR || v->items[i]->kind == J_OBJ)
            return false;
    return true;
}

static int write_value(const lt_json *v, FILE *f, int indent, bool compact)
{
    char num[32];
    if (v->failed)
        return -1;
    switch (v->kind) {
    case J_NULL: fputs("null", f); break;
    case J_BOOL: fputs(v->b ? "true" : "false", f); break;
    case J_INT: fprintf(f, "%lld", v->i); break;
    case J_NUM:
        if (!isfinite(v->d)) {
            fputs("null", f);
        } else {
            lt_json_format_double(num, v->d);
            fputs(num, f);
        }
        break;
    case J_STR: write_string(f, v->s); break;
    case J_ARR:
    case J_OBJ: {
        bool obj = v->kind == J_OBJ;
        /* Arrays of scalars stay on one line: vectors and matrix rows read
         * better that way and diff line by line. */
        bool inline_ = compact || (!obj && is_flat(v));
        fputc(obj ? '{' : '[', f);
        for (size_t i = 0; i < v->n; i++) {
            if (i)
                fputs(inline_ && !compact ? ", " : ",", f);
            if (!inline_)
                fprintf(f, "\n%*s", indent + 2, "");
            if (obj) {
                write_string(f, v->keys[i]);
                fputs(compact ? ":" : ": ", f);
            }
            if (write_value(v->items[i], f, indent + 2, compact) != 0)
                return -1;
        }
        if (!inline_ && v->n)
            fprintf(f, "\n%*s", indent, "");
        fputc(obj ? '}' : ']', f);
        break;
    }
    }
    return ferror(f) ? -1 : 0;
}

int lt_json_write(const lt_json *v, FILE *f)
{
    if (!v || write_value(v, f, 0, false) != 0)
        return -1;
    return fputc('\n', f) == EOF ? -1 : 0;
}

int lt_json_write_compact(const lt_json *v, FILE *f)
{
    return v ? write_value(v, f, 0, true) : -1;
}

/* ---- reading ------------------------------------------------------------ */

struct reader {
    const char *p;
    int depth;
};

static void skip_ws(struct reader *r)
{
    while (*r->p == ' ' || *r->p == '\n' || *r->p == '\t' || *r->p == '\r')
        r->p++;
}

static lt_json *parse_value(struct reader *r);

static bool read_hex4(struct reader *r, unsigned *out)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        char h = *r->p;
        int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10
              : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
        if (d < 0)
            return false;
        v = v * 16 + (unsigned)d;
        r->p++;
    }
    *out = v;
    return true;
}

/* Writes code point CP as UTF-8 into OUT; returns its length (1 to 4). */
static size_t encode_utf8(unsigned cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

static char *parse_string_raw(struct reader *r)
{
    if (*r->p != '"')
        return NULL;
    r->p++;
    size_t cap = 16, n = 0;
    char *s = malloc(cap);
    while (s && *r->p && *r->p != '"') {
        char c = *r->p++;
        if (c == '\\') {
            if (!*r->p) {
                /* A '\\' that ends the text: stay on the NUL, never past it. */
                free(s);
                return NULL;
            }
            char e = *r->p++;
            switch (e) {
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'u': {
                unsigned cp = 0;
                if (!read_hex4(r, &cp)) {
                    free(s);
                    return NULL;
                }
                /* A surrogate pair spells one code point above U+FFFF. */
                unsigned lo;
                if (cp >= 0xd800 && cp < 0xdc00 && r->p[0] == '\\' && r->p[1] == 'u') {
                    r->p += 2;
                    /* Only a low surrogate may follow (found by fuzzing: any
                     * other value made a code point past U+10FFFF). */
                    if (!read_hex4(r, &lo) || lo < 0xdc00 || lo >= 0xe000) {
                        free(s);
                        return NULL;
                    }
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                }
                char utf8[4];
                size_t k = encode_utf8(cp, utf8);
                if (n + k + 1 > cap) {
                    char *t = realloc(s, cap = 2 * cap + k);
                    if (!t) {
                        free(s);
                        return NULL;
                    }
                    s = t;
                }
                memcpy(s + n, utf8, k - 1);
                n += k - 1;
                c = utf8[k - 1];
                break;
            }
            default: c = e;
            }
        }
        if (n + 2 > cap) {
            char *t = realloc(s, cap *= 2);
            if (!t) {
                free(s);
                return NULL;
            }
            s = t;
        }
        s[n++] = c;
    }
    if (!s || *r->p != '"') {
        free(s);
        return NULL;
    }
    r->p++;
    s[n] = '\0';
    return s;
}

static lt_json *parse_container(struct reader *r, bool obj)
{
    if (++r->depth > 256)
        return NULL;
    r->p++;
    lt_json *c = obj ? lt_json_object() : lt_json_array();
    skip_ws(r);
    if (*r->p == (obj ? '}' : ']')) {
        r->p++;
        r->depth--;
        return c;
    }
    while (c) {
        skip_ws(r);
        char *key = NULL;
        if (obj) {
            key = parse_string_raw(r);
            skip_ws(r);
            if (!key || *r->p != ':') {
                free(key);
                break;
            }
            r->p++;
        }
        lt_json *v = parse_value(r);
        if (!v) {
            free(key);
            break;
        }
        /* Out of memory adding it: a tree missing a member is no parse. */
        bool added = obj ? lt_json_set(c, key, v) != NULL : lt_json_push(c, v) != NULL;
        free(key);
        if (!added)
            break;
        skip_ws(r);
        if (*r->p == ',') {
            r->p++;
            continue;
        }
        if (*r->p == (obj ? '}' : ']')) {
            r->p++;
            r->depth--;
            return c;
        }
        break;
    }
    lt_json_free(c);
    return NULL;
}

static lt_json *parse_value(struct reader *r)
{
    skip_ws(r);
    switch (*r->p) {
    case '{': return parse_container(r, true);
    case '[': return parse_container(r, false);
    case '"': {
        char *s = parse_string_raw(r);
        lt_json *v = s ? lt_json_str(s) : NULL;
        free(s);
        return v;
    }
    case 't':
        if (strncmp(r->p, "true", 4) == 0) { r->p += 4; return lt_json_bool(true); }
        return NULL;
    case 'f':
        if (strncmp(r->p, "false", 5) == 0) { r->p += 5; return lt_json_bool(false); }
        return NULL;
    case 'n':
        if (strncmp(r->p, "null", 4) == 0) { r->p += 4; return lt_json_null(); }
        return NULL;
    default: {
        char *end;
        double d = strtod(r->p, &end);
        if (end == r->p)
            return NULL;
        r->p = end;
        return lt_json_num(d);
    }
    }
}

lt_json *lt_json_parse(const char *text)
{
    struct reader r = {text, 0};
    lt_json *v = parse_value(&r);
    if (!v)
        return NULL; /* r.p may stand past the text's end (a '\\' at its end) */
    skip_ws(&r);
    if (*r.p) {
        lt_json_free(v);
        return NULL;
    }
    return v;
}

const char *lt_json_string(const lt_json *v)
{
    return v && v->kind == J_STR ? v->s : NULL;
}

size_t lt_json_size(const lt_json *v)
{
    return v && (v->kind == J_ARR || v->kind == J_OBJ) ? v->n : 0;
}

const char *lt_json_key_at(const lt_json *v, size_t i)
{
    return v && v->kind == J_OBJ && i < v->n ? v->keys[i] : NULL;
}

lt_json *lt_json_value_at(const lt_json *v, size_t i)
{
    return v && (v->kind == J_OBJ || v->kind == J_ARR) && i < v->n ? v->items[i] : NULL;
}
