#!/usr/bin/python3
"""Reference numbers for the network engine (src/nn), from Debian's PyTorch.

Writes tests/reference/nn.json:
  optimizers   three steps of each optimiser on fixed weights and gradients.
               PyTorch's rules equal Keras's here: SGD's momentum (v = mu v + g,
               w -= lr v) is Keras's (v = mu v - lr g, w += v) scaled by -lr at a
               constant rate, Nesterov likewise; RMSprop's buffer is Keras's
               velocity over lr. Adam differs in where eps enters (PyTorch adds
               eps / sqrt(1 - beta_2^t) where Keras adds eps), which matters for
               a tiny gradient (the second weight's first one is 1e-3), so the
               Adam case holds Keras's rule (written out below in float64) and
               records how far PyTorch's steps are from it.
  stacked      a small stacked autoencoder (12-5-3-5-12, selu, sigmoid output)
               trained 3 epochs on fixed data in [0, 1] with Keras's clipped
               binary cross-entropy, SGD lr 0.5, batch 8, no shuffling, from
               given initial weights: per-epoch mean loss and final weights.
  losses       the Keras clipped binary cross-entropy and mse of fixed values.
Inputs are stored next to the results, so the C tests need no RNG to agree.
Run: /usr/bin/python3 tests/reference/make_nn.py
"""
import json
import os

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
torch.set_num_threads(1)
EPS = 1e-7  # Keras's backend epsilon


def f32(a):
    return [float(v) for v in np.asarray(a, dtype=np.float32).ravel()]


def keras_bce(p, t):
    """keras.backend.binary_crossentropy on probabilities, averaged."""
    p = torch.clamp(p, EPS, 1 - EPS)
    return -(t * torch.log(p + EPS) + (1 - t) * torch.log(1 - p + EPS)).mean()


def optimizer_cases():
    rng = np.random.RandomState(7)
    w0 = rng.uniform(-1, 1, 6).astype(np.float32)
    grads = rng.normal(0, 0.5, (3, 6)).astype(np.float32)
    cases = [
        ("sgd", {"learning_rate": 0.1}, lambda p: torch.optim.SGD(p, lr=0.1)),
        ("sgd", {"learning_rate": 0.1, "momentum": 0.9},
         lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
        ("sgd", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True},
         lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True)),
        ("adam", {"learning_rate": 0.01},
         lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.9, 0.999), eps=1e-7)),
        ("rmsprop", {"learning_rate": 0.01},
         lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-7)),
        ("rmsprop", {"learning_rate": 0.01, "momentum": 0.5},
         lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-7, momentum=0.5)),
    ]
    out = []
    for kind, params, make in cases:
        if kind == "adam":
            out.append(keras_adam(w0, grads, params, make))
            continue
        w = torch.tensor(w0.copy(), requires_grad=True)
        opt = make([w])
        steps = []
        for g in grads:
            w.grad = torch.tensor(g)
            opt.step()
            steps.append(f32(w.detach().numpy()))
        out.append({"kind": kind, "params": params, "steps": steps})
    return {"w0": f32(w0), "grads": [f32(g) for g in grads], "cases": out}


def keras_adam(w0, grads, params, make):
    """Keras's Adam: w -= lr sqrt(1 - b2^t) / (1 - b1^t) m / (sqrt(v) + eps)."""
    lr, b1, b2, eps = params["learning_rate"], 0.9, 0.999, 1e-7
    w, m, v = w0.astype(np.float64), np.zeros(len(w0)), np.zeros(len(w0))
    wt = torch.tensor(w0.copy(), requires_grad=True)
    opt = make([wt])
    steps, torch_gap = [], 0.0
    for t, g in enumerate(grads, 1):
        m += (1 - b1) * (g - m)
        v += (1 - b2) * (g.astype(np.float64) ** 2 - v)
        w = w - lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t) * m / (np.sqrt(v) + eps)
        steps.append(f32(w))
        wt.grad = torch.tensor(g)
        opt.step()
        torch_gap = max(torch_gap, float(np.abs(wt.detach().numpy() - w).max()))
    return {"kind": "adam", "params": params, "steps": steps, "torch_max_gap": torch_gap}


def glorot(rng, fan_in, fan_out):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)


def stacked_case():
    rng = np.random.RandomState(3)
    sizes = [12, 5, 3, 5, 12]
    x = rng.uniform(0, 1, (32, 12)).astype(np.float32)
    x[x < 0.3] = 0  # like images: many exact zeros
    kernels = [glorot(rng, a, b) for a, b in zip(sizes[:-1], sizes[1:])]
    biases = [rng.uniform(-0.1, 0.1, b).astype(np.float32) for b in sizes[1:]]
    layers = []
    for k, b in zip(kernels, biases):
        lin = torch.nn.Linear(k.shape[0], k.shape[1])
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(k.T))
            lin.bias.copy_(torch.tensor(b))
        layers.append(lin)
    acts = [torch.nn.SELU(), torch.nn.SELU(), torch.nn.SELU(), torch.nn.Sigmoid()]
    model = torch.nn.Sequential(*[m for pair in zip(layers, acts) for m in pair])
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    xt = torch.tensor(x)
    losses, accuracies = [], []
    for epoch in range(3):
        total, hits, count = 0.0, 0.0, 0
        for start in range(0, 32, 8):
            xb = xt[start:start + 8]
            y = model(xb)
            loss = keras_bce(y, xb)
            total += float(loss) * xb.numel()
            hits += float((torch.round(xb) == (torch.round(y) > 0.5).float()).float().sum())
            count += xb.numel()
            opt.zero_grad()
            loss.backward()
            opt.step()
        losses.append(total / count)
        accuracies.append(hits / count)
    final = []
    for lin in layers:
        final += f32(lin.weight.detach().numpy().T) + f32(lin.bias.detach().numpy())
    initial = []
    for k, b in zip(kernels, biases):
        initial += f32(k) + f32(b)
    return {"x": f32(x), "rows": 32, "cols": 12, "initial": initial, "losses": losses,
            "rounded_accuracy": accuracies, "final": final}


def loss_cases():
    rng = np.random.RandomState(5)
    y = rng.uniform(0, 1, 20).astype(np.float32)
    y[0], y[1] = 0.0, 1.0  # clipped ends
    t = rng.uniform(0, 1, 20).astype(np.float32)
    yt = torch.tensor(y, requires_grad=True)
    bce = keras_bce(yt, torch.tensor(t))
    bce.backward()
    return {"y": f32(y), "t": f32(t), "bce": float(bce), "bce_grad": f32(yt.grad.numpy()),
            "mse": float(np.mean((y.astype(np.float64) - t) ** 2))}


out = {"torch_version": torch.__version__, "optimizers": optimizer_cases(),
       "stacked": stacked_case(), "losses": loss_cases()}
with open(os.path.join(HERE, "nn.json"), "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
