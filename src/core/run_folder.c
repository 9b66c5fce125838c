#include "core/run_folder.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fsutil.h"
#include "latent/stage.h"

/* Collects the files under DIR/SUB (relative names) into a JSON array. */
static void list_files_under(const char *dir, const char *sub, lt_json *out)
{
    char *path = sub ? lt_path_join(dir, sub) : strdup(dir);
    DIR *d = path ? opendir(path) : NULL;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *rel = sub ? lt_path_join(sub, e->d_name) : strdup(e->d_name);
        char *full = rel ? lt_path_join(dir, rel) : NULL;
        struct stat st;
        if (full && lstat(full, &st) == 0) {
            if (S_ISDIR(st.st_mode))
                list_files_under(dir, rel, out);
            else if (S_ISREG(st.st_mode))
                lt_json_push(out, lt_json_str(rel));
        }
        free(rel);
        free(full);
    }
    if (d)
        closedir(d);
    free(path);
}

/* Writes TREE to DIR/NAME through a temporary file and a rename. */
static int write_json_file(const char *dir, const char *name, const lt_json *tree)
{
    char *path = lt_path_join(dir, name);
    char *tmp = path ? lt_path_join(dir, ".tmp.json") : NULL;
    FILE *f = tmp ? fopen(tmp, "w") : NULL;
    int rc = -1;
    if (f) {
        rc = lt_json_write(tree, f);
        if (fclose(f) != 0)
            rc = -1;
        if (rc == 0) {
            rc = rename(tmp, path);
        } else {
            int err = errno; /* what the caller reports, not remove's */
            remove(tmp);
            errno = err;
        }
    }
    free(path);
    free(tmp);
    return rc;
}

static void free_paths(char **paths, size_t n)
{
    for (size_t i = 0; paths && i < n; i++)
        free(paths[i]);
    free(paths);
}

/* The files an earlier run listed in its run.json that this run (FILES)
 * does not write, as paths in RUN_DIR: owned, *n of them; NULL with *n 0
 * when there are none. Returns -1 when out of memory. */
static int stale_files(const char *run_dir, const lt_json *files, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    char *old_path = lt_path_join(run_dir, "run.json");
    if (!old_path)
        return -1;
    errno = 0;
    char *old_text = lt_read_file(old_path, NULL);
    free(old_path);
    if (!old_text)
        return errno == ENOMEM ? -1 : 0; /* no earlier run */
    lt_json *old = lt_json_parse(old_text);
    free(old_text);
    /* Trust the list only in a run.json that latent wrote. */
    const lt_json *old_files = lt_json_get(old, "latent_version") ? lt_json_get(old, "files") : NULL;
    size_t count = lt_json_size(old_files);
    char **victims = count ? calloc(count, sizeof *victims) : NULL;
    int rc = count && !victims ? -1 : 0;
    for (size_t i = 0; rc == 0 && i < count; i++) {
        const char *name = lt_json_string(lt_json_value_at(old_files, i));
        if (!name || !lt_path_is_plain_relative(name))
            continue;
        bool kept = false;
        for (size_t k = 0; k < lt_json_size(files); k++)
            kept |= strcmp(lt_json_string(lt_json_value_at(files, k)), name) == 0;
        if (!kept && !(victims[(*n)++] = lt_path_join(run_dir, name)))
            rc = -1;
    }
    lt_json_free(old);
    if (rc != 0) {
        free_paths(victims, *n);
        *n = 0;
        return -1;
    }
    *out = victims;
    return 0;
}

/* Moves the staged files into place, one rename each, then removes the
 * files an earlier run listed but this one did not write, so the folder
 * shows this run only. Everything that can fail for want of memory
 * (paths, the earlier list, parent folders) is done before the first
 * rename; should a rename itself fail, the files already moved go back
 * to staging, so a failed commit leaves the folder as it found it, short
 * of the earlier versions that renames replaced. */
static int commit(const char *run_dir, const char *staging, const lt_json *files, const char **failed)
{
    *failed = NULL;
    size_t n = lt_json_size(files), n_stale = 0;
    char **from = calloc(n + 1, sizeof *from), **to = calloc(n + 1, sizeof *to);
    char **stale = NULL;
    int rc = from && to ? stale_files(run_dir, files, &stale, &n_stale) : -1;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const char *name = lt_json_string(lt_json_value_at(files, i));
        if (!(from[i] = lt_path_join(staging, name)) || !(to[i] = lt_path_join(run_dir, name)) ||
            lt_mkdir_parents(to[i]) != 0) {
            *failed = name;
            rc = -1;
        }
    }
    size_t moved = 0;
    while (rc == 0 && moved < n)
        if (rename(from[moved], to[moved]) == 0) {
            moved++;
        } else {
            *failed = lt_json_string(lt_json_value_at(files, moved));
            rc = -1;
        }
    if (rc != 0) {
        int saved = errno;
        while (moved > 0) {
            moved--;
            rename(to[moved], from[moved]);
        }
        /* And the folders made for them, if they are empty: rmdir leaves
         * a folder that holds anything. */
        size_t root = strlen(run_dir);
        for (size_t i = 0; to && i < n && to[i]; i++)
            for (char *slash = strrchr(to[i], '/'); slash && (size_t)(slash - to[i]) > root;
                 slash = strrchr(to[i], '/')) {
                *slash = '\0';
                rmdir(to[i]);
            }
        errno = saved;
    }
    for (size_t i = 0; rc == 0 && i < n_stale; i++)
        remove(stale[i]);
    free_paths(from, n);
    free_paths(to, n);
    free_paths(stale, n_stale);
    lt_remove_tree(staging);
    return rc;
}

