#include "io/yaml_write.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool is_letter(char c)
{
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

/* Whether S reads back as the same string when written without quotes. */
static bool plain(const char *s)
{
    static const char *const reserved[] = {"true", "false", "null", "yes", "no", "on", "off", NULL};
    if (!(is_letter(s[0]) || s[0] == '_' || s[0] == '/'))
        return false;
    for (const char *p = s; *p; p++)
        if (!(is_letter(*p) || (*p >= '0' && *p <= '9') || strchr("_./- ", *p)))
            return false;
    for (size_t i = 0; reserved[i]; i++)
        if (strcasecmp(s, reserved[i]) == 0)
            return false;
    return s[strlen(s) - 1] != ' ';
}

static void string(FILE *f, const char *s)
{
    if (plain(s)) {
        fputs(s, f);
    } else {
        lt_json *quoted = lt_json_str(s); /* a JSON string is a YAML string */
        lt_json_write_compact(quoted, f);
        lt_json_free(quoted);
    }
}

/* A scalar or a whole value in flow style. */
static void flow(FILE *f, const lt_json *v)
{
    if (lt_json_string(v)) {
        string(f, lt_json_string(v));
    } else if (lt_json_is_array(v) || lt_json_is_object(v)) {
        bool obj = lt_json_is_object(v);
        fputc(obj ? '{' : '[', f);
        for (size_t i = 0; i < lt_json_size(v); i++) {
            fputs(i ? ", " : "", f);
            if (obj) {
                string(f, lt_json_key_at(v, i));
                fputs(": ", f);
            }
            flow(f, lt_json_value_at(v, i));
        }
        fputc(obj ? '}' : ']', f);
    } else if (lt_json_is_null(v)) {
        fputs("null", f);
    } else if (lt_json_is_bool(v)) {
        fputs(lt_json_number(v) != 0 ? "true" : "false", f);
    } else if (isnan(lt_json_number(v))) {
        fputs(".nan", f);
    } else {
        char buf[32];
        lt_json_format_double(buf, lt_json_number(v));
        fputs(buf, f);
    }
}

/* V in flow style when that fits in WIDTH columns; owned text or NULL.
 * Strings with line breaks never flow: they get a literal block. */
static char *flow_text(const lt_json *v, size_t width)
{
    if (lt_json_string(v) && strchr(lt_json_string(v), '\n'))
        return NULL;
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem)
        return NULL;
    flow(mem, v);
    fclose(mem);
    bool scalar = !lt_json_is_array(v) && !lt_json_is_object(v);
    if (text && (scalar || len <= width || lt_json_size(v) == 0))
        return text;
    free(text);
    return NULL;
}

static void text(FILE *f, const char *s, const lt_yaml_markup *m)
{
    if (m->text)
        m->text(f, s);
    else
        fputs(s, f);
}

/* A multi-line string as a literal block ("|", or "|-" without a final
 * line break), after its key. */
static void literal(FILE *f, const char *s, int indent, const lt_yaml_markup *m)
{
    size_t len = strlen(s);
    fputs(len && s[len - 1] == '\n' ? " |\n" : " |-\n", f);
    while (*s) {
        const char *end = strchr(s, '\n');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        char *line = strndup(s, n);
        fprintf(f, "%*s", n ? indent : 0, "");
        if (line)
            text(f, line, m);
        fputc('\n', f);
        free(line);
        s += n + (end != NULL);
    }
}

/* The first line's indent is already written when INLINE_FIRST is set (a
 * list item "- " followed by a mapping). */
static void block(FILE *f, const lt_json *v, int indent, bool inline_first, const lt_yaml_markup *m)
{
    bool obj = lt_json_is_object(v);
    for (size_t i = 0; i < lt_json_size(v); i++) {
        const lt_json *item = lt_json_value_at(v, i);
        if (i || !inline_first)
            fprintf(f, "%*s", indent, "");
        if (obj) {
            const char *key = lt_json_key_at(v, i);
            fputs(m->key_open ? m->key_open : "", f);
            text(f, key, m); /* keys are stage and parameter names: plain */
            fputs(m->key_close ? m->key_close : "", f);
            fputc(':', f);
            /* The top two levels (the file's keys, the stages) stay in block
             * style so every stage reads the same way. */
            char *line = indent < 4 && lt_json_is_object(item) && lt_json_size(item)
                             ? NULL
                             : flow_text(item, (size_t)(indent > 70 ? 10 : 80 - indent) - strlen(key));
            if (line) {
                fputc(' ', f);
                text(f, line, m);
                fputc('\n', f);
                free(line);
            } else if (lt_json_string(item)) {
                literal(f, lt_json_string(item), indent + 2, m);
            } else {
                fputc('\n', f);
                block(f, item, indent + 2, false, m);
            }
        } else {
            fputs("- ", f);
            char *line = flow_text(item, (size_t)(indent > 70 ? 10 : 78 - indent));
            if (line) {
                text(f, line, m);
                fputc('\n', f);
                free(line);
            } else if (lt_json_is_object(item)) {
                block(f, item, indent + 2, true, m);
            } else {
                fputc('\n', f);
                block(f, item, indent + 2, false, m);
            }
        }
    }
}

void lt_yaml_write(FILE *f, const lt_json *v, const lt_yaml_markup *markup)
{
    static const lt_yaml_markup none = {0};
    block(f, v, 0, false, markup ? markup : &none);
}
