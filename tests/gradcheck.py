"""Central finite differences and a relative-error measure for the gradient checks."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def numeric_grad(loss: Callable[[], float], param: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """dloss/dparam by central differences, perturbing ``param`` in place (float64)."""
    grad = np.zeros_like(param, dtype=np.float64)
    flat, out = param.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        keep = flat[i]
        flat[i] = keep + eps
        up = loss()
        flat[i] = keep - eps
        down = loss()
        flat[i] = keep
        out[i] = (up - down) / (2 * eps)
    return grad


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """max |a - b| relative to the larger magnitude of the two (0 when both vanish)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    scale = max(np.abs(a).max(initial=0.0), np.abs(b).max(initial=0.0))
    return float(np.abs(a - b).max(initial=0.0) / scale) if scale > 0 else 0.0
