#!/usr/bin/python3
"""Reference numbers for pipelines/tsne_fashion.yaml, from scikit-learn
1.2.1 (Debian's python3-sklearn) and Debian's dataset-fashion-mnist files.

  pca      the lecture's split (X_train_full[:-5000], X_train_full[-5000:],
           pixels float32 / 255), PCA(n_components=50) fitted on the 55000
           training images in float64 (latent's pca gets a float64 copy;
           svd_solver="full" because latent's PCA is exact, where the default
           would pick the randomized solver), the validation images
           projected, then TSNE(random_state=42) of the projections: its KL
           divergence and trustworthiness(n_neighbors=5).
  codings  TSNE(random_state=42) of the stacked autoencoder's codings of the
           validation images. No reference can retrain latent's network to
           the same weights, so this part reads the codings the pipeline
           itself writes (codings.valid.csv, every float32 value printed
           exactly) and checks latent's t-SNE against scikit-learn's on that
           same input. The autoencoder itself is checked against PyTorch by
           make_stacked_ae.py (pipelines/stacked_ae.yaml).

t-SNE's path is chaotic (scikit-learn descends in float32, latent in
double; scikit-learn initialises from a randomized PCA), so the pipeline
compares within the issue's tolerances, not digit for digit.

Run: /usr/bin/python3 tests/reference/make_tsne_fashion.py [RUN_DIR]
RUN_DIR is a finished run of pipelines/tsne_fashion.yaml; without it the
script runs build/latent on it into a temporary folder (about a minute).
It writes tests/reference/tsne_fashion.json next to itself.
"""
import gzip
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import sklearn
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE, trustworthiness

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DATA = "/usr/share/datasets/fashion-mnist"
PIPELINE = os.path.join(ROOT, "pipelines", "tsne_fashion.yaml")


def load_train_full():
    """The training file as keras.datasets.fashion_mnist.load_data() reads it."""
    with gzip.open(f"{DATA}/train-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28 * 28)
    with gzip.open(f"{DATA}/train-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)
    return images.astype(np.float32) / 255, labels


def fit_tsne(x):
    model = TSNE(random_state=42)
    emb = model.fit_transform(x)
    return {"rows": int(x.shape[0]), "features": int(x.shape[1]),
            "kl_divergence": float(model.kl_divergence_), "n_iter": int(model.n_iter_),
            "trustworthiness": float(trustworthiness(x, emb, n_neighbors=5))}


def read_codings(run_dir):
    path = os.path.join(run_dir, "codings.valid.csv")
    return np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64)


def main():
    X_train_full, y_train_full = load_train_full()
    X_train, X_valid = X_train_full[:-5000], X_train_full[-5000:]

    pca = PCA(n_components=50, svd_solver="full").fit(X_train.astype(np.float64))
    projected = pca.transform(X_valid.astype(np.float64))
    out = {"versions": {"sklearn": sklearn.__version__, "numpy": np.__version__}}
    out["pca"] = {"cumulative_variance_ratio_50": float(pca.explained_variance_ratio_.sum()),
                  **fit_tsne(projected)}

    if len(sys.argv) > 1:
        codings = read_codings(sys.argv[1])
    else:
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([os.path.join(ROOT, "build", "latent"), "run", PIPELINE,
                            "--out", tmp, "--quiet", "--no-cache"], check=True)
            codings = read_codings(tmp)
    assert codings.shape == (5000, 30), codings.shape
    # The csv holds float32 values: rounding back to float32 must not change them.
    assert np.array_equal(codings, codings.astype(np.float32).astype(np.float64))
    out["codings"] = {"sum": float(codings.sum()), **fit_tsne(codings)}

    with open(os.path.join(HERE, "tsne_fashion.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
