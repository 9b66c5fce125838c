#!/usr/bin/python3
"""One epoch of the lecture's Gaussian denoising autoencoder in PyTorch, as
tests/reference/make_denoising.py builds it (Keras's initialisation, loss
and SGD(1.0), batches of 32), on all 55000 training images, then the
validation pass Keras's fit runs after each epoch. Prints the epoch's
seconds (training and validation; loading and start-up excluded).
usage: OPENBLAS_NUM_THREADS=1 bench/denoising_torch.py [THREADS]"""
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "reference"))
import make_denoising as ref  # noqa: E402

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
full = ref.load_images("train")
x, vx = torch.tensor(full[:-5000]), torch.tensor(full[-5000:])
start = time.perf_counter()
result = ref.fit(lambda: ref.GaussianNoise(0.2), x, vx, seed=42, epochs=1)
seconds = time.perf_counter() - start
print(f"{seconds:.3f} loss {result['loss']:.4f} val_loss {result['val_loss']:.4f} "
      f"val_rounded_accuracy {result['val_rounded_accuracy']:.4f}")
