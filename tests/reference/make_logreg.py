#!/usr/bin/python3
"""Reference numbers for the logreg stage, the embedded breast-cancer table
and its CSV reader: scikit-learn's LogisticRegression (lbfgs) on the
lecture's three inputs (raw, standard-scaled, scaled + PCA(2)), a multinomial
fit on iris and small synthetic fits with other parameters.

For every fit that converges it records two sets of coefficients:
  - "coef"/"intercept": what LogisticRegression() itself returns (L-BFGS-B
    stopped by scipy's relative-reduction test, so only near the optimum);
  - "perturbed": what the same fit gives when X is multiplied by
    1 + 1e-15 * N(0, 1) (a few ulps, what another BLAS or summation order
    does): ranges of accuracy and n_iter, and how far coef moves. On the raw
    breast-cancer table and on iris the L-BFGS path is chaotic at this level
    (train accuracy 0.946 to 0.965), so a faithful reimplementation can only
    be asked to land inside these ranges, not on sklearn's exact numbers;
  - "optimum_coef"/"optimum_intercept": the minimiser of the same objective
    found by Newton's method below (exact Hessian, to max|gradient| near
    rounding level), to compare optima independently of an optimiser's path.
    (sklearn's newton-cg stalls near 3e-9 on the scaled data.)

Run with Debian's python3 (numpy 1.24, scikit-learn 1.2.1):
    /usr/bin/python3 tests/reference/make_logreg.py
It writes tests/reference/logreg.json next to itself.
"""
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix, log_loss
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))


def fnv1a64(a):
    """FNV-1a over the little-endian bytes of a C-ordered float64 array: the
    C tests hash their matrices the same way to prove bitwise equality."""
    h = 0xCBF29CE484222325
    for byte in np.ascontiguousarray(a, dtype="<f8").tobytes():
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


def floats(a):
    """Nested lists of Python floats (json writes them with repr: 17
    significant digits at most, enough to read back the same double)."""
    return np.asarray(a, dtype=float).tolist()


def objective(theta, X, y, n_classes, C, fit_intercept):
    """scikit-learn 1.2's objective: the summed log-loss plus ||W||^2 / (2C),
    intercepts unpenalised. theta holds one row (weights, then intercept) per
    class, a single row when binary. Returns value, gradient and Hessian."""
    n, d = X.shape
    Xa = np.hstack([X, np.ones((n, 1))]) if fit_intercept else X
    k = 1 if n_classes == 2 else n_classes
    W = theta.reshape(k, -1)
    Z = Xa @ W.T
    penalty = np.ones(Xa.shape[1])
    if fit_intercept:
        penalty[-1] = 0
    lam = 0.0 if C is None else 1.0 / C
    if k == 1:
        z = Z[:, 0]
        f = np.sum(np.logaddexp(0, z) - y * z)
        p = 1 / (1 + np.exp(-z))
        g = Xa.T @ (p - y) + lam * penalty * W[0]
        H = Xa.T @ (Xa * (p * (1 - p))[:, None]) + lam * np.diag(penalty)
        f += 0.5 * lam * np.sum(penalty * W[0] ** 2)
        return f, g, H
    Y = np.eye(k)[y]
    zmax = Z.max(axis=1, keepdims=True)
    lse = zmax[:, 0] + np.log(np.exp(Z - zmax).sum(axis=1))
    P = np.exp(Z - lse[:, None])
    f = np.sum(lse - np.sum(Y * Z, axis=1)) + 0.5 * lam * np.sum(penalty * W ** 2)
    G = (P - Y).T @ Xa + lam * penalty * W
    m = Xa.shape[1]
    H = np.zeros((k * m, k * m))
    for a in range(k):
        for b in range(k):
            w = P[:, a] * ((a == b) - P[:, b])
            H[a * m:(a + 1) * m, b * m:(b + 1) * m] = Xa.T @ (Xa * w[:, None])
    H += lam * np.diag(np.tile(penalty, k))
    return f, G.ravel(), H


def newton_optimum(X, y, C=1.0, fit_intercept=True, penalty="l2"):
    """Minimises objective() by Newton's method with a backtracking line
    search; lstsq handles the multinomial intercepts' flat direction (the
    iterates stay in the zero-sum subspace sklearn's start also lies in)."""
    n_classes = len(np.unique(y))
    k = 1 if n_classes == 2 else n_classes
    C = None if penalty is None else C
    theta = np.zeros(k * (X.shape[1] + int(fit_intercept)))
    for _ in range(100):
        f, g, H = objective(theta, X, y, n_classes, C, fit_intercept)
        if np.abs(g).max() < 1e-12:
            break
        step = -np.linalg.lstsq(H, g, rcond=None)[0]
        t = 1.0
        while objective(theta + t * step, X, y, n_classes, C, fit_intercept)[0] > f + 1e-4 * t * (g @ step):
            t /= 2
            if t < 1e-10:
                break
        if t < 1e-10:
            break
        theta = theta + t * step
    f, g, _ = objective(theta, X, y, n_classes, C, fit_intercept)
    assert np.abs(g).max() < 1e-8, "Newton did not reach the optimum"
    W = theta.reshape(k, -1)
    coef = W[:, :X.shape[1]]
    intercept = W[:, -1] if fit_intercept else np.zeros(k)
    if k == 1:
        return coef[0], intercept[0], f, np.abs(g).max()
    return coef, intercept, f, np.abs(g).max()


