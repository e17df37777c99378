"""fcann2: a two-layer fully connected net in NumPy with backpropagation derived by hand (lab 1).

    S1 = X W1 + b1         (N × H)      W1: D × H
    H1 = ReLU(S1)
    S2 = H1 W2 + b2        (N × C)      W2: H × C
    P  = softmax(S2)

Loss: mean negative log-likelihood + ``param_lambda`` · (||W1||² + ||W2||²).
Backward pass, in the lab's order, each weight gradient one matrix product over the whole batch:
    G_s2 = (P - Y_oh) / N
    grad_W2 = H1ᵀ G_s2 + 2λ W2,   grad_b2 = Σ_rows G_s2
    G_h1 = G_s2 W2ᵀ
    G_s1 = G_h1 ⊙ [S1 > 0]
    grad_W1 = Xᵀ G_s1 + 2λ W1,    grad_b1 = Σ_rows G_s1
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shootout.scratch.functional import check_xy, cross_entropy_grad, softmax


@dataclass
class Fcann2Params:
    """Weights of fcann2: W1 (D × H), b1 (H,), W2 (H × C), b2 (C,)."""

    W1: np.ndarray
    b1: np.ndarray
    W2: np.ndarray
    b2: np.ndarray

    def __repr__(self) -> str:
        return f"Fcann2Params(D={self.W1.shape[0]}, hidden={self.W1.shape[1]}, C={self.W2.shape[1]})"


def fcann2_init(D: int, hidden: int, C: int, seed: int | None = 0) -> Fcann2Params:
    """He-initialized weights (N(0, 2/fan_in)) and zero biases, seeded."""
    rng = np.random.default_rng(seed)
    return Fcann2Params(
        W1=rng.standard_normal((D, hidden)) * np.sqrt(2.0 / D),
        b1=np.zeros(hidden),
        W2=rng.standard_normal((hidden, C)) * np.sqrt(2.0 / hidden),
        b2=np.zeros(C),
    )


def fcann2_loss_grads(
    X: np.ndarray, Y_: np.ndarray, params: Fcann2Params, param_lambda: float = 0.0
) -> tuple[float, Fcann2Params]:
    """Loss and its gradients (as an :class:`Fcann2Params`) — the readable reference of the backward pass."""
    p = params
    S1 = X @ p.W1 + p.b1  # (N, H)
    H1 = np.maximum(S1, 0.0)
    S2 = H1 @ p.W2 + p.b2  # (N, C)
    loss, G_s2 = cross_entropy_grad(S2, Y_)  # G_s2 = (P - Y_oh) / N, (N, C)
    loss += param_lambda * float((p.W1**2).sum() + (p.W2**2).sum())
    grad_W2 = H1.T @ G_s2 + 2 * param_lambda * p.W2
    grad_b2 = G_s2.sum(axis=0)
    G_h1 = G_s2 @ p.W2.T  # (N, H)
    G_s1 = G_h1 * (S1 > 0)
    grad_W1 = X.T @ G_s1 + 2 * param_lambda * p.W1
    grad_b1 = G_s1.sum(axis=0)
    return float(loss), Fcann2Params(grad_W1, grad_b1, grad_W2, grad_b2)


class _Workspace:
    """Preallocated buffers so that each of the 1e5 iterations allocates nothing new (N rows, H hidden, C classes)."""

    def __init__(self, N: int, D: int, H: int, C: int) -> None:
        self.S1, self.H1 = np.empty((N, H)), np.empty((N, H))  # hidden scores and activations
        self.S2 = np.empty((N, C))  # output scores, then P, then G_s2 in the same buffer
        self.G_h1, self.mask = np.empty((N, H)), np.empty((N, H), dtype=bool)  # G_h1, then G_s1; [S1 > 0]
        self.gW1, self.gW2 = np.empty((D, H)), np.empty((H, C))
        self.gb1, self.gb2 = np.empty(H), np.empty(C)
        self.rowmax = np.empty((N, 1))  # row maxima, then N · row sums


def _step(
    X: np.ndarray,
    rows: np.ndarray,
    Y_: np.ndarray,
    p: Fcann2Params,
    ws: _Workspace,
    param_delta: float,
    param_lambda: float,
) -> None:
    """One gradient-descent step: the algebra of :func:`fcann2_loss_grads`, line for line, in place.

    Each line writes into a buffer of ``ws`` (``out=`` or an in-place operator) instead of making a
    fresh array, which measured x1.27 on the lab's 60 points (ablation row fcann2-workspace).
    """
    N = len(X)
    # forward
    np.matmul(X, p.W1, out=ws.S1)  # S1 = X W1, (N × H)
    ws.S1 += p.b1  # S1 += b1
    np.greater(ws.S1, 0.0, out=ws.mask)  # [S1 > 0] (N × H), kept for the backward pass
    np.multiply(ws.S1, ws.mask, out=ws.H1)  # H1 = ReLU(S1) = S1 ⊙ [S1 > 0]
    np.matmul(ws.H1, p.W2, out=ws.S2)  # S2 = H1 W2, (N × C)
    ws.S2 += p.b2  # S2 += b2
    # G_s2 = (softmax(S2) - Y_oh) / N, in S2's buffer
    np.max(ws.S2, axis=1, keepdims=True, out=ws.rowmax)  # m = max_c S2, (N × 1)
    ws.S2 -= ws.rowmax  # S2 - m ≤ 0: exp cannot overflow
    np.exp(ws.S2, out=ws.S2)  # E = exp(S2 - m)
    np.sum(ws.S2, axis=1, keepdims=True, out=ws.rowmax)  # Σ_c E, (N × 1)
    ws.rowmax *= N
    ws.S2 /= ws.rowmax  # P / N = E / (N Σ_c E)
    ws.S2[rows, Y_] -= 1.0 / N  # G_s2 = (P - Y_oh) / N
    G_s2 = ws.S2
    # backward, in the lab's order
    np.matmul(ws.H1.T, G_s2, out=ws.gW2)  # grad_W2 = H1ᵀ G_s2, (H × C)
    np.sum(G_s2, axis=0, out=ws.gb2)  # grad_b2 = Σ_rows G_s2
    np.matmul(G_s2, p.W2.T, out=ws.G_h1)  # G_h1 = G_s2 W2ᵀ, (N × H)
    ws.G_h1 *= ws.mask  # G_s1 = G_h1 ⊙ [S1 > 0]
    np.matmul(X.T, ws.G_h1, out=ws.gW1)  # grad_W1 = Xᵀ G_s1, (D × H)
    np.sum(ws.G_h1, axis=0, out=ws.gb1)  # grad_b1 = Σ_rows G_s1
    if param_lambda:  # the L2 term's gradient: 2λ W
        ws.gW1 += (2 * param_lambda) * p.W1
        ws.gW2 += (2 * param_lambda) * p.W2
    # the gradient-descent update: θ -= δ · grad_θ
    p.W1 -= param_delta * ws.gW1
    p.b1 -= param_delta * ws.gb1
    p.W2 -= param_delta * ws.gW2
    p.b2 -= param_delta * ws.gb2


def fcann2_train(
    X: np.ndarray,
    Y_: np.ndarray,
    hidden: int = 5,
    param_niter: float = 1e5,
    param_delta: float = 0.05,
    param_lambda: float = 1e-3,
    seed: int | None = 0,
    C: int | None = None,
) -> Fcann2Params:
    """Train fcann2 by full-batch gradient descent; returns the learned :class:`Fcann2Params`.

    X : N × D data, Y_ : N class indices, hidden : width of the ReLU layer, param_niter : steps,
    param_delta : learning rate, param_lambda : L2 strength, seed : for the initial weights.
    """
    X, Y_ = check_xy(X, Y_)
    if hidden < 1 or param_niter < 0 or param_delta <= 0 or param_lambda < 0:
        raise ValueError("fcann2 needs hidden >= 1, param_niter >= 0, param_delta > 0, param_lambda >= 0")
    C = int(Y_.max()) + 1 if C is None else C
    X = np.ascontiguousarray(X)
    params = fcann2_init(X.shape[1], hidden, C, seed)
    ws = _Workspace(len(X), X.shape[1], hidden, C)
    rows = np.arange(len(X))
    for _ in range(int(param_niter)):
        _step(X, rows, Y_, params, ws, param_delta, param_lambda)
    return params


def fcann2_classify(X: np.ndarray, params: Fcann2Params) -> np.ndarray:
    """Class probabilities (N × C) for every row of X."""
    X = np.asarray(X, dtype=np.float64)
    H1 = np.maximum(X @ params.W1 + params.b1, 0.0)
    return softmax(H1 @ params.W2 + params.b2)