/* Removes staging folders left by runs that were killed. */
static void remove_stale_staging(const char *run_dir)
{
    DIR *d = opendir(run_dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        long pid;
        if (sscanf(e->d_name, ".partial-%ld", &pid) != 1 || (kill((pid_t)pid, 0) == 0 || errno == EPERM))
            continue;
        char *path = lt_path_join(run_dir, e->d_name);
        if (path)
            lt_remove_tree(path);
        free(path);
    }
    if (d)
        closedir(d);
}

/* The staging folder of the run in progress, for the signal handler. */
static char interrupted_staging[4096];

static void on_signal(int sig)
{
    if (interrupted_staging[0])
        lt_remove_tree(interrupted_staging);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* One run per folder at a time: two runs committing into the same folder
 * would interleave their files. The lock is a file, .lock, that the run
 * holds an flock on and removes when it ends, so a finished folder holds
 * only results. Removing it opens one race: a second run may have opened
 * the file just before it went, and then locks a file no longer in the
 * folder. So a run that gets the lock checks that the file it holds is the
 * one the folder names, and tries again if not. Returns the open, locked
 * descriptor, or -1 if another run holds the folder (or the file cannot be
 * made). */
static int lock_folder(const char *dir)
{
    char *path = lt_path_join(dir, ".lock");
    int fd = -1;
    for (int attempt = 0; path && attempt < 8; attempt++) {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
        if (fd < 0)
            break;
        if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            close(fd);
            fd = -1;
            break;
        }
        struct stat held, named;
        if (fstat(fd, &held) == 0 && stat(path, &named) == 0 && held.st_dev == named.st_dev &&
            held.st_ino == named.st_ino)
            break;
        close(fd); /* locked a removed file: the folder is free again */
        fd = -1;
    }
    free(path);
    return fd;
}

/* Removes the lock file while still holding it, then lets it go. */
static void unlock_folder(const char *dir, int fd)
{
    char *path = lt_path_join(dir, ".lock");
    if (path)
        unlink(path);
    free(path);
    close(fd);
}

int lt_run_folder_open(lt_run_folder *f, const char *dir, lt_diag_format format)
{
    *f = (lt_run_folder){.lock_fd = -1};
    struct stat st;
    bool existed = stat(dir, &st) == 0;
    if (existed && !S_ISDIR(st.st_mode)) {
        lt_diag_emit(format, lt_code_resource, dir, "the output folder exists and is not a folder");
        return LT_EINPUT;
    }
    if (lt_mkdir_p(dir) != 0) {
        lt_diag_emit(format, lt_code_resource, dir, "cannot create the output folder: %s", strerror(errno));
        return LT_ERUNTIME;
    }
    int lock_fd = lock_folder(dir);
    if (lock_fd < 0) {
        lt_diag_emit(format, lt_code_resource, dir, "another latent run is writing this folder; wait for it or use --out");
        return LT_ERUNTIME;
    }
    remove_stale_staging(dir);
    char partial[64];
    snprintf(partial, sizeof partial, ".partial-%ld", (long)getpid());
    char *staging = lt_path_join(dir, partial);
    char *copy = strdup(dir);
    if (!staging || !copy || lt_mkdir_p(staging) != 0) {
        lt_diag_emit(format, lt_code_resource, dir, "cannot create the staging folder");
        free(staging);
        free(copy);
        unlock_folder(dir, lock_fd);
        return LT_ERUNTIME;
    }
    *f = (lt_run_folder){.dir = copy, .staging = staging, .lock_fd = lock_fd, .existed = existed};
    snprintf(interrupted_staging, sizeof interrupted_staging, "%s", staging);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    return LT_OK;
}

void lt_run_folder_list(const lt_run_folder *f, lt_json *files) { list_files_under(f->staging, NULL, files); }

int lt_run_folder_write_json(const lt_run_folder *f, const char *name, const lt_json *tree)
{
    return write_json_file(f->staging, name, tree);
}

int lt_run_folder_commit(lt_run_folder *f, const lt_json *files, const char **failed)
{
    return commit(f->dir, f->staging, files, failed);
}

void lt_run_folder_close(lt_run_folder *f, bool ok)
{
    if (f->staging)
        lt_remove_tree(f->staging);
    if (f->dir && f->lock_fd >= 0)
        unlock_folder(f->dir, f->lock_fd);
    if (!ok && f->dir && !f->existed)
        rmdir(f->dir); /* only if this run made it and left it empty */
    interrupted_staging[0] = '\0';
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    free(f->staging);
    free(f->dir);
    *f = (lt_run_folder){.lock_fd = -1};
}
