#include "io/html.h"

void lt_html_text(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
    }
}

void lt_html_base64(FILE *f, const unsigned char *data, size_t n)
{
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char quad[4];
    for (size_t i = 0; i < n; i += 3) {
        unsigned long group = (unsigned long)data[i] << 16;
        if (i + 1 < n)
            group |= (unsigned long)data[i + 1] << 8;
        if (i + 2 < n)
            group |= data[i + 2];
        quad[0] = digits[(group >> 18) & 63];
        quad[1] = digits[(group >> 12) & 63];
        quad[2] = i + 1 < n ? digits[(group >> 6) & 63] : '=';
        quad[3] = i + 2 < n ? digits[group & 63] : '=';
        fwrite(quad, 1, 4, f);
    }
}
