"""Saving figures atomically: a picture file is either complete or absent."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from shootout.data.files import atomic_path


def save_figure(path: str | Path, fig: Figure | None = None, dpi: int = 100) -> Path:
    """Write ``fig`` (default: the current figure) to ``path``; the format follows the suffix."""
    path = Path(path)
    fig = fig if fig is not None else plt.gcf()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=path.suffix.lstrip(".") or "png", dpi=dpi, bbox_inches="tight")
    return path


def finish(fig: Figure, path: str | Path, title: str = "", tight: bool = True) -> Path:
    """Title the figure, save it to ``path`` and close it (also when saving fails)."""
    if title:
        fig.suptitle(title)
    if tight:
        fig.tight_layout()
    try:
        return save_figure(path, fig)
    finally:
        plt.close(fig)
