"""Keras's recurrent layers in Debian's PyTorch, shared by make_rnn.py and
bench/recurrent_ae_torch.py.

Weights are held in Keras's layout (kernel [F, G], recurrent kernel [U, G],
bias) and copied into torch.nn.LSTM / torch.nn.GRU, whose gate formulas are
Keras's with other names:
  LSTM  Keras gates i, f, c, o = PyTorch's i, f, g, o: weight_ih = kernel^T,
        weight_hh = recurrent_kernel^T, bias_ih = bias, bias_hh = 0.
  GRU   Keras 2 (reset_after=True) gates z, r, h; PyTorch orders r, z, n with
        the same formulas (n = tanh(W_in x + b_in + r (W_hn h + b_hn)),
        h' = (1 - z) n + z h): the blocks are swapped, and Keras's bias rows
        (input, recurrent) become bias_ih and bias_hh.
"""
import gzip
import math

import numpy as np
import torch

EPS = 1e-7  # Keras's backend epsilon
FMNIST = "/usr/share/datasets/fashion-mnist"


def glorot_uniform(rng, fan_in, fan_out):
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)


def orthogonal(rng, rows, cols):
    """Keras's Orthogonal(gain=1) for a [rows, cols] matrix, from numpy normals."""
    a = rng.standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q = q * np.sign(np.diag(r))
    return (q.T if rows < cols else q).astype(np.float32)


def keras_lstm_weights(rng, features, units, use_bias=True):
    w = [glorot_uniform(rng, features, 4 * units), orthogonal(rng, units, 4 * units)]
    if use_bias:
        b = np.zeros(4 * units, np.float32)
        b[units:2 * units] = 1.0  # unit_forget_bias
        w.append(b)
    return w


def keras_gru_weights(rng, features, units, use_bias=True):
    w = [glorot_uniform(rng, features, 3 * units), orthogonal(rng, units, 3 * units)]
    if use_bias:
        w.append(np.zeros((2, 3 * units), np.float32))
    return w


def _gru_blocks(m, units):
    """Keras's [z | r | h] blocks along the last axis as PyTorch's [r; z; n] rows."""
    z, r, h = (m[..., k * units:(k + 1) * units] for k in range(3))
    return np.concatenate([r, z, h], axis=-1)


def torch_lstm(keras_weights, features, units):
    lstm = torch.nn.LSTM(features, units, batch_first=True, bias=True)
    kernel, recurrent = keras_weights[0], keras_weights[1]
    bias = keras_weights[2] if len(keras_weights) > 2 else np.zeros(4 * units, np.float32)
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.tensor(kernel.T))
        lstm.weight_hh_l0.copy_(torch.tensor(recurrent.T))
        lstm.bias_ih_l0.copy_(torch.tensor(bias))
        lstm.bias_hh_l0.zero_()
    # Keras has one LSTM bias: PyTorch's second stays at zero (trained, it
    # would double the bias's steps); without bias both do.
    lstm.bias_hh_l0.requires_grad_(False)
    if len(keras_weights) == 2:
        lstm.bias_ih_l0.requires_grad_(False)
    return lstm


def torch_gru(keras_weights, features, units):
    gru = torch.nn.GRU(features, units, batch_first=True, bias=True)
    kernel, recurrent = keras_weights[0], keras_weights[1]
    bias = keras_weights[2] if len(keras_weights) > 2 else np.zeros((2, 3 * units), np.float32)
    with torch.no_grad():
        gru.weight_ih_l0.copy_(torch.tensor(_gru_blocks(kernel, units).T))
        gru.weight_hh_l0.copy_(torch.tensor(_gru_blocks(recurrent, units).T))
        gru.bias_ih_l0.copy_(torch.tensor(_gru_blocks(bias[0], units)))
        gru.bias_hh_l0.copy_(torch.tensor(_gru_blocks(bias[1], units)))
    if len(keras_weights) == 2:
        gru.bias_ih_l0.requires_grad_(False)
        gru.bias_hh_l0.requires_grad_(False)
    return gru


def lstm_grads_keras(lstm, use_bias):
    """The gradients of a torch_lstm's weights in Keras's layout and order."""
    g = [lstm.weight_ih_l0.grad.numpy().T, lstm.weight_hh_l0.grad.numpy().T]
    if use_bias:
        g.append(lstm.bias_ih_l0.grad.numpy())
    return g


