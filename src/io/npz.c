#include "io/npz.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zip.h>

/* A fixed member time (1980-01-02, just after the zip epoch, whatever the
 * time zone), so that an archive's bytes depend on its arrays only. */
#define MEMBER_TIME ((time_t)315619200)

static const char *zip_reason(int code, char *buf, size_t size)
{
    zip_error_t e;
    zip_error_init_with_code(&e, code);
    snprintf(buf, size, "%s", zip_error_strerror(&e));
    zip_error_fini(&e);
    return buf;
}

int lt_npz_write(const char *path, const lt_npz_member *members, size_t n, lt_diag *d)
{
    int code = 0;
    zip_t *za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &code);
    char why[256];
    if (!za) {
        lt_diag_data(d, 2, path, 0, 0, "cannot create the archive: %s",
                 zip_reason(code, why, sizeof why));
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        char name[512];
        snprintf(name, sizeof name, "%s.npy", members[i].name);
        /* The buffer is the caller's and lives until zip_close. */
        zip_source_t *src = zip_source_buffer(za, members[i].data, members[i].len, 0);
        zip_int64_t at = src ? zip_file_add(za, name, src, ZIP_FL_ENC_UTF_8) : -1;
        if (at < 0) {
            if (src)
                zip_source_free(src);
            lt_diag_data(d, 2, path, 0, 0, "cannot add %s: %s", name, zip_strerror(za));
            zip_discard(za);
            remove(path);
            return -1;
        }
        zip_file_set_mtime(za, (zip_uint64_t)at, MEMBER_TIME, 0);
    }
    if (zip_close(za) != 0) {
        lt_diag_data(d, 2, path, 0, 0, "cannot write the archive: %s", zip_strerror(za));
        zip_discard(za);
        remove(path);
        return -1;
    }
    return 0;
}

void lt_npz_free(lt_npz *z)
{
    if (!z)
        return;
    for (size_t i = 0; i < z->n; i++) {
        free(z->members[i].name);
        free(z->members[i].data);
    }
    free(z->members);
    free(z);
}

/* Reads member I of ZA whole into *m. Returns 0 or -1 with the problem recorded in D. */
static int read_member(zip_t *za, zip_uint64_t i, const char *path, lt_npz_member *m, lt_diag *d)
{
    zip_stat_t st;
    if (zip_stat_index(za, i, 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME) ||
        !(st.valid & ZIP_STAT_SIZE)) {
        lt_diag_data(d, 2, path, 0, 0, "damaged: member %llu has no name or size",
                 (unsigned long long)i);
        return -1;
    }
    size_t len = strlen(st.name);
    if (len < 5 || strcmp(st.name + len - 4, ".npy") != 0) {
        lt_diag_data(d, 2, path, 0, 0, "member '%s' is not a .npy array; not an .npz archive",
                 st.name);
        return -1;
    }
    if (!(m->name = strndup(st.name, len - 4)) || !(m->data = malloc(st.size + 1))) {
        lt_diag_data(d, 3, path, 0, 0, "out of memory reading member '%s'", st.name);
        return -1;
    }
    m->len = (size_t)st.size;
    zip_file_t *f = zip_fopen_index(za, i, 0);
    zip_int64_t got = f ? zip_fread(f, m->data, st.size) : -1;
    /* Reading to the end makes libzip check the CRC. */
    char extra;
    bool more = got >= 0 && zip_fread(f, &extra, 1) > 0;
    if (!f || got < 0 || (zip_uint64_t)got != st.size || more) {
        lt_diag_data(d, 2, path, 0, 0, "damaged: cannot read member '%s': %s", st.name,
                 f ? zip_file_strerror(f) : zip_strerror(za));
        if (f)
            zip_fclose(f);
        return -1;
    }
    if (zip_fclose(f) != 0) {
        lt_diag_data(d, 2, path, 0, 0, "damaged: member '%s' fails its checksum", st.name);
        return -1;
    }
    char why[400];
    if (lt_npy_parse(m->data, m->len, &m->info, why, sizeof why) != 0) {
        lt_diag_data(d, 2, path, 0, 0, "member '%s': %s", st.name, why);
        return -1;
    }
    return 0;
}

lt_npz *lt_npz_read(const char *path, lt_diag *d)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        lt_diag_data(d, 2, path, 0, 0, "cannot read: %s", strerror(errno));
        return NULL;
    }
    if (S_ISDIR(sb.st_mode)) {
        lt_diag_data(d, 2, path, 0, 0, "is a folder, expected an .npz file");
        return NULL;
    }
    if (sb.st_size == 0) {
        lt_diag_data(d, 2, path, 0, 0, "the file is empty; expected an .npz archive");
        return NULL;
    }
    int code = 0;
    zip_t *za = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &code);
    if (!za) {
        char why[256];
        if (code == ZIP_ER_NOZIP)
            lt_diag_data(d, 2, path, 0, 0,
                         "not an .npz archive: no zip directory at its end (truncated, or "
                         "another kind of file)");
        else
            lt_diag_data(d, 2, path, 0, 0, "damaged .npz archive: %s",
                         zip_reason(code, why, sizeof why));
        return NULL;
    }
    zip_int64_t n = zip_get_num_entries(za, 0);
    lt_npz *z = calloc(1, sizeof *z);
    if (z && n > 0)
        z->members = calloc((size_t)n, sizeof *z->members);
    if (!z || (n > 0 && !z->members)) {
        lt_diag_data(d, 3, path, 0, 0, "out of memory");
        zip_discard(za);
        lt_npz_free(z);
        return NULL;
    }
    int rc = 0;
    for (zip_int64_t i = 0; rc == 0 && i < n; i++) {
        rc = read_member(za, (zip_uint64_t)i, path, &z->members[i], d);
        z->n++;
    }
    zip_discard(za);
    if (rc != 0) {
        lt_npz_free(z);
        return NULL;
    }
    return z;
}

const lt_npz_member *lt_npz_find(const lt_npz *z, const char *name)
{
    for (size_t i = 0; z && i < z->n; i++)
        if (strcmp(z->members[i].name, name) == 0)
            return &z->members[i];
    return NULL;
}
