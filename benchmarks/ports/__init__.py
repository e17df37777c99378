"""Time to accuracy of straightforward ports of the seeds, to set beside shootout's own times.

``python -m benchmarks.ports`` (``--help`` for the options) runs the ports of :mod:`benchmarks.ports.tutorials`
and prints, for each row of :data:`ROWS`, the seconds to the first epoch whose test accuracy reaches the
row's target. :func:`measure_ports` returns the same as data, for the main benchmark's "port s / shootout
s" ratios; :data:`benchmarks.rows.ROWS` names the shootout contestants each port row is set against.
"""

from __future__ import annotations

import statistics
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

from benchmarks.ports import tutorials
from benchmarks.ports.tutorials import Arrays, Epoch
from benchmarks.rows import ROWS as SEED_ROWS
from shootout.data import ChecksumWarning, load

Port = Callable[..., Iterator[Epoch]]

TIMING_SCOPE = (
    "seconds from the start of the first epoch to the end of the first epoch whose test accuracy reaches the "
    "target: the training steps and the evaluation of the whole test split after every epoch, in one process, "
    "one sample at a time through the data path as the seeds have it (SVM: fit and prediction of the test "
    "split). Excluded: loading the datasets into uint8 arrays, and building the datasets, loaders and model "
    "(milliseconds); the normalization constants are the seeds' own."
)


@dataclass(frozen=True)
class Row:
    """One line of the comparison: a port and the test accuracy it has to reach."""

    key: str  # for --rows
    name: str
    target: float
    port: Port
    dataset: str
    tutorial: str


# fmt: off
ROWS = tuple(Row(*fields) for fields in (
    # key, name, target, port, dataset, tutorial
    ("mnist-linear", "MNIST linear", 0.92, tutorials.mnist_linear, "mnist", "seed 000"),
    ("fashion-linear", "Fashion linear", 0.83, tutorials.fashion_linear, "fashion-mnist", "seed 001"),
    ("fashion-softmax-numpy", "Fashion softmax from scratch, NumPy", 0.82, tutorials.fashion_softmax_numpy,
     "fashion-mnist", "seed 004"),
    ("fashion-mlp", "Fashion MLP 784-256-10", 0.85, tutorials.fashion_mlp, "fashion-mnist", "seed 001"),
    ("fashion-mlp-0.877", "Fashion MLP 784-256-10", 0.877, tutorials.fashion_mlp, "fashion-mnist", "seed 001"),
    ("mnist-svm", "MNIST RBF SVM (SVC on 20k)", 0.965, tutorials.mnist_svm, "mnist", "seed 003"),
    # last: by far the longest, so an interrupted run has the others
    ("cifar-lenet", "CIFAR-10 LeNet", 0.60, tutorials.cifar_lenet, "cifar-10", "seed 002"),
))
# fmt: on


@dataclass(frozen=True)
class Outcome:
    """A port's run toward ``target``: after each epoch it ran, the seconds so far and what the seed prints."""

    target: float
    elapsed: tuple[float, ...]  # cumulative wall seconds: training + test evaluations up to the end of each epoch
    epochs: tuple[Epoch, ...]
    cpu: tuple[float, ...] = ()  # the same in this process's CPU seconds (all threads): how much of the wall it got

    @property
    def epoch(self) -> int | None:
        """The first epoch (counted from 1) whose test accuracy reaches the target; None when none does."""
        return next((i for i, e in enumerate(self.epochs, 1) if e.test_accuracy >= self.target), None)

    @property
    def reached(self) -> bool:
        return self.epoch is not None

    @property
    def seconds(self) -> float:
        """Time to :attr:`epoch`; when not reached, the time of every epoch run."""
        return self.elapsed[(self.epoch or len(self.elapsed)) - 1]

    @property
    def accuracy(self) -> float:
        """Test accuracy at :attr:`epoch`; when not reached, the best of the run."""
        if self.reached:
            return self.epochs[self.epoch - 1].test_accuracy
        return max(e.test_accuracy for e in self.epochs)

    def toward(self, target: float) -> Outcome:
        """The same run read against another target: a lower one, or any when the run never reached its own."""
        if target > self.target and self.reached:
            raise ValueError(f"the run stopped at its target {self.target}; it says nothing about {target}")
        return replace(self, target=target)


