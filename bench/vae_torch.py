#!/usr/bin/python3
"""Variational autoencoders of pipelines/vae_*.yaml in Debian's PyTorch, set
up as Keras (and latent) set them up: glorot_uniform kernels, zero biases,
Keras's clipped binary cross-entropy, Fashion-MNIST split as the lecture
splits it (the last 5000 training images for validation).

  dense  Geron's (Hands-on ML ch. 17): 784 -> 150 -> 100 selu -> mean, log_var
         (LATENT each) -> 100 -> 150 selu -> 784 sigmoid; per-pixel mean BCE +
         KL / 784 (reduction mean); torch.optim.NAdam, lr 0.001; batch 128
  conv   the Keras VAE example's: Conv2d 1->32 and 32->64, 3x3 stride 2
         (padding 1: TF's "same" up to a one-pixel shift), relu; dense 16 relu
         -> mean, log_var (2 each) -> dense 7*7*64 relu; ConvTranspose2d
         64->64 and 64->32 (3x3, stride 2, padding 1, output_padding 1), relu;
         ConvTranspose2d 32->1 (3x3, padding 1), sigmoid; BCE summed over the
         pixels + KL, averaged over the batch (reduction sum); Adam
         (eps 1e-7 as Keras), lr 0.001; batch 128
eps ~ N(0, I) in training and evaluation (the ELBO's estimate), a new shuffle
every epoch.

usage: vae_torch.py MODEL EPOCHS [THREADS] [TRAIN_ROWS] [SEED] [LATENT]
Prints one JSON line per epoch (seconds of training, and with the
validation pass, loss,
reconstruction_loss, kl_loss and their val_ values), then one with the final
validation ELBO (nats per image) and rounded accuracy, then the peak memory.
Run it with OPENBLAS_NUM_THREADS=1.
"""
import gzip
import json
import math
import resource
import sys
import time

import numpy as np
import torch

EPS = 1e-7
ROOT = "/usr/share/datasets/fashion-mnist"
nn = torch.nn


def idx_images(name):
    with gzip.open(f"{ROOT}/{name}", "rb") as f:
        data = f.read()
    n, rows, cols = (int.from_bytes(data[i:i + 4], "big") for i in (4, 8, 12))
    return np.frombuffer(data, np.uint8, offset=16).reshape(n, rows, cols)


def keras_init(layer):
    nn.init.xavier_uniform_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


class VAE(nn.Module):
    def __init__(self, kind, latent):
        super().__init__()
        self.kind = kind
        if kind == "dense":
            self.enc = nn.Sequential(nn.Flatten(), keras_init(nn.Linear(784, 150)), nn.SELU(),
                                     keras_init(nn.Linear(150, 100)), nn.SELU())
            hidden = 100
            self.dec = nn.Sequential(keras_init(nn.Linear(latent, 100)), nn.SELU(),
                                     keras_init(nn.Linear(100, 150)), nn.SELU(),
                                     keras_init(nn.Linear(150, 784)), nn.Sigmoid(),
                                     nn.Unflatten(1, (28, 28)))
        else:
            self.enc = nn.Sequential(nn.Unflatten(1, (1, 28)),
                                     keras_init(nn.Conv2d(1, 32, 3, stride=2, padding=1)),
                                     nn.ReLU(),
                                     keras_init(nn.Conv2d(32, 64, 3, stride=2, padding=1)),
                                     nn.ReLU(), nn.Flatten(),
                                     keras_init(nn.Linear(7 * 7 * 64, 16)), nn.ReLU())
            hidden = 16
            self.dec = nn.Sequential(
                keras_init(nn.Linear(latent, 7 * 7 * 64)), nn.ReLU(), nn.Unflatten(1, (64, 7, 7)),
                keras_init(nn.ConvTranspose2d(64, 64, 3, stride=2, padding=1, output_padding=1)),
                nn.ReLU(),
                keras_init(nn.ConvTranspose2d(64, 32, 3, stride=2, padding=1, output_padding=1)),
                nn.ReLU(),
                keras_init(nn.ConvTranspose2d(32, 1, 3, padding=1)), nn.Sigmoid(),
                nn.Flatten(1, 2))
        self.mean = keras_init(nn.Linear(hidden, latent))
        self.log_var = keras_init(nn.Linear(hidden, latent))

    def forward(self, x):
        if self.kind == "conv":
            x = x.unsqueeze(1) if x.dim() == 3 else x
        h = self.enc(x.squeeze(1) if self.kind == "dense" else x.squeeze(1))
        mean, log_var = self.mean(h), self.log_var(h)
        z = mean + torch.exp(0.5 * log_var) * torch.randn_like(mean)
        return self.dec(z).reshape(x.shape[0], 28, 28), mean, log_var


def losses(model, x, reduction):
    y, mean, log_var = model(x)
    p = torch.clamp(y, EPS, 1 - EPS)
    terms = -(x * torch.log(p + EPS) + (1 - x) * torch.log(1 - p + EPS))
    kl = -0.5 * torch.sum(1 + log_var - torch.exp(log_var) - mean ** 2, dim=1)
    per_image = terms.sum(dim=(1, 2))
    if reduction == "mean":
        recon, kl_term = terms.mean(), kl.mean() / 784
    else:
        recon, kl_term = per_image.mean(), kl.mean()
    acc = (torch.round(x) == (torch.round(y) > 0.5).float()).float().mean()
    return recon + kl_term, recon, kl_term, per_image.mean() + kl.mean(), acc


def evaluate(model, x, reduction):
    sums = np.zeros(5)
    with torch.no_grad():
        for i in range(0, len(x), 128):
            xb = x[i:i + 128]
            sums += np.array([float(v) for v in losses(model, xb, reduction)]) * len(xb)
    return sums / len(x)


def main():
    kind = sys.argv[1]
    epochs = int(sys.argv[2])
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    train_rows = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    seed = int(sys.argv[5]) if len(sys.argv) > 5 else 42
    latent = int(sys.argv[6]) if len(sys.argv) > 6 else (10 if kind == "dense" else 2)
    reduction = "mean" if kind == "dense" else "sum"
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    rng = np.random.RandomState(seed)
    x_full = idx_images("train-images-idx3-ubyte.gz").astype(np.float32) / 255
    x_train, x_valid = torch.tensor(x_full[:-5000]), torch.tensor(x_full[-5000:])
    if train_rows:
        x_train = x_train[:train_rows]
    model = VAE(kind, latent)
    if kind == "dense":
        opt = torch.optim.NAdam(model.parameters(), lr=0.001, foreach=True)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=0.001, eps=1e-7)
    n = len(x_train)
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        order = torch.tensor(rng.permutation(n))
        sums = np.zeros(3)
        for start in range(0, n, 128):
            xb = x_train[order[start:start + 128]]
            loss, recon, kl, _, _ = losses(model, xb, reduction)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sums += np.array([float(loss), float(recon), float(kl)]) * len(xb)
        seconds = time.perf_counter() - t0
        v = evaluate(model, x_valid, reduction)
        with_valid = time.perf_counter() - t0
        t = sums / n
        print(json.dumps({"epoch": epoch, "seconds": seconds,
                          "seconds_with_valid": with_valid, "loss": t[0],
                          "reconstruction_loss": t[1], "kl_loss": t[2], "val_loss": v[0],
                          "val_reconstruction_loss": v[1], "val_kl_loss": v[2]}), flush=True)
    v = evaluate(model, x_valid, reduction)
    print(json.dumps({"val_elbo_nats": -v[3], "val_rounded_accuracy": v[4]}))
    print(json.dumps({"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


main()
