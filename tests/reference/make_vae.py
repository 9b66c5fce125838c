#!/usr/bin/python3
"""Reference values for tests/unit/test_nn_vae.c from Debian's PyTorch.

  nadam     torch.optim.NAdam (foreach=True: the formula of its documentation;
            see src/nn/optim.h for the slip in 1.13's single-tensor loop) on
            seven weights fed a fixed sequence of gradients, 25 steps: the
            weights after every step.
  sampling  z = mean + exp(log_var / 2) * eps and the KL term per sample for
            given float32 mean, log_var and eps.
  quantile  scipy.stats.norm.ppf at the latent grid's probabilities
            (k + 0.5) / 15 and in the tails, for plot.latent_grid's z values.
  steps     a few training steps of a VAE written out in torch (dense layers
            as x @ K + b with Keras's [inputs, units] kernels, SELU, sigmoid,
            Keras's clipped binary cross-entropy) from the starting weights
            and eps that latent draws: glorot_uniform kernels as
            (2 u - 1) sqrt(6 / (fan_in + fan_out)), zero biases, layer by
            layer from np.random.RandomState(seed) (the mean head's kernel,
            then the log-variance head's, between encoder and decoder), then
            eps = standard_normal((batch, latent_dim)) from the same stream
            for each batch in turn; data uniform on [0, 1) from
            RandomState(data_seed). The losses of each step, taken before
            its update, and a few weights after the last.
  conv_steps  the same for the convolutional VAE of pipelines/vae_conv.yaml
            (conv2d and conv2d_transpose with TensorFlow's "same" padding
            built from PyTorch's valid operations, as make_conv.py does;
            Keras's kernel layouts [k, k, in, out] for conv2d and
            [k, k, filters, in] for conv2d_transpose, glorot_uniform with
            Keras's fans, drawn layer by layer in that row-major order) and
            Keras's Adam (the epsilon added to sqrt(v), not to its bias-
            corrected root as torch.optim.Adam does), reduction sum.

Run: /usr/bin/python3 tests/reference/make_vae.py (writes vae.json; seconds)
On another machine torch's float32 kernels may move the older cases' numbers
in their last digits (about 1e-8 here): the conv cases were added to the
committed vae.json with those kept as they were.
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

EPS = 1e-7
HERE = os.path.dirname(os.path.abspath(__file__))
torch.set_num_threads(1)


def f32list(a):
    return [float(v) for v in np.asarray(a, dtype=np.float32).ravel()]


def nadam_case():
    rs = np.random.RandomState(1)
    w0 = rs.standard_normal(7).astype(np.float32)
    grads = rs.standard_normal((25, 7)).astype(np.float32)
    w = torch.tensor(w0, requires_grad=True)
    opt = torch.optim.NAdam([w], lr=0.01, foreach=True)
    after = []
    for g in grads:
        w.grad = torch.tensor(g)
        opt.step()
        after.append(f32list(w.detach().numpy()))
    return {"lr": 0.01, "w0": f32list(w0), "grads": [f32list(g) for g in grads], "after": after}


def sampling_case():
    rs = np.random.RandomState(2)
    mean = rs.standard_normal((4, 3)).astype(np.float32)
    log_var = (2 * rs.standard_normal((4, 3))).astype(np.float32)
    eps = rs.standard_normal((4, 3)).astype(np.float32)
    m, lv, e = map(torch.tensor, (mean, log_var, eps))
    z = m + torch.exp(0.5 * lv) * e
    kl = -0.5 * torch.sum(1 + lv.double() - torch.exp(lv.double()) - m.double() ** 2, dim=1)
    return {"mean": f32list(mean), "log_var": f32list(log_var), "eps": f32list(eps),
            "z": f32list(z.numpy()), "kl": [float(v) for v in kl]}


def quantile_case():
    from scipy.stats import norm
    p = [(k + 0.5) / 15 for k in range(15)] + [1e-10, 1e-4, 0.999999]
    return {"p": p, "z": [float(norm.ppf(v)) for v in p]}


def glorot(rs, fan_in, fan_out):
    limit = math.sqrt(3.0 / ((fan_in + fan_out) / 2.0))
    u = rs.random_sample(fan_in * fan_out)
    return ((2 * u - 1) * limit).astype(np.float32).reshape(fan_in, fan_out)


def keras_bce_terms(p, t):
    p = torch.clamp(p, EPS, 1 - EPS)
    return -(t * torch.log(p + EPS) + (1 - t) * torch.log(1 - p + EPS))


def steps_case(name, features, encoder, latent, decoder, batch, n_steps, reduction, kl_weight,
               lr, seed, data_seed):
    rs = np.random.RandomState(seed)
    params, layers = [], []   # layers: (kernel, bias, activation)
    width = features
    for units in encoder:
        k, b = glorot(rs, width, units), np.zeros(units, np.float32)
        layers.append(("enc", k, b, "selu"))
        width = units
    heads = []
    for _ in range(2):
        heads.append((glorot(rs, width, latent), np.zeros(latent, np.float32)))
    width = latent
    for i, units in enumerate(decoder):
        k, b = glorot(rs, width, units), np.zeros(units, np.float32)
        layers.append(("dec", k, b, "sigmoid" if i == len(decoder) - 1 else "selu"))
        width = units
    data = np.random.RandomState(data_seed).random_sample((batch * n_steps, features))
    data = data.astype(np.float32)

    tensors = []
    for part, k, b, act in layers:
        tensors.append((part, torch.tensor(k, requires_grad=True),
                        torch.tensor(b, requires_grad=True), act))
    head_t = [(torch.tensor(k, requires_grad=True), torch.tensor(b, requires_grad=True))
              for k, b in heads]
    for _, k, b, _ in tensors:
        params += [k, b]
    for k, b in head_t:
        params += [k, b]
    opt = torch.optim.NAdam(params, lr=lr, foreach=True)
    act = {"selu": torch.nn.functional.selu, "sigmoid": torch.sigmoid}
    out = []
    for s in range(n_steps):
        x = torch.tensor(data[s * batch:(s + 1) * batch])
        eps = torch.tensor(rs.standard_normal((batch, latent)).astype(np.float32))
        h = x
        for part, k, b, a in tensors:
            if part == "enc":
                h = act[a](h @ k + b)
        mean = h @ head_t[0][0] + head_t[0][1]
        log_var = h @ head_t[1][0] + head_t[1][1]
        z = mean + torch.exp(0.5 * log_var) * eps
        y = z
        for part, k, b, a in tensors:
            if part == "dec":
                y = act[a](y @ k + b)
        kl = -0.5 * torch.sum(1 + log_var - torch.exp(log_var) - mean ** 2, dim=1)
        terms = keras_bce_terms(y, x)
        if reduction == "mean":
            recon = terms.mean()
            kl_term = kl.mean() / features
        else:
            recon = terms.sum(dim=1).mean()
            kl_term = kl.mean()
        loss = recon + kl_weight * kl_term
        opt.zero_grad()
        loss.backward()
        out.append({"loss": float(loss), "reconstruction": float(recon), "kl": float(kl_term)})
        opt.step()
    final = {}
    for i, (part, k, b, _) in enumerate(tensors):
        final[f"layer{i}_kernel_head"] = f32list(k.detach().numpy().ravel()[:5])
    final["mean_head_kernel_head"] = f32list(head_t[0][0].detach().numpy().ravel()[:5])
    final["log_var_head_kernel_head"] = f32list(head_t[1][0].detach().numpy().ravel()[:5])
    return {"name": name, "features": features, "encoder": encoder, "latent_dim": latent,
            "decoder": decoder, "batch": batch, "reduction": reduction, "kl_weight": kl_weight,
            "learning_rate": lr, "seed": seed, "data_seed": data_seed, "steps": out,
            "final": final}


def glorot_shape(rs, shape, fan_in, fan_out):
    """glorot_uniform over a tensor of SHAPE (row-major draws) with the given fans."""
    limit = math.sqrt(3.0 / ((fan_in + fan_out) / 2.0))
    u = rs.random_sample(int(np.prod(shape)))
    return ((2 * u - 1) * limit).astype(np.float32).reshape(shape)


def same_pad(size, k, s):
    """TensorFlow's "same": (before, after), the odd pixel after."""
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def conv2d_nhwc(h, kernel, bias, k, s):
    """Keras's Conv2D, padding same, on NHWC; kernel [k, k, in, out]."""
    x = h.permute(0, 3, 1, 2)
    top, bottom = same_pad(x.shape[2], k, s)
    left, right = same_pad(x.shape[3], k, s)
    x = F.pad(x, (left, right, top, bottom))
    z = F.conv2d(x, kernel.permute(3, 2, 0, 1), bias, stride=s)
    return z.permute(0, 2, 3, 1)


