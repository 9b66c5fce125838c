#!/usr/bin/python3
"""Reference numbers for the pca, center, scaler.* and stats stages.

Runs Debian's scikit-learn (1.2.1) and numpy and writes
  pca.json      the lecture's 10x5 matrix, a 200x6 whitening case, the
                breast-cancer data (raw and standard-scaled), scaler edge cases
  pca_mvn.json  the lecture's 10000 x 2 multivariate normal sample and its
                mean, covariance, correlation and eigenpairs
Inputs are stored next to the results so the C tests need no random number
generator. Run from anywhere: /usr/bin/python3 tests/reference/make_pca.py
"""
import json
import os

import numpy as np
import sklearn
from sklearn.datasets import load_breast_cancer
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import MinMaxScaler, StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))


def listed(a):
    return np.asarray(a, dtype=float).tolist()


def separated_count(variance, threshold=1e-4):
    """Leading components whose eigenvalue is apart from its neighbours by
    more than threshold * the largest: the ones the covariance solver (which
    knows eigenvalues to ~eps * largest) must match entry by entry."""
    v = np.asarray(variance, dtype=float)
    top = v[0]
    count = 0
    for i in range(len(v)):
        gaps = [abs(v[i] - v[j]) for j in (i - 1, i + 1) if 0 <= j < len(v)]
        if top == 0 or min(gaps) <= threshold * top:
            break
        count += 1
    return count


def pca_case(X, n_components=None, whiten=False):
    """Everything the pca stage reports, from PCA(svd_solver='full')."""
    pca = PCA(n_components=n_components, whiten=whiten, svd_solver="full")
    fitted = pca.fit_transform(X.copy())
    full = PCA(svd_solver="full").fit(X.copy())
    ratio = full.explained_variance_ratio_
    cumsum = np.cumsum(ratio)
    transformed = pca.transform(X)
    reconstruction = pca.inverse_transform(transformed)
    return {
        "n_components": int(pca.n_components_),
        "mean": listed(pca.mean_),
        "components": listed(pca.components_),
        "explained_variance": listed(pca.explained_variance_),
        "explained_variance_ratio": listed(pca.explained_variance_ratio_),
        "cumulative_variance_ratio": listed(np.cumsum(pca.explained_variance_ratio_)),
        "singular_values": listed(pca.singular_values_),
        "noise_variance": float(pca.noise_variance_),
        "full_explained_variance": listed(full.explained_variance_),
        "full_explained_variance_ratio": listed(ratio),
        "components_for_95": int(np.argmax(cumsum >= 0.95) + 1),
        "covariance_accurate": separated_count(full.explained_variance_),
        "fit_transform": listed(fitted),
        "transform": listed(transformed),
        "inverse": listed(reconstruction),
        "reconstruction_mse": float(np.mean((X - reconstruction) ** 2)),
    }


def lecture_10x5():
    # The lecture's "vanilla matrix" and its numpy SVD.
    np.random.seed(100)
    X = np.random.randn(10, 5)
    Xc = X - X.mean(axis=0)
    U, s, V = np.linalg.svd(Xc)
    X2D = Xc.dot(V.T[:, :2])
    return {
        "X": listed(X),
        "numpy_singular_values": listed(s),
        "numpy_X2D": listed(X2D),
        "all": pca_case(X),
        "two": pca_case(X, 2),
        "fraction_0.8": pca_case(X, 0.8),
        "cov": listed(np.cov(X.T)),
        "corr": listed(np.corrcoef(X.T)),
    }


def whiten_200x6():
    # Correlated columns so the spectrum decays and the components are sharp.
    rng = np.random.RandomState(7)
    X = rng.randn(200, 6) @ rng.randn(6, 6) + rng.uniform(-5, 5, size=6)
    return {
        "X": listed(X),
        "whiten3": pca_case(X, 3, whiten=True),
        "plain3": pca_case(X, 3),
        "fraction_0.9": pca_case(X, 0.9),
    }


def head(a, n=5):
    return listed(np.asarray(a)[:n])


