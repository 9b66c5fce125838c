#!/usr/bin/python3
"""latent against scikit-learn on the same data in one run: t-SNE
(Barnes-Hut) of 5000 x 30, MDS of 1000 points and Isomap of 2000 points.
Prints, for each, the median fit time of each tool over RUNS runs, their
ratio, and the quality numbers (KL divergence and trustworthiness, stress,
reconstruction error) of both.

  t-SNE   the first 5000 Fashion-MNIST test images (/usr/share/datasets/
          fashion-mnist, dataset-fashion-mnist), scaled to [0, 1] and reduced
          to 30 dimensions by PCA; TSNE(random_state=0) defaults.
  MDS     the first 1000 rows of that 30-D table; MDS(random_state=0).
  Isomap  make_swiss_roll(2000, noise=0.2, random_state=0); Isomap() defaults.

latent's time is the stage's own (run.json stage_seconds: the fit, without
reading the CSV; --no-cache, so every run computes); its t-SNE runs skip
the trustworthiness metric while timed, and one more run reports it.
scikit-learn's time is the fit call.
Both use their default threads (latent: one per core; scikit-learn: OpenMP
and BLAS threads per core).

usage: bench/manifolds.py [RUNS] [tsne|tsne-fft|tsne-fft-70k|mds|isomap|tsne-seeds ...]
  (after ninja -C build; default: tsne mds isomap; tsne-fft times latent's
  method fft against scikit-learn's Barnes-Hut on the same 5000 x 30;
  tsne-fft-70k times method fft alone on all 70000 images after PCA(50);
  tsne-seeds compares KL over RUNS seeds of init random instead of timing
  one configuration)
"""
import gzip
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
from sklearn.datasets import make_swiss_roll
from sklearn.decomposition import PCA
from sklearn.manifold import MDS, TSNE, Isomap, trustworthiness

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LATENT = os.path.join(ROOT, "build", "latent")
FASHION = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"


def fashion_pca30(rows):
    with gzip.open(FASHION) as f:
        raw = np.frombuffer(f.read(), dtype=np.uint8, offset=16)
    x = raw.reshape(-1, 784)[:rows].astype(np.float64) / 255.0
    return PCA(n_components=30, random_state=0).fit_transform(x)


def write_csv(path, x):
    header = ",".join(f"x{j}" for j in range(x.shape[1]))
    np.savetxt(path, x, delimiter=",", header=header, comments="", fmt="%.17g")


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


CPU = {"latent": [], "scikit-learn": []}  # CPU seconds of the runs being reported


def run_latent(tmp, csv, stage, use, params):
    """One latent run of dataset.csv -> STAGE; returns (seconds, metrics) and
    records the process's CPU time (all threads; it includes reading the
    CSV, a few milliseconds)."""
    yaml = os.path.join(tmp, "bench.yaml")
    with open(yaml, "w") as f:
        f.write("pipeline: bench\nseed: 0\nstages:\n")
        f.write(f"  data: {{use: dataset.csv, with: {{path: {csv}}}}}\n")
        f.write(f"  {stage}: {{use: {use}, with: {json.dumps(params)}}}\n")
    out = os.path.join(tmp, "out")
    subprocess.run(["rm", "-rf", out], check=True)
    cpu = children_cpu()
    subprocess.run([LATENT, "run", yaml, "--quiet", "--no-cache", "--out", out], check=True)
    CPU["latent"].append(children_cpu() - cpu)
    with open(os.path.join(out, "run.json")) as f:
        seconds = json.load(f)["stage_seconds"][stage]
    with open(os.path.join(out, "metrics.json")) as f:
        return seconds, json.load(f)[stage]


def timed(fit):
    """Wall seconds of FIT and its result; records the CPU time of all the
    process's threads."""
    start, cpu = time.perf_counter(), time.process_time()
    result = fit()
    CPU["scikit-learn"].append(time.process_time() - cpu)
    return time.perf_counter() - start, result


def report(name, runs, ours, theirs, quality):
    a, b = statistics.median(ours), statistics.median(theirs)
    ca, cb = statistics.median(CPU["latent"]), statistics.median(CPU["scikit-learn"])
    CPU["latent"].clear()
    CPU["scikit-learn"].clear()
    print(f"{name}: latent median {a:8.3f} s, scikit-learn median {b:8.3f} s "
          f"over {runs} runs: latent is {b / a:.1f}x faster")
    print(f"    CPU time (all threads), median: latent {ca:.3f} s, scikit-learn {cb:.3f} s "
          f"({cb / ca:.1f}x)")
    for line in quality:
        print(f"    {line}")
    sys.stdout.flush()


def bench_tsne(tmp, runs, method="barnes_hut"):
    x = fashion_pca30(5000)
    csv = os.path.join(tmp, "tsne.csv")
    write_csv(csv, x)
    ours, kl_ours = [], []
    params = {"random_state": 0, "method": method}
    for _ in range(runs):
        t, m = run_latent(tmp, csv, "tsne", "tsne", dict(params, trust_neighbors=0))
        ours.append(t)
        kl_ours.append(m["kl_divergence"])
    _, m = run_latent(tmp, csv, "tsne", "tsne", params)
    CPU["latent"].pop()  # the untimed run with trustworthiness
    theirs, kl_theirs = [], []
    for _ in range(runs):
        model = TSNE(random_state=0)
        t, emb = timed(lambda: model.fit_transform(x))
        theirs.append(t)
        kl_theirs.append(model.kl_divergence_)
    trust = trustworthiness(x, emb, n_neighbors=5)
    name = {"barnes_hut": "Barnes-Hut", "fft": "fft (latent) vs Barnes-Hut (sklearn)"}[method]
    report(f"t-SNE, {name}, 5000 x 30", runs, ours, theirs, [
        f"KL divergence: latent {kl_ours[0]:.4f}, scikit-learn {kl_theirs[0]:.4f} "
        f"(latent/sklearn {kl_ours[0] / kl_theirs[0]:.3f})",
        f"trustworthiness (k=5): latent {m['trustworthiness']:.4f}, scikit-learn {trust:.4f}"])


