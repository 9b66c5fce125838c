/* The run folder: made and locked for one run at a time, a staging folder
 * inside it that stages write their files to, and the commit that moves
 * those files into place only when the whole run succeeded. Internal to the
 * runner (run.c). */
#ifndef LATENT_CORE_RUN_FOLDER_H
#define LATENT_CORE_RUN_FOLDER_H

#include <stdbool.h>

#include "io/json.h"
#include "util/diag.h"

typedef struct lt_run_folder {
    char *dir;     /* the run folder; owned */
    char *staging; /* DIR/.partial-PID, where this run's files go; owned */
    int lock_fd;   /* holds the folder's flock for the whole run */
    bool existed;  /* the folder was there before this run */
} lt_run_folder;

/* Makes (if need be) and locks DIR, clears staging folders of killed runs,
 * makes this run's staging folder and removes it on SIGINT/SIGTERM. On
 * failure prints one line naming DIR and returns LT_EINPUT (DIR is a file)
 * or LT_ERUNTIME, with F holding nothing. */
int lt_run_folder_open(lt_run_folder *f, const char *dir, lt_diag_format format);

/* Collects every file under the staging folder (relative names) into the
 * JSON array FILES. */
void lt_run_folder_list(const lt_run_folder *f, lt_json *files);

/* Writes TREE to the staging folder as NAME through a temporary file and a
 * rename. Returns 0 or -1 (errno says why). */
int lt_run_folder_write_json(const lt_run_folder *f, const char *name, const lt_json *tree);

/* Moves the staged FILES into the run folder (see run_folder.c for what a
 * failure leaves). Returns 0, or -1 (errno says why) with *FAILED the name
 * in FILES that could not be moved (NULL when none was to blame). */
int lt_run_folder_commit(lt_run_folder *f, const lt_json *files, const char **failed);

/* Ends the run: removes the staging folder, and after a failed run (OK
 * false) in a folder the run made, the lock file and the folder when empty;
 * unlocks, restores the signal handlers and frees F's strings. */
void lt_run_folder_close(lt_run_folder *f, bool ok);

#endif
