#!/usr/bin/python3
"""pca's randomized and incremental solvers against scikit-learn on
Fashion-MNIST's 60000 x 784 training images, 30 components, and the peak
memory of incremental PCA as the rows grow.

Speed: latent's time is the pca stage's own (run.json stage_seconds), after
the images are loaded; scikit-learn's is the fit call on images already in
memory as float64 (loading excluded on both sides). Runs alternate in one
session; medians and the ratio are printed, with the largest difference of
the explained variance ratios as a sanity check.

Memory: the peak resident size of the whole latent process (GNU time's %M)
running incremental PCA (batches of 1000) on 15000, 30000 and 55000 rows,
once with the images streamed (dataset.fashion_mnist stream: true) and once
held, and of a Python process doing the same with IncrementalPCA.
usage: pca_solvers.py LATENT RUNS [speed | memory]"""
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
from sklearn.decomposition import PCA, IncrementalPCA

IMAGES = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"


def load(rows=60000):
    with gzip.open(IMAGES) as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)[:rows]
    return (x.astype(np.float32) / 255).astype(np.float64)


def pipeline(path, rows, stream, stages):
    with open(path, "w") as f:
        f.write("pipeline: bench-pca-solvers\nseed: 0\nstages:\n")
        f.write(f"  fashion: {{use: dataset.fashion_mnist, with: {{train_rows: {rows}, "
                f"valid_size: 0, test: false, stream: {str(stream).lower()}}}}}\n")
        for name, params in stages.items():
            f.write(f"  {name}: {{use: pca, input: fashion, with: {params}}}\n")


def run_latent(latent, path, out):
    subprocess.run([latent, "run", path, "--quiet", "--no-cache", "--out", out], check=True)
    with open(os.path.join(out, "run.json")) as f:
        seconds = json.load(f)["stage_seconds"]
    with open(os.path.join(out, "metrics.json")) as f:
        return seconds, json.load(f)


def peak_kb(argv):
    res = subprocess.run(["/usr/bin/time", "-f", "%M"] + argv, check=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return int(res.stderr.strip().splitlines()[-1])


SKLEARN_IPCA = """
import gzip, sys, numpy as np
from sklearn.decomposition import IncrementalPCA
rows = int(sys.argv[1])
with gzip.open(%r) as f:
    x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)[:rows]
x = (x.astype(np.float32) / 255).astype(np.float64)
IncrementalPCA(n_components=30, batch_size=1000).fit(x)
""" % IMAGES


def speed(latent, runs, tmp):
    path = os.path.join(tmp, "speed.yaml")
    pipeline(path, 60000, False, {
        "randomized": "{n_components: 30, solver: randomized, random_state: 0}",
        "incremental": "{n_components: 30, solver: incremental, batch_size: 1000}",
    })
    x = load()
    times = {k: [] for k in ("randomized", "incremental", "sk_randomized", "sk_incremental")}
    worst = {"randomized": 0.0, "incremental": 0.0}
    for r in range(runs):
        seconds, metrics = run_latent(latent, path, os.path.join(tmp, f"speed{r}"))
        for name, model in (("randomized", PCA(n_components=30, svd_solver="randomized",
                                                random_state=0)),
                            ("incremental", IncrementalPCA(n_components=30, batch_size=1000))):
            start = time.perf_counter()
            model.fit(x)
            times["sk_" + name].append(time.perf_counter() - start)
            times[name].append(seconds[name])
            ours = np.array(metrics[name]["explained_variance_ratio"])
            worst[name] = max(worst[name],
                              float(np.max(np.abs(ours - model.explained_variance_ratio_))))
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"Fashion-MNIST 60000 x 784 -> 30 components, {runs} runs each (medians)")
    for name in ("randomized", "incremental"):
        print(f"  {name:>11}: latent {med[name]:7.2f} s, scikit-learn {med['sk_' + name]:7.2f} s, "
              f"{med['sk_' + name] / med[name]:.2f}x faster; "
              f"max |ratio difference| {worst[name]:.1e}")


def memory(latent, tmp):
    print("incremental PCA, 30 components, batches of 1000: peak resident MB")
    print(f"  {'rows':>6} {'latent streamed':>16} {'latent held':>12} {'scikit-learn':>13}")
    for rows in (15000, 30000, 55000):
        kb = {}
        for stream in (True, False):
            path = os.path.join(tmp, f"mem{rows}{stream}.yaml")
            pipeline(path, rows, stream,
                     {"incremental": "{n_components: 30, solver: incremental, batch_size: 1000}"})
            kb[stream] = peak_kb([latent, "run", path, "--quiet", "--no-cache", "--out",
                                  os.path.join(tmp, f"mem{rows}{stream}")])
        sk = peak_kb(["/usr/bin/python3", "-c", SKLEARN_IPCA, str(rows)])
        print(f"  {rows:>6} {kb[True] / 1024:>16.0f} {kb[False] / 1024:>12.0f} {sk / 1024:>13.0f}")


def main():
    latent, runs = sys.argv[1], int(sys.argv[2])
    only = sys.argv[3] if len(sys.argv) > 3 else "all"
    with tempfile.TemporaryDirectory() as tmp:
        if only in ("all", "speed"):
            speed(latent, runs, tmp)
        if only in ("all", "memory"):
            memory(latent, tmp)


main()