def bench_tsne_seeds(tmp, runs):
    """KL divergence as a distribution: init random from RandomState(seed) for
    seeds 0 .. RUNS - 1 (the same starts for both tools), medians compared."""
    x = fashion_pca30(5000)
    csv = os.path.join(tmp, "tsne.csv")
    write_csv(csv, x)
    ours, theirs, kl_ours, kl_theirs = [], [], [], []
    for seed in range(runs):
        t, m = run_latent(tmp, csv, "tsne", "tsne",
                          {"random_state": seed, "init": "random", "trust_neighbors": 0})
        ours.append(t)
        kl_ours.append(m["kl_divergence"])
        model = TSNE(random_state=seed, init="random")
        t, _ = timed(lambda: model.fit(x))
        theirs.append(t)
        kl_theirs.append(model.kl_divergence_)
    a, b = statistics.median(kl_ours), statistics.median(kl_theirs)
    report(f"t-SNE, Barnes-Hut, 5000 x 30, init random, seeds 0-{runs - 1}", runs, ours,
           theirs, [f"KL divergence, median: latent {a:.4f}, scikit-learn {b:.4f} "
                    f"(latent/sklearn {a / b:.3f})",
                    "latent:       " + " ".join(f"{v:.4f}" for v in kl_ours),
                    "scikit-learn: " + " ".join(f"{v:.4f}" for v in kl_theirs)])


def bench_tsne_fft(tmp, runs):
    bench_tsne(tmp, runs, "fft")


def bench_tsne_fft_70k(tmp, runs):
    """All 70000 Fashion-MNIST images (train then test), scaled to [0, 1],
    PCA(50); latent's method fft only (scikit-learn's Barnes-Hut takes tens
    of minutes here): its time and KL divergence."""
    xs = []
    for part in ("train", "t10k"):
        with gzip.open(FASHION.replace("t10k", part)) as f:
            xs.append(np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 784))
    x = np.vstack(xs).astype(np.float64) / 255.0
    x = PCA(n_components=50, random_state=0).fit_transform(x)
    csv = os.path.join(tmp, "tsne70k.csv")
    write_csv(csv, x)
    ours = []
    for _ in range(runs):
        t, m = run_latent(tmp, csv, "tsne", "tsne",
                          {"random_state": 0, "method": "fft", "trust_neighbors": 0})
        ours.append(t)
        print(f"    latent fft, 70000 x 50: {t:.1f} s, KL {m['kl_divergence']:.4f}, "
              f"{m['n_iter']} iterations (CPU {CPU['latent'][-1]:.1f} s)")
    CPU["latent"].clear()
    print(f"t-SNE fft, 70000 x 50: latent median {statistics.median(ours):.1f} s over "
          f"{runs} runs")


def bench_mds(tmp, runs):
    x = fashion_pca30(1000)
    csv = os.path.join(tmp, "mds.csv")
    write_csv(csv, x)
    ours, theirs = [], []
    for _ in range(runs):
        t, m = run_latent(tmp, csv, "mds", "mds", {"random_state": 0})
        ours.append(t)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        for _ in range(runs):
            model = MDS(random_state=0)
            t, _ = timed(lambda: model.fit(x))
            theirs.append(t)
    report("MDS (SMACOF, 4 starts), 1000 x 30", runs, ours, theirs, [
        f"stress: latent {m['stress']:.10g}, scikit-learn {model.stress_:.10g} "
        f"(relative difference {abs(m['stress'] - model.stress_) / model.stress_:.1e})"])


def bench_isomap(tmp, runs):
    x, _ = make_swiss_roll(2000, noise=0.2, random_state=0)
    csv = os.path.join(tmp, "isomap.csv")
    write_csv(csv, x)
    ours, theirs = [], []
    for _ in range(runs):
        t, m = run_latent(tmp, csv, "isomap", "isomap", {})
        ours.append(t)
    for _ in range(runs):
        model = Isomap()
        t, _ = timed(lambda: model.fit(x))
        theirs.append(t)
    err = model.reconstruction_error()
    report("Isomap (5 neighbours), 2000 x 3", runs, ours, theirs, [
        f"reconstruction error: latent {m['reconstruction_error']:.12g}, "
        f"scikit-learn {err:.12g}"])


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    which = sys.argv[2:] or ["tsne", "mds", "isomap"]
    print(f"{os.cpu_count()} CPUs; latent at {LATENT}")
    with tempfile.TemporaryDirectory() as tmp:
        for name in which:
            {"tsne": bench_tsne, "tsne-fft": bench_tsne_fft,
             "tsne-fft-70k": bench_tsne_fft_70k, "tsne-seeds": bench_tsne_seeds, "mds": bench_mds,
             "isomap": bench_isomap}[name](tmp, runs)


main()
