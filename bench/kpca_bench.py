#!/usr/bin/python3
"""Kernel PCA (rbf, gamma 0.04, 2 components) of 5000 swiss-roll points:
latent's kernel_pca stage against scikit-learn's KernelPCA.fit_transform on
the same points (make_swiss_roll(5000, noise=0.2, random_state=42), which
dataset.swiss_roll reproduces), run alternately in one session.

latent's time is the stage's own (run.json stage_seconds: kernel, centring,
eigenpairs, projection), scikit-learn's the fit_transform call; neither
includes process start or data generation. Prints the median of each, the
ratio, and the largest eigenvalue difference as a sanity check.
usage: kpca_bench.py LATENT RUNS"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
from sklearn.datasets import make_swiss_roll
from sklearn.decomposition import KernelPCA

HERE = os.path.dirname(os.path.abspath(__file__))
PIPELINE = os.path.join(HERE, "kpca_swiss_roll.yaml")
SOLVERS = ("auto", "arpack")  # the pipeline's stage names


def latent_once(latent, out):
    subprocess.run([latent, "run", PIPELINE, "--quiet", "--no-cache", "--out", out], check=True,
                   stdout=subprocess.DEVNULL)
    with open(os.path.join(out, "run.json")) as f:
        seconds = json.load(f)["stage_seconds"]
    with open(os.path.join(out, "metrics.json")) as f:
        metrics = json.load(f)
    return seconds, metrics


def sklearn_once(X):
    start = time.perf_counter()
    kpca = KernelPCA(n_components=2, kernel="rbf", gamma=0.04)
    kpca.fit_transform(X)
    return time.perf_counter() - start, kpca.eigenvalues_


def main():
    latent, runs = sys.argv[1], int(sys.argv[2])
    X, _ = make_swiss_roll(5000, noise=0.2, random_state=42)
    times = {name: [] for name in SOLVERS + ("sklearn",)}
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(runs):
            seconds, metrics = latent_once(latent, os.path.join(tmp, str(r)))
            t, eig = sklearn_once(X)
            times["sklearn"].append(t)
            for name in SOLVERS:
                times[name].append(seconds[name])
                worst = max(worst, float(np.max(np.abs(np.array(metrics[name]["eigenvalues"]) - eig))))
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"kernel PCA rbf, 2 components, 5000 swiss-roll points, {runs} runs each")
    print(f"{'scikit-learn':>22}: median {med['sklearn'] * 1000:8.1f} ms (KernelPCA, eigen_solver auto = arpack)")
    for name in SOLVERS:
        solver = metrics[name]["eigen_solver"]
        print(f"{'latent ' + name:>22}: median {med[name] * 1000:8.1f} ms ({solver}), "
              f"{med['sklearn'] / med[name]:.2f}x faster")
    print(f"{'eigenvalues':>22}: max |latent - scikit-learn| = {worst:.2e}")


main()
