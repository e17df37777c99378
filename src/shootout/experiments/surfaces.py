"""Decision surfaces of 2-D contestants, kept in the run folder so that many can be drawn side by side.

A surface is computed once, when its contestant has been fitted, and saved as ``surfaces/<name>.npz``;
the experiment's grid (rows: contestants, columns: datasets) is drawn from those files, so a resumed run
draws the contestants finished before the interruption too.
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from shootout.data.files import atomic_write_bytes
from shootout.estimators import Contestant
from shootout.plots import graph_data
from shootout.plots.files import finish
from shootout.plots.surface import draw_surface, surface_values

MARGIN = 0.5  # around the training points
RESOLUTION = 128  # mesh points per side


@dataclass
class Surface:
    """P(class 1 | x) on a mesh over the training data (the predicted class with more than two), and the data."""

    values: np.ndarray  # (RESOLUTION, RESOLUTION)
    rect: np.ndarray  # ((x_min, y_min), (x_max, y_max))
    X: np.ndarray  # training points N × 2
    Y_: np.ndarray  # true classes
    predicted: np.ndarray  # predicted classes
    special: np.ndarray  # indices the model rests on (support vectors), possibly none
    offset: float  # the level drawn as the boundary (0.5: P(class 1) = P(class 0) for two classes)

    @classmethod
    def of(cls, estimator: Contestant, X: np.ndarray, Y_: np.ndarray) -> Surface:
        """The surface of a fitted 2-D contestant over its training data."""
        binary = len(estimator.classes_) == 2
        rect = np.array([X.min(axis=0) - MARGIN, X.max(axis=0) + MARGIN])

        def score(P: np.ndarray) -> np.ndarray:
            proba = estimator.predict_proba(P)
            return proba[:, 1] if binary else proba.argmax(axis=1)

        values = surface_values(score, rect, RESOLUTION, RESOLUTION)
        predicted = estimator.classes_[estimator.predict_proba(X).argmax(axis=1)]
        special = np.asarray(getattr(estimator, "support_", ()), dtype=np.int64)  # where the model has such samples
        return cls(values, rect, X, np.asarray(Y_), predicted, special, 0.5)

    def draw(self, ax: plt.Axes, title: str = "") -> None:
        draw_surface(self.values, self.rect, self.offset, ax)
        graph_data(self.X, self.Y_, self.predicted, special=self.special, ax=ax)
        ax.set_title(title, fontsize=9)

    def save(self, path: Path) -> Path:
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **{k: np.asarray(v) for k, v in asdict(self).items()})
        atomic_write_bytes(path, buffer.getvalue())
        return path

    @classmethod
    def load(cls, path: Path) -> Surface:
        with np.load(path, allow_pickle=False) as saved:
            fields = {k: saved[k] for k in saved.files}
        fields["offset"] = float(fields["offset"])
        return cls(**fields)


def surface_picture(surface: Surface, path: Path, title: str) -> Path:
    """One contestant's surface with its training points (support vectors drawn large)."""
    fig, ax = plt.subplots(figsize=(5, 4.5))
    surface.draw(ax, title)
    return finish(fig, path, tight=False)


def surface_grid(cells: dict[tuple[str, str], Surface], path: Path, title: str = "", wrap: int = 5) -> Path:
    """Surfaces in a grid: ``cells[(row, column)]``, rows and columns in the order they first appear.

    With a single column the surfaces stand side by side instead, ``wrap`` to a line.
    """
    rows = list(dict.fromkeys(row for row, _ in cells))
    columns = list(dict.fromkeys(column for _, column in cells))
    if len(columns) == 1:  # one dataset: lay the rows out as panels side by side
        names = rows
        layout = {(i // wrap, i % wrap): (row, columns[0], row) for i, row in enumerate(names)}
        shape = (-(-len(names) // wrap), min(len(names), wrap))
    else:
        layout = {
            (i, j): (row, column, f"{column}\n{row}" if i == 0 else row)  # the top row names its column
            for i, row in enumerate(rows)
            for j, column in enumerate(columns)
        }
        shape = (len(rows), len(columns))
    fig, axes = plt.subplots(*shape, figsize=(3.2 * shape[1], 3.0 * shape[0]), squeeze=False)
    for (i, j), ax in np.ndenumerate(axes):
        row, column, heading = layout.get((i, j), (None, None, ""))
        if (row, column) not in cells:
            ax.axis("off")
            continue
        cells[row, column].draw(ax, heading)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(title)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.5 / fig.get_figheight()))  # room for the title above the headings
    return finish(fig, path, tight=False)
