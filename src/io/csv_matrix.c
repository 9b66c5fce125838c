#include "io/csv_matrix.h"

#include <errno.h>
#include <stdio.h>

#include "io/csv.h"

int lt_csv_write_matrix(const char *path, char *const *names, const double *v, size_t rows,
                        size_t cols)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    for (size_t j = 0; j < cols; j++) {
        if (j)
            fputc(',', f);
        if (names && names[j])
            lt_csv_write_field(f, names[j]);
        else
            fprintf(f, "x%zu", j);
    }
    fputc('\n', f);
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++)
            fprintf(f, "%.17g%c", v[i * cols + j], j + 1 < cols ? ',' : '\n');
    int failed = ferror(f);
    int saved = errno;
    if (fclose(f) != 0 || failed) {
        if (failed)
            errno = saved ? saved : EIO;
        return -1;
    }
    return 0;
}
