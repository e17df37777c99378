"""``shootout.run`` and ``shootout.compare`` for notebooks: what the commands do, returned as objects that show
themselves (a Jupyter cell displays the report, or the comparison, inline).

The pages are whole HTML documents with their own style; they are shown in a frame of their own
(``srcdoc``), so that style stays inside and the notebook keeps its own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shootout.experiments.html import inline_frame

FRAME_HEIGHT = 900  # pixels of a notebook cell's frame; the page scrolls inside it


@dataclass(frozen=True)
class RunResult:
    """A finished run: its folder and its metrics (``metrics.json``); shows its report in a notebook."""

    folder: Path
    metrics: dict[str, Any]

    @property
    def report(self) -> Path:
        return self.folder / "report.html"

    @property
    def results(self) -> list[dict[str, Any]]:
        """A dict per contestant (empty for a demonstration), as in ``metrics.json``."""
        return self.metrics["results"]

    def table(self) -> str:
        """The results as the command prints them."""
        from shootout.experiments.terminal import results_table

        return results_table(self.metrics)

    def __str__(self) -> str:
        return f"{self.table()}\nrun folder: {self.folder}\nreport: {self.report}"

    def _repr_html_(self) -> str:
        return inline_frame(self.report.read_text(), FRAME_HEIGHT)


@dataclass(frozen=True)
class ComparisonResult:
    """A written comparison: the table (``comparison``) and the paths of compare.html, .csv and .png."""

    comparison: Any  # shootout.experiments.compare.Comparison (imported lazily)
    paths: dict[str, Path]

    def markdown(self) -> str:
        return self.comparison.markdown()

    def __str__(self) -> str:
        return f"{self.markdown()}\ncomparison: {self.paths['compare.html']}"

    def _repr_html_(self) -> str:
        return inline_frame(self.paths["compare.html"].read_text(), FRAME_HEIGHT)


def run(
    name: str | None = None,
    *,
    out: str | Path | None = None,
    resume: str | Path | None = None,
    log: Callable[[str], None] | None = print,
    progress: bool | None = None,
    **options: Any,
) -> RunResult:
    """Run the experiment ``name`` as ``shootout run`` does; options are the command's (``epochs=3``,
    ``seed=1``, ``only=["ptlogreg"]``, ``train_samples=500``, ...). resume : an interrupted run folder to continue.
    """
    from shootout.experiments import RunOptions, resume_experiment, run_experiment

    if resume is not None:
        if out is not None:
            raise ValueError("out cannot be given with resume: the run continues in its own folder")
        folder = resume_experiment(resume, name, log=log, progress=progress, **options)
    elif name is None:
        raise ValueError("name an experiment (see shootout.experiments.EXPERIMENTS), or give resume=RUN_DIR")
    else:
        folder = run_experiment(name, RunOptions(**options), out=out, log=log, progress=progress)
    return RunResult(folder, json.loads((folder / "metrics.json").read_text()))


def compare(*runs: RunResult | str | Path, out: str | Path | None = None) -> ComparisonResult:
    """Compare finished runs (folders, or what :func:`run` returned) as ``shootout compare`` does; writes the
    files into ``out`` (default: ``runs/compare-<timestamp>``)."""
    from shootout.experiments.compare import compare_runs, default_compare_dir
    from shootout.experiments.compare_page import write_comparison

    folders = [r.folder if isinstance(r, RunResult) else Path(r) for r in runs]
    comparison = compare_runs(folders)
    return ComparisonResult(comparison, write_comparison(comparison, out or default_compare_dir()))
