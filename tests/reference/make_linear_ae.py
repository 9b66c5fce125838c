#!/usr/bin/python3
"""The lecture's linear autoencoder ("Back to Autoencoders: Linear
Autoencoders") in Debian's PyTorch, set up as Keras sets it up, for the
bounds in pipelines/linear_ae.yaml and linear_ae_converged.yaml and the
trajectory test of the autoencoder stage.

Data: generate_3d_data(60) after np.random.seed(4), centred. Model:
Dense(2) -> Dense(3), no activation, Keras's defaults (glorot_uniform
kernels, zero biases); loss mse; SGD(learning_rate=1.5); fit(..., epochs=20)
with Keras's batch_size 32 and a new shuffle every epoch.

Writes tests/reference/linear_ae.json:
  data, pca_reconstruction_mse    the data and PCA's optimum (k = 2)
  seeds                           over SEEDS initialisations and shuffles:
                                  quantiles of the largest principal angle
                                  between the decoder's span and the PCA
                                  plane (degrees) and of the reconstruction
                                  mse after 20 epochs, and how many diverged
  converged                       the same trained to convergence: full-batch
                                  gradient descent (batch_size 60), lr 1.0,
                                  2000 epochs (at lr 1.5 with batches of 32 the
                                  minibatch noise keeps the angle near 1 degree
                                  even after 500 epochs; full batches at 1.5
                                  diverge for some seeds)
  trajectory                      one run from stored initial weights without
                                  shuffling: per-epoch losses, final weights,
                                  angle and mse (the C test repeats it)
Run: /usr/bin/python3 tests/reference/make_linear_ae.py
"""
import json
import math
import os

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
torch.set_num_threads(1)
SEEDS = 200
CONVERGED_SEEDS = 50


def generate_3d_data(m, w1=0.1, w2=0.3, noise=0.1):
    angles = np.random.rand(m) * 3 * np.pi / 2 - 0.5
    data = np.empty((m, 3))
    data[:, 0] = np.cos(angles) + np.sin(angles) / 2 + noise * np.random.randn(m) / 2
    data[:, 1] = np.sin(angles) * 0.7 + noise * np.random.randn(m) / 2
    data[:, 2] = data[:, 0] * w1 + data[:, 1] * w2 + noise * np.random.randn(m)
    return data


np.random.seed(4)
X = generate_3d_data(60)
X = X - X.mean(axis=0, keepdims=0)
Xf = X.astype(np.float32)

# PCA's optimum for k = 2: the top-2 right singular vectors.
_, s, Vt = np.linalg.svd(X, full_matrices=False)
P = Vt[:2]
pca_mse = float(np.mean((X - X @ P.T @ P) ** 2))


def largest_angle(decoder_kernel):
    """Largest principal angle (degrees) between the span of the decoder's
    kernel rows (Keras layout [2, 3]) and the PCA plane."""
    q, _ = np.linalg.qr(np.asarray(decoder_kernel, dtype=np.float64).T)
    sv = np.linalg.svd(q.T @ P.T, compute_uv=False)
    return math.degrees(math.acos(min(1.0, sv.min())))


def glorot(rng, fan_in, fan_out):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)


def train(kernels, epochs, shuffle_rng=None, batch=32, lr=1.5):
    """Keras's fit on the Sequential model; returns per-epoch mean losses,
    the final kernels and biases (Keras layout) and the final mse."""
    enc, dec = torch.nn.Linear(3, 2), torch.nn.Linear(2, 3)
    with torch.no_grad():
        for lin, k in ((enc, kernels[0]), (dec, kernels[1])):
            lin.weight.copy_(torch.tensor(k.T))
            lin.bias.zero_()
    model = torch.nn.Sequential(enc, dec)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    xt = torch.tensor(Xf)
    losses = []
    for _ in range(epochs):
        order = shuffle_rng.permutation(60) if shuffle_rng is not None else np.arange(60)
        total = 0.0
        for start in range(0, 60, batch):
            xb = xt[order[start:start + batch]]
            loss = torch.mean((model(xb) - xb) ** 2)
            total += float(loss) * xb.numel()
            opt.zero_grad()
            loss.backward()
            opt.step()
        losses.append(total / Xf.size)
    with torch.no_grad():
        mse = float(torch.mean((model(xt) - xt) ** 2))
    weights = [enc.weight.detach().numpy().T.copy(), enc.bias.detach().numpy().copy(),
               dec.weight.detach().numpy().T.copy(), dec.bias.detach().numpy().copy()]
    return losses, weights, mse


def over_seeds(runs, epochs, batch=32, lr=1.5):
    angles, mses, diverged = [], [], 0
    for seed in range(runs):
        rng = np.random.RandomState(seed)
        kernels = [glorot(rng, 3, 2), glorot(rng, 2, 3)]
        losses, w, mse = train(kernels, epochs, rng, batch, lr)
        if not all(math.isfinite(v) for v in losses) or not math.isfinite(mse):
            diverged += 1
            continue
        angles.append(largest_angle(w[2]))
        mses.append(mse)
    q = [0.05, 0.25, 0.5, 0.75, 0.95]
    return {"epochs": epochs, "batch_size": batch, "learning_rate": lr, "runs": runs,
            "diverged": diverged,
            "quantiles": q,
            "angle_quantiles": np.quantile(angles, q).tolist(),
            "angle_max": max(angles),
            "mse_quantiles": np.quantile(mses, q).tolist(),
            "mse_max": max(mses)}


def trajectory():
    rng = np.random.RandomState(42)
    kernels = [glorot(rng, 3, 2), glorot(rng, 2, 3)]
    losses, w, mse = train(kernels, 20)
    flat = lambda arrays: [float(v) for a in arrays for v in np.asarray(a).ravel()]
    return {"initial": flat([kernels[0], np.zeros(2), kernels[1], np.zeros(3)]),
            "losses": losses, "final": flat(w), "mse": mse,
            "angle": largest_angle(w[2])}


out = {"torch_version": torch.__version__, "data": X.tolist(),
       "pca_reconstruction_mse": pca_mse,
       "seeds": over_seeds(SEEDS, 20),
       "converged": over_seeds(CONVERGED_SEEDS, 2000, batch=60, lr=1.0),
       "trajectory": trajectory()}
with open(os.path.join(HERE, "linear_ae.json"), "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print(json.dumps({k: out[k] for k in ("pca_reconstruction_mse", "seeds", "converged")}, indent=1))
print("trajectory", out["trajectory"]["losses"][-1], out["trajectory"]["angle"], out["trajectory"]["mse"])
