/* `latent --version`. */
#include "cli/cli.h"

#include <cblas.h>

#include "cli/latent_vcs.h"
#include "core/dist.h"

void lt_cli_print_version(FILE *out)
{
    fprintf(out, "latent %s%s\n", LATENT_VERSION, lt_dist_built_with_mpi() ? " (MPI)" : "");
    /* git describe at build time; a build from a tarball has none. */
    fprintf(out, "git: %s\n", LATENT_VCS_DESCRIBE);
    fprintf(out, "openblas: %s\n", openblas_get_config());
}
