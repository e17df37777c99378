"""The lab's 2-D pictures: a classifier's decision surface and the data drawn over it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from shootout.plots.files import save_figure


def graph_surface(
    function: Callable[[np.ndarray], np.ndarray],
    rect: Sequence[Sequence[float]],
    offset: float = 0.5,
    width: int = 256,
    height: int = 256,
    ax: Axes | None = None,
    path: str | Path | None = None,
) -> Axes:
    """Shade ``function`` over the rectangle ``rect`` = ((x_min, y_min), (x_max, y_max)).

    ``function`` maps an M × 2 array of points to M scores (for a binary classifier, P(c=1|x)).
    The colours are centred on ``offset`` and the level ``offset`` is drawn as the decision boundary.
    Draws on ``ax`` (default: the current axes); saves the figure to ``path`` when given.
    """
    values = surface_values(function, rect, width, height)
    ax = draw_surface(values, rect, offset, ax)
    if path is not None:
        save_figure(path, ax.figure)
    return ax


def surface_values(
    function: Callable[[np.ndarray], np.ndarray], rect: Sequence[Sequence[float]], width: int = 256, height: int = 256
) -> np.ndarray:
    """``function`` over a ``height`` × ``width`` mesh of ``rect`` (rows: y from y_min, columns: x from x_min)."""
    (x_min, y_min), (x_max, y_max) = rect
    grid_x, grid_y = np.meshgrid(np.linspace(x_min, x_max, width), np.linspace(y_min, y_max, height))
    values = np.asarray(function(np.stack([grid_x.ravel(), grid_y.ravel()], axis=1)), dtype=np.float64)
    return values.reshape(height, width)


def draw_surface(
    values: np.ndarray, rect: Sequence[Sequence[float]], offset: float = 0.5, ax: Axes | None = None
) -> Axes:
    """Shade mesh ``values`` (from :func:`surface_values`) centred on ``offset``; the level ``offset`` in black."""
    ax = ax if ax is not None else plt.gca()
    (x_min, y_min), (x_max, y_max) = rect
    height, width = values.shape
    grid_x, grid_y = np.meshgrid(np.linspace(x_min, x_max, width), np.linspace(y_min, y_max, height))
    spread = max(values.max() - offset, offset - values.min(), 1e-12)
    ax.pcolormesh(grid_x, grid_y, values, vmin=offset - spread, vmax=offset + spread, cmap="coolwarm", shading="auto")
    if values.min() < offset < values.max():
        ax.contour(grid_x, grid_y, values, levels=[offset], colors="black", linewidths=1.0)
    ax.set_xlim(x_min, x_max)
    ax.set_ylim(y_min, y_max)
    return ax


def graph_data(
    X: np.ndarray,
    Y_: np.ndarray,
    Y: np.ndarray,
    special: Sequence[int] = (),
    ax: Axes | None = None,
    path: str | Path | None = None,
) -> Axes:
    """Scatter 2-D points coloured by true class ``Y_``: correct predictions ``Y`` as circles, wrong as
    squares; the points at indices ``special`` (e.g. support vectors) drawn twice as large.
    """
    X, Y_, Y = np.asarray(X), np.asarray(Y_).ravel(), np.asarray(Y).ravel()
    if X.ndim != 2 or X.shape[1] != 2 or not (len(X) == len(Y_) == len(Y)):
        raise ValueError(f"graph_data needs X of shape N×2 and N labels; got {X.shape}, {Y_.shape}, {Y.shape}")
    ax = ax if ax is not None else plt.gca()
    classes = max(int(Y_.max()) + 1, 2) if len(Y_) else 2
    palette = plt.get_cmap("gray")(np.linspace(0.0, 1.0, classes))
    colors = palette[Y_] if len(Y_) else np.empty((0, 4))
    sizes = np.full(len(X), 20.0)
    sizes[np.asarray(special, dtype=np.int64)] *= 2
    good = Y == Y_
    for mask, marker in ((good, "o"), (~good, "s")):
        ax.scatter(
            X[mask, 0], X[mask, 1], c=colors[mask], s=sizes[mask], marker=marker, edgecolors="black", linewidths=0.6
        )
    if path is not None:
        save_figure(path, ax.figure)
    return ax