def conv2d_transpose_nhwc(h, kernel, bias, k, s):
    """Keras's Conv2DTranspose, padding same, on NHWC; kernel [k, k, filters,
    in]: the full transposed output cropped from the front by the smaller
    half of the padding of the convolution it transposes."""
    x = h.permute(0, 3, 1, 2)
    full = F.conv_transpose2d(x, kernel.permute(3, 2, 0, 1), None, stride=s)
    oh, ow = x.shape[2] * s, x.shape[3] * s
    top = max((x.shape[2] - 1) * s + k - oh, 0) // 2
    left = max((x.shape[3] - 1) * s + k - ow, 0) // 2
    full = F.pad(full, (0, max(ow + left - full.shape[3], 0), 0, max(oh + top - full.shape[2], 0)))
    z = full[:, :, top:top + oh, left:left + ow] + bias.view(1, -1, 1, 1)
    return z.permute(0, 2, 3, 1)


def flow(v):
    """V in the pipelines' YAML flow style (the test binds it as layers)."""
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {flow(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(flow(x) for x in v) + "]"
    return str(v)


def keras_adam(params, lr, b1=0.9, b2=0.999, eps=1e-7):
    """Keras's Adam as src/nn/optim.c computes it in float32: m += (1 - b1)
    (g - m), v += (1 - b2)(g^2 - v), w -= lr sqrt(1 - b2^t) / (1 - b1^t) m /
    (sqrt(v) + eps), the step size in double."""
    state = [(torch.zeros_like(p), torch.zeros_like(p)) for p in params]
    f1, f2 = np.float32(1) - np.float32(b1), np.float32(1) - np.float32(b2)
    t = [0]

    def step():
        t[0] += 1
        size = float(np.float32(lr * math.sqrt(1 - b2 ** t[0]) / (1 - b1 ** t[0])))
        with torch.no_grad():
            for p, (m, v) in zip(params, state):
                g = p.grad
                m += float(f1) * (g - m)
                v += float(f2) * (g * g - v)
                p -= size * m / (torch.sqrt(v) + float(np.float32(eps)))
    return step


def conv_steps_case(name, encoder, latent, decoder, batch, n_steps, lr, seed, data_seed):
    """ENCODER and DECODER in the pipeline's syntax (reshape, conv2d,
    flatten, dense, conv2d_transpose; "same" padding); input 784 values."""
    rs = np.random.RandomState(seed)
    shape = [784]
    layers = []   # (part, kind, params, kernel, bias)

    def build(part, items):
        nonlocal shape
        for item in items:
            kind, p = (item, {}) if isinstance(item, str) else next(iter(item.items()))
            if kind == "reshape":
                shape = list(p["shape"])
                layers.append((part, kind, p, None, None))
                continue
            if kind == "flatten":
                shape = [int(np.prod(shape))]
                layers.append((part, kind, p, None, None))
                continue
            if kind == "dense":
                kern = glorot_shape(rs, (shape[0], p["units"]), shape[0], p["units"])
                shape = [p["units"]]
                bias = np.zeros(p["units"], np.float32)
            else:
                k, s, c, f = p["kernel_size"], p.get("strides", 1), shape[2], p["filters"]
                assert p["padding"] == "same"
                if kind == "conv2d":
                    kern = glorot_shape(rs, (k, k, c, f), k * k * c, k * k * f)
                    shape = [-(-shape[0] // s), -(-shape[1] // s), f]
                else:
                    kern = glorot_shape(rs, (k, k, f, c), k * k * f, k * k * c)
                    shape = [shape[0] * s, shape[1] * s, f]
                bias = np.zeros(f, np.float32)
            layers.append((part, kind, p, torch.tensor(kern, requires_grad=True),
                           torch.tensor(bias, requires_grad=True)))

    build("enc", encoder)
    width = shape[0]
    heads = [(torch.tensor(glorot_shape(rs, (width, latent), width, latent), requires_grad=True),
              torch.zeros(latent, requires_grad=True)) for _ in range(2)]
    shape = [latent]
    build("dec", decoder)
    # u^3, u uniform on [0, 1) (products in double, as the test forms them):
    # mostly dark pixels, so that the loss moves off the 784 ln 2 of a
    # decoder that draws 0.5 everywhere (the minimum for uniform targets).
    u = np.random.RandomState(data_seed).random_sample((batch * n_steps, 784))
    data = (u * u * u).astype(np.float32)
    start = [t.detach().clone() for l in layers if l[3] is not None for t in l[3:]]
    start += [t.detach().clone() for h in heads for t in h]
    params = [t for l in layers if l[3] is not None for t in l[3:]]
    params += [t for h in heads for t in h]
    step = keras_adam(params, lr)
    act = {"linear": lambda z: z, "relu": torch.relu, "sigmoid": torch.sigmoid}

    def run(h, part):
        for lp, kind, p, kern, bias in layers:
            if lp != part:
                continue
            if kind in ("reshape", "flatten"):
                h = h.reshape(h.shape[0], *(p["shape"] if kind == "reshape" else [-1]))
                continue
            if kind == "dense":
                z = h @ kern + bias
            elif kind == "conv2d":
                z = conv2d_nhwc(h, kern, bias, p["kernel_size"], p.get("strides", 1))
            else:
                z = conv2d_transpose_nhwc(h, kern, bias, p["kernel_size"], p.get("strides", 1))
            h = act[p.get("activation", "linear")](z)
        return h

    out = []
    for s in range(n_steps):
        x = torch.tensor(data[s * batch:(s + 1) * batch])
        eps = torch.tensor(rs.standard_normal((batch, latent)).astype(np.float32))
        h = run(x, "enc")
        mean = h @ heads[0][0] + heads[0][1]
        log_var = h @ heads[1][0] + heads[1][1]
        z = mean + torch.exp(0.5 * log_var) * eps
        y = run(z, "dec").reshape(batch, 784)
        kl = -0.5 * torch.sum(1 + log_var - torch.exp(log_var) - mean ** 2, dim=1)
        terms = keras_bce_terms(y, x)
        loss = terms.sum(dim=1).mean() + kl.mean()
        for p in params:
            p.grad = None
        loss.backward()
        # Reported in float64 from the float32 terms: torch's float32 sum of
        # 8 x 784 terms would add its own rounding to the reference.
        recon, kl_term = float(terms.double().sum(dim=1).mean()), float(kl.double().mean())
        out.append({"loss": recon + kl_term, "reconstruction": recon, "kl": kl_term})
        step()
    final = {}
    for i, (part, kind, p, kern, bias) in enumerate(layers):
        li = i if part == "enc" else i + 1   # the latent layer sits between
        if kern is not None:
            final[f"layer{li}_kernel_head"] = f32list(kern.detach().numpy().ravel()[:5])
            final[f"layer{li}_bias_head"] = f32list(bias.detach().numpy().ravel()[:5])
    final["mean_head_kernel_head"] = f32list(heads[0][0].detach().numpy().ravel()[:5])
    final["log_var_head_kernel_head"] = f32list(heads[1][0].detach().numpy().ravel()[:5])
    final["log_var_head_bias"] = f32list(heads[1][1].detach().numpy())
    # Each weighted layer's summed change (float64), the latent layer's as
    # one: Adam moves every weight by about the learning rate a step, in
    # its gradient's direction, so a wrong gradient anywhere shows here.
    def change(k):   # params[k]'s summed change, in float64
        return float((params[k].detach().double() - start[k].double()).sum())
    weighted = [l for l in layers if l[3] is not None]
    moved = [change(2 * i) + change(2 * i + 1) for i in range(len(weighted))]
    heads_at = 2 * len(weighted)
    moved.insert(sum(1 for l in weighted if l[0] == "enc"),
                 sum(change(heads_at + j) for j in range(4)))
    return {"name": name, "encoder": flow(encoder), "latent_dim": latent, "decoder": flow(decoder),
            "n_encoder": len(encoder), "batch": batch, "learning_rate": lr, "seed": seed,
            "data_seed": data_seed, "steps": out, "final": final, "moved": moved}


KERAS_CONV_ENCODER = [
    {"reshape": {"shape": [28, 28, 1]}},
    {"conv2d": {"filters": 32, "kernel_size": 3, "strides": 2, "padding": "same",
                "activation": "relu"}},
    {"conv2d": {"filters": 64, "kernel_size": 3, "strides": 2, "padding": "same",
                "activation": "relu"}},
    "flatten",
    {"dense": {"units": 16, "activation": "relu"}}]
KERAS_CONV_DECODER = [
    {"dense": {"units": 3136, "activation": "relu"}},
    {"reshape": {"shape": [7, 7, 64]}},
    {"conv2d_transpose": {"filters": 64, "kernel_size": 3, "strides": 2, "padding": "same",
                          "activation": "relu"}},
    {"conv2d_transpose": {"filters": 32, "kernel_size": 3, "strides": 2, "padding": "same",
                          "activation": "relu"}},
    {"conv2d_transpose": {"filters": 1, "kernel_size": 3, "padding": "same",
                          "activation": "sigmoid"}},
    {"reshape": {"shape": [28, 28]}}]


def main():
    ref = {"nadam": nadam_case(), "sampling": sampling_case(), "quantile": quantile_case(),
           "training": [
        steps_case("small", 12, [8], 3, [8, 12], 16, 6, "mean", 1.0, 0.01, 5, 6),
        steps_case("geron", 784, [150, 100], 10, [100, 150, 784], 64, 4, "mean", 1.0, 0.001,
                   7, 8),
        steps_case("geron_2d_sum_beta", 784, [150, 100], 2, [100, 150, 784], 32, 3, "sum", 0.5,
                   0.001, 9, 10)],
           "conv_training": [
        conv_steps_case("keras_conv", KERAS_CONV_ENCODER, 2, KERAS_CONV_DECODER, 8, 4, 0.001,
                        11, 12),
        # The pipeline's batch: the layers take several samples a block.
        conv_steps_case("keras_conv_batch128", KERAS_CONV_ENCODER, 2, KERAS_CONV_DECODER, 128,
                        3, 0.001, 13, 14)]}
    with open(os.path.join(HERE, "vae.json"), "w") as f:
        json.dump(ref, f, indent=1)
        f.write("\n")
    for case in ref["training"] + ref["conv_training"]:
        print(case["name"], [round(s["loss"], 6) for s in case["steps"]])


main()
