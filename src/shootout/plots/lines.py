"""A fitted line over its points, beside the loss of every gradient-descent step (pt_linreg)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from shootout.plots.files import finish


def line_fit_plot(
    X: np.ndarray, Y: np.ndarray, a: float, b: float, losses: Sequence[float], path: str | Path, title: str = ""
) -> Path:
    """Left: the points and the line y = a·x + b. Right: the mean squared error per step (log scale)."""
    fig, (points, curve) = plt.subplots(1, 2, figsize=(9, 3.5))
    points.scatter(X, Y, s=14, color="tab:blue", label="data")
    xs = np.linspace(float(np.min(X)) - 0.5, float(np.max(X)) + 0.5, 50)
    points.plot(xs, a * xs + b, color="tab:red", label=f"y = {a:.3f}·x + {b:.3f}")
    points.set(xlabel="x", ylabel="y")
    points.legend(fontsize=8)
    curve.semilogy(np.arange(1, len(losses) + 1), np.maximum(losses, 1e-300))
    curve.set(xlabel="step", ylabel="mean squared error")
    return finish(fig, path, title)
