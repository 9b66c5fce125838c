/* The command line's own tables and texts: what every command takes, its
 * help, the man page and the shell completions, all from one command table
 * and the stage registry, so no text about a command is written twice. */
#ifndef LATENT_CLI_CLI_H
#define LATENT_CLI_CLI_H

#include <stdio.h>

#include "latent/stage.h"

typedef struct lt_cli_option {
    const char *name; /* "--out" */
    const char *arg;  /* "DIR", or NULL for a flag */
    const char *help; /* one line */
} lt_cli_option;

typedef struct lt_cli_command {
    const char *name;     /* "run" */
    const char *args;     /* the operands: "FILE" */
    const char *summary;  /* one line */
    const char *details;  /* more lines, or NULL */
    const lt_cli_option *options; /* ends with a {NULL} row */
    const char *example;  /* one command line */
    bool files;           /* operands are pipeline files (for completion) */
} lt_cli_command;

/* Every command, in the order help lists them; ends with a {NULL} row. */
extern const lt_cli_command lt_cli_commands[];
/* The command named NAME, or NULL. */
const lt_cli_command *lt_cli_find(const char *name);

/* The short usage of every command and their summaries (`latent --help`). */
void lt_cli_print_usage(FILE *out);
/* One command's usage, options and example (`latent run --help`). */
void lt_cli_print_help(const lt_cli_command *c, FILE *out);
/* True when argv[2..argc) asks for help (--help or -h). */
bool lt_cli_wants_help(int argc, char **argv);

/* `latent --version`: version, git describe, OpenBLAS configuration. */
void lt_cli_print_version(FILE *out);

/* `latent stages` output: every kind (or those whose name starts with
 * PREFIX) one line each, or one kind in full. */
void lt_cli_print_kinds(const char *prefix, FILE *out);
void lt_cli_print_kind(const lt_stage_def *d, FILE *out);

/* `latent man`: the man page in roff on stdout. Returns 0 or 3. */
int lt_cli_man(FILE *out);
/* `latent completion bash|zsh`, and `latent completion stages FILE` (the
 * scripts' helper: "NAME KIND" per stage). Returns 0, or 2 for another
 * shell. */
int lt_cli_completion(int argc, char **argv, FILE *out);
/* `latent init DATA.csv [--label COLUMN] [--out FILE]`. Returns a status. */
int lt_cli_init(int argc, char **argv);

#endif
