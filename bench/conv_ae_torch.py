#!/usr/bin/python3
"""The lecture's convolutional autoencoder in Debian's PyTorch, trained on
Fashion-MNIST as the lecture splits it (the last 5000 training images for
validation), set up as Keras would: glorot_uniform kernels, zero biases,
Keras's clipped binary cross-entropy, SGD lr 1.0, batch 32, a new shuffle
every epoch.

  encoder  Conv2d 1->16, 16->32, 32->64 (3x3, padding 1 = Keras's "same" at
           stride 1), SELU, each followed by MaxPool2d(2)   28 -> 14 -> 7 -> 3
  decoder  ConvTranspose2d 64->32 (3x3, stride 2, no padding: "valid")  3 -> 7
           ConvTranspose2d 32->16 and 16->1 (3x3, stride 2, padding 1,
           output_padding 1)                                   7 -> 14 -> 28
           SELU, SELU, sigmoid
PyTorch's "same" transposed layers crop the full 15 x 15 (29 x 29) output
one pixel from the top left, TensorFlow's one from the bottom right: the
same model up to a one-pixel shift of where each kernel lands, with the same
parameters (23,296 + 23,233) and FLOPs.

usage: conv_ae_torch.py EPOCHS [THREADS] [TRAIN_ROWS] [SEED]
Prints one JSON line per epoch: wall and CPU seconds of the epoch's
training, loss, val_loss, val rounded accuracy; then the peak resident
memory. Run it with OPENBLAS_NUM_THREADS=1: PyTorch's own threads and
OpenBLAS's would otherwise fight over the cores.
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
    return np.frombuffer(data, np.uint8, offset=16).reshape(n, 1, rows, cols)


def keras_bce(p, t):
    p = torch.clamp(p, EPS, 1 - EPS)
    return -(t * torch.log(p + EPS) + (1 - t) * torch.log(1 - p + EPS)).mean()


def rounded_accuracy(p, t):
    return float((torch.round(t) == (torch.round(p) > 0.5).float()).float().mean())


def keras_init(layer):
    torch.nn.init.xavier_uniform_(layer.weight)
    torch.nn.init.zeros_(layer.bias)
    return layer


def model():
    nn = torch.nn
    return nn.Sequential(
        keras_init(nn.Conv2d(1, 16, 3, padding=1)), nn.SELU(), nn.MaxPool2d(2),
        keras_init(nn.Conv2d(16, 32, 3, padding=1)), nn.SELU(), nn.MaxPool2d(2),
        keras_init(nn.Conv2d(32, 64, 3, padding=1)), nn.SELU(), nn.MaxPool2d(2),
        keras_init(nn.ConvTranspose2d(64, 32, 3, stride=2)), nn.SELU(),
        keras_init(nn.ConvTranspose2d(32, 16, 3, stride=2, padding=1, output_padding=1)),
        nn.SELU(),
        keras_init(nn.ConvTranspose2d(16, 1, 3, stride=2, padding=1, output_padding=1)),
        nn.Sigmoid())


def main():
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    train_rows = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 42
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    rng = np.random.RandomState(seed)
    x_full = idx_images("train-images-idx3-ubyte.gz").astype(np.float32) / 255
    x_train, x_valid = torch.tensor(x_full[:-5000]), torch.tensor(x_full[-5000:])
    if train_rows:
        x_train = x_train[:train_rows]
    net = model()
    opt = torch.optim.SGD(net.parameters(), lr=1.0)
    n = len(x_train)
    for epoch in range(1, epochs + 1):
        t0, c0 = time.perf_counter(), time.process_time()
        order = torch.tensor(rng.permutation(n))
        total = 0.0
        for start in range(0, n, 32):
            xb = x_train[order[start:start + 32]]
            loss = keras_bce(net(xb), xb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss) * len(xb)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        with torch.no_grad():
            p = torch.cat([net(x_valid[i:i + 32]) for i in range(0, len(x_valid), 32)])
            val_loss, val_acc = float(keras_bce(p, x_valid)), rounded_accuracy(p, x_valid)
        print(json.dumps({"epoch": epoch, "seconds": seconds, "cpu_seconds": cpu,
                          "loss": total / n, "val_loss": val_loss,
                          "val_rounded_accuracy": val_acc}), flush=True)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"peak_rss_mb": peak_mb}))


main()