def run_port(
    port: Port,
    train: Arrays,
    test: Arrays,
    target: float,
    seed: int = 0,
    epochs: int | None = None,
    on_epoch: Callable[[int, float, Epoch], None] | None = None,
) -> Outcome:
    """Run ``port`` until an epoch's test accuracy reaches ``target`` or its epochs (the seed's) run out.

    ``on_epoch(epoch, seconds so far, Epoch)`` is called after each epoch, outside the timing.
    """
    steps = port(train, test, seed=seed, **({} if epochs is None else {"epochs": epochs}))
    elapsed, cpu, done, spent, spent_cpu = [], [], [], 0.0, 0.0
    while True:
        started, started_cpu = time.perf_counter(), time.process_time()
        epoch = next(steps, None)
        if epoch is None:
            break
        spent += time.perf_counter() - started
        spent_cpu += time.process_time() - started_cpu
        elapsed.append(spent)
        cpu.append(spent_cpu)
        done.append(epoch)
        if on_epoch:
            on_epoch(len(done), spent, epoch)
        if epoch.test_accuracy >= target:
            break
    steps.close()
    return Outcome(target, tuple(elapsed), tuple(done), tuple(cpu))


def load_arrays(dataset: str, cifar_dir: str | Path | None = None) -> tuple[Arrays, Arrays]:
    """The official train and test splits; CIFAR-10 in MegEngine's B, G, R order, from ``cifar_dir`` when given."""
    options: dict[str, Any] = {}
    if dataset == "cifar-10":
        options = {"data_dir": cifar_dir, "verify": cifar_dir is None, "channel_order": "bgr"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChecksumWarning)  # the header names the copy read
        return load(dataset, "train", **options), load(dataset, "test", **options)


