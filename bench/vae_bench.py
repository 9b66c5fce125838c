#!/usr/bin/python3
"""One epoch of Geron's VAE (bench/vae_epoch.yaml; bench/vae_torch.py dense)
in latent and PyTorch, alternately REPEATS times: median wall seconds per
epoch (training and the validation pass: latent's progress line,
PyTorch's timer around both), the ratio, and latent's rate against cblas_sgemm's on the
same products (bench/vae_sgemm.c).

usage: vae_bench.py LATENT VAE_SGEMM [REPEATS]
PyTorch runs with 2 threads and with 1 (OPENBLAS_NUM_THREADS=1), latent with
--threads 2 and 1."""
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def torch_epoch(threads):
    out = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "vae_torch.py"), "dense", "1",
                          str(threads)], env=dict(os.environ, OPENBLAS_NUM_THREADS="1"),
                         check=True, capture_output=True, text=True).stdout
    line = json.loads(out.splitlines()[0])
    return line["seconds_with_valid"], line["val_loss"]


def latent_epoch(latent, threads, out):
    run = subprocess.run([latent, "run", os.path.join(HERE, "vae_epoch.yaml"), "--threads",
                          str(threads), "--out", out, "--no-cache"], check=True,
                         capture_output=True, text=True)
    m = re.search(r"^epoch 1/1 +\d+ batches +([0-9.]+) s", run.stderr, re.M)
    metrics = json.load(open(os.path.join(out, "metrics.json")))
    return float(m.group(1)), metrics["vae"]["val_loss"]


def main():
    latent, sgemm = sys.argv[1], sys.argv[2]
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    floor = json.loads(subprocess.run([sgemm], check=True, capture_output=True, text=True).stdout)
    runs = {"latent 2 threads": [], "latent 1 thread": [], "torch 2 threads": [],
            "torch 1 thread": []}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeats):
            for t in (2, 1):
                runs[f"latent {t} thread{'s' if t > 1 else ''}"].append(
                    latent_epoch(latent, t, os.path.join(tmp, f"run{t}")))
                runs[f"torch {t} thread{'s' if t > 1 else ''}"].append(torch_epoch(t))
    med = {}
    for name, r in runs.items():
        med[name] = statistics.median(s for s, _ in r)
        print(f"{name:>17}: {med[name]:7.3f} s per epoch (median of {repeats}), "
              f"val_loss {r[-1][1]:.4f}")
    for t in ("2 threads", "1 thread"):
        print(f"{'ratio ' + t:>17}: PyTorch / latent = {med['torch ' + t] / med['latent ' + t]:.2f}x")
    g = floor["gflop_per_epoch"]
    print(f"{'GFLOP/s':>17}: latent {g / med['latent 1 thread']:.1f} (1 thread), "
          f"{g / med['latent 2 threads']:.1f} (2 threads) on {g:.1f} GFLOP of products per "
          f"epoch; cblas_sgemm alone on the same shapes {floor['gflops']:.1f} "
          f"(1 thread, {floor['seconds_per_epoch']:.2f} CPU s per epoch)")


main()
