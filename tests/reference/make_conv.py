#!/usr/bin/python3
"""Reference numbers for the convolutional layers (src/nn/layer_conv2d.c,
layer_conv2d_transpose.c, layer_maxpool2d.c, layer_upsampling2d.c), from
Debian's PyTorch.

Writes tests/reference/conv.json. Each case is a layer list (written as the
C test binds it), an input shape and a batch; inputs and weights are filled
by a formula both sides compute, so the JSON holds results only:
    fill(n, seed, scale)[i] = float32(scale * sin(0.731 i + seed))
(images for the binary cross-entropy case: 0.5 + 0.5 sin). Weights are laid
out as latent (and Keras) store them, layer after layer: a conv2d kernel
[k, k, channels, filters], a conv2d_transpose kernel [k, k, filters,
channels], each followed by its bias.

PyTorch's layers pad symmetrically; TensorFlow's (and latent's) "same" puts
the odd pixel of padding after the image, and a transposed convolution's
"same" output is the full transposed output cropped from the front by the
smaller half of that padding. The functions below build TensorFlow's
semantics from PyTorch's valid operations plus explicit padding and
cropping, so the references check those rules too.

Per case: y, the forward output; for the small cases g and dx, the
gradient of sum(r * y) (r = fill(.., 3, 1)) with respect to the weights and
the input. For the lecture's convolutional autoencoder (46,529 weights) the
case holds the output for 8 images (so several of the layers' 128 KiB
blocks of patches make up one batch), the mean Keras binary cross-entropy
against the images, and per weight tensor the sum of squares and the dot
product with fill(n, 5, 1) of that loss's gradient.
Run: /usr/bin/python3 tests/reference/make_conv.py
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
EPS = 1e-7  # Keras's backend epsilon
SELU = torch.nn.SELU()
ACTS = {"linear": lambda z: z, "selu": SELU, "sigmoid": torch.sigmoid,
        "relu": torch.relu, "tanh": torch.tanh}


def fill(n, seed, scale):
    return np.array([scale * math.sin(0.731 * i + seed) for i in range(n)], dtype=np.float32)


def same_pad(size, k, s):
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def conv2d(x, p, w):
    """x: NCHW. Keras's Conv2D with TensorFlow's padding."""
    k, s = p["kernel_size"], p.get("strides", 1)
    c, f = x.shape[1], p["filters"]
    kernel = w.take(k * k * c * f).reshape(k, k, c, f).permute(3, 2, 0, 1)
    bias = w.take(f) if p.get("use_bias", True) else None
    if p.get("padding", "valid") == "same":
        top, bottom = same_pad(x.shape[2], k, s)
        left, right = same_pad(x.shape[3], k, s)
        x = F.pad(x, (left, right, top, bottom))
    z = F.conv2d(x, kernel, bias, stride=s)
    return ACTS[p.get("activation", "linear")](z)


def conv2d_transpose(x, p, w):
    """Keras's Conv2DTranspose: the full transposed output, cropped (or
    extended) to Keras's size from TensorFlow's padding, then the bias."""
    k, s = p["kernel_size"], p.get("strides", 1)
    c, f = x.shape[1], p["filters"]
    kernel = w.take(k * k * f * c).reshape(k, k, f, c).permute(3, 2, 0, 1)
    bias = w.take(f) if p.get("use_bias", True) else None
    full = F.conv_transpose2d(x, kernel, None, stride=s)
    rows = []
    for axis, size in ((2, x.shape[2]), (3, x.shape[3])):
        if p.get("padding", "valid") == "same":
            out = size * s
            before = max((size - 1) * s + k - out, 0) // 2
        else:
            out, before = size * s + max(k - s, 0), 0
        rows.append((out, before))
    (oh, top), (ow, left) = rows
    full = F.pad(full, (0, max(ow + left - full.shape[3], 0), 0, max(oh + top - full.shape[2], 0)))
    z = full[:, :, top:top + oh, left:left + ow]
    if bias is not None:
        z = z + bias.view(1, -1, 1, 1)
    return ACTS[p.get("activation", "linear")](z)


def maxpool2d(x, p, w):
    k = p.get("pool_size", 2)
    s = p.get("strides") or k
    if p.get("padding", "valid") == "same":
        top, bottom = same_pad(x.shape[2], k, s)
        left, right = same_pad(x.shape[3], k, s)
        x = F.pad(x, (left, right, top, bottom), value=-math.inf)
    return F.max_pool2d(x, k, s)


def upsampling2d(x, p, w):
    f = p.get("size", 2)
    return x.repeat_interleave(f, dim=2).repeat_interleave(f, dim=3)


class Weights:
    """Hands out consecutive slices of the flat weight vector."""

    def __init__(self, flat):
        self.flat, self.at = flat, 0

    def take(self, n):
        part = self.flat[self.at:self.at + n]
        self.at += n
        return part


def n_weights(layers, shape):
    """Weights per layer for an NHWC per-sample shape, and the output shape."""
    counts = []
    h, w, c = shape
    for item in layers:
        (kind, p), = item.items()
        k, s = p.get("kernel_size"), p.get("strides", 1)
        if kind == "conv2d":
            f = p["filters"]
            counts.append(k * k * c * f + (f if p.get("use_bias", True) else 0))
            if p.get("padding", "valid") == "same":
                h, w = -(-h // s), -(-w // s)
            else:
                h, w = (h - k) // s + 1, (w - k) // s + 1
            c = f
        elif kind == "conv2d_transpose":
            f = p["filters"]
            counts.append(k * k * f * c + (f if p.get("use_bias", True) else 0))
            extra = 0 if p.get("padding", "valid") == "same" else max(k - s, 0)
            h, w, c = h * s + extra, w * s + extra, f
        else:
            counts.append(0)
    return counts


def run(layers, x_nhwc, flat):
    """The network's output (NHWC) for inputs x and flat weights."""
    ops = {"conv2d": conv2d, "conv2d_transpose": conv2d_transpose, "maxpool2d": maxpool2d,
           "upsampling2d": upsampling2d}
    weights = Weights(flat)
    x = x_nhwc.permute(0, 3, 1, 2)
    for item in layers:
        (kind, p), = item.items()
        if kind == "reshape":
            continue  # only [h, w] <-> [h, w, 1] here: a view
        x = ops[kind](x, p, weights)
    assert weights.at == len(flat)
    return x.permute(0, 2, 3, 1)


