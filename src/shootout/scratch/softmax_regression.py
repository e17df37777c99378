"""Softmax regression from scratch with minibatch SGD, the recipe of seed 004 (d2l, chapter 3).

Images are flattened and scaled to [0, 1]; W (D × C) starts from N(0, 0.01²), b from zeros; each step
takes the summed cross-entropy gradient of one minibatch divided by the *nominal* batch size, as
d2l's ``sgd`` does, so the short last batch of an epoch takes a proportionally smaller step (with a
full step there the final iterate is noisier: 0.818 vs 0.825 mean test accuracy over six seeds).
The gradient is the hand-derived one of :func:`shootout.scratch.functional.cross_entropy_grad`. An
allocation-free loop (``buffers=True``: batches normalized into a buffer of :class:`Batches` made once,
scores, gradient and update written with ``out=`` and in place) gives the same weights but measured
no faster here (``python -m benchmarks.ablations``, row readable-numpy-loop), so the readable loop is
the default.
Seed recipe on Fashion-MNIST: batch 256, lr 0.1, 5 epochs → about 0.83.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from shootout.data.batches import Batches
from shootout.scratch.functional import cross_entropy_grad, cross_entropy_grad_inplace, softmax


@dataclass
class SoftmaxRegressionResult:
    """Learned W (D × C, float32) and b (C,), and per-epoch mean training loss and accuracy."""

    W: np.ndarray
    b: np.ndarray
    history: list[dict[str, float]] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"SoftmaxRegressionResult(D={self.W.shape[0]}, C={self.W.shape[1]}, epochs={len(self.history)})"


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
    buffers: bool = False,
) -> SoftmaxRegressionResult:
    """Train on uint8 images N×H×W×C (divided by ``scale``) with minibatch SGD; see the module docstring.

    buffers : the allocation-free loop instead of the readable one (:func:`softmax_regression_step`, a
    fresh array per operation); both give the same weights, and the benchmark compares their speed.
    """
    if batch_size < 1 or lr <= 0 or epochs < 0:
        raise ValueError(f"need batch_size >= 1, lr > 0, epochs >= 0; got {batch_size}, {lr}, {epochs}")
    C = int(labels.max()) + 1 if num_classes is None else num_classes
    D = int(np.prod(images.shape[1:]))
    rng = np.random.default_rng(seed)
    W = (rng.standard_normal((D, C)) * init_scale).astype(np.float32)
    b = np.zeros(C, dtype=np.float32)
    batches = Batches(images, labels, batch_size, seed=seed, std=scale, mean=0.0, layout="flat", reuse=buffers)
    if buffers:
        step = _buffered_step(W, b, lr, batch_size, rows=min(batch_size, len(images)))
    else:
        step = functools.partial(softmax_regression_step, W=W, b=b, lr=lr, batch_size=batch_size)
    result = SoftmaxRegressionResult(W, b)
    for epoch in range(epochs):
        batches.set_epoch(epoch)
        steps = [step(X, y) for X, y in batches]  # (mean loss, correct, rows) per batch
        loss_sum, correct = sum(loss * n for loss, _, n in steps), sum(hits for _, hits, _ in steps)
        seen = batches.shard_size
        result.history.append({"epoch": epoch + 1, "train_loss": loss_sum / seen, "train_accuracy": correct / seen})
    return result


def _buffered_step(
    W: np.ndarray, b: np.ndarray, lr: float, batch_size: int, rows: int
) -> Callable[[np.ndarray, np.ndarray], tuple[float, int, int]]:
    """:func:`softmax_regression_step` with its arrays made once, for batches of up to ``rows``."""
    C = W.shape[1]
    S_buf, work, G_W = np.empty((rows, C), np.float32), np.empty((rows, 1), np.float32), np.empty_like(W)

    def step(X: np.ndarray, y: np.ndarray) -> tuple[float, int, int]:
        S = S_buf[: len(y)]
        np.matmul(X, W, out=S)
        S += b  # (B, C) scores
        # d2l's sgd: the summed gradient over the *nominal* batch size, so a short last batch steps less
        loss, hits = cross_entropy_grad_inplace(S, y, lr / batch_size, work)  # S <- lr/batch · dL/dS summed
        np.matmul(X.T, S, out=G_W)
        W[...] -= G_W
        b[...] -= S.sum(axis=0)
        return loss, hits, len(y)

    return step


def softmax_regression_step(
    X: np.ndarray, y: np.ndarray, W: np.ndarray, b: np.ndarray, lr: float, batch_size: int
) -> tuple[float, int, int]:
    """One readable SGD step in place on W and b: (mean loss, correct predictions, batch rows)."""
    S = X @ W + b  # (B, C)
    loss, G_s = cross_entropy_grad(S, y)  # mean gradient dL/dS
    G_s *= len(y) / batch_size  # d2l's sgd: summed gradient / nominal batch size (short last batch)
    W -= np.float32(lr) * (X.T @ G_s)
    b -= np.float32(lr) * G_s.sum(axis=0)
    return loss, int(np.count_nonzero(S.argmax(axis=1) == y)), len(y)


def softmax_regression_classify(images: np.ndarray, W: np.ndarray, b: np.ndarray, scale: float = 255.0) -> np.ndarray:
    """Class probabilities (N × C) for uint8 images N×H×W×C."""
    X = images.reshape(len(images), -1).astype(np.float32) / np.float32(scale)
    return softmax(X @ W + b)
