"""An experiment is data: a dataset and a tuple of named contestants, each an unfitted estimator.

A demonstration is the other kind of named run: nothing to score, a computation to show (the seeds'
filters, the hand-derived gradients next to autograd's), written as a function that returns tables,
pictures and facts, which the runner puts in the run folder and the report like an experiment's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shootout.estimators import Contestant

if TYPE_CHECKING:
    from shootout.experiments.options import RunOptions


@dataclass(frozen=True)
class Entry:
    """One contestant: a name, its estimator (hyper-parameters = the recipe), the accuracy it must reach."""

    name: str
    estimator: Contestant
    target: float | None = None  # the test accuracy the release must reach
    note: str = ""  # e.g. "seed 000 recipe" or "tuned"
    data: dict[str, Any] | None = None  # this contestant's own data options (another mixture), else the experiment's
    row: str = ""  # its row in the experiment's surface grid (default: its name); columns are the data
    watch_test: bool = False  # score the test split after every epoch, as the seed prints it (reported only)
    pictures: bool = True  # draw its pictures (off where dozens of contestants would bury the comparison)
    probes: tuple[tuple[str, Callable[[Any], Any]], ...] = ()  # (name, test images -> altered ones): accuracy on each

    def data_label(self) -> str:
        """The entry's own data options as text (a grid column's heading); empty without them."""
        return ", ".join(f"{key}={value}" for key, value in (self.data or {}).items())


@dataclass(frozen=True)
class Experiment:
    """A named comparison on one dataset; ``claim`` is what the seed tutorial reports."""

    name: str
    dataset: str  # digits | mnist | fashion-mnist | cifar-10 | gmm
    title: str
    contestants: tuple[Entry, ...]
    claim: str = ""
    notes: str = ""
    data_options: dict[str, Any] = field(default_factory=dict)
    surface_grid: bool = False  # draw every contestant's 2-D decision surface in one grid picture
    summary: Callable[[list[dict[str, Any]]], Shown] | None = None  # its own comparison of the results

    def entry(self, name: str) -> Entry:
        for entry in self.contestants:
            if entry.name == name:
                return entry
        raise KeyError(name)


@dataclass(frozen=True)
class Table:
    """A small table for the report, the terminal and metrics.json."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    def to_dict(self) -> dict[str, Any]:
        return {"caption": self.caption, "columns": list(self.columns), "rows": [list(r) for r in self.rows]}


@dataclass
class Shown:
    """What a demonstration shows: tables, pictures (caption, file), facts, and rows for history.csv."""

    tables: list[Table] = field(default_factory=list)
    pictures: list[tuple[str, Path]] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Stage:
    """What a demonstration is given: the run's options, where to put a picture, where to say progress."""

    options: RunOptions
    picture: Callable[[str], Path]  # file name -> path in the run folder's pictures/
    log: Callable[[str], None] | None = None


@dataclass(frozen=True)
class Demonstration:
    """A named run without contestants: ``show`` computes and draws; ``claim`` is what the seed says."""

    name: str
    dataset: str  # the data it shows ("generated" when it makes its own)
    title: str
    show: Callable[[Stage], Shown]
    claim: str = ""
    notes: str = ""