def f32(t):
    """float32 values, written with the 9 digits that round-trip them."""
    return [float(f"{v:.9g}") for v in t.detach().numpy().astype(np.float32).ravel()]


def small_case(name, layers, shape, batch=2):
    total = sum(n_weights(layers, shape))
    x = torch.tensor(fill(batch * int(np.prod(shape)), 1.0, 1.0).reshape(batch, *shape),
                     requires_grad=True)
    w = torch.tensor(fill(total, 2.0, 0.3), requires_grad=True)
    y = run(layers, x, w)
    r = torch.tensor(fill(y.numel(), 3.0, 1.0)).reshape(y.shape)
    (y * r).sum().backward()
    return {"name": name, "yaml": "layers: " + json.dumps(layers), "in": list(shape),
            "batch": batch, "y": f32(y),
            "g": f32(w.grad) if total else [], "dx": f32(x.grad)}


LECTURE = [
    {"reshape": {"shape": [28, 28, 1]}},
    {"conv2d": {"filters": 16, "kernel_size": 3, "padding": "same", "activation": "selu"}},
    {"maxpool2d": {"pool_size": 2}},
    {"conv2d": {"filters": 32, "kernel_size": 3, "padding": "same", "activation": "selu"}},
    {"maxpool2d": {"pool_size": 2}},
    {"conv2d": {"filters": 64, "kernel_size": 3, "padding": "same", "activation": "selu"}},
    {"maxpool2d": {"pool_size": 2}},
    {"conv2d_transpose": {"filters": 32, "kernel_size": 3, "strides": 2, "padding": "valid",
                          "activation": "selu"}},
    {"conv2d_transpose": {"filters": 16, "kernel_size": 3, "strides": 2, "padding": "same",
                          "activation": "selu"}},
    {"conv2d_transpose": {"filters": 1, "kernel_size": 3, "strides": 2, "padding": "same",
                          "activation": "sigmoid"}},
    {"reshape": {"shape": [28, 28]}},
]