def measure_ports(
    rows: Sequence[str] | None = None,
    seeds: int = 1,
    cifar_dir: str | Path | None = None,
    arrays: Callable[[str], tuple[Arrays, Arrays]] | None = None,
    log: Callable[[str], None] | None = None,
    done: Callable[[dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Each row's port over ``seeds`` seeds: one dict per row, in :data:`ROWS`' order.

    Parameters
    ----------
    rows : keys of :data:`ROWS` (default: all).
    seeds : runs per row, seeds 0, 1, …
    cifar_dir : a folder holding CIFAR-10's archive, read unverified; default: the cache.
    arrays : ``dataset -> (train, test)``; default :func:`load_arrays` (tests pass tiny data).
    log : called with a line after each run.
    done : called with each row's dict as soon as it is measured (the command saves it at once).

    Returns
    -------
    Dicts with ``row``, ``name``, ``target``, ``tutorial``, ``seeds``,
    ``reached`` (how many seeds reached the target), ``seconds_mean`` and ``seconds_std`` (over those seeds;
    None when none did), ``epochs`` (per seed, None: not reached), ``accuracy_mean`` (at that epoch, or the
    best), ``epochs_run`` and ``runs`` (per seed: seconds, epoch, accuracy and every epoch's numbers).
    Rows sharing a port share its runs: each run goes on to the highest of their targets.
    """
    chosen = [row for row in ROWS if rows is None or row.key in rows]
    unknown = set(rows or ()) - {row.key for row in ROWS}
    if unknown:
        raise ValueError(f"unknown rows {sorted(unknown)}; known: {', '.join(row.key for row in ROWS)}")
    arrays = arrays or (lambda dataset: load_arrays(dataset, cifar_dir))
    loaded: dict[str, tuple[Arrays, Arrays]] = {}
    runs: dict[Port, list[Outcome]] = {}
    measured = []
    for row in chosen:
        if row.port not in runs:
            if row.dataset not in loaded:
                loaded[row.dataset] = arrays(row.dataset)
            target = max(r.target for r in chosen if r.port is row.port)
            runs[row.port] = []
            for seed in range(seeds):
                progress = partial(_log_epoch, log, f"{row.port.__name__} seed {seed}") if log else None
                outcome = run_port(row.port, *loaded[row.dataset], target, seed, on_epoch=progress)
                runs[row.port].append(outcome)
                if log:
                    log(f"{row.port.__name__} seed {seed}: {_verdict(outcome)}")
        measured.append(_summary(row, [o.toward(row.target) for o in runs[row.port]]))
        if done:
            done(measured[-1])
    return measured


def _log_epoch(log: Callable[[str], None], label: str, n: int, spent: float, epoch: Epoch) -> None:
    log(f"{label} epoch {n}: test accuracy {epoch.test_accuracy:.4f}, {spent:.1f} s")


def _verdict(outcome: Outcome) -> str:
    accuracies = " ".join(f"{e.test_accuracy:.4f}" for e in outcome.epochs)
    spent = f"{outcome.elapsed[-1]:.1f} s wall, {outcome.cpu[-1]:.1f} s CPU"
    if outcome.reached:
        return f"test accuracy by epoch {accuracies}; {outcome.target} at epoch {outcome.epoch} ({spent})"
    return (
        f"test accuracy by epoch {accuracies}; {outcome.target} not reached in {len(outcome.epochs)} epochs ({spent})"
    )


def _summary(row: Row, outcomes: list[Outcome]) -> dict[str, Any]:
    times = [o.seconds for o in outcomes if o.reached]
    return {
        "row": row.key,
        "name": row.name,
        "target": row.target,
        "tutorial": row.tutorial,
        "seeds": len(outcomes),
        "reached": len(times),
        "seconds_mean": statistics.fmean(times) if times else None,
        "seconds_std": (statistics.stdev(times) if len(times) > 1 else 0.0) if times else None,
        "epochs": [o.epoch for o in outcomes],
        "accuracy_mean": statistics.fmean(o.accuracy for o in outcomes),
        "epochs_run": max(len(o.epochs) for o in outcomes),
        "runs": [_run(seed, o) for seed, o in enumerate(outcomes)],
    }


def _run(seed: int, outcome: Outcome) -> dict[str, Any]:
    def number(value: float) -> float | None:
        return None if value != value else value  # NaN (not measured) as JSON null

    history = [
        {"seconds": s, "cpu_seconds": c, **{k: number(v) for k, v in e._asdict().items()}}
        for s, c, e in zip(outcome.elapsed, outcome.cpu, outcome.epochs, strict=True)
    ]
    return {
        "seed": seed,
        "seconds": outcome.seconds,
        "epoch": outcome.epoch,
        "accuracy": outcome.accuracy,
        "history": history,
    }


def markdown_table(measured: list[dict[str, Any]]) -> str:
    """The measured rows, each with the shootout contestants that :data:`benchmarks.rows.ROWS` sets against it."""
    against = {row.port: ", ".join(f"{e} / {c}" for e, c in row.contestants) for row in SEED_ROWS}
    lines = [
        "| row | target | port s (mean ± std) | epoch | test accuracy | shootout contestants |",
        "|---|---|---|---|---|---|",
    ]
    for r in measured:
        reached = [e for e in r["epochs"] if e is not None]
        if not reached:
            seconds = f"not reached ({statistics.fmean(run['seconds'] for run in r['runs']):.1f} s for all)"
            epoch, accuracy = f"— of {r['epochs_run']}", f"best {r['accuracy_mean']:.4f}"
        else:
            seconds = f"{r['seconds_mean']:.1f} ± {r['seconds_std']:.1f}"
            epoch = str(min(reached)) if min(reached) == max(reached) else f"{min(reached)}–{max(reached)}"
            if len(reached) < r["seeds"]:
                epoch += f" ({r['seeds'] - len(reached)} of {r['seeds']} seeds: not in {r['epochs_run']})"
            accuracy = f"{r['accuracy_mean']:.4f}"
        lines.append(
            f"| {r['name']} ({r['tutorial']}) | {r['target']} | {seconds} | {epoch} | {accuracy} "
            f"| {against.get(r['row'], '')} |"
        )
    return "\n".join(lines)
