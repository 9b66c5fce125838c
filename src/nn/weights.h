/* Saving and loading a network's weights, so a trained model can be reused
 * by a later run without training again.
 *
 * The file is a short text header followed by raw little-endian float32s:
 *
 *   latent-weights 1
 *   layers 4
 *   dense 78500 [784] [100]      one line per layer: kind, weights, shapes
 *   ...
 *   float32le 160370             the count of values that follow
 *   <160370 * 4 bytes>
 *
 * The values are each layer's weights in order (a dense layer's kernel
 * [inputs, units] row-major, then its bias). numpy reads them with
 * np.fromfile(f, '<f4', offset=len(header)). Loading checks the header
 * against the network, layer by layer. */
#ifndef LATENT_NN_WEIGHTS_H
#define LATENT_NN_WEIGHTS_H

#include <stddef.h>

#include "nn/net.h"

/* Writes NET's weights to PATH. Returns 0, or -1 with errno set. */
int lt_weights_save(const lt_net *net, const char *path);

enum { LT_WEIGHTS_OK = 0, LT_WEIGHTS_EIO = -1, LT_WEIGHTS_EMISMATCH = -2 };

/* Reads PATH into NET's weights. Returns LT_WEIGHTS_OK; LT_WEIGHTS_EIO
 * (errno set) when the file cannot be read; or LT_WEIGHTS_EMISMATCH with
 * the reason in ERR when it is not a weights file or holds another
 * network. On failure NET's weights are unchanged. */
int lt_weights_load(lt_net *net, const char *path, char *err, size_t err_size);

#endif
