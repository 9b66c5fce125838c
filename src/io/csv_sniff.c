/* The delimiter, sniffed from the first table lines when not given, and the
 * hint for a table that splits into one column only. A delimiter is never
 * guessed: either exactly one candidate fits, or the error says which to set. */
#include <stdio.h>
#include <string.h>

#include "io/csv_impl.h"

/* Lines looked at: enough to see a header and some rows. */
#define SNIFF_LINES 20

const char *csv_delim_name(char delim, char buf[8])
{
    if (delim == '\t')
        return "tab";
    if (delim == LT_CSV_WHITESPACE)
        return "whitespace";
    snprintf(buf, 8, "'%c'", delim);
    return buf;
}

/* How a pipeline file sets DELIM: `delimiter: X`. */
static const char *yaml_value(char delim, char buf[8])
{
    if (delim == '\t')
        return "\"\\t\"";
    snprintf(buf, 8, "'%c'", delim);
    return buf;
}

/* The candidates for this decimal mark: with decimal commas a comma cannot
 * also part fields. */
static const char *candidates(char decimal) { return decimal == ',' ? ";\t" : ",;\t"; }

/* True when every line of LINES splits on DELIM into the same number (> 1)
 * of fields; *fields gets it. */
static bool splits_evenly(const char *const *lines, const size_t *lens, size_t n, char delim,
                          char comment, size_t *fields)
{
    *fields = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = csv_count_fields(lines[i], lens[i], delim, comment);
        if (k < 2 || (i > 0 && k != *fields))
            return false;
        *fields = k;
    }
    return n > 0;
}

int csv_sniff(csv_reader *r, const char *text, size_t len, const lt_csv_options *opt,
              char *delim)
{
    if (opt->delimiter) {
        *delim = opt->delimiter;
        return LT_OK;
    }
    csv_reader scan = {.name = r->name, .p = text, .end = text + len,
                       .comment = opt->comment};
    const char *lines[SNIFF_LINES];
    size_t lens[SNIFF_LINES], n = 0;
    long first_line = 0;
    const char *s;
    size_t k;
    for (int i = 0; i < opt->skip_lines && csv_next_line(&scan, &s, &k); i++)
        ;
    while (n < SNIFF_LINES && csv_next_line(&scan, &s, &k))
        if (!csv_skip_line(&scan, s, k)) {
            first_line = first_line ? first_line : scan.line;
            lines[n] = s;
            lens[n++] = k;
        }

    const char *cand = candidates(opt->decimal);
    char found = 0, other = 0;
    size_t fields;
    for (const char *c = cand; *c; c++)
        if (splits_evenly(lines, lens, n, *c, opt->comment, &fields)) {
            if (found)
                other = *c;
            else
                found = *c;
        }
    if (other) {
        char a[8], b[8], ya[8], yb[8];
        return csv_fail(r, first_line, 1,
                        "the first lines split evenly on both %s and %s; set delimiter: %s "
                        "or delimiter: %s",
                        csv_delim_name(found, a), csv_delim_name(other, b), yaml_value(found, ya),
                        yaml_value(other, yb));
    }
    if (!found && splits_evenly(lines, lens, n, LT_CSV_WHITESPACE, opt->comment, &fields))
        found = LT_CSV_WHITESPACE;
    /* Nothing splits evenly: the candidate that splits the first line most,
     * so that the uneven row is the error reported, with its place. */
    size_t best = 1;
    for (const char *c = cand; !found && n > 0 && *c; c++)
        if ((fields = csv_count_fields(lines[0], lens[0], *c, opt->comment)) > best)
            best = fields, *delim = *c;
    if (!found && best == 1)
        *delim = opt->decimal == ',' ? ';' : ',';
    if (found)
        *delim = found;
    return LT_OK;
}

int csv_one_column_hint(csv_reader *r, const char *s, size_t n, char decimal, bool header)
{
    /* A header's commas part names: no decimal mark is in a name. */
    for (const char *c = candidates(header ? '.' : decimal); *c; c++) {
        if (*c == r->delim || csv_count_fields(s, n, *c, r->comment) < 2)
            continue;
        char name[8], value[8];
        return csv_fail(r, r->line, 1, "one column found; the lines hold %s: set delimiter: %s%s",
                        csv_delim_name(*c, name), yaml_value(*c, value),
                        *c == ',' && decimal == ',' ? " and decimal: '.'" : "");
    }
    return LT_OK;
}
