#include "core/report_graph.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/report_page.h"
#include "io/html.h"

/* Box size and spacing in pixels; text is cut to fit the box. */
enum { NODE_W = 170, NODE_H = 58, COL_GAP = 44, ROW_GAP = 14, PAD = 6, NAME_CHARS = 19, KIND_CHARS = 25 };

/* The stage an input names: "ae" or "ae.reconstruction" (an output of it). */
static size_t find_stage(const lt_report_stage *s, size_t n, const char *name)
{
    size_t len = name ? strcspn(name, ".") : 0;
    for (size_t i = 0; name && i < n; i++)
        if (strncmp(s[i].name, name, len) == 0 && s[i].name[len] == '\0')
            return i;
    return n;
}

/* Writes TEXT cut to MAX characters (UTF-8 aware), with an ellipsis. */
static void clipped(FILE *f, const char *text, size_t max)
{
    size_t chars = 0, bytes = 0;
    while (text[bytes] && chars < max) {
        bytes++;
        while ((text[bytes] & 0xC0) == 0x80)
            bytes++;
        chars++;
    }
    char *cut = strndup(text, bytes);
    lt_html_text(f, cut ? cut : "");
    free(cut);
    if (text[bytes])
        fputs("…", f);
}

/* Columns by longest path from a source; within a column each stage sits
 * level with the mean height of its inputs, pushed down only as far as
 * needed to clear its neighbour, so chains draw as straight lines. */
static int layout(const lt_report_stage *s, size_t n, int *column, double *y)
{
    int deepest = 0;
    for (size_t i = 0; i < n; i++)
        column[i] = 0;
    for (size_t pass = 0; pass < n; pass++) { /* at most n passes: stops on a cycle */
        bool moved = false;
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < lt_json_size(s[i].inputs); k++) {
                size_t from = find_stage(s, n, lt_json_string(lt_json_at(s[i].inputs, k)));
                if (from < n && column[from] + 1 > column[i] && column[from] + 1 <= (int)n) {
                    column[i] = column[from] + 1;
                    moved = true;
                }
            }
        if (!moved)
            break;
    }
    for (size_t i = 0; i < n; i++)
        if (column[i] > deepest)
            deepest = column[i];

    size_t *members = malloc(n * sizeof *members);
    double *want = malloc(n * sizeof *want);
    if (!members || !want) {
        free(members);
        free(want);
        return -1;
    }
    const double pitch = NODE_H + ROW_GAP;
    for (int c = 0; c <= deepest; c++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            if (column[i] != c)
                continue;
            double sum = 0;
            size_t placed = 0;
            for (size_t k = 0; k < lt_json_size(s[i].inputs); k++) {
                size_t from = find_stage(s, n, lt_json_string(lt_json_at(s[i].inputs, k)));
                if (from < n && column[from] < c) {
                    sum += y[from];
                    placed++;
                }
            }
            want[i] = placed ? sum / (double)placed : (double)m * pitch;
            /* Insertion by wanted height keeps file order among ties. */
            size_t at = m++;
            while (at > 0 && want[members[at - 1]] > want[i]) {
                members[at] = members[at - 1];
                at--;
            }
            members[at] = i;
        }
        double below = -INFINITY;
        for (size_t k = 0; k < m; k++) {
            size_t i = members[k];
            y[i] = fmax(want[i], below);
            below = y[i] + pitch;
        }
    }
    free(members);
    free(want);
    return deepest;
}

static void node_colours(const char *kind, const char **fill, const char **stroke)
{
    if (strncmp(kind, "dataset.", 8) == 0) {
        *fill = "#e9f5ed";
        *stroke = "#6fab80";
    } else if (strncmp(kind, "plot.", 5) == 0) {
        *fill = "#f3edf9";
        *stroke = "#a088c8";
    } else {
        *fill = "#eaf1fb";
        *stroke = "#7d9fd6";
    }
}

void lt_report_graph(FILE *f, const lt_report_stage *s, size_t n)
{
    int *column = malloc((n ? n : 1) * sizeof *column);
    double *y = malloc((n ? n : 1) * sizeof *y);
    int deepest = column && y ? layout(s, n, column, y) : -1;
    if (deepest < 0 || n == 0) {
        free(column);
        free(y);
        return;
    }
    double bottom = 0, slowest = 0;
    for (size_t i = 0; i < n; i++) {
        bottom = fmax(bottom, y[i] + NODE_H);
        if (s[i].seconds > slowest)
            slowest = s[i].seconds;
    }
    int width = 2 * PAD + (deepest + 1) * (NODE_W + COL_GAP) - COL_GAP;
    int height = 2 * PAD + (int)ceil(bottom);
    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            "role=\"img\" aria-label=\"stage graph\">\n"
            "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" "
            "markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#98a3b6\"/></marker></defs>\n",
            width, height, width, height);
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < lt_json_size(s[i].inputs); k++) {
            size_t from = find_stage(s, n, lt_json_string(lt_json_at(s[i].inputs, k)));
            if (from == n)
                continue;
            double x1 = PAD + column[from] * (NODE_W + COL_GAP) + NODE_W, y1 = PAD + y[from] + NODE_H / 2.0;
            double x2 = PAD + column[i] * (NODE_W + COL_GAP) - 1, y2 = PAD + y[i] + NODE_H / 2.0;
            double bend = (x2 - x1) / 2;
            fprintf(f,
                    "<path d=\"M%.1f,%.1f C%.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"none\" stroke=\"#98a3b6\" "
                    "stroke-width=\"1.4\" marker-end=\"url(#arrow)\"/>\n",
                    x1, y1, x1 + bend, y1, x2 - bend, y2, x2, y2);
        }
    for (size_t i = 0; i < n; i++) {
        const char *fill, *stroke;
        node_colours(s[i].kind, &fill, &stroke);
        double x = PAD + column[i] * (NODE_W + COL_GAP), top = PAD + y[i];
        char time[32];
        fputs("<a href=\"#stage-", f);
        lt_html_text(f, s[i].name);
        fputs("\"><g><title>", f);
        lt_html_text(f, s[i].name);
        fputs(" (", f);
        lt_html_text(f, s[i].kind);
        fputs(")</title>", f);
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%d\" rx=\"6\" fill=\"%s\" stroke=\"%s\"%s/>", x,
                top, NODE_W, NODE_H, fill, stroke, s[i].cached == 1 ? " stroke-dasharray=\"5 3\"" : "");
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"13\" font-weight=\"600\" fill=\"#1c2333\">", x + 10,
                top + 18);
        clipped(f, s[i].name, NAME_CHARS);
        fprintf(f, "</text><text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#5d6678\">", x + 10, top + 33);
        clipped(f, s[i].kind, KIND_CHARS);
        fprintf(f, "</text><text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#5d6678\">", x + 10, top + 47);
        if (s[i].cached == 1)
            fputs("from cache", f);
        else if (!isnan(s[i].seconds))
            lt_html_text(f, lt_page_duration(time, s[i].seconds));
        fputs("</text>", f);
        if (!isnan(s[i].seconds) && slowest > 0 && s[i].cached != 1)
            fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"3\" rx=\"1.5\" fill=\"%s\"/>", x + 10,
                    top + NODE_H - 7, fmax(1, (NODE_W - 20) * s[i].seconds / slowest), stroke);
        fputs("</g></a>\n", f);
    }
    fputs("</svg>\n", f);
    free(column);
    free(y);
}
