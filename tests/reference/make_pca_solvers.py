#!/usr/bin/python3
"""Reference numbers for pca's randomized and incremental solvers.

Runs Debian's scikit-learn (1.2.1): PCA(svd_solver='randomized') with its
random_state, power iterations and normalisers, on tall data and on wide
data (where randomized_svd works on the transpose), and IncrementalPCA with
batch sizes whose last batch stands alone or takes in a short remainder.

The data come from numpy's RandomState, which latent reproduces draw for
draw (math/rng.h), so the JSON holds only the results: each case names its
seed and shape, and the C test draws A (rows x 4), B (4 x cols) and E
(rows x cols) in that order and forms X = A B + 0.05 E.
Run from anywhere: /usr/bin/python3 tests/reference/make_pca_solvers.py
"""
import gzip
import json
import os

import numpy as np
import sklearn
from sklearn.decomposition import PCA, IncrementalPCA

HERE = os.path.dirname(os.path.abspath(__file__))
SHOWN_ROWS = 6


def data(seed, rows, cols):
    rs = np.random.RandomState(seed)
    a = rs.randn(rows, 4)
    b = rs.randn(4, cols)
    e = rs.randn(rows, cols)
    return a @ b + 0.05 * e


def listed(a):
    return np.asarray(a, dtype=float).tolist()


def results(model, x, scores):
    rec = model.inverse_transform(scores)
    return {
        "components": listed(model.components_),
        "singular_values": listed(model.singular_values_),
        "explained_variance": listed(model.explained_variance_),
        "explained_variance_ratio": listed(model.explained_variance_ratio_),
        "noise_variance": float(model.noise_variance_),
        "mean": listed(model.mean_),
        "scores_head": listed(scores[:SHOWN_ROWS]),
        "reconstruction_mse": float(np.mean((x - rec) ** 2)),
    }


def randomized(name, seed, rows, cols, k, **options):
    x = data(seed, rows, cols)
    model = PCA(n_components=k, svd_solver="randomized", **options)
    scores = model.fit_transform(x)
    case = {"name": name, "seed": seed, "rows": rows, "cols": cols,
            "n_components": k, "options": options}
    case.update(results(model, x, scores))
    # What the exact solver says, for the low-rank agreement check.
    full = PCA(n_components=k, svd_solver="full").fit(x)
    case["full_explained_variance"] = listed(full.explained_variance_)
    return case


def incremental(name, seed, rows, cols, k, batch_size):
    x = data(seed, rows, cols)
    model = IncrementalPCA(n_components=k, batch_size=batch_size)
    scores = model.fit_transform(x)
    case = {"name": name, "seed": seed, "rows": rows, "cols": cols,
            "n_components": 0 if k is None else k, "batch_size": batch_size,
            "n_components_fitted": int(model.n_components_)}
    case.update(results(model, x, scores))
    return case


def fashion_rows(n):
    """The first n training images as dataset.fashion_mnist prepares them:
    float32 / 255, then float64 (what pca receives)."""
    path = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"
    with gzip.open(path) as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)[:n]
    return (x.astype(np.float32) / 255).astype(np.float64)


def pipeline_case():
    """pipelines/pca_solvers.yaml: 10 components of the first 10000
    Fashion-MNIST training images by each solver."""
    x = fashion_rows(10000)
    out = {}
    models = {
        "full": PCA(n_components=10, svd_solver="full"),
        "randomized": PCA(n_components=10, svd_solver="randomized", random_state=0),
        "incremental": IncrementalPCA(n_components=10, batch_size=1000),
    }
    for name, model in models.items():
        scores = model.fit_transform(x)
        rec = model.inverse_transform(scores)
        out[name] = {
            "explained_variance_ratio": listed(model.explained_variance_ratio_),
            "noise_variance": float(model.noise_variance_),
            "reconstruction_mse": float(np.mean((x - rec) ** 2)),
        }
    return out


def main():
    out = {
        "sklearn": sklearn.__version__,
        "randomized": [
            randomized("tall, auto: 4 iterations, LU", 3, 150, 30, 5, random_state=0),
            randomized("tall, few components: 7 iterations", 4, 400, 60, 3, random_state=11),
            randomized("wide: sketch of the transpose", 5, 20, 50, 4, random_state=2),
            randomized("QR normaliser, 2 iterations", 3, 150, 30, 5, random_state=1,
                       iterated_power=2, power_iteration_normalizer="QR"),
            randomized("one iteration: auto means none", 3, 150, 30, 5, random_state=5,
                       iterated_power=1, n_oversamples=4),
            randomized("every component", 6, 40, 8, 8, random_state=0),
        ],
        "incremental": [
            incremental("batches of 60, the last of 10", 7, 250, 12, 4, 60),
            incremental("batches of 62, the last takes in the rest", 7, 250, 12, 4, 62),
            incremental("n_components null: min(batch, features)", 8, 230, 12, None, 50),
            incremental("default batch (5 x features)", 9, 700, 20, 6, None),
        ],
    }
    out["pipeline"] = pipeline_case()
    path = os.path.join(HERE, "pca_solvers.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
