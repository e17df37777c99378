"""Comparing finished runs: one table, a row per contestant and a column per run (or per group of seeds).

Runs of one experiment started with the same options except the seed form one column, whose cells are
the mean ± standard deviation over those runs; any other run is a column of its own. Rows are contestant
names, so runs of different experiments make a models × datasets table (a cell is empty where a run has
no contestant of that name). In every column the best cell is marked: highest test accuracy, fewest
training seconds, fewest parameters.

The table is printed as Markdown and written, with the chart of every run's contestants, as
``compare.html`` (self-contained), ``compare.csv`` (one row per cell) and ``compare.png``.
"""

from __future__ import annotations

import csv
import io
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shootout.experiments.report import read_metrics
from shootout.experiments.rundir import PARTIAL, RunFolderError

MEASURES = ("accuracy", "seconds", "params")  # the three numbers of a cell, as the table's sub-columns
BEST = {"accuracy": max, "seconds": min, "params": min}  # what "best" means for each
# Options that change neither the numbers nor what was run: runs differing only in these share a column.
SAME_COLUMN = ("seed", "data_dir", "verify", "only", "device")


class CompareError(ValueError):
    """The runs cannot be compared as given (a usage error: the same folder twice)."""


def default_compare_dir(root: str | Path = "runs") -> Path:
    """Where a comparison goes without --out: beside the runs, named by the time (never over an earlier one)."""
    return Path(root) / f"compare-{time.strftime('%Y%m%d-%H%M%S')}"


def load_run(folder: str | Path) -> dict[str, Any]:
    """The metrics of a complete run folder with contestants; anything else is a RunFolderError in one line."""
    folder = Path(folder)
    if folder.name.endswith(PARTIAL):
        raise RunFolderError(f"{folder} is an unfinished run (.partial): finish it with --resume, then compare")
    metrics = read_metrics(folder)
    if not metrics.get("results"):
        kind = "a demonstration" if "demonstration" in metrics else "a run without results"
        raise RunFolderError(f"{folder} is {kind} ({metrics.get('experiment', '?')}): no contestants to compare")
    return metrics


@dataclass(frozen=True)
class Stat:
    """A number over the runs of a column: mean, sample standard deviation (0 for one run), count."""

    mean: float
    std: float
    n: int
    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Stat:
        std = statistics.stdev(values) if len(values) > 1 else 0.0
        return cls(statistics.fmean(values), std, len(values), min(values), max(values))

    def text(self, measure: str) -> str:
        """The value as the table shows it, ``± std`` where there were several runs."""
        form = {"accuracy": "{:.4f}", "seconds": "{:.2f}", "params": "{:,.0f}"}[measure]
        shown = form.format(self.mean)
        spread = self.n > 1 and (self.std > 0 or measure != "params")  # a model's size rarely varies with the seed
        return shown + (" ± " + form.format(self.std) if spread else "")


@dataclass(frozen=True)
class Column:
    """One run, or the runs of one experiment that differ only in their seed."""

    label: str
    experiment: str
    dataset: str
    folders: tuple[Path, ...]
    seeds: tuple[str, ...]
    claim: str

    def describe(self) -> str:
        """One line: what the column holds."""
        runs = f"1 run, seed {self.seeds[0]}" if len(self.folders) == 1 else f"{len(self.folders)} runs, mean ± std"
        seeds = "" if len(self.folders) == 1 else f" over seeds {', '.join(self.seeds)}"
        experiment = "" if self.label == self.experiment else f"experiment {self.experiment}, "
        return f"{self.label}: {experiment}dataset {self.dataset}; {runs}{seeds}"


