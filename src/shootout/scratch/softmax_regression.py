"""Softmax regression from scratch with minibatch SGD, the recipe of seed 004 (d2l, chapter 3).

Read top to bottom as the tutorial goes: the model (``softmax(X W + b)``), one SGD step with the
hand-derived cross-entropy gradient, the training loop, then the same step fused for speed.

Images are flattened and scaled to [0, 1]; W (D × C) starts from N(0, 0.01²), b from zeros; each step
takes the summed cross-entropy gradient of one minibatch divided by the *nominal* batch size, as
d2l's ``sgd`` does, so the short last batch of an epoch takes a proportionally smaller step (with a
full step there the final iterate is noisier: 0.818 vs 0.825 mean test accuracy over six seeds).
Seed recipe on Fashion-MNIST: batch 256, lr 0.1, 5 epochs → about 0.83. The seed keeps lr constant;
``decay="linear"`` lowers it step by step to 0 at the end of the run (a tuned recipe's choice: with a
larger lr the last iterate of a constant-lr run jumps by a point or two from epoch to epoch).

Two loops train the same weights from the same batches: ``loop="readable"`` runs
:func:`softmax_regression_step` on each batch; the default ``loop="fused"`` runs :class:`_FusedEpoch`,
the same arithmetic rearranged (each trick commented on its line), x1.30 end to end here
(``python -m benchmarks.ablations``, row fused-numpy-loop). The tests hold the two to the same weights.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from shootout.data.batches import Batches
from shootout.scratch.functional import cross_entropy_grad, softmax

LOOPS = ("fused", "readable")
DECAYS = ("none", "linear")


def step_rates(lr: float, decay: str, epochs: int, steps: int) -> np.ndarray:
    """The learning rate of every step of the run (epochs × steps): constant, or falling linearly to 0."""
    total = epochs * steps
    if decay == "none":
        return np.full(total, lr)
    return lr * (1.0 - np.arange(total) / max(total, 1))


@dataclass
class SoftmaxRegressionResult:
    """Learned W (D × C, float32) and b (C,), and per-epoch mean training loss and accuracy."""

    W: np.ndarray
    b: np.ndarray
    history: list[dict[str, float]] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"SoftmaxRegressionResult(D={self.W.shape[0]}, C={self.W.shape[1]}, epochs={len(self.history)})"


def softmax_regression_classify(images: np.ndarray, W: np.ndarray, b: np.ndarray, scale: float = 255.0) -> np.ndarray:
    """Class probabilities (N × C) for uint8 images N×H×W×C."""
    X = images.reshape(len(images), -1).astype(np.float32) / np.float32(scale)
    return softmax(X @ W + b)


def softmax_regression_init(D: int, C: int, seed: int = 0, init_scale: float = 0.01) -> tuple[np.ndarray, np.ndarray]:
    """The starting point, as seed 004 draws it: W (D × C) from N(0, init_scale²), b zeros, both float32."""
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((D, C)) * init_scale).astype(np.float32), np.zeros(C, dtype=np.float32)


def softmax_regression_step(
    X: np.ndarray, y: np.ndarray, W: np.ndarray, b: np.ndarray, lr: float, batch_size: int
) -> tuple[float, int, int]:
    """One readable SGD step in place on W and b: (mean loss, correct predictions, batch rows)."""
    S = X @ W + b  # the scores of net(X) = softmax(X W + b)  (B × C)
    loss, G_s = cross_entropy_grad(S, y)  # mean cross-entropy and its gradient dL/dS = (P - Y) / B
    G_s *= len(y) / batch_size  # d2l's sgd: summed gradient / nominal batch size (short last batch)
    W -= np.float32(lr) * (X.T @ G_s)  # dL/dW = Xᵀ dL/dS  (D × C)
    b -= np.float32(lr) * G_s.sum(axis=0)  # dL/db = Σ_rows dL/dS  (C,)
    return loss, int(np.count_nonzero(S.argmax(axis=1) == y)), len(y)


def _readable_epoch(
    batches: Batches, W: np.ndarray, b: np.ndarray, rates: np.ndarray, batch_size: int
) -> tuple[float, float]:
    """One epoch of :func:`softmax_regression_step` over every batch (step i at ``rates[i]``): the
    epoch's (mean loss, accuracy)."""
    steps = [softmax_regression_step(X, y, W, b, lr, batch_size) for (X, y), lr in zip(batches, rates, strict=True)]
    seen = batches.shard_size
    return sum(loss * n for loss, _, n in steps) / seen, sum(hits for _, hits, _ in steps) / seen


