"""pt_linreg: fit a line y = a·x + b by gradient descent, with the gradient also derived by hand.

Loss: mean squared error L = (1/N) Σ (y_i - (a x_i + b))². By hand:
    dL/da = -(2/N) Σ (y_i - ŷ_i) x_i,    dL/db = -(2/N) Σ (y_i - ŷ_i)
Every step records both the hand-derived gradient and autograd's, so they can be compared.
(The lab sums the squared errors; the mean keeps one learning rate good for any number of points.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch


@dataclass
class LineFit:
    """Learned slope ``a`` and intercept ``b``; per step: loss, hand gradient, autograd gradient."""

    a: float
    b: float
    history: list[dict[str, float]] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"LineFit(a={self.a:.6g}, b={self.b:.6g}, steps={len(self.history)})"


def line_grads_by_hand(a: torch.Tensor, b: torch.Tensor, X: torch.Tensor, Y: torch.Tensor) -> tuple[float, float]:
    """(dL/da, dL/db) of the mean squared error, from the formulas in the module docstring."""
    with torch.no_grad():
        residual = Y - (a * X + b)  # (N,)
        n = len(X)
        return float(-2.0 / n * (residual * X).sum()), float(-2.0 / n * residual.sum())


def fit_line(X: np.ndarray, Y: np.ndarray, param_niter: int = 1000, param_delta: float = 0.1, seed: int = 0) -> LineFit:
    """Gradient descent on (a, b) from a seeded random start; X and Y are 1-D arrays of equal length."""
    X_t = torch.as_tensor(np.asarray(X, dtype=np.float64).ravel())
    Y_t = torch.as_tensor(np.asarray(Y, dtype=np.float64).ravel())
    if len(X_t) != len(Y_t) or len(X_t) == 0:
        raise ValueError(f"need as many x as y values (at least one); got {len(X_t)} and {len(Y_t)}")
    generator = torch.Generator().manual_seed(seed)
    a = torch.randn(1, dtype=torch.float64, generator=generator).requires_grad_()
    b = torch.randn(1, dtype=torch.float64, generator=generator).requires_grad_()
    optimizer = torch.optim.SGD([a, b], lr=param_delta)
    fit = LineFit(0.0, 0.0)
    for _ in range(int(param_niter)):
        hand_a, hand_b = line_grads_by_hand(a, b, X_t, Y_t)
        loss = ((Y_t - (a * X_t + b)) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        fit.history.append(
            {
                "loss": loss.item(),
                "grad_a": hand_a,
                "grad_b": hand_b,
                "autograd_a": a.grad.item(),
                "autograd_b": b.grad.item(),
            }
        )
        optimizer.step()
    fit.a, fit.b = a.item(), b.item()
    return fit
