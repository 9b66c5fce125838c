#!/usr/bin/python3
"""The lecture's stacked autoencoder on Fashion-MNIST in Debian's PyTorch,
set up as the lecture's Keras code sets it up, for the bounds in
pipelines/stacked_ae.yaml and stacked_ae_short.yaml.

Model: Flatten -> Dense(100, selu) -> Dense(30, selu) / Dense(100, selu) ->
Dense(784, sigmoid) -> Reshape(28, 28), glorot_uniform kernels and zero
biases; binary cross-entropy (Keras's, on probabilities: clipped to
[1e-7, 1 - 1e-7]); SGD(learning_rate=1.5); batch 32; a new shuffle each
epoch; rounded_accuracy. Data: the training file's last 5000 images are the
validation set, pixels / 255 as float32.

Writes tests/reference/stacked_ae.json:
  short  the test-suite variant (first 5000 training images, 3 epochs) over
         SEEDS initialisations: final val_loss and val rounded accuracy
  full   the lecture's 20 epochs on all 55000 images, one run: val_loss and
         val rounded accuracy per epoch
Run: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tests/reference/make_stacked_ae.py
(several minutes; the full run dominates)
"""
import gzip
import json
import os

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = "/usr/share/datasets/fashion-mnist"
EPS = 1e-7
SEEDS = 5


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


def model():
    sizes = [784, 100, 30, 100, 784]
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        lin = torch.nn.Linear(a, b)
        torch.nn.init.xavier_uniform_(lin.weight)
        torch.nn.init.zeros_(lin.bias)
        layers += [lin, torch.nn.SELU()]
    layers[-1] = torch.nn.Sigmoid()
    return torch.nn.Sequential(*layers)


def fit(x_train, x_valid, epochs, seed):
    torch.manual_seed(seed)
    rng = np.random.RandomState(seed)
    net = model()
    opt = torch.optim.SGD(net.parameters(), lr=1.5)
    history = []
    for _ in range(epochs):
        order = torch.tensor(rng.permutation(len(x_train)))
        for start in range(0, len(x_train), 32):
            xb = x_train[order[start:start + 32]]
            loss = keras_bce(net(xb), xb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        with torch.no_grad():
            p = torch.cat([net(x_valid[i:i + 32]) for i in range(0, len(x_valid), 32)])
        history.append({"val_loss": float(keras_bce(p, x_valid)),
                        "val_rounded_accuracy": rounded_accuracy(p, x_valid)})
    return history


def main():
    torch.set_num_threads(1)
    x = idx_images("train-images-idx3-ubyte.gz").astype(np.float32) / 255
    x_train, x_valid = torch.tensor(x[:-5000]), torch.tensor(x[-5000:])
    short = [fit(x_train[:5000], x_valid, 3, seed)[-1] for seed in range(SEEDS)]
    full = fit(x_train, x_valid, 20, 42)
    out = {"torch_version": torch.__version__,
           "short": {"train_rows": 5000, "epochs": 3, "runs": short},
           "full": {"epochs": 20, "history": full}}
    with open(os.path.join(HERE, "stacked_ae.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(json.dumps(out, indent=1))


main()