def softmax_regression_train(
    images: np.ndarray,
    labels: np.ndarray,
    num_classes: int | None = None,
    batch_size: int = 256,
    lr: float = 0.1,
    epochs: int = 5,
    seed: int = 0,
    init_scale: float = 0.01,
    scale: float = 255.0,
    loop: str = "fused",
    watch: tuple[np.ndarray, np.ndarray] | None = None,
    gather: str = "records",
    decay: str = "none",
) -> SoftmaxRegressionResult:
    """Train on uint8 images N×H×W×C (divided by ``scale``) with minibatch SGD; see the module docstring.

    loop : ``"fused"`` (fast, the default) or ``"readable"`` (the step spelled out); same weights.
    watch : (images, labels) scored after every epoch into the history (``test_loss``, ``test_accuracy``),
    as seed 004 prints test accuracy per epoch; it changes nothing in training.
    gather : how :class:`Batches` copies a batch's images, ``"records"`` (fast, the default) or
        ``"index"`` (fancy indexing); the same batches, so the same weights.
    decay : ``"none"`` (the seed: lr throughout) or ``"linear"`` (lr falling to 0 over the run's steps).
    """
    if batch_size < 1 or lr <= 0 or epochs < 0 or scale <= 0:
        raise ValueError(
            f"need batch_size >= 1, lr > 0, epochs >= 0, scale > 0; got {batch_size}, {lr}, {epochs}, {scale}"
        )
    if loop not in LOOPS:
        raise ValueError(f"loop must be one of {LOOPS}, got {loop!r}")
    if decay not in DECAYS:
        raise ValueError(f"decay must be one of {DECAYS}, got {decay!r}")
    C = int(labels.max()) + 1 if num_classes is None else num_classes
    D = int(np.prod(images.shape[1:]))
    W, b = softmax_regression_init(D, C, seed, init_scale)
    result = SoftmaxRegressionResult(W, b)
    if loop == "readable":
        batches = Batches(images, labels, batch_size, seed=seed, std=scale, mean=0.0, layout="flat", gather=gather)
        run_epoch = functools.partial(_readable_epoch, W=W, b=b, batch_size=batch_size)
    else:  # unscaled float32 batches in one reused buffer: the fused step applies 1/scale itself
        batches = Batches(images, labels, batch_size, seed=seed, layout="flat", reuse=True, gather=gather)
        run_epoch = _FusedEpoch(W, b, batch_size, scale, rows=min(batch_size, len(images)), n=batches.shard_size)
    rates = step_rates(lr, decay, epochs, len(batches)).reshape(epochs, len(batches))
    for epoch in range(epochs):
        batches.set_epoch(epoch)
        loss, accuracy = run_epoch(batches, rates=rates[epoch])
        result.history.append({"epoch": epoch + 1, "train_loss": loss, "train_accuracy": accuracy})
        if watch is not None:
            proba = softmax_regression_classify(watch[0], W, b, scale)
            picked = np.clip(proba[np.arange(len(watch[1])), watch[1]], 1e-12, None)
            result.history[-1]["test_loss"] = float(-np.log(picked).mean())
            result.history[-1]["test_accuracy"] = float(np.mean(proba.argmax(axis=1) == watch[1]))
    return result


