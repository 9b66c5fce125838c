#!/usr/bin/python3
"""Reference numbers for dataset.swiss_roll and kernel_pca.

Runs Debian's scikit-learn (1.2.1) and numpy and writes kpca.json:
  swiss_*      make_swiss_roll outputs (whole for small n, a digest for the
               lecture's 1000 points)
  kpca_data    300 swiss-roll points: rows 0..239 train, 240..299 test
  kpca_cases   KernelPCA on them for every kernel: eigenvalues_, the train
               projections (fit_transform) and the test projections
               (transform), with eigen_solver="dense"; for the cases with
               fit_inverse_transform also the pre-image error on train and
               the pre-images of the first test projections
  wide_*       the same for 120 points with 12 features (100 train, 20 test),
               which take the BLAS path for the inner products
  negative     a sigmoid kernel whose spectrum scikit-learn rejects
  pipeline     the lecture's swiss-roll cell (pipelines/kernel_pca_swiss_roll.yaml)

Every case is also fitted with eigen_solver="arpack" and the script asserts
that its projections equal the dense ones entry by entry (to 1e-8): svd_flip
fixes each eigenvector's sign by its largest entry, so scikit-learn's sign
does not depend on the solver and the C tests compare signs too. It also
asserts that the kept eigenvalues are apart from the next one (so the
eigenvectors are determined to the tolerance). Run from anywhere:
/usr/bin/python3 tests/reference/make_kpca.py
"""
import json
import os

import numpy as np
import sklearn
from sklearn.datasets import make_swiss_roll
from sklearn.decomposition import KernelPCA
from sklearn.metrics import mean_squared_error
from sklearn.metrics.pairwise import laplacian_kernel

HERE = os.path.dirname(os.path.abspath(__file__))
N_TRAIN = 240
HEAD = 5


def listed(a):
    return np.asarray(a, dtype=float).tolist()


def swiss(n, noise, seed, hole=False, whole=True):
    X, t = make_swiss_roll(n, noise=noise, random_state=seed, hole=hole)
    case = {"n_samples": n, "noise": noise, "random_state": seed, "hole": hole}
    if whole:
        case.update(X=listed(X), t=listed(t))
    else:
        case.update(head=listed(X[:HEAD]), last=listed(X[-1]), t_head=listed(t[:HEAD]),
                    column_sums=listed(X.sum(axis=0)), t_sum=float(t.sum()))
    return case


# name, KernelPCA arguments (beyond n_components and eigen_solver), components
CASES = [
    ("linear", {"kernel": "linear"}, 3),
    ("poly", {"kernel": "poly", "gamma": 0.01, "degree": 2, "coef0": 1}, 3),
    ("rbf", {"kernel": "rbf", "gamma": 0.04}, 3),
    ("rbf_default_gamma", {"kernel": "rbf"}, 2),
    ("sigmoid", {"kernel": "sigmoid", "gamma": 0.001, "coef0": 1}, 3),
    ("cosine", {"kernel": "cosine"}, 3),
    ("laplacian", {"kernel": "laplacian", "gamma": 0.05}, 3),
    ("linear_inverse", {"kernel": "linear", "fit_inverse_transform": True}, 2),
    ("rbf_inverse", {"kernel": "rbf", "gamma": 0.0433, "fit_inverse_transform": True,
                     "alpha": 0.1}, 2),
    ("sigmoid_inverse", {"kernel": "sigmoid", "gamma": 0.001, "coef0": 1,
                         "fit_inverse_transform": True}, 2),
    ("poly_inverse", {"kernel": "poly", "degree": 2, "gamma": 0.01,
                      "fit_inverse_transform": True}, 2),
]


class Laplacian:
    """KernelPCA 1.2 does not take kernel="laplacian" (pairwise_kernels
    does): the case runs on the precomputed laplacian_kernel, which is what
    the named kernel would compute."""

    def __init__(self, gamma):
        self.gamma = gamma

    def __call__(self, A, B):
        return laplacian_kernel(A, B, gamma=self.gamma)


def fitted(args, k, solver, X, **extra):
    """(model, train projections, kernel function or None)."""
    if args["kernel"] == "laplacian":
        kernel = Laplacian(args["gamma"])
        kpca = KernelPCA(n_components=k, kernel="precomputed", eigen_solver=solver, **extra)
        return kpca, kpca.fit_transform(kernel(X, X)), kernel
    kpca = KernelPCA(n_components=k, eigen_solver=solver, **args, **extra)
    return kpca, kpca.fit_transform(X), None


def check_gap(name, args, X, k):
    """The k-th eigenvalue must stand apart from the (k+1)-th."""
    plain = {a: b for a, b in args.items() if a not in ("fit_inverse_transform", "alpha")}
    w = fitted(plain, k + 1, "dense", X)[0].eigenvalues_
    gaps = np.abs(np.diff(w)) / w[0]
    assert gaps.min() > 1e-3, f"{name}: eigenvalues too close: {w}"


