#!/usr/bin/python3
"""Data files for bad-input cases that a text editor cannot write:
  huge.npy                  values near 1e308, whose sums overflow (a
                            metric that comes out infinite)
  fmnist_no_trailer/        Fashion-MNIST-style IDX files whose images
                            .gz lacks its 8-byte trailer (gzip -t fails)
Run from anywhere: /usr/bin/python3 tests/bad/data/make_data.py"""
import gzip
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def idx(dims, data):
    head = bytes([0, 0, 8, len(dims)]) + b"".join(int(d).to_bytes(4, "big") for d in dims)
    return head + bytes(data)


def main():
    np.save(os.path.join(HERE, "huge.npy"), np.array([[1e308, 1.0], [1.5e308, 2.0], [1.7e308, 4.0]]))
    d = os.path.join(HERE, "fmnist_no_trailer")
    os.makedirs(d, exist_ok=True)
    images = gzip.compress(idx([2, 28, 28], [(7 * k) % 256 for k in range(2 * 28 * 28)]), mtime=0)
    with open(os.path.join(d, "train-images-idx3-ubyte.gz"), "wb") as f:
        f.write(images[:-8])
    with open(os.path.join(d, "train-labels-idx1-ubyte.gz"), "wb") as f:
        f.write(gzip.compress(idx([2], [3, 5]), mtime=0))


if __name__ == "__main__":
    main()