class _FusedEpoch:
    """One epoch of :func:`softmax_regression_step` over every batch, in place on W and b.

    Made once per training run. Its buffers: the scores S, row sums and gradients for up to ``rows``
    batch rows, and, for the ``n`` samples of an epoch, each one's log-sum-exp, shifted true score,
    prediction and label, reduced to the epoch's mean loss and accuracy once at its end.
    """

    def __init__(self, W: np.ndarray, b: np.ndarray, batch_size: int, scale: float, rows: int, n: int):
        C = W.shape[1]
        self.W, self.b = W, b
        self.inv_scale, self.batch_size = np.float32(1.0 / scale), batch_size
        self.S = np.empty((rows, C), np.float32)  # scores, then exp, then P, then the scaled dL/dS  (B × C)
        self.sums = np.empty((rows, 1), np.float32)  # row maxima, then row sums of exp  (B × 1)
        self.G_W, self.G_b = np.empty_like(W), np.empty((1, C), np.float32)  # (D × C), (1 × C)
        self.ones_rows = np.ones((1, rows), np.float32)  # Σ over rows as a product: (1 × B) @ (B × C)
        self.ones_classes = np.ones((C, 1), np.float32)  # Σ over classes as a product: (B × C) @ (C × 1)
        self.eye, self.rows = np.eye(C, dtype=np.float32), np.arange(rows)  # one-hot rows; row indices
        self.log_sums, self.true_shifted = np.empty(n, np.float32), np.empty(n, np.float32)  # per sample (n,)
        self.predicted, self.labels = np.empty(n, np.intp), np.empty(n, np.intp)  # per sample (n,)

    def __call__(self, batches: Batches, rates: np.ndarray) -> tuple[float, float]:
        """Train on every batch of the current epoch (step i at ``rates[i]``); the epoch's (mean loss,
        accuracy) before each step."""
        W, b, start = self.W, self.b, 0
        steps = (rates / self.batch_size).astype(np.float32)  # d2l's sgd: summed gradient · lr / nominal batch
        for (X, y), step in zip(batches, steps, strict=True):  # X: raw pixels, float32 (B × D), not yet / scale
            B, part = len(y), slice(start, start + len(y))
            S, sums, rows = self.S[:B], self.sums[:B], self.rows[:B]
            np.matmul(X, W, out=S)
            S *= self.inv_scale  # S = (X / scale) W: 1/scale on the C scores, not on the D pixels
            S += b  # S = X W + b  (B × C)
            np.argmax(S, axis=1, out=self.predicted[part])  # the prediction, stored for the epoch's accuracy
            sums[:, 0] = S[rows, self.predicted[part]]  # the row maxima, read at the argmax (no second pass)
            S -= sums  # S - max: every row's maximum is 0, exp cannot overflow
            self.true_shifted[part] = S[rows, y]  # s_y - max, for the loss
            np.exp(S, out=S)
            np.matmul(S, self.ones_classes, out=sums)  # Σ_c exp(s_c - max), a product: short-axis sums are slow
            np.log(sums[:, 0], out=self.log_sums[part])  # loss_i = log Σ_c exp(s_c - max) - (s_y - max)
            S /= sums  # P = softmax(S)
            S -= self.eye[y]  # P - Y: dL/dS summed over the batch
            S *= step  # · lr / nominal batch size
            np.matmul(self.ones_rows[:, :B], S, out=self.G_b)  # Σ_rows: the bias step  (1 × C)
            b -= self.G_b[0]
            S *= self.inv_scale  # dL/dW = (X / scale)ᵀ (P - Y): 1/scale on the gradient's C columns
            np.matmul(X.T, S, out=self.G_W)  # (D × B) @ (B × C)
            W -= self.G_W
            self.labels[part] = y
            start += B
        seen = slice(0, start)
        loss = float(np.mean(self.log_sums[seen] - self.true_shifted[seen], dtype=np.float64))
        accuracy = float(np.count_nonzero(self.predicted[seen] == self.labels[seen]) / max(start, 1))
        return loss, accuracy
