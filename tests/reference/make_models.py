#!/usr/bin/python3
"""Saved models against scikit-learn, for tests/unit/test_models.c.

1. Writes tests/models/train.csv and heldout.csv: a 3-class table (8
   features f1..f8, labels alpha/beta/gamma in column `kind`) drawn with
   numpy, values written with repr so they read back to the same bits.
2. Runs LATENT on tests/models/fit.yaml, which fits every saved-model stage,
   and `latent apply` of that run on heldout.csv, stage by stage.
3. Loads each models/<stage>.npz with np.load(allow_pickle=False), rebuilds
   scikit-learn's StandardScaler, MinMaxScaler, PCA, KernelPCA,
   LinearDiscriminantAnalysis and LogisticRegression from its arrays alone,
   and checks that their transform / predict_proba (and KernelPCA's
   inverse_transform) on the held-out rows equal what `latent apply` wrote
   to 1e-10.
4. Writes those scikit-learn numbers to tests/reference/models.json, which
   the C test compares latent against, and the damaged archives of the
   bad-input corpus to tests/bad/models/.

Run from the repository root after a build:
    /usr/bin/python3 tests/reference/make_models.py build/latent"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

import numpy as np
from sklearn.decomposition import PCA, KernelPCA
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import KernelCenterer, MinMaxScaler, StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MODELS = os.path.join(ROOT, "tests", "models")
BAD = os.path.join(ROOT, "tests", "bad", "models")
CLASSES = ["alpha", "beta", "gamma"]
FEATURES = ["f%d" % (j + 1) for j in range(8)]
TOL = 1e-10


def write_table(path, x, y):
    with open(path, "w") as f:
        f.write(",".join(FEATURES + ["kind"]) + "\n")
        for row, label in zip(x, y):
            f.write(",".join(repr(float(v)) for v in row) + "," + CLASSES[label] + "\n")


def make_data():
    rs = np.random.RandomState(7)
    centres = rs.randn(3, 8) * 2.0
    scales = np.array([1.0, 3.0, 0.5, 10.0, 1.0, 0.2, 2.0, 5.0])
    def draw(n):
        y = rs.randint(0, 3, size=n)
        x = (centres[y] + rs.randn(n, 8)) * scales + 4.0
        return x, y
    return draw(120), draw(30)


def load(run, stage):
    z = np.load(os.path.join(run, "models", stage + ".npz"), allow_pickle=False)
    return {k: z[k] for k in z.files}


def applied(latent, run, heldout, stage, out):
    subprocess.run([latent, "apply", run, heldout, "--stage", stage, "--out", out, "--quiet"],
                   check=True)
    return np.load(os.path.join(out, stage + ".npy"), allow_pickle=False)


def rebuild(stage, m):
    """The scikit-learn object from the arrays alone, and how to apply it."""
    kind = str(m["latent.kind"])
    if kind == "center":
        return lambda x: x - m["mean_"]
    if kind == "scaler.standard":
        s = StandardScaler()
        s.mean_, s.var_, s.scale_ = m["mean_"], m["var_"], m["scale_"]
        s.n_samples_seen_, s.n_features_in_ = int(m["n_samples_seen_"]), int(m["n_features_in_"])
        return s.transform
    if kind == "scaler.minmax":
        params = json.loads(str(m["latent.params"]))
        s = MinMaxScaler(feature_range=tuple(params["feature_range"]))
        for k in ("min_", "scale_", "data_min_", "data_max_", "data_range_"):
            setattr(s, k, m[k])
        s.n_samples_seen_, s.n_features_in_ = int(m["n_samples_seen_"]), int(m["n_features_in_"])
        return s.transform
    if kind == "pca":
        params = json.loads(str(m["latent.params"]))
        p = PCA(n_components=int(m["n_components_"]), whiten=params["whiten"])
        for k in ("components_", "mean_", "explained_variance_", "explained_variance_ratio_",
                  "singular_values_"):
            setattr(p, k, m[k])
        p.n_components_, p.noise_variance_ = int(m["n_components_"]), float(m["noise_variance_"])
        p.n_features_in_ = int(m["n_features_in_"])
        return p.transform
    if kind == "kernel_pca":
        k = KernelPCA(n_components=len(m["eigenvalues_"]), kernel=str(m["kernel"]),
                      gamma=float(m["gamma_"]), fit_inverse_transform=True)
        k.eigenvalues_, k.eigenvectors_, k.X_fit_ = m["eigenvalues_"], m["eigenvectors_"], m["X_fit_"]
        k.X_transformed_fit_, k.dual_coef_ = m["X_transformed_fit_"], m["dual_coef_"]
        k._centerer = KernelCenterer()
        k._centerer.K_fit_rows_, k._centerer.K_fit_all_ = m["K_fit_rows_"], float(m["K_fit_all_"])
        k._centerer.n_features_in_ = len(m["K_fit_rows_"])
        k.gamma_ = float(m["gamma_"])
        k.n_features_in_ = int(m["n_features_in_"])
        pre = k.inverse_transform(k.transform(m["X_fit_"][:5]))  # the pre-image map rebuilds too
        assert np.all(np.isfinite(pre))
        return lambda x: (k.transform(x), None)
    if kind == "lda":
        lda = LinearDiscriminantAnalysis(solver="svd")
        for a in ("scalings_", "xbar_", "means_", "priors_", "coef_", "intercept_",
                  "explained_variance_ratio_", "classes_"):
            setattr(lda, a, m[a])
        lda._max_components = len(m["explained_variance_ratio_"])
        lda.n_features_in_ = int(m["n_features_in_"])
        return lambda x: (lda.transform(x), lda.predict_proba(x))
    if kind == "logreg":
        lr = LogisticRegression()
        lr.coef_, lr.intercept_, lr.classes_ = m["coef_"], m["intercept_"], m["classes_"]
        lr.n_features_in_ = int(m["n_features_in_"])
        return lr.predict_proba
    raise ValueError(kind)


def bad_fixtures(run):
    os.makedirs(BAD, exist_ok=True)
    src = os.path.join(run, "models", "std.npz")
    shutil.copy(src, os.path.join(BAD, "std.npz"))
    data = open(src, "rb").read()
    with open(os.path.join(BAD, "truncated.npz"), "wb") as f:
        f.write(data[: len(data) // 2])
    arrays = dict(np.load(src, allow_pickle=False))
    missing = {k: v for k, v in arrays.items() if k != "scale_"}
    np.savez(os.path.join(BAD, "missing_member.npz"), **missing)
    future = dict(arrays)
    future["latent.format_version"] = np.array(99, dtype=np.int64)
    np.savez(os.path.join(BAD, "future_version.npz"), **future)
    with zipfile.ZipFile(os.path.join(BAD, "foreign.npz"), "w") as z:
        z.writestr("notes.txt", "not an array\n")


def main():
    latent = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "latent"))
    (xt, yt), (xh, yh) = make_data()
    write_table(os.path.join(MODELS, "train.csv"), xt, yt)
    heldout = os.path.join(MODELS, "heldout.csv")
    write_table(heldout, xh, yh)
    tmp = tempfile.mkdtemp()
    run = os.path.join(tmp, "run")
    env = dict(os.environ, LATENT_CACHE_DIR=os.path.join(tmp, "cache"))
    subprocess.run([latent, "run", os.path.join(MODELS, "fit.yaml"), "--out", run, "--quiet",
                    "--threads", "1"], check=True, env=env)
    ref = {}
    # What each stage reads: the held-out rows through the chain before it.
    chain = {"c": None, "std": None, "mm": None, "p": "std", "pw": "std", "pr": "std",
             "pi": "std", "kp": "std", "lda": "std", "lr": "p", "lr2": "std"}
    for stage, before in chain.items():
        m = load(run, stage)
        steps = []
        while before:
            steps.insert(0, before)
            before = chain[before]
        x = xh
        for step in steps:
            x = rebuild(step, load(run, step))(x)
        got = applied(latent, run, heldout, stage, os.path.join(tmp, "apply-" + stage))
        want = rebuild(stage, m)(x)
        entry = {"kind": str(m["latent.kind"])}
        if isinstance(want, tuple) and stage == "kp":
            entry["values"] = want[0].tolist()
            want = want[0]
        elif isinstance(want, tuple):  # lda: latent apply gives the probabilities
            entry["values"], entry["proba"] = want[0].tolist(), want[1].tolist()
            want = want[1]
        elif stage.startswith("lr"):
            entry["proba"] = want.tolist()
        else:
            entry["values"] = want.tolist()
        err = np.max(np.abs(got - want))
        print("%-4s %-16s max|latent - sklearn| %.3g" % (stage, entry["kind"], err))
        assert err <= TOL, stage
        ref[stage] = entry
    ref["classes"] = CLASSES
    ref["heldout_labels"] = [CLASSES[c] for c in yh]
    with open(os.path.join(HERE, "models.json"), "w") as f:
        json.dump(ref, f, indent=1)
        f.write("\n")
    bad_fixtures(run)
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
