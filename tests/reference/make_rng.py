#!/usr/bin/python3
"""Reference vectors for the numpy-compatible RNG and the split stage.

Run with Debian's python3 (numpy 1.24, scikit-learn 1.2):
    /usr/bin/python3 tests/reference/make_rng.py
Writes rng.json next to this script. Every value is what the legacy global
RandomState (np.random.seed) or scikit-learn's train_test_split gives; the C
tests in tests/unit/test_rng.c and tests/unit/test_split.c compare to it.
"""
import json
import math
import os

import numpy as np
import sklearn
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

SEEDS = [0, 1, 42, 100, 4294967295]


def floats(a):
    return [float(v) for v in np.ravel(a)]


def ints(a):
    return [int(v) for v in np.ravel(a)]


def per_seed(seed):
    out = {"seed": seed}
    np.random.seed(seed)
    key = np.random.get_state()[1]
    # The state right after seeding: checks the seeding path itself.
    out["key_head"] = ints(key[:4])
    out["key_tail"] = int(key[-1])
    np.random.seed(seed)
    out["raw32"] = ints(np.random.randint(0, 2**32, size=8, dtype=np.uint64))
    np.random.seed(seed)
    out["random_sample"] = floats(np.random.random_sample(20))
    np.random.seed(seed)
    out["randn"] = floats(np.random.randn(20))
    np.random.seed(seed)
    out["permutation37"] = ints(np.random.permutation(37))
    return out


def generate_3d_data(m, w1=0.1, w2=0.3, noise=0.1, cos=np.cos, sin=np.sin):
    # The lecture's function (line ~451), called after np.random.seed(4).
    angles = np.random.rand(m) * 3 * np.pi / 2 - 0.5
    data = np.empty((m, 3))
    data[:, 0] = cos(angles) + sin(angles) / 2 + noise * np.random.randn(m) / 2
    data[:, 1] = sin(angles) * 0.7 + noise * np.random.randn(m) / 2
    data[:, 2] = data[:, 0] * w1 + data[:, 1] * w2 + noise * np.random.randn(m)
    return data


def split_case(n, test_size, random_state, labels=None, shuffle=True):
    rows = np.arange(n)
    if labels is None:
        train, test = train_test_split(rows, test_size=test_size,
                                       random_state=random_state, shuffle=shuffle)
    else:
        train, test = train_test_split(rows, test_size=test_size,
                                       random_state=random_state,
                                       stratify=labels, shuffle=shuffle)
    case = {"n": n, "test_size": test_size, "random_state": random_state,
            "shuffle": shuffle, "train": ints(train), "test": ints(test)}
    if labels is not None:
        case["labels"] = ints(labels)
    return case


def main():
    ref = {"numpy": np.__version__, "sklearn": sklearn.__version__}
    ref["seeds"] = [per_seed(s) for s in SEEDS]

    np.random.seed(100)
    ref["randn_10x5_seed100"] = floats(np.random.randn(10, 5))

    # The cached second gauss survives uniform draws and is dropped by seed().
    np.random.seed(42)
    mixed = list(np.random.randn(3)) + list(np.random.rand(2)) + list(np.random.randn(2))
    np.random.seed(42)
    mixed += list(np.random.randn(1))
    ref["mixed_seed42"] = floats(mixed)

    np.random.seed(7)
    ref["randint_seed7"] = {"small": ints(np.random.randint(0, 10, 20)),
                            "offset": ints(np.random.randint(-5, 1000, 10)),
                            "wide": ints(np.random.randint(0, 2**40, 6))}

    np.random.seed(0)
    ref["mvn_seed0"] = {"mean": [-1.0, 2.0], "cov": [[4.0, 2.0], [2.0, 2.0]],
                        "n": 50,
                        "x": floats(np.random.multivariate_normal([-1, 2], [[4, 2], [2, 2]], 50))}
    cov3 = [[1.0, 0.5, 1.0], [0.5, 1.25, 1.0], [1.0, 1.0, 1.25]]  # B B^T, rank 2
    np.random.seed(3)
    ref["mvn3_seed3"] = {"mean": [0.0, 1.0, -2.0], "cov": cov3, "n": 40,
                         "x": floats(np.random.multivariate_normal([0, 1, -2], cov3, 40))}

    np.random.seed(4)
    ref["geron_3d_seed4"] = floats(generate_3d_data(60))
    # numpy's float64 cos/sin use its own SIMD code on AVX-512 machines and
    # can differ from the C library in the last bit; the same function with
    # the C library's (Python's math module) is what C code can match exactly.
    np.random.seed(4)
    libm_cos = np.vectorize(math.cos)
    libm_sin = np.vectorize(math.sin)
    ref["geron_3d_seed4_libm"] = floats(generate_3d_data(60, cos=libm_cos, sin=libm_sin))

    target = load_breast_cancer().target
    # Tied remainders, broken by rng.choice: part of a tie group (12 rows)...
    ties = np.array([i % 3 for i in range(12)])
    # ...and a whole tie group, which still draws (counts 3, 3, 2; 5 train).
    whole = np.array([0, 1, 2, 0, 1, 2, 0, 1])
    ref["splits"] = [
        split_case(569, 0.25, 0),
        split_case(100, 0.3, 42),
        split_case(10, 3, 5),
        split_case(10, 0.25, 1, shuffle=False),
        split_case(569, 0.25, 0, labels=target),
        split_case(12, 5, 2, labels=ties),
        split_case(8, 3, 0, labels=whole),
    ]

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rng.json")
    with open(path, "w") as f:
        json.dump(ref, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
