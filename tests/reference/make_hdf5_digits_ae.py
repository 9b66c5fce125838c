#!/usr/bin/python3
"""Bounds for the autoencoder of pipelines/hdf5_digits.yaml, which shows a
valid split (split's valid_size) driving val_loss and early stopping on
data that has no valid split of its own.

Data: pipelines/data/digits.h5 (written by make_hdf5_digits.py), split as
the pipeline splits it (train_test_split twice, random_state 0), scaled by
MinMaxScaler fitted on train. Model, in Debian's PyTorch set up as Keras
sets it up: Flatten, Dense(16, selu) / Dense(64, sigmoid), Reshape(8, 8);
glorot_uniform kernels, zero biases; Keras's clipped binary cross-entropy;
SGD(learning_rate=1.0); batches of 32, a new shuffle every epoch; at most
EPOCHS epochs with EarlyStopping(monitor='val_loss', patience=PATIENCE).

Writes tests/reference/hdf5_digits_ae.json: each of SEEDS initialisations'
first and final val_loss and epochs run, and the pipeline's bounds: the
range of the SEEDS runs widened by that range on either side.
Run: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tests/reference/make_hdf5_digits_ae.py"""
import json
import math
import os

import h5py
import numpy as np
import torch
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import MinMaxScaler

HERE = os.path.dirname(os.path.abspath(__file__))
H5 = os.path.join(HERE, "..", "..", "pipelines", "data", "digits.h5")
EPOCHS = 10
PATIENCE = 2
BATCH = 32
SEEDS = 20
EPS = 1e-7  # Keras's backend epsilon
torch.set_num_threads(1)


def keras_bce(p, t):
    p = torch.clamp(p, EPS, 1 - EPS)
    return -(t * torch.log(p + EPS) + (1 - t) * torch.log(1 - p + EPS)).mean()


def glorot_linear(fan_in, fan_out):
    lin = torch.nn.Linear(fan_in, fan_out)
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        lin.weight.uniform_(-limit, limit)
        lin.bias.zero_()
    return lin


def fit(x, vx, seed):
    torch.manual_seed(seed)
    net = torch.nn.Sequential(glorot_linear(64, 16), torch.nn.SELU(),
                              glorot_linear(16, 64), torch.nn.Sigmoid())
    opt = torch.optim.SGD(net.parameters(), lr=1.0)
    n = x.shape[0]
    history, best, waited = [], math.inf, 0
    for _ in range(EPOCHS):
        order = torch.randperm(n)
        for start in range(0, n, BATCH):
            xb = x[order[start:start + BATCH]]
            loss = keras_bce(net(xb), xb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        with torch.no_grad():
            history.append(float(keras_bce(net(vx), vx)))
        if history[-1] < best:
            best, waited = history[-1], 0
        else:
            waited += 1
            if waited >= PATIENCE:
                break
    return {"first_val_loss": history[0], "val_loss": history[-1], "epochs_run": len(history)}


def bounds(values):
    lo, hi = min(values), max(values)
    return {"min": round(lo - (hi - lo), 4), "max": round(hi + (hi - lo), 4)}


def main():
    with h5py.File(H5, "r") as f:
        X = f["digits/images"][()].reshape(-1, 64).astype(np.float64)
    n = len(X)
    rest, test = train_test_split(np.arange(n), test_size=0.2, random_state=0)
    train, valid = train_test_split(rest, test_size=math.ceil(0.2 * n), random_state=0)
    scaler = MinMaxScaler().fit(X[train])
    x = torch.tensor(scaler.transform(X[train]), dtype=torch.float32)
    vx = torch.tensor(scaler.transform(X[valid]), dtype=torch.float32)
    runs = [fit(x, vx, seed) for seed in range(SEEDS)]
    out = {"generator": "tests/reference/make_hdf5_digits_ae.py", "torch": torch.__version__,
           "epochs": EPOCHS, "patience": PATIENCE, "batch_size": BATCH, "seeds": SEEDS, "runs": runs,
           "bounds": {"first_val_loss": bounds([r["first_val_loss"] for r in runs]),
                      "val_loss": bounds([r["val_loss"] for r in runs]),
                      "epochs_run": [min(r["epochs_run"] for r in runs), max(r["epochs_run"] for r in runs)]}}
    print(json.dumps(out["bounds"]))
    with open(os.path.join(HERE, "hdf5_digits_ae.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