@dataclass(frozen=True)
class Comparison:
    """The table: ``cells[(model, column label)][measure]`` is a Stat; ``target`` where the contestant has one."""

    columns: tuple[Column, ...]
    models: tuple[str, ...]
    cells: dict[tuple[str, str], dict[str, Stat]]
    targets: dict[tuple[str, str], float]

    def best(self, column: Column, measure: str) -> set[str]:
        """The models with the best value of ``measure`` in ``column`` (none when it has fewer than two)."""
        values = {m: self.cells[m, column.label][measure].mean for m in self.models if (m, column.label) in self.cells}
        if len(values) < 2:
            return set()
        chosen = BEST[measure](values.values())
        return {m for m, v in values.items() if v == chosen}

    def markdown(self) -> str:
        """The table as Markdown (best cells in bold), then a line per column saying what it holds."""
        head = ["contestant"] + [f"{c.label} {m}" for c in self.columns for m in MEASURES]
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        best = {(c.label, m): self.best(c, m) for c in self.columns for m in MEASURES}
        for model in self.models:
            cells = [model]
            for column in self.columns:
                stats = self.cells.get((model, column.label))
                for measure in MEASURES:
                    text = stats[measure].text(measure) if stats else ""
                    cells.append(f"**{text}**" if model in best[column.label, measure] else text)
            lines.append("| " + " | ".join(cells) + " |")
        notes = [c.describe() for c in self.columns]
        notes.append("accuracy: on the test split; seconds: training; best in each column in bold")
        return "\n".join(lines) + "\n\n" + "\n".join(notes)

    def rows(self) -> list[dict[str, Any]]:
        """One row per cell of the table (tidy), for compare.csv."""
        rows = []
        for column in self.columns:
            for model in self.models:
                stats = self.cells.get((model, column.label))
                if stats is None:
                    continue
                row: dict[str, Any] = {
                    "column": column.label,
                    "experiment": column.experiment,
                    "dataset": column.dataset,
                    "model": model,
                    "runs": stats["accuracy"].n,
                    "seeds": " ".join(column.seeds),
                }
                for measure in MEASURES:
                    row[f"{measure}_mean"] = stats[measure].mean
                    row[f"{measure}_std"] = stats[measure].std if stats[measure].n > 1 else ""
                    row[f"best_{measure}"] = model in self.best(column, measure)
                row["target"] = self.targets.get((model, column.label), "")
                rows.append(row)
        return rows

    def csv(self) -> str:
        out = io.StringIO()
        rows = self.rows()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()


def compare_runs(folders: Sequence[str | Path]) -> Comparison:
    """Read the run folders (each must be complete) and build the table; see the module's docstring."""
    if not folders:
        raise CompareError("name at least one run folder")
    resolved = [Path(f).resolve() for f in folders]
    twice = sorted({str(f) for f in folders if resolved.count(Path(f).resolve()) > 1})
    if twice:
        raise CompareError(f"the same run folder given twice: {', '.join(twice)}")
    runs = [(Path(f), load_run(f)) for f in folders]
    groups: dict[tuple, list[tuple[Path, dict[str, Any]]]] = {}
    for folder, metrics in runs:
        groups.setdefault(_column_key(metrics), []).append((folder, metrics))
    labels = _labels(list(groups))
    columns, cells, targets, models = [], {}, {}, {}
    for key, members in groups.items():
        first = members[0][1]
        column = Column(
            label=labels[key],
            experiment=first["experiment"],
            dataset=first["dataset"],
            folders=tuple(folder for folder, _ in members),
            seeds=tuple(_seed(metrics) for _, metrics in members),
            claim=first.get("claim", ""),
        )
        columns.append(column)
        by_model: dict[str, list[dict[str, Any]]] = {}
        for _, metrics in members:
            for result in metrics["results"]:
                by_model.setdefault(result["model"], []).append(result)
                models.setdefault(result["model"], None)
        for model, results in by_model.items():
            cells[model, column.label] = {
                "accuracy": Stat.of([r["test_accuracy"] for r in results]),
                "seconds": Stat.of([r["train_seconds"] for r in results]),
                "params": Stat.of([r["params"] for r in results]),
            }
            if results[0].get("target") is not None:
                targets[model, column.label] = results[0]["target"]
    return Comparison(tuple(columns), tuple(models), cells, targets)


def _seed(metrics: dict[str, Any]) -> str:
    seed = metrics.get("options", {}).get("seed")
    return "default" if seed is None else str(seed)


def _column_key(metrics: dict[str, Any]) -> tuple:
    """Runs with equal keys share a column: the experiment, its dataset, the device and every option that changes
    the numbers."""
    options = {k: v for k, v in metrics.get("options", {}).items() if k not in SAME_COLUMN}
    device = metrics.get("environment", {}).get("device")
    return metrics["experiment"], metrics["dataset"], device, tuple(sorted((k, _shown(v)) for k, v in options.items()))


def _shown(value: Any) -> str:
    """An option's value in a column's name (None: each recipe's own)."""
    if value is None:
        return "default"
    return ",".join(map(str, value)) if isinstance(value, list | tuple) else str(value)


def _facets(key: tuple) -> dict[str, str]:
    """What a column key says besides the experiment, by name."""
    _, dataset, device, options = key
    return {"dataset": dataset, "device": str(device), **dict(options)}


def _labels(keys: list[tuple]) -> dict[tuple, str]:
    """A column's name: its experiment, and where two columns share one, the options that tell them apart."""
    labels = {}
    for key in keys:
        siblings = [k for k in keys if k[0] == key[0]]
        if len(siblings) == 1:
            labels[key] = key[0]
            continue
        mine = _facets(key)
        differing = [
            f"{name} {value}" for name, value in mine.items() if any(_facets(k).get(name) != value for k in siblings)
        ]
        labels[key] = f"{key[0]} ({', '.join(differing)})"
    return labels
