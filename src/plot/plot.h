/* The plotting library in one include: figures, panels, series, colours. */
#ifndef LATENT_PLOT_PLOT_H
#define LATENT_PLOT_PLOT_H

#include "plot/axes.h"
#include "plot/color.h"
#include "plot/figure.h"
#include "plot/series.h"
#include "plot/ticks.h"

#endif
