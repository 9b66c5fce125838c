#!/usr/bin/python3
"""Bounds for pipelines/vae_*.yaml: the same models in PyTorch
(bench/vae_torch.py: Keras's initialisation and clipped loss, the same data
split, optimiser and batch size) trained in each pipeline's setting for ten
seeds. latent draws its own initial weights, shuffles and eps, so its run is
one more draw from the distribution these seeds sample.

usage: make_vae_bounds.py [--seeds N] [SETTING...]   (default: the short
settings, ten seeds; `full` is Geron's full 25-epoch run, about 5 minutes a
seed on one idle core; `conv_full` is the Keras example's 30 epochs on all 55000
training images, about 27 minutes a seed, so run it with --seeds 3)
Updates tests/reference/vae_bounds.json, keeping the settings not rerun.
With --add K [K...] (one setting), only seeds K are run and appended to that
setting's entry, whose earlier seeds are kept: a setting too long for one
session grows a few seeds at a time.
With VAE_BOUNDS_RUNS=DIR, each seed's output of bench/vae_torch.py is kept
in DIR/SETTING-seedK.jsonl and read back instead of rerun, so that a long
setting cut off part way resumes where it stopped.
"""
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TORCH = os.path.join(HERE, "..", "..", "bench", "vae_torch.py")
SEEDS = range(10)
# name: (model, epochs, train_rows, latent_dim)
SETTINGS = {"dense_short": ("dense", 5, 5000, 10), "dense_2d_short": ("dense", 5, 5000, 2),
            "conv_short": ("conv", 1, 2000, 2), "full": ("dense", 25, 0, 10),
            "conv_full": ("conv", 30, 0, 2)}
KEYS = ("loss", "reconstruction_loss", "kl_loss", "val_loss", "val_reconstruction_loss",
        "val_kl_loss", "val_elbo_nats", "val_rounded_accuracy")


def run(name, model, epochs, rows, latent, seed):
    keep = os.environ.get("VAE_BOUNDS_RUNS")
    kept = keep and os.path.join(keep, "%s-seed%d.jsonl" % (name, seed))
    if kept and os.path.exists(kept):
        out = open(kept).read()
    else:
        out = subprocess.run(["/usr/bin/python3", TORCH, model, str(epochs), "1", str(rows),
                              str(seed), str(latent)],
                             env=dict(os.environ, OPENBLAS_NUM_THREADS="1"), check=True,
                             capture_output=True, text=True).stdout
        if kept:
            with open(kept + ".part", "w") as f:
                f.write(out)
            os.replace(kept + ".part", kept)
    lines = [json.loads(l) for l in out.splitlines()]
    last = [l for l in lines if "epoch" in l][-1]
    last.update(next(l for l in lines if "val_elbo_nats" in l))
    return last


def main():
    args = sys.argv[1:]
    global SEEDS
    path = os.path.join(HERE, "vae_bounds.json")
    added = None
    if args[:1] == ["--seeds"]:
        SEEDS, args = range(int(args[1])), args[2:]
    elif args[:1] == ["--add"]:
        name = args[-1]
        added, args = [int(a) for a in args[1:-1]], [name]
        old = json.load(open(path))[name]
        if set(added) & set(old["setting"]["seeds"]):
            sys.exit("make_vae_bounds.py: seeds %s are already in %s" % (added, name))
        SEEDS = old["setting"]["seeds"] + added
    names = args or [k for k in SETTINGS if k.endswith("_short")]
    for name in names:
        model, epochs, rows, latent = SETTINGS[name]
        fresh = [run(name, model, epochs, rows, latent, s)
                 for s in (added if added is not None else SEEDS)]
        entry = {"setting": {"model": model, "epochs": epochs, "train_rows": rows,
                             "latent_dim": latent, "valid_rows": 5000, "batch_size": 128,
                             "seeds": list(SEEDS)}}
        for key in KEYS:
            v = [r[key] for r in fresh]
            if added is not None:
                v = old[key]["runs"] + v
            entry[key] = {"runs": v, "min": min(v), "median": statistics.median(v),
                          "max": max(v), "spread": max(v) - min(v)}
        # Read just before writing: another setting may be running at once.
        out = json.load(open(path)) if os.path.exists(path) else {}
        out[name] = entry
        with open(path, "w") as f:
            json.dump(out, f, indent=1)
            f.write("\n")
        print(name, {k: (round(entry[k]["min"], 4), round(entry[k]["max"], 4)) for k in KEYS},
              flush=True)


main()
