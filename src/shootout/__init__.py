"""shootout: the classic progression of image classifiers, correct, tested and fast.

In a notebook::

    import shootout
    digits = shootout.run("digits")
    digits  # a cell's last value: Jupyter shows the report

    shootout.compare(digits, shootout.run("digits", seed=1))  # shows the comparison

``import shootout`` itself stays light: torch, NumPy and matplotlib load on the first run.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shootout.notebook import ComparisonResult, RunResult

__version__ = "0.1.0"


def run(name: str | None = None, **options: Any) -> RunResult:
    """Run a named experiment as ``shootout run NAME`` does; returns the run (folder, metrics, inline report).

    See :func:`shootout.notebook.run` for the options.
    """
    from shootout.notebook import run as _run

    return _run(name, **options)


def compare(*runs: RunResult | str | Path, out: str | Path | None = None) -> ComparisonResult:
    """Compare finished runs as ``shootout compare`` does; returns the table (inline in a notebook)."""
    from shootout.notebook import compare as _compare

    return _compare(*runs, out=out)


__all__ = ["__version__", "compare", "run"]
