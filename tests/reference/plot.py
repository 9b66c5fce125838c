#!/usr/bin/python3
"""Reference numbers for tests/unit/test_plot.c, written to plot.json.

Tick positions and labels come from matplotlib's own default locator and
formatter (Debian's python3-matplotlib), the colour map from matplotlib's
viridis, the 2-D principal axes and reconstruction errors from
scikit-learn's PCA, and the component count for a variance threshold from
PCA(n_components=fraction) on the scaled breast-cancer data.

Run: /usr/bin/python3 tests/reference/plot.py   (from the source root)
"""
import json
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib import cm  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
from sklearn.datasets import load_breast_cancer  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

STEPS = [1, 2, 2.5, 5, 10]

# (vmin, vmax, nbins, integer)
TICK_CASES = [
    (0.0, 1.0, 9, False),
    (0.0, 1.0, 5, False),
    (-3.7, 12.2, 9, False),
    (-3.7, 12.2, 4, False),
    (0.0, 100.0, 9, False),
    (-1.0, 1.0, 9, False),
    (0.013, 0.0171, 9, False),
    (-0.013, -0.002, 6, False),
    (2.0e-7, 9.0e-7, 9, False),
    (0.0, 3.2e6, 9, False),
    (1000.1, 1000.7, 9, False),
    (-5.3, -5.29, 9, False),
    (0.45, 30.55, 9, True),
    (0.55, 3.45, 9, True),
    (0.6, 10.4, 9, True),
    (-2.2, 7.9, 3, False),
    (1e-3, 1.0, 9, False),
    (-123456.0, 654321.0, 7, False),
]


def tick_case(vmin, vmax, nbins, integer):
    locator = MaxNLocator(nbins=nbins, steps=STEPS, integer=integer)
    raw = locator.tick_values(vmin, vmax)
    fig, ax = plt.subplots()
    ax.set_xlim(vmin, vmax)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=nbins, steps=STEPS, integer=integer))
    fig.canvas.draw()
    slack = (vmax - vmin) * 1e-9
    shown = [t for t in ax.xaxis.get_major_ticks() if vmin - slack <= t.get_loc() <= vmax + slack]
    offset_text = ax.xaxis.get_offset_text().get_text()
    plt.close(fig)
    return {
        "vmin": vmin, "vmax": vmax, "nbins": nbins, "integer": integer,
        "ticks": [float(v) for v in raw],
        "labels": [t.label1.get_text() for t in shown],
        # matplotlib writes a power of ten as "1e6" and an additive offset
        # as "+1e3"; latent has no additive offset.
        "offset_text": offset_text,
    }


def viridis():
    t = np.linspace(0, 1, 21)
    return {"t": t.tolist(), "rgb": cm.viridis(t)[:, :3].tolist()}


def pca2d():
    # The lecture's 2-D example, smaller: mean (-1, 2), cov [[4, 2], [2, 2]].
    rng = np.random.RandomState(7)
    x = rng.multivariate_normal((-1, 2), [[4, 2], [2, 2]], 200)
    x = np.round(x, 6)  # what the JSON carries is what both sides use
    pca = PCA(n_components=2).fit(x)
    errors = []
    for k in range(2):
        v = pca.components_[k]
        recon = pca.mean_ + np.outer((x - pca.mean_) @ v, v)
        errors.append(float(np.mean(np.sum((x - recon) ** 2, axis=1))))
    return {
        "x": x.tolist(),
        "mean": pca.mean_.tolist(),
        "components": pca.components_.tolist(),
        "explained_variance": pca.explained_variance_.tolist(),
        "explained_variance_ratio": pca.explained_variance_ratio_.tolist(),
        "reconstruction_error": errors,
    }


def spectrum():
    x = StandardScaler().fit_transform(load_breast_cancer().data)
    ratio = PCA().fit(x).explained_variance_ratio_
    thresholds = [0.5, 0.8, 0.9, 0.95, 0.99]
    counts = [int(PCA(n_components=t).fit(x).n_components_) for t in thresholds]
    return {"ratio": ratio.tolist(), "thresholds": thresholds, "n_components": counts}


def main():
    out = {
        "ticks": [tick_case(*c) for c in TICK_CASES],
        "viridis": viridis(),
        "pca2d": pca2d(),
        "spectrum": spectrum(),
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "plot.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
