#!/usr/bin/python3
"""Reference numbers for the recurrent layers (src/nn/layer_lstm.c,
layer_gru.c, layer_repeat_vector.c, layer_time_distributed.c), from Debian's
PyTorch with Keras's weight layout (see rnn_torch.py for the mapping).

Writes tests/reference/rnn.json:
  layers       LSTM and GRU cases (return_sequences both ways, with and
               without bias) on fixed inputs x [n, T, F] and weights in
               Keras's layout: the output y, and for the objective
               sum(r * y) the gradients of every weight (Keras's layout and
               order) and of x.
  chain        the lecture's recurrent autoencoder, narrowed (LSTM(6, seq)
               -> LSTM(3) / RepeatVector(4) -> LSTM(6, seq) ->
               TimeDistributed(Dense(5, sigmoid))) on x [3, 4, 5] in [0, 1]:
               its output, Keras's binary cross-entropy and the loss's
               gradient of every weight.
  orthogonal   Keras's Orthogonal initialiser from RandomState(seed)'s
               normals, for a wide, a square and a tall matrix.
  short_run    pipelines/recurrent_ae.yaml's setting in PyTorch: the
               recurrent autoencoder trained one epoch on the first 6400
               training images, validated on the last 1000 of the training
               file. With seed 42 its initial weights and shuffle are
               latent's (both draw them from RandomState(42) in the same
               order), so latent must land on the same numbers up to float
               rounding; other seeds show how far apart different draws
               land. Written with --short-run (minutes).
Run: /usr/bin/python3 tests/reference/make_rnn.py [--short-run]
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rnn_torch as rt  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "rnn.json")
torch.set_num_threads(1)


def f32(*arrays):
    return [float(v) for a in arrays for v in np.asarray(a, dtype=np.float32).ravel()]


def layer_case(kind, n, steps, features, units, return_sequences, use_bias, seed):
    rng = np.random.RandomState(seed)
    x = rng.normal(0, 1, (n, steps, features)).astype(np.float32)
    if kind == "lstm":
        w = rt.keras_lstm_weights(rng, features, units, use_bias)
        layer = rt.torch_lstm(w, features, units)
    else:
        w = rt.keras_gru_weights(rng, features, units, use_bias)
        layer = rt.torch_gru(w, features, units)
    # Biases away from their initial zeros (and ones), so a misplaced one shows.
    if use_bias:
        w[2] = w[2] + rng.normal(0, 0.3, w[2].shape).astype(np.float32)
        layer = (rt.torch_lstm if kind == "lstm" else rt.torch_gru)(w, features, units)
    xt = torch.tensor(x, requires_grad=True)
    seq, h = layer(xt)
    y = seq if return_sequences else seq[:, -1, :]
    r = torch.tensor(rng.normal(0, 1, tuple(y.shape)).astype(np.float32))
    (r * y).sum().backward()
    grads = (rt.lstm_grads_keras(layer, use_bias) if kind == "lstm"
             else rt.gru_grads_keras(layer, units, use_bias))
    return {"kind": kind, "n": n, "steps": steps, "features": features, "units": units,
            "return_sequences": return_sequences, "use_bias": use_bias,
            "x": f32(x), "weights": f32(*w), "y": f32(y.detach().numpy()), "r": f32(r),
            "grad_weights": f32(*grads), "grad_x": f32(xt.grad.numpy())}


def chain_case():
    model = rt.RecurrentAE(np.random.RandomState(5), steps=4, features=5, wide=6, code=3)
    rng = np.random.RandomState(6)
    x = torch.tensor(rng.uniform(0, 1, (3, 4, 5)).astype(np.float32))
    p = model(x)
    loss = rt.keras_bce(p, x)
    loss.backward()
    grads = []
    for lstm in (model.enc1, model.enc2, model.dec1):
        grads += rt.lstm_grads_keras(lstm, True)
    grads += [model.out.weight.grad.numpy().T, model.out.bias.grad.numpy()]
    return {"x": f32(x), "weights": f32(model.keras_weights()), "y": f32(p.detach().numpy()),
            "loss": float(loss), "grad_weights": f32(*grads)}


def orthogonal_cases():
    return [{"seed": seed, "rows": rows, "cols": cols,
             "w": f32(rt.orthogonal(np.random.RandomState(seed), rows, cols))}
            for seed, rows, cols in ((3, 4, 16), (4, 6, 6), (5, 7, 3))]


SHORT = {"train_rows": 6400, "valid_size": 1000, "epochs": 1}
SPREAD_SEEDS = (0, 1, 2, 3, 4)


def short_run_once(seed):
    x_train, x_valid = (torch.tensor(a) for a in
                        rt.fashion_mnist(SHORT["valid_size"], SHORT["train_rows"]))
    rng = np.random.RandomState(seed)
    model = rt.RecurrentAE(rng)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(SHORT["epochs"]):
        loss, acc = rt.train_epoch(model, opt, x_train, rng)
    val_loss, val_acc = rt.evaluate(model, x_valid)
    return {"loss": loss, "rounded_accuracy": acc, "val_loss": val_loss,
            "val_rounded_accuracy": val_acc}


def short_run():
    runs = {seed: short_run_once(seed) for seed in (42,) + SPREAD_SEEDS}
    spread = {k: [runs[s][k] for s in SPREAD_SEEDS] for k in runs[42]}
    return dict(SHORT, seed_42=runs[42], spread_seeds=list(SPREAD_SEEDS),
                spread={k: {"min": min(v), "max": max(v)} for k, v in spread.items()})


def main():
    out = json.load(open(OUT)) if os.path.exists(OUT) else {}
    if "--short-run" in sys.argv:
        out["short_run"] = short_run()
        print(json.dumps(out["short_run"], indent=1))
    out["torch_version"] = torch.__version__
    out["layers"] = [
        layer_case("lstm", 3, 4, 3, 5, True, True, 1),
        layer_case("lstm", 2, 5, 4, 3, False, False, 2),
        layer_case("gru", 3, 4, 3, 5, True, True, 3),
        layer_case("gru", 2, 5, 4, 3, False, False, 4),
    ]
    out["chain"] = chain_case()
    out["orthogonal"] = orthogonal_cases()
    with open(OUT, "w") as f:
        json.dump(out, f, indent=None)
        f.write("\n")
    print("wrote", OUT, os.path.getsize(OUT), "bytes")


main()
