#!/usr/bin/python3
"""Reference for pipelines/sweep_kernel_gamma.yaml: the pre-image error of
rbf kernel PCA (2 components, fit_inverse_transform) on the swiss roll (1000
points, noise 0.2, random_state 42) for gamma in linspace(0.03, 0.05, 10), as
the lecture's source grid-searches gamma.
Run: /usr/bin/python3 tests/reference/make_sweep_gamma.py > tests/reference/sweep_gamma.json"""
import json
import sys

import numpy as np
from sklearn.datasets import make_swiss_roll
from sklearn.decomposition import KernelPCA
from sklearn.metrics import mean_squared_error

X, t = make_swiss_roll(n_samples=1000, noise=0.2, random_state=42)
rows = []
for gamma in np.linspace(0.03, 0.05, 10):
    kpca = KernelPCA(n_components=2, kernel="rbf", gamma=gamma, fit_inverse_transform=True)
    X_pre = kpca.inverse_transform(kpca.fit_transform(X))
    rows.append({"gamma": float(gamma), "reconstruction_mse": float(mean_squared_error(X, X_pre))})
errs = [r["reconstruction_mse"] for r in rows]
json.dump({"points": rows, "min": min(errs), "max": max(errs),
           "best_gamma": rows[int(np.argmin(errs))]["gamma"]}, sys.stdout, indent=1)
print()