def cancer():
    data = load_breast_cancer()
    X, y = data.data, data.target
    idx = np.arange(len(y))
    X_train, X_test, y_train, y_test, i_train, i_test = train_test_split(
        X, y, idx, random_state=0)
    out = {
        "X": listed(X),
        "train_index": i_train.tolist(),
        "test_index": i_test.tolist(),
    }
    raw = pca_case(X_train, 0.95)
    out["raw"] = {k: raw[k] for k in (
        "n_components", "components", "explained_variance", "singular_values",
        "full_explained_variance", "full_explained_variance_ratio",
        "components_for_95", "covariance_accurate", "noise_variance",
        "reconstruction_mse")}
    out["raw"]["components_all"] = listed(
        PCA(svd_solver="full").fit(X_train).components_)

    scaler = StandardScaler().fit(X_train)
    S_train, S_test = scaler.transform(X_train), scaler.transform(X_test)
    out["standard"] = {
        "mean": listed(scaler.mean_),
        "var": listed(scaler.var_),
        "scale": listed(scaler.scale_),
        "train_head": head(S_train),
        "test_head": head(S_test),
    }
    scaled = pca_case(S_train, 0.95)
    two = PCA(n_components=2, svd_solver="full").fit(S_train)
    out["scaled"] = {k: scaled[k] for k in (
        "n_components", "full_explained_variance_ratio", "components_for_95",
        "covariance_accurate")}
    out["scaled_pca2"] = {
        "components": listed(two.components_),
        "explained_variance": listed(two.explained_variance_),
        "train": listed(two.transform(S_train)),
        "test_head": head(two.transform(S_test)),
    }

    mm = MinMaxScaler().fit(X_train)
    out["minmax"] = {
        "data_min": listed(mm.data_min_),
        "data_max": listed(mm.data_max_),
        "scale": listed(mm.scale_),
        "min": listed(mm.min_),
        "train_head": head(mm.transform(X_train)),
        "test_head": head(mm.transform(X_test)),
    }
    mm2 = MinMaxScaler(feature_range=(-1, 2)).fit(X_train)
    out["minmax_-1_2"] = {
        "scale": listed(mm2.scale_),
        "min": listed(mm2.min_),
        "test_head": head(mm2.transform(X_test)),
    }
    return out


def scaler_edges():
    # Constant columns, one of them not exactly representable (0.1): its
    # computed variance is a rounding residue that must still count as zero.
    rng = np.random.RandomState(3)
    train = np.column_stack([rng.randn(7), np.full(7, 0.1), np.full(7, 7.0),
                             rng.uniform(1e6, 1e6 + 1, 7)])
    test = np.column_stack([rng.randn(3), [0.1, 0.2, -1.0], [7.0, 8.0, 6.0],
                            rng.uniform(1e6, 1e6 + 1, 3)])
    std = StandardScaler().fit(train)
    nostd = StandardScaler(with_std=False).fit(train)
    nomean = StandardScaler(with_mean=False).fit(train)
    mm = MinMaxScaler().fit(train)
    return {
        "train": listed(train),
        "test": listed(test),
        "standard": {"mean": listed(std.mean_), "scale": listed(std.scale_),
                     "train": listed(std.transform(train)),
                     "test": listed(std.transform(test))},
        "with_std_false": {"train": listed(nostd.transform(train)),
                           "test": listed(nostd.transform(test))},
        "with_mean_false": {"scale": listed(nomean.scale_),
                            "train": listed(nomean.transform(train)),
                            "test": listed(nomean.transform(test))},
        "minmax": {"scale": listed(mm.scale_), "min": listed(mm.min_),
                   "train": listed(mm.transform(train)),
                   "test": listed(mm.transform(test))},
    }


def eigen_desc(C):
    """Eigenpairs in descending order; each eigenvector (a row) signed so its
    entry of largest magnitude is positive, the rule the stats stage uses."""
    w, v = np.linalg.eigh(C)
    order = np.argsort(w)[::-1]
    w, v = w[order], v[:, order].T
    for row in v:
        if row[np.argmax(np.abs(row))] < 0:
            row *= -1
    return w, v


def multivariate():
    # The lecture's two-dimensional example.
    np.random.seed(0)
    n = 10000
    X = np.random.multivariate_normal((-1, 2), [[4, 2], [2, 2]], n)
    C = np.cov(X.T)
    w, v = eigen_desc(C)
    pca = PCA(n_components=2, svd_solver="full").fit(X)
    return {
        "X": listed(X),
        "mean": listed(X.mean(axis=0)),
        "cov": listed(C),
        "corr": listed(np.corrcoef(X.T)),
        "eigenvalues": listed(w),
        "eigenvectors": listed(v),
        "first_ratio": float(w[0] / (w[0] + w[1])),
        "pca_components": listed(pca.components_),
        "pca_explained_variance": listed(pca.explained_variance_),
        "pca_explained_variance_ratio": listed(pca.explained_variance_ratio_),
    }


def write(name, obj):
    obj = {"generated_by": "tests/reference/make_pca.py",
           "sklearn": sklearn.__version__, "numpy": np.__version__, **obj}
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")


def main():
    write("pca.json", {
        "lecture": lecture_10x5(),
        "whiten": whiten_200x6(),
        "cancer": cancer(),
        "scaler_edges": scaler_edges(),
    })
    write("pca_mvn.json", {"mvn": multivariate()})


if __name__ == "__main__":
    main()
