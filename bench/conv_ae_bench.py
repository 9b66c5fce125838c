#!/usr/bin/python3
"""The lecture's convolutional autoencoder (pipelines/conv_ae.yaml on all
55000 training images), one epoch in latent and in PyTorch
(bench/conv_ae_torch.py, same model and settings), run alternately REPEATS
times: median seconds per epoch, wall and CPU, their ratios; the FLOPs of
one epoch and latent's time against cblas_sgemm's measured speed
(bench/conv_sgemm_peak.c).

usage: conv_ae_bench.py LATENT SGEMM_PEAK [REPEATS] [--full]
PyTorch runs with 2 threads (the issue's setting) and with 1, both with
OPENBLAS_NUM_THREADS=1 so its threads and OpenBLAS's do not fight. latent
runs with --threads 2 (the autoencoder stage keeps OpenBLAS on one thread
for batches of 32). --full also trains latent the lecture's 5 epochs once
and prints its val_loss against Keras's 0.2671.

Wall seconds of an epoch are what the issue compares; on a machine shared
with other work they measure the load as much as the code, so CPU seconds
are printed next to them: PyTorch's for its epoch (training and validation)
alone, latent's as the difference between a 2-epoch and a 1-epoch run of
the whole process (loading and the outputs cancel). CPU seconds add up the
threads' time, spinning included: PyTorch's OpenMP threads spin while they
wait, and on a loaded machine that costs it far more than one thread."""
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PIPELINE = os.path.join(HERE, "..", "pipelines", "conv_ae.yaml")
TRAIN, VALID, BATCH = 55000, 5000, 32

# (kind, input side, output side, input channels, output channels), 3x3 kernels.
LAYERS = [("conv", 28, 28, 1, 16), ("conv", 14, 14, 16, 32), ("conv", 7, 7, 32, 64),
          ("convT", 3, 7, 64, 32), ("convT", 7, 14, 32, 16), ("convT", 14, 28, 16, 1)]


def layer_flops(kind, side_in, side_out, c_in, c_out):
    """Multiply-adds x 2 of one sample's forward product: every patch
    position (the output's for a convolution, the input's for a transposed
    one) times a 9 c_in x c_out kernel."""
    positions = side_out ** 2 if kind == "conv" else side_in ** 2
    return 2 * positions * 9 * c_in * c_out


FORWARD = sum(layer_flops(*l) for l in LAYERS)
# Training: the forward product, the kernel gradient (as many FLOPs) and the
# input gradient (as many, but the first layer's input needs none).
TRAIN_FLOPS = 3 * FORWARD - layer_flops(*LAYERS[0])
EPOCH_FLOPS = TRAIN * TRAIN_FLOPS + VALID * FORWARD


def run(cmd, env, log, stream):
    """Runs CMD with its STREAM (1 or 2) to LOG; returns CPU seconds."""
    with open(log, "w") as f:
        pid = os.fork()
        if pid == 0:
            os.dup2(f.fileno(), stream)
            os.execve(cmd[0], cmd, env)
        _, status, usage = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n" + open(log).read()[-2000:])
    return usage.ru_utime + usage.ru_stime


def torch_run(threads, log):
    cmd = ["/usr/bin/python3", os.path.join(HERE, "conv_ae_torch.py"), "1", str(threads)]
    run(cmd, dict(os.environ, OPENBLAS_NUM_THREADS="1"), log, 1)
    epoch = [json.loads(l) for l in open(log) if l.startswith('{"epoch"')][-1]
    return epoch["seconds"], epoch["cpu_seconds"], epoch["val_loss"]


def latent_run(latent, epochs, out, log):
    """Wall seconds of the last epoch, CPU seconds of the process, val_loss."""
    cmd = [latent, "run", PIPELINE, "--threads", "2", "--no-cache", "--out", out,
           "--set", "fashion.train_rows=0", "--set", f"ae.epochs={epochs}"]
    cpu = run(cmd, dict(os.environ), log, 2)
    seconds = [float(m.group(1)) for m in re.finditer(r"^epoch \d+/\d+ +\d+ batches +([0-9.]+) s",
                                                      open(log).read(), re.M)]
    metrics = json.load(open(os.path.join(out, "metrics.json")))
    return seconds[-1], cpu, metrics["ae"]["val_loss"]


def latent_epoch(latent, tmp):
    """One epoch: wall seconds from the progress line, CPU seconds as the
    difference between a 2-epoch and a 1-epoch run."""
    one = latent_run(latent, 1, os.path.join(tmp, "one"), os.path.join(tmp, "latent.log"))
    two = latent_run(latent, 2, os.path.join(tmp, "two"), os.path.join(tmp, "latent.log"))
    return one[0], two[1] - one[1], one[2]


def main():
    args = [a for a in sys.argv[1:] if a != "--full"]
    latent, sgemm_peak = args[0], args[1]
    repeats = int(args[2]) if len(args) > 2 else 3
    peak = json.loads(subprocess.run([sgemm_peak], capture_output=True, text=True,
                                     check=True).stdout)
    names = ("latent", "torch 2 threads", "torch 1 thread")
    results = {name: [] for name in names}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeats):
            results["latent"].append(latent_epoch(latent, tmp))
            for threads, name in ((2, names[1]), (1, names[2])):
                results[name].append(torch_run(threads, os.path.join(tmp, "torch.log")))
        if "--full" in sys.argv:
            full = latent_run(latent, 5, os.path.join(tmp, "full"), os.path.join(tmp, "full.log"))
    med = {n: (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))
           for n, runs in results.items()}
    for name in names:
        print(f"{name:>16}: {med[name][0]:7.2f} s per epoch wall, {med[name][1]:7.2f} s CPU "
              f"(median of {repeats}), val_loss after 1 epoch {results[name][-1][2]:.4f}")
    lat, lat_cpu = med["latent"]
    for name in names[1:]:
        print(f"{'ratio':>16}: {name} / latent = {med[name][0] / lat:.2f}x wall, "
              f"{med[name][1] / lat_cpu:.2f}x CPU")
    gflop = EPOCH_FLOPS / 1e9
    floor = gflop / peak["peak"]
    steps = -(-TRAIN // BATCH)
    shapes = peak["step_seconds"] * steps
    print(f"{'FLOPs':>16}: {gflop:.1f} GFLOP per epoch ({TRAIN_FLOPS / 1e6:.2f} MFLOP per "
          f"training image, {FORWARD / 1e6:.2f} per validation image)")
    print(f"{'sgemm':>16}: peak {peak['peak']:.1f} GFLOP/s (1 thread, 1024^3); floor at that peak "
          f"{floor:.2f} s per epoch ({floor / 2:.2f} s on 2 cores); the training products at "
          f"their own shapes' speeds {shapes:.2f} s")
    print(f"{'latent':>16}: {gflop / lat:.1f} GFLOP/s wall ({lat / (floor / 2):.2f}x the 2-core "
          f"floor); {gflop / lat_cpu:.1f} GFLOP per CPU second ({lat_cpu / floor:.2f}x the "
          f"1-thread floor)")
    if "--full" in sys.argv:
        print(f"{'full run':>16}: 5 epochs on 55000 images, val_loss {full[2]:.4f} "
              f"(Keras 0.2671; bound 0.275), last epoch {full[0]:.1f} s")


main()
