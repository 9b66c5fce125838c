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

Run: /usr/bin/python3 tests/reference/make_vae.py (writes vae.json; seconds)
"""
import json
import math
import os

import numpy as np
import torch

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


def main():
    ref = {"nadam": nadam_case(), "sampling": sampling_case(), "quantile": quantile_case(),
           "training": [
        steps_case("small", 12, [8], 3, [8, 12], 16, 6, "mean", 1.0, 0.01, 5, 6),
        steps_case("geron", 784, [150, 100], 10, [100, 150, 784], 64, 4, "mean", 1.0, 0.001,
                   7, 8),
        steps_case("geron_2d_sum_beta", 784, [150, 100], 2, [100, 150, 784], 32, 3, "sum", 0.5,
                   0.001, 9, 10)]}
    with open(os.path.join(HERE, "vae.json"), "w") as f:
        json.dump(ref, f, indent=1)
        f.write("\n")
    for case in ref["training"]:
        print(case["name"], [round(s["loss"], 6) for s in case["steps"]])


main()
