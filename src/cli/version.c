/* `latent --version`. */
#include "cli/cli.h"

#include <cblas.h>

#include "cli/latent_vcs.h"

void lt_cli_print_version(FILE *out)
{
    fprintf(out, "latent %s\n", LATENT_VERSION);
    /* git describe at build time; a build from a tarball has none. */
    fprintf(out, "git: %s\n", LATENT_VCS_DESCRIBE);
    fprintf(out, "openblas: %s\n", openblas_get_config());
}
