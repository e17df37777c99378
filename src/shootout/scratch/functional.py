"""Numerically stable building blocks shared by the from-scratch models (NumPy only).

Softmax and cross-entropy go through log-sum-exp: subtracting the row maximum before ``exp`` means
logits of ±1000 neither overflow nor produce ``log(0)``.
"""

from __future__ import annotations

import numpy as np


def log_softmax(S: np.ndarray) -> np.ndarray:
    """Row-wise log-softmax of scores S (N × C)."""
    shifted = S - S.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax(S: np.ndarray) -> np.ndarray:
    """Row-wise softmax of scores S (N × C); rows sum to 1, no overflow for large scores."""
    exp = np.exp(S - S.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


def sigmoid(s: np.ndarray) -> np.ndarray:
    """Logistic function without overflow: σ(s) = (1 + tanh(s/2)) / 2."""
    return 0.5 * (1.0 + np.tanh(0.5 * s))


def log_sigmoid(s: np.ndarray) -> np.ndarray:
    """log σ(s) = -log(1 + e^{-s}), stable for any s."""
    return -np.logaddexp(0.0, -s)


def one_hot(Y_: np.ndarray, C: int | None = None) -> np.ndarray:
    """Class indices (N,) -> one-hot matrix (N × C) of float64."""
    Y_ = np.asarray(Y_, dtype=np.int64)
    C = int(Y_.max()) + 1 if C is None else C
    Yoh = np.zeros((len(Y_), C))
    Yoh[np.arange(len(Y_)), Y_] = 1.0
    return Yoh


def cross_entropy(S: np.ndarray, Y_: np.ndarray) -> float:
    """Mean negative log-likelihood of the true classes Y_ (N,) under softmax(S)."""
    return float(-log_softmax(S)[np.arange(len(Y_)), Y_].mean())


def cross_entropy_grad(S: np.ndarray, Y_: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of softmax(S) against Y_, and its gradient dL/dS = (P - Y_oh) / N.

    This is the one hand-derived gradient every softmax model here starts its backward pass from.
    """
    N = len(S)
    logp = log_softmax(S)
    loss = -logp[np.arange(N), Y_].mean()
    G_s = np.exp(logp)
    G_s[np.arange(N), Y_] -= 1.0
    G_s /= N
    return float(loss), G_s


def cross_entropy_grad_inplace(S: np.ndarray, Y_: np.ndarray, scale: float, work: np.ndarray) -> tuple[float, int]:
    """:func:`cross_entropy_grad` for a training loop that allocates nothing per step.

    Overwrites S (B × C) with ``scale`` · (P - Y_oh), the *summed* gradient times ``scale`` (pass
    ``lr / n`` to get the step of a mean gradient over n samples), using ``work`` (at least B × 1,
    S's dtype) for the row maxima and sums. Returns the mean loss and the number of rows whose
    largest score is the true class (ties go to the lowest index, as ``argmax``).
    """
    B = len(S)
    rows = np.arange(B)
    m = work[:B, :1]
    np.max(S, axis=1, keepdims=True, out=m)
    S -= m  # shifted scores: every row's maximum is 0
    correct = int(np.count_nonzero(S.argmax(axis=1) == Y_))
    true_shifted = S[rows, Y_]  # (B,) copies, taken before S turns into probabilities
    np.exp(S, out=S)
    np.sum(S, axis=1, keepdims=True, out=m)
    loss = float(np.mean(np.log(m[:, 0]) - true_shifted))
    S /= m  # P
    S[rows, Y_] -= 1.0
    S *= S.dtype.type(scale)
    return loss, correct


def check_xy(X: np.ndarray, Y_: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Validate a data matrix X (N × D) and integer labels Y_ (N,) and return them as float64/int64."""
    X = np.asarray(X, dtype=np.float64)
    Y_ = np.asarray(Y_)
    if X.ndim != 2:
        raise ValueError(f"X must be a matrix N×D, got shape {X.shape}")
    if Y_.shape != (len(X),):
        raise ValueError(f"Y_ must hold one class index per row of X ({len(X)}), got shape {Y_.shape}")
    if not np.issubdtype(Y_.dtype, np.integer) or (Y_.size and Y_.min() < 0):
        raise ValueError("Y_ must hold non-negative integer class indices")
    return X, Y_.astype(np.int64)