def sklearn_fit(X, y, **params):
    """A LogisticRegression fit and whether it converged."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model = LogisticRegression(**params).fit(X, y)
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    return model, converged


def perturbed(model, X, y, Xte, yte, params, n=20):
    """The spread of the fit under relative input noise of 1e-15."""
    rng = np.random.RandomState(1)
    train, test, n_iter, coef = [], [], [], 0.0
    for _ in range(n):
        Xp = X * (1 + 1e-15 * rng.standard_normal(X.shape))
        m, _ = sklearn_fit(Xp, y, **params)
        train.append(m.score(X, y))
        if Xte is not None:
            test.append(m.score(Xte, yte))
        n_iter.append(int(m.n_iter_[0]))
        coef = max(coef, np.abs(m.coef_ - model.coef_).max() / np.abs(model.coef_).max())
    out = {"train_accuracy": [min(train), max(train)],
           "n_iter": [min(n_iter), max(n_iter)], "coef_rel_spread": coef}
    if test:
        out["test_accuracy"] = [min(test), max(test)]
    return out


def fit(X, y, Xte=None, yte=None, **params):
    """One LogisticRegression fit and what the logreg stage reports."""
    model, converged = sklearn_fit(X, y, **params)
    out = {
        "params": params,
        "n_iter": int(model.n_iter_[0]),
        "converged": converged,
        "train_accuracy": model.score(X, y),
        "log_loss": log_loss(y, model.predict_proba(X)),
        "train_confusion_matrix": confusion_matrix(y, model.predict(X)).tolist(),
        # predict_proba of the first rows: the stage's predictions output.
        "train_proba_head": floats(model.predict_proba(X[:5])),
    }
    if Xte is not None:
        out["test_accuracy"] = model.score(Xte, yte)
        out["test_confusion_matrix"] = confusion_matrix(yte, model.predict(Xte)).tolist()
        out["test_proba_head"] = floats(model.predict_proba(Xte[:5]))
    out["perturbed"] = perturbed(model, X, y, Xte, yte, params)
    if converged:
        multinomial = model.coef_.shape[0] > 1
        out["coef"] = floats(model.coef_ if multinomial else model.coef_[0])
        out["intercept"] = floats(model.intercept_ if multinomial else model.intercept_[0])
        opt = {key: params[key] for key in ("C", "fit_intercept", "penalty")
               if key in params}
        coef, intercept, value, grad = newton_optimum(X, y, **opt)
        out["optimum_coef"] = floats(coef)
        out["optimum_intercept"] = floats(intercept)
        out["optimum_objective"] = value
        out["optimum_max_abs_gradient"] = grad
    return out


def main():
    cancer = load_breast_cancer()
    index = np.arange(len(cancer.target))
    X_train, X_test, y_train, y_test, i_train, i_test = train_test_split(
        cancer.data, cancer.target, index, random_state=0)

    scaler = StandardScaler().fit(X_train)
    S_train, S_test = scaler.transform(X_train), scaler.transform(X_test)
    pca = PCA(n_components=2).fit(S_train)
    P_train, P_test = pca.transform(S_train), pca.transform(S_test)

    iris = load_iris()

    # Small, noisy, not separable: every variant below has a finite optimum.
    rng = np.random.RandomState(0)
    Z = rng.normal(size=(40, 3)) * [1.0, 2.0, 0.5] + [0.5, -1.0, 0.0]
    z = (Z @ [1.0, -0.5, 2.0] + 1.5 * rng.normal(size=40) > 0).astype(int)

    ref = {
        "generator": "tests/reference/make_logreg.py, scikit-learn %s, numpy %s"
                     % (sklearn.__version__, np.__version__),
        "breast_cancer": {
            "shape": list(cancer.data.shape),
            "data_fnv1a64": fnv1a64(cancer.data),
            "first_row": floats(cancer.data[0]),
            "last_row": floats(cancer.data[-1]),
            "class_counts": np.bincount(cancer.target).tolist(),
            "feature_names": list(cancer.feature_names),
            "class_names": list(cancer.target_names),
            "train_index": i_train.tolist(),
            "test_index": i_test.tolist(),
            # StandardScaler.transform is (x - mean_) / scale_ elementwise, so
            # C rebuilds the scaled splits bit for bit from these two vectors.
            "scaler_mean": floats(scaler.mean_),
            "scaler_scale": floats(scaler.scale_),
            "scaled_train_fnv1a64": fnv1a64(S_train),
            "pca2_train": floats(P_train),
            "pca2_test": floats(P_test),
        },
        "raw": fit(X_train, y_train, X_test, y_test),
        "scaled": fit(S_train, y_train, S_test, y_test),
        "pca2": fit(P_train, y_train, P_test, y_test),
        "iris": {
            "x": floats(iris.data),
            "y": iris.target.tolist(),
            "default": fit(iris.data, iris.target),
            "max_iter_1000": fit(iris.data, iris.target, max_iter=1000),
        },
        "synthetic": {
            "x": floats(Z),
            "y": z.tolist(),
            "c0.1": fit(Z, z, C=0.1),
            "c0.1_no_intercept": fit(Z, z, C=0.1, fit_intercept=False),
            "no_penalty": fit(Z, z, penalty=None),
        },
    }
    assert not ref["raw"]["converged"], "the lecture's raw fit stops at max_iter"
    with open(os.path.join(HERE, "logreg.json"), "w") as f:
        json.dump(ref, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
