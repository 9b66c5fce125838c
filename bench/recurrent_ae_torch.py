#!/usr/bin/python3
"""The lecture's recurrent autoencoder (LSTM(100, seq) -> LSTM(30) /
RepeatVector(28) -> LSTM(100, seq) -> TimeDistributed(Dense(28, sigmoid)),
Keras's clipped binary cross-entropy, SGD lr 0.1, batch 32) in Debian's
PyTorch with Keras's initialisers (tests/reference/rnn_torch.py), trained on
Fashion-MNIST as the lecture splits it.

usage: recurrent_ae_torch.py EPOCHS [THREADS] [TRAIN_ROWS] [SEED] [VALID_SIZE]
Prints one JSON line per epoch: seconds (training plus validation, as
Keras's and latent's epoch times), train and validation loss and rounded
accuracy. Run it with OPENBLAS_NUM_THREADS=1: PyTorch's own threads and
OpenBLAS's would otherwise fight over the cores.
"""
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "reference"))
import rnn_torch as rt  # noqa: E402


def main():
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    train_rows = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 42
    valid_size = int(sys.argv[5]) if len(sys.argv) > 5 else 5000
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    x_train, x_valid = (torch.tensor(a) for a in rt.fashion_mnist(valid_size, train_rows))
    # One stream for the initial weights and then the shuffles, as latent's.
    rng = np.random.RandomState(seed)
    model = rt.RecurrentAE(rng)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        loss, acc = rt.train_epoch(model, opt, x_train, rng)
        val_loss, val_acc = rt.evaluate(model, x_valid)
        print(json.dumps({"epoch": epoch, "seconds": round(time.perf_counter() - t0, 3),
                          "loss": loss, "rounded_accuracy": acc, "val_loss": val_loss,
                          "val_rounded_accuracy": val_acc}), flush=True)


main()
