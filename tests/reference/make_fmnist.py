#!/usr/bin/python3
"""Reference numbers for dataset.fashion_mnist, plot.reconstructions and
pipelines/fashion_pca.yaml, from Debian's dataset-fashion-mnist files.

Reads the four IDX files the way keras.datasets.fashion_mnist.load_data()
does (gzip, skip the 16- or 8-byte header, np.frombuffer) and prepares them
as the lecture does:
    X_train_full = X_train_full.astype(np.float32) / 255
    X_train, X_valid = X_train_full[:-5000], X_train_full[-5000:]
For each split it writes the SHA-256 of the float32 pixels (little-endian,
row-major) and of the labels (one byte each), the pixel sum, the class
counts and a few pixel values; then PCA(n_components=0.95) of the first
10000 training images (float64, as latent fits) with what the pipeline
checks. Run: /usr/bin/python3 tests/reference/make_fmnist.py > tests/reference/fmnist.json
"""
import gzip
import hashlib
import json
import sys

import numpy as np
from sklearn.decomposition import PCA

DIR = "/usr/share/datasets/fashion-mnist"


def load(prefix):
    with gzip.open(f"{DIR}/{prefix}-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)
    with gzip.open(f"{DIR}/{prefix}-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)
    return images, labels


def describe(x, y, rng):
    flat = x.reshape(len(x), -1)
    rows, cols = np.nonzero(flat)
    pick = rng.choice(len(rows), 6, replace=False)
    pixels = [[int(rows[k]), int(cols[k]), float(flat[rows[k], cols[k]])] for k in pick]
    pixels.append([len(x) - 1, 783, float(flat[-1, 783])])
    return {
        "rows": len(x),
        "pixels_sha256": hashlib.sha256(flat.astype("<f4").tobytes()).hexdigest(),
        "labels_sha256": hashlib.sha256(y.astype(np.uint8).tobytes()).hexdigest(),
        "pixel_sum": float(flat.sum(dtype=np.float64)),
        "class_counts": np.bincount(y, minlength=10).tolist(),
        "pixels": pixels,  # [row, column, value]: value is the float32 exactly
    }


(X_train_full, y_train_full), (X_test, y_test) = load("train"), load("t10k")
X_train_full = X_train_full.astype(np.float32) / 255
X_test = X_test.astype(np.float32) / 255
assert X_train_full.dtype == np.float32
X_train, X_valid = X_train_full[:-5000], X_train_full[-5000:]
y_train, y_valid = y_train_full[:-5000], y_train_full[-5000:]

rng = np.random.RandomState(0)
out = {
    "train": describe(X_train, y_train, rng),
    "valid": describe(X_valid, y_valid, rng),
    "test": describe(X_test, y_test, rng),
    "train_10000": describe(X_train[:10000], y_train[:10000], rng),
}

# pipelines/fashion_pca.yaml: PCA keeping 95% of the variance of the first
# 10000 training images, and the PCA reconstructions of the first 5
# validation images (plot.reconstructions reports their mean squared errors).
X = X_train[:10000].reshape(10000, -1).astype(np.float64)
pca = PCA(n_components=0.95).fit(X)
rec = pca.inverse_transform(pca.transform(X))
V = X_valid[:5].reshape(5, -1).astype(np.float64)
V_rec = pca.inverse_transform(pca.transform(V))
pca32 = PCA(n_components=0.95).fit(X_train[:10000].reshape(10000, -1))
out["pca95"] = {
    "n_components": int(pca.n_components_),
    "n_components_float32_fit": int(pca32.n_components_),
    "explained_variance_ratio": pca.explained_variance_ratio_[:3].tolist(),
    "explained_variance_ratio_sum": float(pca.explained_variance_ratio_.sum()),
    "reconstruction_mse": float(((X - rec) ** 2).mean()),
    "valid_image_mse": ((V - V_rec) ** 2).mean(axis=1).tolist(),
}

json.dump(out, sys.stdout, indent=1)
print()
