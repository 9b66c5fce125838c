#!/usr/bin/python3
"""The lecture's stacked autoencoder, one or more epochs, in PyTorch and in
latent on the same data, run alternately REPEATS times each: median seconds
per epoch, their ratio, peak memory, the final validation loss of each, and
latent's achieved GFLOP/s against the best product speed measured on this
machine (bench/sgemm_peak: per shape the faster of cblas_sgemm and latent's
own small-product kernel, nn/smallmm.h).

usage: stacked_ae_bench.py LATENT SGEMM_PEAK [EPOCHS] [REPEATS]
Wall time per epoch is the headline; CPU seconds per epoch are printed too
(PyTorch's from time.process_time around each epoch, latent's as the whole
run's minus a run that only loads the data), as the fairer measure when
other work shares the machine.
PyTorch runs with 2 threads (the issue's setting) and with 1, both with
OPENBLAS_NUM_THREADS=1 so its threads and OpenBLAS's do not fight; latent
with --threads 2: each thread takes half of every batch's rows forward and
back down the chain of input gradients, then both take blocks of the
weight gradients over the whole batch (nn/dense_shares.h). The fraction of
peak is latent's GFLOP/s
of wall time against sgemm_peak's "two-core" rate: two threads running the
same batch-32 products side by side, each on its own data."""
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
# One training sample's multiply-adds, times 2: the forward pass through
# 784-100-30-100-784, the kernel gradients of all four layers, and the input
# gradients of the last three (the first layer's input needs none).
FORWARD = 2 * (784 * 100 + 100 * 30 + 30 * 100 + 100 * 784)
FLOPS_PER_SAMPLE = FORWARD + FORWARD + 2 * (100 * 30 + 30 * 100 + 100 * 784)
TRAIN, VALID = 55000, 5000


def torch_run(epochs, threads, log):
    cmd = ["/usr/bin/python3", os.path.join(HERE, "stacked_ae_torch.py"), str(epochs), str(threads)]
    with open(log, "w") as f:
        pid = os.fork()
        if pid == 0:
            os.dup2(f.fileno(), 1)
            os.execve(cmd[0], cmd, dict(os.environ, OPENBLAS_NUM_THREADS="1"))
        _, status, usage = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("the PyTorch run failed")
    lines = [json.loads(l) for l in open(log) if l.startswith("{\"epoch\"")]
    return ([l["seconds"] for l in lines], lines[-1]["val_loss"], usage.ru_maxrss / 1024.0,
            statistics.mean(l["cpu_seconds"] for l in lines))


def cpu_of(cmd):
    """CPU seconds (user + system) of a whole latent process."""
    pid = os.fork()
    if pid == 0:
        os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
        os.execv(cmd[0], cmd)
    _, status, usage = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(cmd)} failed")
    return usage.ru_utime + usage.ru_stime


def latent_run(latent, epochs, out, log):
    load = cpu_of([latent, "run", os.path.join(HERE, "stacked_ae_load.yaml"), "--threads", "1",
                   "--out", out + ".load", "--no-cache", "--quiet"])
    cmd = [latent, "run", os.path.join(HERE, "stacked_ae.yaml"), "--threads", "2", "--out", out,
           "--no-cache", "--set", f"ae.epochs={epochs}"]
    with open(log, "w") as f:
        pid = os.fork()
        if pid == 0:
            os.dup2(f.fileno(), 2)
            os.execv(cmd[0], cmd)
        _, status, usage = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("the latent run failed:\n" + open(log).read())
    seconds = [float(m.group(1)) for m in re.finditer(r"^epoch \d+/\d+ +\d+ batches +([0-9.]+) s",
                                                      open(log).read(), re.M)]
    metrics = json.load(open(os.path.join(out, "metrics.json")))
    cpu = (usage.ru_utime + usage.ru_stime - load) / epochs
    return seconds, metrics["ae"]["val_loss"], usage.ru_maxrss / 1024.0, cpu


def main():
    latent, sgemm_peak = sys.argv[1], sys.argv[2]
    epochs = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    repeats = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    peak = json.loads(subprocess.run([sgemm_peak], capture_output=True, text=True, check=True).stdout)
    results = {"latent": [], "torch 2 threads": [], "torch 1 thread": []}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeats):
            results["latent"].append(latent_run(latent, epochs, os.path.join(tmp, "run"),
                                                os.path.join(tmp, "latent.log")))
            for threads in (2, 1):
                name = f"torch {threads} thread{'s' if threads > 1 else ''}"
                results[name].append(torch_run(epochs, threads, os.path.join(tmp, "torch.log")))
    summary = {}
    for name, runs in results.items():
        per_epoch = statistics.median(s for r in runs for s in r[0])
        cpu = statistics.median(r[3] for r in runs)
        summary[name] = (per_epoch, runs[-1][1], max(r[2] for r in runs), cpu)
        print(f"{name:>16}: {per_epoch:7.3f} s per epoch (median of {repeats} x {epochs}), "
              f"CPU {cpu:6.2f} s per epoch, val_loss after {epochs} "
              f"epoch{'s' if epochs > 1 else ''} {runs[-1][1]:.4f}, "
              f"peak RSS {summary[name][2]:6.0f} MiB")
    fastest_torch = min(summary["torch 2 threads"][0], summary["torch 1 thread"][0])
    lat = summary["latent"][0]
    print(f"{'ratio':>16}: PyTorch (faster setting) / latent = {fastest_torch / lat:.2f}x; "
          f"PyTorch 2 threads / latent = {summary['torch 2 threads'][0] / lat:.2f}x; "
          f"in CPU seconds, PyTorch 1 thread / latent = "
          f"{summary['torch 1 thread'][3] / summary['latent'][3]:.2f}x")
    gflops = FLOPS_PER_SAMPLE * TRAIN / 1e9
    print(f"{'latent GFLOP/s':>16}: {gflops / lat:.1f} per wall second, "
          f"{gflops / summary['latent'][3]:.1f} per CPU second ({gflops:.1f} GFLOP of products per "
          f"epoch, validation aside) against {peak['peak']:.1f} GFLOP per CPU second at best "
          f"(1 thread; {peak['forward 784->100']:.1f} on the batch-32 forward product, "
          f"cblas_sgemm's alone {peak['forward 784->100 sgemm']:.1f}); floor at that peak "
          f"{gflops / peak['peak']:.2f} CPU s per epoch")
    print(f"{'fraction of peak':>16}: {gflops / lat / peak['two-core']:.0%} of the two cores' "
          f"{peak['two-core']:.1f} GFLOP/s (wall) on the same batch-32 products")
    print(f"{'val_loss gap':>16}: latent - PyTorch 1 thread = "
          f"{summary['latent'][1] - summary['torch 1 thread'][1]:+.4f}")


main()
