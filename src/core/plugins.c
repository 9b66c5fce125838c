#include "core/plugins.h"

#include <dirent.h>
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "util/fsutil.h"
#include "core/registry.h"

static bool is_plugin_name(const char *name)
{
    size_t n = strlen(name);
    return n > 3 && name[0] != '.' && !strcmp(name + n - 3, ".so");
}

/* Checks each kind of one opened plugin, then adds them all or none: a
 * plugin half loaded would run pipelines that its author never tested. */
static int add_kinds(const char *path, const lt_stage_def *const *list, FILE *err)
{
    size_t n = 0;
    for (; list[n]; n++) {
        const lt_stage_def *d = list[n];
        /* abi is the first member in every version, so reading it is safe
         * whatever the rest of the plugin's struct looks like. */
        if (d->abi != LT_ABI_VERSION) {
            fprintf(err, "latent: plugin %s: built for stage ABI version %d, this latent has version %d; rebuild it against this latent's headers\n",
                    path, d->abi, LT_ABI_VERSION);
            return 1;
        }
        if (!d->name || !d->run || (d->n_params && !d->params)) {
            fprintf(err, "latent: plugin %s: kind %zu lacks a name, a run function or its parameter table\n",
                    path, n);
            return 1;
        }
        if (lt_registry_builtin(d->name)) {
            fprintf(err, "latent: plugin %s: stage kind '%s' is built into latent; plugin not loaded\n", path,
                    d->name);
            return 1;
        }
        const lt_stage_def *had = lt_registry_find(d->name);
        for (size_t k = 0; !had && k < n; k++)
            if (!strcmp(list[k]->name, d->name))
                had = list[k];
        if (had) {
            const char *from = lt_registry_origin(had);
            fprintf(err, "latent: plugin %s: stage kind '%s' is already defined by %s; plugin not loaded\n", path,
                    d->name, from ? from : path);
            return 1;
        }
    }
    for (size_t i = 0; i < n; i++)
        if (lt_registry_add(list[i], path) != 0) {
            fprintf(err, "latent: plugin %s: out of memory\n", path);
            return 1;
        }
    return 0;
}

static int load_one(const char *path, FILE *err)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        fprintf(err, "latent: plugin: %s\n", dlerror());
        return 1;
    }
    dlerror();
    const lt_stage_def *const *list = dlsym(h, LT_PLUGIN_SYMBOL);
    if (!list) {
        fprintf(err, "latent: plugin %s: exports no %s (see include/latent/stage.h)\n", path, LT_PLUGIN_SYMBOL);
        dlclose(h);
        return 1;
    }
    int bad = add_kinds(path, list, err);
    if (bad)
        dlclose(h);
    return bad;
}

static int load_dir(const char *dir, FILE *err)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0)
        return 0; /* a folder that is not there holds no plugins */
    int bad = 0;
    for (int i = 0; i < n; i++) {
        if (is_plugin_name(names[i]->d_name)) {
            char *path = lt_path_join(dir, names[i]->d_name);
            if (!path) {
                fprintf(err, "latent: plugin %s/%s: out of memory\n", dir, names[i]->d_name);
                bad++;
            } else {
                bad += load_one(path, err);
            }
            free(path);
        }
        free(names[i]);
    }
    free(names);
    return bad;
}

int lt_plugins_load(const char *default_dir, FILE *err)
{
    if (getenv("LATENT_NO_PLUGINS"))
        return 0;
    int bad = 0;
    const char *env = getenv("LATENT_PLUGIN_PATH");
    if (env && *env) {
        char *copy = strdup(env);
        if (!copy) {
            fprintf(err, "latent: LATENT_PLUGIN_PATH: out of memory\n");
            return 1;
        }
        char *save = NULL;
        for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save))
            bad += load_dir(dir, err);
        free(copy);
    }
    if (default_dir)
        bad += load_dir(default_dir, err);
    return bad;
}
