#!/usr/bin/python3
"""Fashion-MNIST loaded as keras.datasets.fashion_mnist.load_data() reads it
(gzip, np.frombuffer) and prepared as the lecture does: float32 / 255, the
last 5000 training images as the validation split."""
import gzip

import numpy as np

DIR = "/usr/share/datasets/fashion-mnist"


def load(prefix):
    with gzip.open(f"{DIR}/{prefix}-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)
    with gzip.open(f"{DIR}/{prefix}-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)
    return images, labels


(X_train_full, y_train_full), (X_test, y_test) = load("train"), load("t10k")
X_train_full = X_train_full.astype(np.float32) / 255
X_test = X_test.astype(np.float32) / 255
X_train, X_valid = X_train_full[:-5000], X_train_full[-5000:]
y_train, y_valid = y_train_full[:-5000], y_train_full[-5000:]
