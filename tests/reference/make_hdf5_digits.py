#!/usr/bin/python3
"""pipelines/hdf5_digits.yaml's data and expected numbers.

Writes scikit-learn's digits (load_digits: 1797 8x8 images of handwritten
digits, grey levels 0..16) to pipelines/data/digits.h5 with h5py, as a
physicist's file would hold them: /digits/images (uint8, 1797 x 8 x 8,
chunked and gzip-compressed) and /digits/target (int64). Then computes,
with Debian's scikit-learn, what the pipeline must report:

  rest, test   = train_test_split(idx, test_size=0.2, random_state=0)
  train, valid = train_test_split(rest, test_size=ceil(0.2 * 1797), random_state=0)
  scaler = StandardScaler().fit(X[train]); pca = PCA(10, svd_solver='full').fit(scaled train)
  LogisticRegression(max_iter=1000) on the 10 components (converged): train, valid and test accuracy
  IncrementalPCA(10, batch_size=500).fit(X) on the whole file (streamed)

Run from anywhere: /usr/bin/python3 tests/reference/make_hdf5_digits.py
(prints the JSON; the pipeline's expect: block copies its values)."""
import json
import math
import os

import h5py
import numpy as np
import sklearn
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA, IncrementalPCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
H5 = os.path.join(HERE, "..", "..", "pipelines", "data", "digits.h5")


def main():
    digits = load_digits()
    images = digits.images.astype(np.uint8)
    assert (images == digits.images).all()
    with h5py.File(H5, "w") as f:
        g = f.create_group("digits")
        g.create_dataset("images", data=images, chunks=(128, 8, 8), compression="gzip",
                         compression_opts=9)
        g.create_dataset("target", data=digits.target.astype(np.int64))
        g.attrs["source"] = "scikit-learn load_digits (UCI optical recognition of handwritten digits)"
    with h5py.File(H5, "r") as f:
        X = f["digits/images"][()].reshape(len(images), -1).astype(np.float64)
        y = f["digits/target"][()]
    n = len(X)
    idx = np.arange(n)
    rest, test = train_test_split(idx, test_size=0.2, random_state=0)
    train, valid = train_test_split(rest, test_size=math.ceil(0.2 * n), random_state=0)
    scaler = StandardScaler().fit(X[train])
    pca = PCA(n_components=10, svd_solver='full').fit(scaler.transform(X[train]))
    Z = {k: pca.transform(scaler.transform(X[v])) for k, v in
         {"train": train, "valid": valid, "test": test}.items()}
    lr = LogisticRegression(max_iter=1000).fit(Z["train"], y[train])
    ipca = IncrementalPCA(n_components=10, batch_size=500).fit(X)
    out = {
        "generator": "tests/reference/make_hdf5_digits.py", "sklearn": sklearn.__version__,
        "h5py": h5py.__version__,
        "rows": n, "n_train": len(train), "n_valid": len(valid), "n_test": len(test),
        "pca_explained_variance_ratio": pca.explained_variance_ratio_.tolist(),
        "pca_noise_variance": float(pca.noise_variance_),
        "lr_accuracy": {k: float(lr.score(Z[k], y[v])) for k, v in
                        {"train": train, "valid": valid, "test": test}.items()},
        "lr_n_iter": int(lr.n_iter_[0]),
        "ipca_explained_variance_ratio": ipca.explained_variance_ratio_.tolist(),
        "ipca_n_batches": int(math.ceil(n / 500)),
        "ipca_noise_variance": float(ipca.noise_variance_),
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
