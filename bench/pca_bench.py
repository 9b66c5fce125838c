#!/usr/bin/python3
"""PCA speed: latent against scikit-learn and numpy on the same data, same run.

For each size the data are generated once (a decaying spectrum in a random
orientation, so the leading components are well defined), written to a raw
float64 file in /tmp that bench/pca_bench (C) reads, and timed here with
  sklearn  PCA(k, svd_solver='full').fit_transform(X)
  numpy    centre, Xc.T @ Xc / (n - 1), eigh, sort descending, Xc @ V[:, :k]
Each tool runs REPS times, in interleaved rounds (latent, sklearn, numpy, ...)
after one warm-up run each; the medians are reported with the ratios.
Thread count: whatever OPENBLAS_NUM_THREADS says (bench/run_pca.sh sets it),
the same for the C program, which inherits this environment.
"""
import argparse
import json
import os
import statistics
import subprocess
import time

import numpy as np
import sklearn
from sklearn.decomposition import PCA


def make_data(n, p, seed=0):
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((p, p)))
    scales = 1.0 / np.sqrt(1.0 + np.arange(p))
    return (rng.standard_normal((n, p)) * scales) @ q + rng.uniform(-3, 3, p)


def timed_once(fn):
    """Wall and CPU seconds (CPU: every thread of this process, OpenBLAS's
    included, which a busy neighbour on the machine disturbs less)."""
    t0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - t0, time.process_time() - c0


def latent_once(exe, path, n, p, k, solvers):
    """One timed run of each latent solver (after its own warm-up run)."""
    out = subprocess.run([exe, path, str(n), str(p), str(k), "1", solvers],
                         check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def numpy_route(X, k):
    Xc = X - X.mean(axis=0)
    C = Xc.T @ Xc / (X.shape[0] - 1)
    w, v = np.linalg.eigh(C)
    order = np.argsort(w)[::-1][:k]
    return w[order], Xc @ v[:, order]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--exe", default="build/bench/pca_bench")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--k", type=int, default=50)
    ap.add_argument("--sizes", default="100000x100,60000x784")
    ap.add_argument("--latent", default="auto,full,stage",
                    help="latent solvers to time (auto, full, covariance, stage)")
    args = ap.parse_args()

    threads = os.environ.get("OPENBLAS_NUM_THREADS", "(unset)")
    print(f"OPENBLAS_NUM_THREADS={threads}  sklearn {sklearn.__version__}  "
          f"numpy {np.__version__}  k={args.k}  reps={args.reps}  (median seconds)")
    for size in args.sizes.split(","):
        n, p = (int(v) for v in size.split("x"))
        X = make_data(n, p)
        path = f"/tmp/latent-bench-{os.getpid()}-{n}x{p}.f64"
        X.tofile(path)

        def sklearn_run():
            return PCA(args.k, svd_solver="full").fit_transform(X)

        def numpy_run():
            return numpy_route(X, args.k)

        # Rounds interleave the tools so that a noisy neighbour on the
        # machine slows all of them alike; each tool warms up once first.
        sklearn_run()
        numpy_run()
        names = args.latent.split(",")
        times = {name: [] for name in names + ["sklearn", "numpy"]}
        cpu = {name: [] for name in times}
        ran, ev = {}, None
        for _ in range(args.reps):
            for r in latent_once(args.exe, path, n, p, args.k, args.latent):
                times[r["solver"]].append(r["median"])
                cpu[r["solver"]].append(r["cpu_median"])
                ran[r["solver"]] = r["ran"]
                if r["solver"] == "auto":
                    ev = np.array(r["explained_variance"])
            for name, fn in (("sklearn", sklearn_run), ("numpy", numpy_run)):
                wall, used = timed_once(fn)
                times[name].append(wall)
                cpu[name].append(used)

        med = {name: statistics.median(t) for name, t in times.items()}
        cmed = {name: statistics.median(t) for name, t in cpu.items()}
        print(f"\n{n} x {p}{'':<22}wall median   CPU median   wall times")
        labels = {name: f"latent {name}" + (f" ({ran[name]})" if name == "auto" else "")
                  for name in names}
        labels.update(sklearn="sklearn full", numpy="numpy cov+eigh")
        for name in names + ["sklearn", "numpy"]:
            print(f"  {labels[name]:<28} {med[name]:9.4f}   {cmed[name]:9.4f}   "
                  f"{[round(t, 3) for t in times[name]]}")
        for other in ("sklearn", "numpy"):
            per_round = statistics.median(
                o / l for o, l in zip(times[other], times["auto"]))
            print(f"  {other:<7} / latent auto: wall {med[other] / med['auto']:5.2f}x "
                  f"(median of per-round ratios {per_round:.2f}x), "
                  f"CPU {cmed[other] / cmed['auto']:5.2f}x")
        ref = PCA(args.k, svd_solver="full").fit(X).explained_variance_[:len(ev)]
        print(f"  leading explained variance, max rel. diff to sklearn: "
              f"{np.max(np.abs(ev - ref) / ref):.2e}")
        os.remove(path)


if __name__ == "__main__":
    main()