# Twelve features, so the inner products go through BLAS (dsyrk, dgemm)
# rather than the elementwise loop that handles up to eight.
WIDE_TRAIN = 100
WIDE_CASES = [
    ("wide_rbf", {"kernel": "rbf", "gamma": 0.05}, 3),
    ("wide_poly", {"kernel": "poly", "gamma": 0.1, "degree": 3, "coef0": 0.5}, 3),
    ("wide_sigmoid", {"kernel": "sigmoid", "gamma": 0.02, "coef0": 0.3}, 3),
    ("wide_cosine", {"kernel": "cosine"}, 3),
    ("wide_linear_inverse", {"kernel": "linear", "fit_inverse_transform": True}, 2),
]


def wide_data():
    rng = np.random.RandomState(1)
    mix = rng.normal(size=(12, 12))
    return rng.normal(size=(120, 12)) @ mix + 0.5


def kpca_case(name, args, k, X, n_train=N_TRAIN):
    train, test = X[:n_train], X[n_train:]
    dense, z_train, kernel = fitted(args, k, "dense", train)
    z_test = dense.transform(kernel(test, train) if kernel else test)
    a_train = fitted(args, k, "arpack", train, random_state=0)[1]
    assert np.abs(a_train - z_train).max() < 1e-8, f"{name}: arpack's signs differ"
    check_gap(name, args, train, k)
    case = {"name": name, "n_components": k,
            "params": {a: b for a, b in args.items() if a != "fit_inverse_transform"},
            "eigenvalues": listed(dense.eigenvalues_),
            "train": listed(z_train), "test": listed(z_test)}
    if args.get("fit_inverse_transform"):
        case["reconstruction_mse"] = float(
            mean_squared_error(train, dense.inverse_transform(z_train)))
        case["test_preimage_head"] = listed(dense.inverse_transform(z_test[:HEAD]))
    return case


def negative():
    """A kernel that is not positive semi-definite on the data: keeping
    every component reaches its significant negative eigenvalues, which
    scikit-learn refuses (ValueError) and kernel_pca must too."""
    X, _ = make_swiss_roll(300, noise=0.2, random_state=0)
    X = X[:30]
    args = {"kernel": "sigmoid", "gamma": 0.5, "coef0": -2}
    try:
        KernelPCA(n_components=30, eigen_solver="dense", **args).fit(X)
    except ValueError as e:
        assert "significant negative eigenvalues" in str(e)
        return {"rows": 30, "n_components": 30, "params": args,
                "sklearn_error": str(e).split(". ")[0]}
    raise AssertionError("scikit-learn accepted a kernel with negative eigenvalues")


def pipeline():
    """The lecture's cell: X, t = make_swiss_roll(1000, noise=0.2,
    random_state=42), then KernelPCA(2, ...) with scikit-learn's default
    solver (arpack for 1000 rows), and mean_squared_error(X, preimages)."""
    X, _ = make_swiss_roll(1000, noise=0.2, random_state=42)
    out = {}
    for name, args in (("rbf", {"kernel": "rbf", "gamma": 0.04}),
                       ("lin_pca", {"kernel": "linear", "fit_inverse_transform": True}),
                       ("rbf_pca", {"kernel": "rbf", "gamma": 0.0433,
                                    "fit_inverse_transform": True}),
                       ("sig_pca", {"kernel": "sigmoid", "gamma": 0.001, "coef0": 1,
                                    "fit_inverse_transform": True})):
        kpca = KernelPCA(n_components=2, **args)
        z = kpca.fit_transform(X)
        dense = KernelPCA(n_components=2, eigen_solver="dense", **args).fit_transform(X)
        assert np.abs(dense - z).max() < 1e-8, f"{name}: solvers disagree"
        entry = {"eigenvalues": listed(kpca.eigenvalues_), "head": listed(z[:HEAD])}
        if args.get("fit_inverse_transform"):
            entry["reconstruction_mse"] = float(mean_squared_error(X, kpca.inverse_transform(z)))
        out[name] = entry
    return out


def main():
    X, _ = make_swiss_roll(300, noise=0.2, random_state=0)
    obj = {
        "generated_by": "tests/reference/make_kpca.py",
        "sklearn": sklearn.__version__, "numpy": np.__version__,
        "swiss_small": swiss(50, 0.3, 7),
        "swiss_noiseless": swiss(20, 0.0, 0),
        "swiss_hole": swiss(50, 0.1, 3, hole=True),
        "swiss_lecture": swiss(1000, 0.2, 42, whole=False),
        "kpca_data": {"n_train": N_TRAIN, "X": listed(X)},
        "kpca_cases": [kpca_case(name, args, k, X) for name, args, k in CASES],
        "wide_data": {"n_train": WIDE_TRAIN, "X": listed(wide_data())},
        "wide_cases": [kpca_case(name, args, k, wide_data(), WIDE_TRAIN)
                       for name, args, k in WIDE_CASES],
        "negative": negative(),
        "pipeline": pipeline(),
    }
    with open(os.path.join(HERE, "kpca.json"), "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
