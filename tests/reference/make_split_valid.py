#!/usr/bin/python3
"""Row indices of train, valid and test for split's valid_size, from two
train_test_split calls done as scikit-learn users do (Debian's
python3-sklearn): first the test rows off the whole data, then the valid
rows off what is left, with the same random_state, and n_valid =
ceil(valid_size * n) rows for a fraction (valid_size is a share of the
whole data) or valid_size itself for a count:

    rest, test = train_test_split(idx, test_size=test_size, random_state=r, stratify=y)
    train, valid = train_test_split(rest, test_size=n_valid, random_state=r, stratify=y[rest])

Writes split_valid.json. Run from anywhere: /usr/bin/python3 tests/reference/make_split_valid.py"""
import json
import math
import os

import numpy as np
import sklearn
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split


def case(n, test_size, valid_size, seed, labels=None, shuffle=True):
    idx = np.arange(n)
    strat = labels if labels is not None else None
    rest, test = train_test_split(idx, test_size=test_size, random_state=seed, shuffle=shuffle,
                                  stratify=strat)
    n_valid = math.ceil(valid_size * n) if valid_size < 1 else int(valid_size)
    train, valid = train_test_split(rest, test_size=n_valid, random_state=seed, shuffle=shuffle,
                                    stratify=None if strat is None else strat[rest])
    out = {"n": n, "test_size": test_size, "valid_size": valid_size, "random_state": seed,
           "shuffle": shuffle, "train": train.tolist(), "valid": valid.tolist(), "test": test.tolist()}
    if labels is not None:
        out["labels"] = [int(v) for v in labels]
    return out


def main():
    target = load_breast_cancer().target
    ref = {"generator": "tests/reference/make_split_valid.py", "sklearn": sklearn.__version__,
           "cases": [
               case(569, 0.2, 0.2, 0),
               case(100, 0.25, 0.15, 42),
               case(30, 5, 7, 3),
               case(20, 0.2, 0.25, 1, shuffle=False),
               case(569, 0.25, 0.1, 0, labels=target),
               case(50, 0.3, 0.3, 7, labels=np.array([i % 4 for i in range(50)])),
           ]}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "split_valid.json")
    with open(path, "w") as f:
        json.dump(ref, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
