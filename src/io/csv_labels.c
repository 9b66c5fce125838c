/* Label texts to classes: the sorted distinct values, numerically when every
 * label is a number, else by code point (bytewise on UTF-8), as np.unique
 * and scikit-learn's LabelEncoder order them. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "io/csv_impl.h"
#include "io/json.h"

/* One label as read, for sorting into classes. */
typedef struct label_text {
    const char *text;
    double value; /* when every label is a number */
    size_t row;
} label_text;

static int by_value(const void *a, const void *b)
{
    const label_text *x = a, *y = b;
    if (x->value != y->value)
        return x->value < y->value ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

static int by_text(const void *a, const void *b)
{
    const label_text *x = a, *y = b;
    int c = strcmp(x->text, y->text);
    return c ? c : (x->row < y->row ? -1 : x->row > y->row);
}

int csv_encode_labels(csv_reader *r, char **texts, size_t rows, char decimal, int *y,
                      lt_data *d)
{
    if (rows > INT_MAX)
        return csv_fail(r, 0, 0, "too many rows to label: %zu (at most %d)", rows, INT_MAX);
    label_text *l = malloc((rows ? rows : 1) * sizeof *l);
    if (!l)
        return csv_out_of_memory(r);
    bool numeric = true;
    for (size_t i = 0; i < rows; i++) {
        l[i] = (label_text){.text = texts[i], .row = i};
        numeric = numeric && csv_parse_number(texts[i], decimal, &l[i].value) == NUM_OK;
    }
    qsort(l, rows, sizeof *l, numeric ? by_value : by_text);

    size_t n_classes = 0;
    for (size_t i = 0; i < rows; i++) {
        bool same = i > 0 && (numeric ? l[i].value == l[i - 1].value
                                      : strcmp(l[i].text, l[i - 1].text) == 0);
        n_classes += !same;
        y[l[i].row] = (int)n_classes - 1;
    }
    d->class_names = calloc(n_classes ? n_classes : 1, sizeof *d->class_names);
    if (!d->class_names) {
        free(l);
        return csv_out_of_memory(r);
    }
    d->n_classes = (int)n_classes;
    for (size_t i = 0, k = 0; i < rows; i++) {
        if (i > 0 && y[l[i].row] == y[l[i - 1].row])
            continue;
        char num[32];
        if (numeric)
            lt_json_format_double(num, l[i].value);
        if (!(d->class_names[k++] = strdup(numeric ? num : l[i].text))) {
            free(l);
            return csv_out_of_memory(r);
        }
    }
    free(l);
    return LT_OK;
}
