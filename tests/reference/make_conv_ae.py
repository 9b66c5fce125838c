#!/usr/bin/python3
"""Bounds for pipelines/conv_ae.yaml: the lecture's convolutional
autoencoder in PyTorch (bench/conv_ae_torch.py: Keras's initialisation,
clipped binary cross-entropy, SGD lr 1.0, batch 32) trained in the
pipeline's short setting, one epoch on the first 5000 training images,
validated on the lecture's 5000 validation images, for thirty seeds.

latent draws its initial weights and shuffles from its own stream, so its
run is one more draw from the distribution these seeds sample; the pipeline
bounds sit outside the range seen here by the seeds' own spread.

Writes tests/reference/conv_ae.json. Takes a few minutes (one thread).
Run: /usr/bin/python3 tests/reference/make_conv_ae.py
"""
import json
import os
import statistics
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
TORCH = os.path.join(HERE, "..", "..", "bench", "conv_ae_torch.py")
TRAIN_ROWS, EPOCHS, SEEDS = 5000, 1, range(30)


def run(seed):
    out = subprocess.run(["/usr/bin/python3", TORCH, str(EPOCHS), "1", str(TRAIN_ROWS), str(seed)],
                         env=dict(os.environ, OPENBLAS_NUM_THREADS="1"), check=True,
                         capture_output=True, text=True).stdout
    return [json.loads(l) for l in out.splitlines() if l.startswith('{"epoch"')][-1]


def main():
    runs = [run(s) for s in SEEDS]
    out = {"setting": {"train_rows": TRAIN_ROWS, "epochs": EPOCHS, "valid_rows": 5000,
                       "batch_size": 32, "learning_rate": 1.0, "seeds": list(SEEDS)}}
    for key in ("loss", "val_loss", "val_rounded_accuracy"):
        v = [r[key] for r in runs]
        out[key] = {"runs": v, "min": min(v), "median": statistics.median(v), "max": max(v)}
    path = os.path.join(HERE, "conv_ae.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    for key in ("loss", "val_loss", "val_rounded_accuracy"):
        print(f"{key}: min {out[key]['min']:.4f} median {out[key]['median']:.4f} "
              f"max {out[key]['max']:.4f}")


main()
