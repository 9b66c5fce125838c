#!/usr/bin/python3
"""The numbers the pipelines' expect: blocks hold, computed with the reference
tools (Debian's numpy and scikit-learn) the way the lecture computes them.

Run: /usr/bin/python3 tests/reference/make_pipeline_expect.py > tests/reference/pipeline_expect.json
Each pipeline's expect: block copies its values from this file's output."""
import json

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

out = {}

# pipelines/pca_gaussian.yaml: the lecture's 2-D normal, n = 10000, seed 0.
np.random.seed(0)
X = np.random.multivariate_normal((-1, 2), [[4, 2], [2, 2]], 10000)
C = np.cov(X.T)
w, v = np.linalg.eigh(C)
w, v = w[::-1], v[:, ::-1]
pca = PCA(n_components=2).fit(X)
out["pca_gaussian"] = {
    "mean": X.mean(axis=0).tolist(),
    "cov": C.tolist(),
    "eigenvalues": w.tolist(),
    "first_ratio": float(w[0] / w.sum()),
    "first_ratio_population": (3 + 5 ** 0.5) / 6,
    "explained_variance_ratio": pca.explained_variance_ratio_.tolist(),
    "components": pca.components_.tolist(),
}

# pipelines/svd_10x5.yaml: np.random.seed(100); randn(10, 5); centred SVD.
np.random.seed(100)
X = np.random.randn(10, 5)
Xc = X - X.mean(axis=0)
U, s, Vt = np.linalg.svd(Xc)
pca = PCA(n_components=2).fit(X)
out["svd_10x5"] = {
    "centered": Xc.tolist(),
    "singular_values": s.tolist(),
    "X2D_numpy": Xc.dot(Vt.T[:, :2]).tolist(),
    "X2D_sklearn": pca.transform(X).tolist(),
    "components_sklearn": pca.components_.tolist(),
}

# pipelines/breast_cancer.yaml and variance95.yaml: the lecture's cells.
cancer = load_breast_cancer()
X_train, X_test, y_train, y_test = train_test_split(cancer.data, cancer.target, random_state=0)
bc = {}
import warnings
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    lr = LogisticRegression().fit(X_train, y_train)
bc["raw_train_accuracy"] = lr.score(X_train, y_train)
bc["raw_test_accuracy"] = lr.score(X_test, y_test)
scaler = StandardScaler().fit(X_train)
Xs_train, Xs_test = scaler.transform(X_train), scaler.transform(X_test)
lr = LogisticRegression().fit(Xs_train, y_train)
bc["scaled_train_accuracy"] = lr.score(Xs_train, y_train)
bc["scaled_test_accuracy"] = lr.score(Xs_test, y_test)
pca = PCA(n_components=2).fit(Xs_train)
lr = LogisticRegression().fit(pca.transform(Xs_train), y_train)
bc["pca_train_accuracy"] = lr.score(pca.transform(Xs_train), y_train)
bc["pca_test_accuracy"] = lr.score(pca.transform(Xs_test), y_test)
bc["pca_explained_variance_ratio"] = pca.explained_variance_ratio_.tolist()
out["breast_cancer"] = bc

v95 = {}
for name, data in (("raw", X_train), ("scaled", Xs_train)):
    p = PCA().fit(data)
    cumsum = np.cumsum(p.explained_variance_ratio_)
    v95[name + "_components_for_95"] = int(np.argmax(cumsum >= 0.95) + 1)
    v95[name + "_explained_variance_ratio"] = p.explained_variance_ratio_[:3].tolist()
v95["raw_pca095_n_components"] = int(PCA(n_components=0.95).fit(X_train).n_components_)
v95["scaled_pca095_n_components"] = int(PCA(n_components=0.95).fit(Xs_train).n_components_)
out["variance95"] = v95

# pipelines/geron_3d_pca.yaml: the 3-D data the linear autoencoder learns from.
np.random.seed(4)
m, w1, w2, noise = 60, 0.1, 0.3, 0.1
angles = np.random.rand(m) * 3 * np.pi / 2 - 0.5
data = np.empty((m, 3))
data[:, 0] = np.cos(angles) + np.sin(angles) / 2 + noise * np.random.randn(m) / 2
data[:, 1] = np.sin(angles) * 0.7 + noise * np.random.randn(m) / 2
data[:, 2] = data[:, 0] * w1 + data[:, 1] * w2 + noise * np.random.randn(m)
p = PCA(n_components=2).fit(data)
Z = p.transform(data)
rec = p.inverse_transform(Z)
out["geron_3d_pca"] = {
    "explained_variance_ratio": p.explained_variance_ratio_.tolist(),
    "singular_values": p.singular_values_.tolist(),
    "reconstruction_mse": float(((data - rec) ** 2).mean()),
}

# pipelines/sweep_pca_logreg.yaml: PCA 1..10 x C in {0.01, 0.1, 1, 10}.
rows = []
for k in range(1, 11):
    pca = PCA(n_components=k).fit(Xs_train)
    Z = pca.transform(Xs_train)
    for C in (0.01, 0.1, 1, 10):
        lr = LogisticRegression(C=C).fit(Z, y_train)
        rows.append({"n_components": k, "C": C, "train_accuracy": lr.score(Z, y_train),
                     "test_accuracy": lr.score(pca.transform(Xs_test), y_test), "n_iter": int(lr.n_iter_[0])})
out["sweep_pca_logreg"] = {
    "min_train_accuracy": min(r["train_accuracy"] for r in rows),
    "max_train_accuracy": max(r["train_accuracy"] for r in rows),
    "max_n_iter": max(r["n_iter"] for r in rows),
    "points": rows,
}

json.dump(out, __import__("sys").stdout, indent=1)
print()