def gru_grads_keras(gru, units, use_bias):
    def back(m):  # PyTorch [r; z; n] rows -> Keras [z | r | h]
        r, z, n = (m[k * units:(k + 1) * units] for k in range(3))
        return np.concatenate([z, r, n], axis=0)
    g = [back(gru.weight_ih_l0.grad.numpy()).T, back(gru.weight_hh_l0.grad.numpy()).T]
    if use_bias:
        g.append(np.stack([back(gru.bias_ih_l0.grad.numpy()), back(gru.bias_hh_l0.grad.numpy())]))
    return g


def keras_bce(p, t):
    """keras.backend.binary_crossentropy on probabilities, averaged."""
    p = torch.clamp(p, EPS, 1 - EPS)
    return -(t * torch.log(p + EPS) + (1 - t) * torch.log(1 - p + EPS)).mean()


def rounded_accuracy(p, t):
    """The lecture's metric: binary_accuracy(round(t), round(p)), as a sum."""
    return float((torch.round(t) == (torch.round(p) > 0.5).float()).float().sum())


class RecurrentAE(torch.nn.Module):
    """The lecture's recurrent autoencoder: LSTM(100, return_sequences) ->
    LSTM(30) / RepeatVector(28) -> LSTM(100, return_sequences) ->
    TimeDistributed(Dense(28, sigmoid)), with Keras's initial weights drawn
    from the numpy RandomState RNG layer by layer (kernel, then recurrent
    kernel), as latent's autoencoder stage draws them from its seed. The
    sizes shrink it for tests."""

    def __init__(self, rng, steps=28, features=28, wide=100, code=30):
        super().__init__()
        self.steps = steps
        self.keras = [keras_lstm_weights(rng, features, wide),
                      keras_lstm_weights(rng, wide, code),
                      keras_lstm_weights(rng, code, wide),
                      [glorot_uniform(rng, wide, features), np.zeros(features, np.float32)]]
        self.enc1 = torch_lstm(self.keras[0], features, wide)
        self.enc2 = torch_lstm(self.keras[1], wide, code)
        self.dec1 = torch_lstm(self.keras[2], code, wide)
        self.out = torch.nn.Linear(wide, features)
        with torch.no_grad():
            self.out.weight.copy_(torch.tensor(self.keras[3][0].T))
            self.out.bias.copy_(torch.tensor(self.keras[3][1]))

    def forward(self, x):
        h, _ = self.enc1(x)
        _, (code, _) = self.enc2(h)
        h, _ = self.dec1(code[-1].unsqueeze(1).expand(-1, self.steps, -1))
        return torch.sigmoid(self.out(h))

    def keras_weights(self):
        """Every weight in Keras's layout, flattened in the model's order."""
        w = []
        for lstm in (self.enc1, self.enc2, self.dec1):
            w += [lstm.weight_ih_l0.detach().numpy().T, lstm.weight_hh_l0.detach().numpy().T,
                  lstm.bias_ih_l0.detach().numpy()]
        w += [self.out.weight.detach().numpy().T, self.out.bias.detach().numpy()]
        return np.concatenate([np.asarray(a, np.float32).ravel() for a in w])


def fashion_mnist(valid_size=5000, train_rows=0):
    """The lecture's split: the last VALID_SIZE training images for
    validation, float32 in [0, 1], as [n, 28, 28]."""
    with gzip.open(f"{FMNIST}/train-images-idx3-ubyte.gz") as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)
    x = x.astype(np.float32) / 255
    train, valid = x[:-valid_size], x[-valid_size:]
    return (train[:train_rows] if train_rows else train), valid


def train_epoch(model, opt, x, rng, batch=32):
    """One epoch of Keras's fit: a new shuffle (rng.permutation, as latent
    draws it from the stream that drew the weights), mean loss and rounded
    accuracy over the epoch."""
    order = torch.tensor(rng.permutation(len(x)))
    loss_sum, hits = 0.0, 0.0
    for start in range(0, len(x), batch):
        xb = x[order[start:start + batch]]
        p = model(xb)
        loss = keras_bce(p, xb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        loss_sum += float(loss) * xb.numel()
        hits += rounded_accuracy(p.detach(), xb)
    return loss_sum / x.numel(), hits / x.numel()


def evaluate(model, x, batch=32):
    """Mean loss and rounded accuracy over x, in batches as Keras's evaluate."""
    loss_sum, hits = 0.0, 0.0
    with torch.no_grad():
        for start in range(0, len(x), batch):
            xb = x[start:start + batch]
            p = model(xb)
            loss_sum += float(keras_bce(p, xb)) * xb.numel()
            hits += rounded_accuracy(p, xb)
    return loss_sum / x.numel(), hits / x.numel()
