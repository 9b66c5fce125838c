#include "plot/color.h"

#include <math.h>

lt_rgba lt_rgb_hex(unsigned hex)
{
    return (lt_rgba){((hex >> 16) & 0xff) / 255.0, ((hex >> 8) & 0xff) / 255.0,
                     (hex & 0xff) / 255.0, 1.0};
}

lt_rgba lt_rgba_fade(lt_rgba c, double alpha)
{
    c.a *= alpha;
    return c;
}

lt_rgba lt_color_cycle(int i)
{
    static const unsigned tab10[10] = {
        0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
        0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf,
    };
    int k = i % 10;
    return lt_rgb_hex(tab10[k < 0 ? k + 10 : k]);
}

/* Viridis (CC0, by S. van der Walt and N. Smith) sampled at 33 evenly
 * spaced points; linear interpolation between them stays within 3/255 of
 * the full 256-entry table, below what the eye separates. */
static const unsigned viridis_knots[33] = {
    0x440154, 0x470d60, 0x48186a, 0x482374, 0x472d7b, 0x453781, 0x424086,
    0x3e4989, 0x3b528b, 0x375b8d, 0x33638d, 0x2f6b8e, 0x2c728e, 0x297a8e,
    0x26828e, 0x23898e, 0x21918c, 0x1f988b, 0x1fa088, 0x22a785, 0x28ae80,
    0x32b67a, 0x3fbc73, 0x4ec36b, 0x5ec962, 0x70cf57, 0x84d44b, 0x98d83e,
    0xaddc30, 0xc2df23, 0xd8e219, 0xece51b, 0xfde725,
};

lt_rgba lt_colormap_viridis(double t)
{
    if (isnan(t))
        return lt_rgb_hex(0x808080);
    if (t < 0)
        t = 0;
    if (t > 1)
        t = 1;
    double pos = t * 32;
    int k = (int)pos;
    if (k >= 32)
        return lt_rgb_hex(viridis_knots[32]);
    double f = pos - k;
    lt_rgba a = lt_rgb_hex(viridis_knots[k]), b = lt_rgb_hex(viridis_knots[k + 1]);
    return (lt_rgba){a.r + f * (b.r - a.r), a.g + f * (b.g - a.g),
                     a.b + f * (b.b - a.b), 1.0};
}
