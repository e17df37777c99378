"""Saving figures atomically: a picture file is either complete or absent."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from shootout.data.files import atomic_path


def save_figure(path: str | Path, fig: Figure | None = None, dpi: int = 100, crop: bool = True) -> Path:
    """Write ``fig`` (default: the current figure) to ``path``; the format follows the suffix.

    crop : cut the picture to what is drawn (plus a small margin), which costs one more layout of every
    text; a figure laid out to its edges can do without.
    """
    path = Path(path)
    fig = fig if fig is not None else plt.gcf()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=path.suffix.lstrip(".") or "png", dpi=dpi, bbox_inches="tight" if crop else None)
    return path


def finish(fig: Figure, path: str | Path, title: str = "", tight: bool = True, crop: bool = True) -> Path:
    """Title the figure, save it to ``path`` and close it (also when saving fails).

    tight : lay the Axes out to fit their labels first; crop : see :func:`save_figure`.
    """
    if title:
        fig.suptitle(title)
    if tight:
        fig.tight_layout()
    try:
        return save_figure(path, fig, crop=crop)
    finally:
        plt.close(fig)
