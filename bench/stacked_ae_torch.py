#!/usr/bin/python3
"""The lecture's stacked autoencoder (784-100-30-100-784, selu, sigmoid
output, Keras's clipped binary cross-entropy, SGD lr 1.5, batch 32) in
Debian's PyTorch, trained on Fashion-MNIST as the lecture splits it (the last
5000 training images for validation), with Keras's initialisation
(glorot_uniform kernels, zero biases) and a new shuffle every epoch.

usage: stacked_ae_torch.py EPOCHS [THREADS] [TRAIN_ROWS]
Prints one JSON line per epoch: wall and CPU seconds (all threads), loss,
val_loss, val rounded accuracy; then the peak resident memory. Run it with OPENBLAS_NUM_THREADS=1:
PyTorch's own threads and OpenBLAS's would otherwise fight over the cores.
"""
import gzip
import json
import resource
import sys
import time

import numpy as np
import torch

EPS = 1e-7
ROOT = "/usr/share/datasets/fashion-mnist"


def idx_images(name):
    with gzip.open(f"{ROOT}/{name}", "rb") as f:
        data = f.read()
    n, rows, cols = (int.from_bytes(data[i:i + 4], "big") for i in (4, 8, 12))
    return np.frombuffer(data, np.uint8, offset=16).reshape(n, rows * cols)


def keras_bce(p, t):
    p = torch.clamp(p, EPS, 1 - EPS)
    return -(t * torch.log(p + EPS) + (1 - t) * torch.log(1 - p + EPS)).mean()


def rounded_accuracy(p, t):
    return float((torch.round(t) == (torch.round(p) > 0.5).float()).float().mean())


def glorot_(linear):
    torch.nn.init.xavier_uniform_(linear.weight)
    torch.nn.init.zeros_(linear.bias)
    return linear


def main():
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    train_rows = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    torch.set_num_threads(threads)
    torch.manual_seed(42)
    rng = np.random.RandomState(42)
    x_full = idx_images("train-images-idx3-ubyte.gz").astype(np.float32) / 255
    x_train, x_valid = torch.tensor(x_full[:-5000]), torch.tensor(x_full[-5000:])
    if train_rows:
        x_train = x_train[:train_rows]
    sizes = [784, 100, 30, 100, 784]
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [glorot_(torch.nn.Linear(a, b)), torch.nn.SELU()]
    layers[-1] = torch.nn.Sigmoid()
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=1.5)
    n = len(x_train)
    for epoch in range(1, epochs + 1):
        t0, c0 = time.perf_counter(), time.process_time()
        order = torch.tensor(rng.permutation(n))
        total = 0.0
        for start in range(0, n, 32):
            xb = x_train[order[start:start + 32]]
            loss = keras_bce(model(xb), xb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss) * len(xb)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        with torch.no_grad():
            p = torch.cat([model(x_valid[i:i + 32]) for i in range(0, len(x_valid), 32)])
            val_loss, val_acc = float(keras_bce(p, x_valid)), rounded_accuracy(p, x_valid)
        print(json.dumps({"epoch": epoch, "seconds": seconds, "cpu_seconds": cpu, "loss": total / n,
                          "val_loss": val_loss, "val_rounded_accuracy": val_acc}), flush=True)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"peak_rss_mb": peak_mb}))


main()