def lecture_case(batch=8):
    shape = (28, 28, 1)
    counts = n_weights(LECTURE, shape)
    images = 0.5 + fill(batch * 784, 1.0, 0.5)
    x = torch.tensor(images.reshape(batch, 28, 28, 1))
    w = torch.tensor(fill(sum(counts), 2.0, 0.1), requires_grad=True)
    y = run(LECTURE, x, w)
    p = torch.clamp(y, EPS, 1 - EPS)
    loss = -(x * torch.log(p + EPS) + (1 - x) * torch.log(1 - p + EPS)).mean()
    loss.backward()
    # The gradient tensor by tensor: each layer's kernel, then its bias.
    tensors, at = [], 0
    for item, count in zip(LECTURE, counts):
        (kind, p), = item.items()
        if not count:
            continue
        for size in (count - p["filters"], p["filters"]):
            g = w.grad[at:at + size].double().numpy()
            tensors.append({"offset": at, "size": size, "sum_squares": float((g * g).sum()),
                            "dot": float(g @ fill(size, 5.0, 1.0).astype(np.float64))})
            at += size
    return {"name": "lecture conv autoencoder", "yaml": "layers: " + json.dumps(LECTURE),
            "in": [28, 28], "batch": batch, "layer_params": counts, "y": f32(y),
            "loss": float(loss), "grad": tensors}


def main():
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float32)
    cases = [
        small_case("conv2d same, stride 1, selu",
                   [{"conv2d": {"filters": 3, "kernel_size": 3, "padding": "same",
                                "activation": "selu"}}], (5, 5, 2)),
        small_case("conv2d same, stride 2, uneven padding",
                   [{"conv2d": {"filters": 2, "kernel_size": 3, "strides": 2,
                                "padding": "same"}}], (6, 5, 3)),
        small_case("conv2d valid, stride 2, no bias, sigmoid",
                   [{"conv2d": {"filters": 4, "kernel_size": 3, "strides": 2,
                                "use_bias": False, "activation": "sigmoid"}}], (7, 7, 2)),
        small_case("conv2d same, 4x4 kernel (padding 1 before, 2 after)",
                   [{"conv2d": {"filters": 2, "kernel_size": 4, "padding": "same"}}], (5, 6, 1)),
        small_case("maxpool2d 2 valid, odd input",
                   [{"maxpool2d": {"pool_size": 2}}], (7, 5, 3)),
        small_case("maxpool2d 3 same stride 2",
                   [{"maxpool2d": {"pool_size": 3, "strides": 2, "padding": "same"}}], (6, 7, 2)),
        small_case("maxpool2d 3 stride 1 (overlapping windows)",
                   [{"maxpool2d": {"pool_size": 3, "strides": 1}}], (5, 5, 2)),
        small_case("upsampling2d 2",
                   [{"upsampling2d": {"size": 2}}], (3, 4, 2)),
        small_case("upsampling2d 3 after conv2d",
                   [{"conv2d": {"filters": 2, "kernel_size": 1}}, {"upsampling2d": {"size": 3}}],
                   (2, 3, 3)),
        small_case("conv2d_transpose valid stride 2 (3 -> 7)",
                   [{"conv2d_transpose": {"filters": 3, "kernel_size": 3, "strides": 2,
                                          "activation": "selu"}}], (3, 3, 4)),
        small_case("conv2d_transpose same stride 2 (4 -> 8)",
                   [{"conv2d_transpose": {"filters": 2, "kernel_size": 3, "strides": 2,
                                          "padding": "same"}}], (4, 3, 3)),
        small_case("conv2d_transpose same stride 1",
                   [{"conv2d_transpose": {"filters": 2, "kernel_size": 3,
                                          "padding": "same", "activation": "tanh"}}], (4, 4, 2)),
        small_case("conv2d_transpose valid, kernel 2 < stride 3, no bias",
                   [{"conv2d_transpose": {"filters": 2, "kernel_size": 2, "strides": 3,
                                          "use_bias": False}}], (3, 2, 2)),
        small_case("conv2d_transpose same, kernel 4 stride 2",
                   [{"conv2d_transpose": {"filters": 1, "kernel_size": 4, "strides": 2,
                                          "padding": "same", "activation": "sigmoid"}}], (3, 3, 2)),
        # Large enough that a batch spans several 128 KiB blocks of patches.
        small_case("conv2d same on 20x20x6, one sample per block",
                   [{"conv2d": {"filters": 4, "kernel_size": 3, "padding": "same",
                                "activation": "selu"}}], (20, 20, 6), batch=3),
        small_case("conv2d_transpose 10x10x2 -> 20x20x8, one sample per block",
                   [{"conv2d_transpose": {"filters": 8, "kernel_size": 5, "strides": 2,
                                          "padding": "same", "activation": "selu"}}],
                   (10, 10, 2), batch=2),
    ]
    out = {"fill": "float32(scale * sin(0.731 i + seed)); x: seed 1 scale 1, "
                   "w: seed 2 scale 0.3 (lecture: 0.1, images 0.5 + 0.5 sin), r: seed 3",
           "cases": cases, "lecture": lecture_case()}
    path = os.path.join(HERE, "conv.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


main()
