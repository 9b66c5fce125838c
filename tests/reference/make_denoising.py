#!/usr/bin/python3
"""The lecture's denoising autoencoders ("Stacked denoising Autoencoder with
Gaussian noise", "And using dropout") in Debian's PyTorch, set up as Keras
sets them up, at the short settings of pipelines/denoising_gaussian.yaml and
pipelines/denoising_dropout.yaml, for their bounds.

Data: Fashion-MNIST as the lecture loads it (float32 / 255, the last 5000
training images as the validation split), training on the first TRAIN_ROWS
of the other 55000. Model: Flatten, GaussianNoise(0.2) or Dropout(0.5),
Dense(100, selu), Dense(30, selu) / Dense(100, selu), Dense(784, sigmoid),
Reshape(28, 28); glorot_uniform kernels, zero biases; Keras's clipped binary
cross-entropy; SGD(learning_rate=1.0); batches of 32, a new shuffle every
epoch; EPOCHS epochs. The noise acts while training only; validation runs
without it, as Keras's fit does.

Writes tests/reference/denoising.json: per variant the settings, each
seed's final training loss, val_loss and val_rounded_accuracy, and their
minimum, median and maximum over SEEDS initialisations and shuffles; and
the pipelines' bounds: the worst of the SEEDS runs widened by their range
(val_loss at most max + (max - min), val_rounded_accuracy at least
min - (max - min)), since SEEDS runs understate how far one run can land.
Run: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tests/reference/make_denoising.py
"""
import gzip
import json
import os
import statistics

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = "/usr/share/datasets/fashion-mnist"
TRAIN_ROWS = 10000
EPOCHS = 3
BATCH = 32
SEEDS = 20
EPS = 1e-7  # Keras's backend epsilon
torch.set_num_threads(1)


def load_images(prefix):
    with gzip.open(f"{DATA}/{prefix}-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)
    return images.astype(np.float32) / 255


def keras_bce(p, t):
    """keras.backend.binary_crossentropy on probabilities, averaged."""
    p = torch.clamp(p, EPS, 1 - EPS)
    return -(t * torch.log(p + EPS) + (1 - t) * torch.log(1 - p + EPS)).mean()


def rounded_accuracy_sum(y, t):
    return float((torch.round(t) == (torch.round(y) > 0.5).float()).float().sum())


class GaussianNoise(torch.nn.Module):
    """keras.layers.GaussianNoise: x + N(0, stddev^2) while training."""

    def __init__(self, stddev):
        super().__init__()
        self.stddev = stddev

    def forward(self, x):
        return x + self.stddev * torch.randn_like(x) if self.training else x


def glorot_linear(fan_in, fan_out):
    lin = torch.nn.Linear(fan_in, fan_out)
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        lin.weight.uniform_(-limit, limit)
        lin.bias.zero_()
    return lin


def model(noise):
    return torch.nn.Sequential(
        noise,
        glorot_linear(784, 100), torch.nn.SELU(),
        glorot_linear(100, 30), torch.nn.SELU(),
        glorot_linear(30, 100), torch.nn.SELU(),
        glorot_linear(100, 784), torch.nn.Sigmoid())


def evaluate(net, x):
    net.eval()
    with torch.no_grad():
        y = net(x)
        loss = float(keras_bce(y, x))
        acc = rounded_accuracy_sum(y, x) / x.numel()
    net.train()
    return loss, acc


def fit(make_noise, x, vx, seed, epochs=EPOCHS):
    """Keras's fit(x, x, epochs, validation_data=(vx, vx)); the last epoch's
    mean training loss and its validation loss and rounded accuracy."""
    torch.manual_seed(seed)
    net = model(make_noise())
    opt = torch.optim.SGD(net.parameters(), lr=1.0)
    n = x.shape[0]
    for _ in range(epochs):
        order = torch.randperm(n)
        total, count = 0.0, 0
        for start in range(0, n, BATCH):
            xb = x[order[start:start + BATCH]]
            loss = keras_bce(net(xb), xb)
            total += float(loss) * xb.numel()
            count += xb.numel()
            opt.zero_grad()
            loss.backward()
            opt.step()
        val_loss, val_acc = evaluate(net, vx)
    return {"loss": total / count, "val_loss": val_loss, "val_rounded_accuracy": val_acc}


def summary(runs, key):
    values = [r[key] for r in runs]
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def main():
    full = load_images("train")
    x = torch.tensor(full[:-5000][:TRAIN_ROWS])
    vx = torch.tensor(full[-5000:])
    variants = {
        "gaussian": ("GaussianNoise(0.2)", lambda: GaussianNoise(0.2)),
        "dropout": ("Dropout(0.5)", lambda: torch.nn.Dropout(0.5)),
    }
    out = {"train_rows": TRAIN_ROWS, "epochs": EPOCHS, "batch_size": BATCH, "seeds": SEEDS}
    for name, (label, make_noise) in variants.items():
        runs = [fit(make_noise, x, vx, seed) for seed in range(SEEDS)]
        out[name] = {"noise": label, "runs": runs,
                     **{key: summary(runs, key)
                        for key in ("loss", "val_loss", "val_rounded_accuracy")}}
        loss, acc = out[name]["val_loss"], out[name]["val_rounded_accuracy"]
        out[name]["bounds"] = {
            "val_loss_max": round(loss["max"] + (loss["max"] - loss["min"]), 4),
            "val_rounded_accuracy_min": round(acc["min"] - (acc["max"] - acc["min"]), 4)}
        print(name, json.dumps({k: out[name][k]
                                for k in ("val_loss", "val_rounded_accuracy", "bounds")}))
    with open(os.path.join(HERE, "denoising.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
