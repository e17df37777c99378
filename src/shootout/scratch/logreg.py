"""Binary and multinomial logistic regression trained by full-batch gradient descent (lab 0).

Binary:       s = X w + b,   P(c=1|x) = σ(s)
Multinomial:  S = X W + b,   P(Y|x) = softmax(S),  W is D × C

Loss: mean negative log-likelihood + ``param_lambda`` · ||w||² (the bias is not regularized).
Gradients, derived by hand, over the whole batch at once:
    binary:      g_s = (σ(s) - y) / N           grad_w = Xᵀ g_s + 2λw,  grad_b = Σ g_s
    multinomial: G_s = (P - Y_oh) / N           grad_W = Xᵀ G_s + 2λW,  grad_b = Σ_rows G_s
"""

from __future__ import annotations

import numpy as np

from shootout.scratch.functional import check_xy, cross_entropy_grad, log_sigmoid, sigmoid, softmax


def binlogreg_loss_grads(
    X: np.ndarray, Y_: np.ndarray, w: np.ndarray, b: float, param_lambda: float = 0.0
) -> tuple[float, np.ndarray, float]:
    """Loss and its gradients (grad_w, grad_b) for binary logistic regression."""
    s = X @ w + b  # (N,)
    y = Y_.astype(np.float64)
    loss = -np.mean(y * log_sigmoid(s) + (1 - y) * log_sigmoid(-s)) + param_lambda * float(w @ w)
    g_s = (sigmoid(s) - y) / len(X)  # dL/ds, (N,)
    return float(loss), X.T @ g_s + 2 * param_lambda * w, float(g_s.sum())


def binlogreg_train(
    X: np.ndarray, Y_: np.ndarray, param_niter: int = 1000, param_delta: float = 0.1, param_lambda: float = 0.0
) -> tuple[np.ndarray, float]:
    """Fit binary logistic regression; Y_ holds 0/1. Returns (w (D,), b). Starts from zeros."""
    X, Y_ = check_xy(X, Y_)
    if Y_.size and Y_.max() > 1:
        raise ValueError("binary logistic regression needs labels 0 and 1")
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(int(param_niter)):
        _, grad_w, grad_b = binlogreg_loss_grads(X, Y_, w, b, param_lambda)
        w -= param_delta * grad_w
        b -= param_delta * grad_b
    return w, b


def binlogreg_classify(X: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    """P(c=1 | x) for every row of X, shape (N,)."""
    return sigmoid(np.asarray(X, dtype=np.float64) @ w + b)


def logreg_loss_grads(
    X: np.ndarray, Y_: np.ndarray, W: np.ndarray, b: np.ndarray, param_lambda: float = 0.0
) -> tuple[float, np.ndarray, np.ndarray]:
    """Loss and its gradients (grad_W (D × C), grad_b (C,)) for multinomial logistic regression."""
    loss, G_s = cross_entropy_grad(X @ W + b, Y_)  # G_s = dL/dS, (N, C)
    loss += param_lambda * float((W * W).sum())
    return loss, X.T @ G_s + 2 * param_lambda * W, G_s.sum(axis=0)


def logreg_train(
    X: np.ndarray,
    Y_: np.ndarray,
    param_niter: int = 1000,
    param_delta: float = 0.1,
    param_lambda: float = 0.0,
    C: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Fit multinomial logistic regression from zeros. Returns (W (D × C), b (C,))."""
    X, Y_ = check_xy(X, Y_)
    C = int(Y_.max()) + 1 if C is None else C
    W, b = np.zeros((X.shape[1], C)), np.zeros(C)
    for _ in range(int(param_niter)):
        _, grad_W, grad_b = logreg_loss_grads(X, Y_, W, b, param_lambda)
        W -= param_delta * grad_W
        b -= param_delta * grad_b
    return W, b


def logreg_classify(X: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Class probabilities P(Y | x) for every row of X, shape (N, C)."""
    return softmax(np.asarray(X, dtype=np.float64) @ W + b)
