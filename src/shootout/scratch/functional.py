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
