/* Out-of-tree stage kinds: shared objects that export lt_plugin_stages
 * (include/latent/stage.h), loaded into the registry at start-up. */
#ifndef LATENT_CORE_PLUGINS_H
#define LATENT_CORE_PLUGINS_H

#include <stdio.h>

/* Loads every *.so in the folders of $LATENT_PLUGIN_PATH (colon-separated,
 * in order), then in DEFAULT_DIR (the install prefix's lib/latent/plugins;
 * may be NULL). Nothing is loaded when $LATENT_NO_PLUGINS is set, so that a
 * build can generate its man page and completions reproducibly. A plugin
 * that cannot be opened, was built for another ABI version, or names a kind
 * that exists already is refused with one line on ERR; the others load.
 * Returns the number refused. The handles stay open for the process. */
int lt_plugins_load(const char *default_dir, FILE *err);

#endif
