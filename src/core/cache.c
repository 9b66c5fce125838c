#include "core/cache.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fsutil.h"
#include "core/registry.h"
#include "core/sha256.h"
#include "io/datafile.h"

char *lt_cache_default_dir(void)
{
    const char *env = getenv("LATENT_CACHE_DIR");
    if (env && *env)
        return strdup(env);
    const char *xdg = getenv("XDG_CACHE_HOME");
    if (xdg && *xdg)
        return lt_path_join(xdg, "latent");
    const char *home = getenv("HOME");
    return lt_path_join(home && *home ? home : "/tmp", ".cache/latent");
}

void lt_cache_key(const char *stage, const char *kind, const lt_json *config,
                  const char *const *input_keys, size_t n_inputs, const char *const *paths,
                  unsigned outputs, unsigned seed, int threads, char out[65])
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        memset(out, '0', 64); /* a key no entry has: the stage simply runs */
        out[64] = '\0';
        return;
    }
    /* The build enters the key too: a rebuilt latent may compute or report
     * differently under the same version number. Size and time of the
     * executable change with every build and cost one stat. */
    struct stat exe;
    if (stat("/proc/self/exe", &exe) != 0)
        memset(&exe, 0, sizeof exe);
    fprintf(f, "latent %s build %lld %lld.%09ld\nstage %s\nkind %s\noutputs %x\nseed %u\nthreads %d\nconfig ",
            LATENT_VERSION, (long long)exe.st_size, (long long)exe.st_mtim.tv_sec, exe.st_mtim.tv_nsec,
            stage, kind, outputs, seed, threads);
    lt_json_write_compact(config, f);
    /* A plugin's kind: its file's identity, as the executable's above. */
    const lt_stage_def *def = lt_registry_find(kind);
    const char *plugin = def ? lt_registry_origin(def) : NULL;
    struct stat so;
    if (plugin && stat(plugin, &so) == 0)
        fprintf(f, "\nplugin %s %lld %lld.%09ld", plugin, (long long)so.st_size, (long long)so.st_mtim.tv_sec,
                so.st_mtim.tv_nsec);
    for (size_t i = 0; i < n_inputs; i++)
        fprintf(f, "\ninput %s", input_keys[i]);
    for (size_t i = 0; paths && paths[i]; i++) {
        struct stat st;
        if (stat(paths[i], &st) == 0)
            fprintf(f, "\nfile %s %lld %lld.%09ld", paths[i], (long long)st.st_size,
                    (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
        else
            fprintf(f, "\nfile %s missing", paths[i]);
    }
    fclose(f);
    lt_sha256_hex(text, len, out);
    free(text);
}

static char *entry_dir(const lt_cache *c, const char *key)
{
    char sub[80];
    snprintf(sub, sizeof sub, "%.2s/%s", key, key);
    return lt_path_join(c->dir, sub);
}

static bool file_sha256(const char *path, char out[65])
{
    size_t len;
    char *bytes = lt_read_file(path, &len);
    if (!bytes)
        return false;
    lt_sha256_hex(bytes, len, out);
    free(bytes);
    return true;
}

static int copy_file(const char *from, const char *to)
{
    size_t len;
    char *bytes = lt_read_file(from, &len);
    if (!bytes || lt_mkdir_parents(to) != 0) {
        free(bytes);
        return -1;
    }
    FILE *f = fopen(to, "wb");
    int rc = f && fwrite(bytes, 1, len, f) == len ? 0 : -1;
    if (f && fclose(f) != 0)
        rc = -1;
    free(bytes);
    return rc;
}

/* Every file the entry lists must exist with its recorded checksum. */
static bool verify(const char *dir, const lt_json *sums)
{
    for (size_t i = 0; i < lt_json_size(sums); i++) {
        const char *name = lt_json_key_at(sums, i);
        const char *want = lt_json_string(lt_json_value_at(sums, i));
        char *path = lt_path_join(dir, name);
        char got[65];
        bool ok = path && want && file_sha256(path, got) && strcmp(got, want) == 0;
        free(path);
        if (!ok)
            return false;
    }
    return true;
}

/* The entry's file for output K of kind KIND: "output-K.data" or
 * "output-K.spectrum". */
static void output_file(size_t k, lt_value_kind kind, char *buf, size_t size)
{
    snprintf(buf, size, "output-%zu.%s", k, kind == LT_SPECTRUM ? "spectrum" : "data");
}

/* Reads output K of kind KIND from DIR into *V. Returns false when the
 * entry lacks it or it does not parse. */
static bool load_output(const char *dir, const lt_json *sums, size_t k, lt_value_kind kind, lt_value *v)
{
    char name[64];
    output_file(k, kind, name, sizeof name);
    if (!lt_json_get(sums, name))
        return false;
    char *p = lt_path_join(dir, name);
    FILE *f = p ? fopen(p, "rb") : NULL;
    if (f && kind == LT_SPECTRUM)
        v->spectrum = lt_spectrumfile_read(f);
    else if (f)
        v->data = lt_datafile_read(f);
    if (f)
        fclose(f);
    free(p);
    return !lt_value_empty(v);
}

bool lt_cache_load(const lt_cache *c, const char *key, const char *staging, const lt_output *outputs,
                   size_t n_outputs, unsigned wanted, lt_value *out, lt_json **metrics, bool *damaged)
{
    *damaged = false;
    if (!c->dir)
        return false;
    char *dir = entry_dir(c, key);
    char *entry_path = dir ? lt_path_join(dir, "entry.json") : NULL;
    char *entry_text = entry_path ? lt_read_file(entry_path, NULL) : NULL;
    lt_json *entry = entry_text ? lt_json_parse(entry_text) : NULL;
    const lt_json *sums = lt_json_get(entry, "sha256");
    bool hit = false;
    lt_json *m = NULL;
    if (entry && verify(dir, sums)) {
        hit = true;
        for (size_t k = 0; hit && k < n_outputs; k++)
            if (wanted & (1u << k))
                hit = load_output(dir, sums, k, outputs[k].kind, &out[k]);
        char *mp = lt_path_join(dir, "metrics.json");
        char *mtext = mp ? lt_read_file(mp, NULL) : NULL;
        m = mtext ? lt_json_parse(mtext) : NULL;
        free(mtext);
        free(mp);
        hit = hit && m;
        const lt_json *files = lt_json_get(entry, "files");
        for (size_t i = 0; hit && i < lt_json_size(files); i++) {
            const char *name = lt_json_string(lt_json_value_at(files, i));
            char *rel = name ? lt_path_join("files", name) : NULL;
            char *from = rel ? lt_path_join(dir, rel) : NULL;
            char *to = name && lt_path_is_plain_relative(name) ? lt_path_join(staging, name) : NULL;
            hit = from && to && copy_file(from, to) == 0;
            free(rel);
            free(from);
            free(to);
        }
    }
    /* An entry is published whole by one rename, so a folder that is there
     * but does not serve (its entry.json unreadable or changed included) is
     * damaged: drop it so the next store can replace it. */
    struct stat st;
    if (!hit && dir && (entry || entry_text || stat(dir, &st) == 0)) {
        lt_remove_tree(dir);
        *damaged = true;
    }
    if (hit) {
        *metrics = m;
    } else {
        for (size_t k = 0; k < n_outputs; k++)
            lt_value_free(&out[k]);
        lt_json_free(m);
    }
    lt_json_free(entry);
    free(entry_text);
    free(entry_path);
    free(dir);
    return hit;
}

static long long data_bytes(const lt_data *d)
{
    long long n = 0; /* a spectrum is small: only datasets count */
    for (int s = 0; d && s < LT_N_SPLITS; s++)
        if (d->split[s].x)
            n += (long long)(d->split[s].x->rows * d->split[s].x->cols) *
                 (d->split[s].x->f ? 4 : 8);
    return n;
}

static bool write_json(const char *dir, const char *name, const lt_json *v)
{
    char *p = lt_path_join(dir, name);
    FILE *f = p ? fopen(p, "w") : NULL;
    bool ok = f && lt_json_write(v, f) == 0;
    if (f && fclose(f) != 0)
        ok = false;
    free(p);
    return ok;
}

static void add_sum(lt_json *sums, const char *dir, const char *name)
{
    char *p = lt_path_join(dir, name);
    char hex[65];
    if (p && file_sha256(p, hex))
        lt_json_set(sums, name, lt_json_str(hex));
    else
        lt_json_set(sums, name, NULL); /* marks the tree failed: no entry */
    free(p);
}

/* Writes V (output K) into the entry folder TMP and records its checksum. */
static bool store_output(const char *tmp, lt_json *sums, size_t k, const lt_value *v)
{
    char name[64];
    output_file(k, v->spectrum ? LT_SPECTRUM : LT_DATASET, name, sizeof name);
    char *p = lt_path_join(tmp, name);
    FILE *f = p ? fopen(p, "wb") : NULL;
    bool ok = f && (v->spectrum ? lt_spectrumfile_write(v->spectrum, f) : lt_datafile_write(v->data, f)) == 0;
    if (f && fclose(f) != 0)
        ok = false;
    free(p);
    if (ok)
        add_sum(sums, tmp, name);
    return ok;
}

void lt_cache_store(const lt_cache *c, const char *key, const lt_value *out, size_t n_outputs,
                    const lt_json *metrics, const char *staging, char *const *names, size_t n_names)
{
    long long bytes = 0;
    for (size_t k = 0; k < n_outputs; k++)
        bytes += data_bytes(out[k].data);
    if (!c->dir || bytes > (long long)c->max_bytes)
        return;
    char *dir = entry_dir(c, key);
    char tmp_name[96];
    snprintf(tmp_name, sizeof tmp_name, "tmp-%ld-%.16s", (long)getpid(), key);
    char *tmp = lt_path_join(c->dir, tmp_name);
    lt_json *entry = lt_json_object(), *sums = lt_json_object(), *files = lt_json_array();
    bool ok = dir && tmp && entry && sums && files && lt_mkdir_p(tmp) == 0;
    /* Each output is a file of its own, so a reader loads only those its
     * key asked for. */
    for (size_t k = 0; ok && k < n_outputs; k++)
        if (!lt_value_empty(&out[k]))
            ok = store_output(tmp, sums, k, &out[k]);
    ok = ok && write_json(tmp, "metrics.json", metrics);
    if (ok)
        add_sum(sums, tmp, "metrics.json");
    for (size_t i = 0; ok && i < n_names; i++) {
        char *rel = lt_path_join("files", names[i]);
        char *from = lt_path_join(staging, names[i]);
        char *to = rel ? lt_path_join(tmp, rel) : NULL;
        ok = rel && from && to && copy_file(from, to) == 0;
        if (ok) {
            add_sum(sums, tmp, rel);
            lt_json_push(files, lt_json_str(names[i]));
        }
        free(rel);
        free(from);
        free(to);
    }
    lt_json_set(entry, "version", lt_json_str(LATENT_VERSION));
    lt_json_set(entry, "sha256", sums);
    lt_json_set(entry, "files", files);
    sums = files = NULL;
    ok = ok && write_json(tmp, "entry.json", entry);
    /* The rename publishes the entry whole; if another run got there first,
     * its entry is as good as ours. */
    if (ok && (lt_mkdir_parents(dir) != 0 || rename(tmp, dir) != 0))
        ok = false;
    if (!ok && tmp)
        lt_remove_tree(tmp);
    lt_json_free(entry);
    lt_json_free(sums);
    lt_json_free(files);
    free(tmp);
    free(dir);
}

static long long tree_size(const char *dir)
{
    long long total = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *p = lt_path_join(dir, e->d_name);
        struct stat st;
        if (p && lstat(p, &st) == 0)
            total += S_ISDIR(st.st_mode) ? tree_size(p) : (long long)st.st_size;
        free(p);
    }
    if (d)
        closedir(d);
    return total;
}

long long lt_cache_size(const char *dir) { return tree_size(dir); }
