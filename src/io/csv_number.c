/* Numbers with either decimal mark, and the texts that mean "missing". */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "io/csv_impl.h"

/* pandas' default missing-value texts (pandas 1.5, STR_NA_VALUES), so that a
 * table reads with the same holes as pd.read_csv gives it. */
static const char *const default_na[] = {
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
    "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "n/a", "nan", "null",
};

bool csv_is_na(const lt_csv_options *opt, const char *s)
{
    if (!opt->no_default_na)
        for (size_t i = 0; i < sizeof default_na / sizeof *default_na; i++)
            if (strcmp(s, default_na[i]) == 0)
                return true;
    for (size_t i = 0; i < opt->n_na_values; i++)
        if (strcmp(s, opt->na_values[i]) == 0)
            return true;
    return false;
}

enum csv_number csv_parse_number(const char *s, char decimal, double *v)
{
    if (!decimal)
        decimal = '.';
    const char *q = s + (*s == '+' || *s == '-');
    if (strcasecmp(q, "nan") == 0)
        return NUM_NAN;
    if (strcasecmp(q, "inf") == 0 || strcasecmp(q, "infinity") == 0)
        return NUM_INF;
    size_t digits = 0;
    for (; *q >= '0' && *q <= '9'; q++)
        digits++;
    const char *mark = NULL;
    if (*q == decimal)
        for (mark = q++; *q >= '0' && *q <= '9'; q++)
            digits++;
    if (!digits)
        return NUM_SYNTAX;
    if (*q == 'e' || *q == 'E') {
        q++;
        q += *q == '+' || *q == '-';
        if (!(*q >= '0' && *q <= '9'))
            return NUM_SYNTAX;
        while (*q >= '0' && *q <= '9')
            q++;
    }
    if (*q)
        return NUM_SYNTAX;
    /* strtod reads '.' in the C locale: a decimal comma becomes one. The
     * syntax above bounds the text, so a short copy always holds it. */
    char copy[512];
    const char *text = s;
    if (mark && decimal != '.') {
        size_t len = strlen(s);
        if (len >= sizeof copy)
            return NUM_SYNTAX;
        memcpy(copy, s, len + 1);
        copy[mark - s] = '.';
        text = copy;
    }
    errno = 0;
    *v = strtod(text, NULL);
    /* Underflow to a subnormal or zero is fine, as in Python; overflow not. */
    if (errno == ERANGE && isinf(*v))
        return NUM_RANGE;
    return NUM_OK;
}
