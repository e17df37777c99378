"""Time to accuracy per seed row: the fastest contestant that reaches each row's target, against its goal.

Each row is one of the seeds' headline results (a dataset, a model family, a target accuracy on the
official test split) and the contestants that may reach it, the seed's own recipe among them. Its time
is the aggregated benchmark row of the fastest contestant whose mean test accuracy reaches the target:
mean ± std over seeds of the contestant's ``fit`` plus its prediction on the test split (see
``benchmarks.__main__.TIMING_SCOPE``). The main job (``shootout run digits``, the README's first
command) is timed as a whole command, from the start of its process to its exit.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Row:
    """A seed's result to reach as soon as possible."""

    label: str
    target: float  # test accuracy
    contestants: tuple[tuple[str, str], ...]  # (experiment, contestant) that may reach it, tuned ones first
    goal_seconds: float  # time to target at most, on the 2-core machine the goals were set on
    port: str  # the row of benchmarks.ports measured against the same target


ROWS = (
    Row(
        "MNIST linear (seed 000)",
        0.92,
        (("mnist-linear", "linear-tuned"), ("mnist-linear", "linear")),
        0.4,
        "mnist-linear",
    ),
    Row(
        "Fashion linear (seed 001)",
        0.83,
        (("fashion-linear", "linear-tuned"), ("fashion-linear", "linear")),
        0.26,
        "fashion-linear",
    ),
    Row(
        "Fashion softmax from scratch, NumPy (seed 004)",
        0.82,
        (("fashion-softmax-scratch", "scratch-softmax-tuned"), ("fashion-softmax-scratch", "scratch-softmax")),
        0.24,
        "fashion-softmax-numpy",
    ),
    Row(
        "Fashion MLP 784-256-10 to 0.85 (seed 001)",
        0.85,
        (("fashion-mlp", "mlp-to-0.85"), ("fashion-mlp", "mlp-seed")),
        0.6,
        "fashion-mlp",
    ),
    Row(
        "Fashion MLP 784-256-10 to 0.877 (MLPClassifier)",
        0.877,
        (("fashion-mlp", "mlp-to-0.877"), ("fashion-mlp", "mlp-tuned")),
        5.0,
        "fashion-mlp-0.877",
    ),
    Row(
        "CIFAR-10 LeNet (seed 002)",
        0.60,
        (("cifar-lenet", "lenet-fast"), ("cifar-lenet", "lenet-tuned"), ("cifar-lenet", "lenet-seed")),
        12.0,
        "cifar-lenet",
    ),
    Row(
        "MNIST kernel SVM (seed 003)",
        0.965,
        (
            ("mnist-shootout", "rbf-pca-nystroem-1200"),
            ("mnist-shootout", "rbf-pca-nystroem-2000"),
            ("mnist-shootout", "rbf-nystroem"),
        ),
        6.0,
        "mnist-svm",
    ),
)
MAIN_JOB_GOAL = 10.0  # seconds for `shootout run digits`, the whole command


def contestants_by_experiment() -> dict[str, list[str]]:
    """The contestants the rows need, by experiment (what ``python -m benchmarks --rows`` runs)."""
    wanted: dict[str, list[str]] = {}
    for row in ROWS:
        for experiment, contestant in row.contestants:
            wanted.setdefault(experiment, []).append(contestant)
    return wanted


def time_to_target(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each row's fastest contestant at its target, from the benchmark's aggregated rows."""
    by_key = {(r["experiment"], r["contestant"]): r for r in rows}
    out = []
    for row in ROWS:
        reached = [
            by_key[key] for key in row.contestants if key in by_key and by_key[key]["accuracy_mean"] >= row.target
        ]
        best = min(reached, key=lambda r: r["seconds_mean"]) if reached else None
        out.append(
            {
                "row": row.label,
                "target": row.target,
                "contestant": None if best is None else f"{best['experiment']} / {best['contestant']}",
                "accuracy_mean": None if best is None else best["accuracy_mean"],
                "seconds_mean": None if best is None else best["seconds_mean"],
                "seconds_std": None if best is None else best["seconds_std"],
                "goal_seconds": row.goal_seconds,
                "met": None if best is None else best["seconds_mean"] <= row.goal_seconds,
                "port": row.port,
            }
        )
    return out


def time_main_job(seeds: int) -> dict[str, Any]:
    """Wall seconds of the whole ``shootout run digits`` command (a fresh process each), over ``seeds``."""
    seconds = []
    with tempfile.TemporaryDirectory(prefix="shootout-main-job-") as scratch:
        for seed in range(seeds):
            command = [sys.executable, "-m", "shootout", "run", "digits", "--seed", str(seed)]
            started = time.perf_counter()
            done = subprocess.run([*command, "--out", str(Path(scratch) / str(seed))], capture_output=True, text=True)
            seconds.append(time.perf_counter() - started)
            if done.returncode != 0:
                raise RuntimeError(f"shootout run digits --seed {seed} failed:\n{done.stderr[-3000:]}")
    mean = statistics.fmean(seconds)
    return {
        "seconds": seconds,
        "seconds_mean": mean,
        "seconds_std": statistics.stdev(seconds) if len(seconds) > 1 else 0.0,
        "goal_seconds": MAIN_JOB_GOAL,
        "met": mean <= MAIN_JOB_GOAL,
    }


def markdown_table(rows: list[dict[str, Any]], main_job: dict[str, Any] | None, ports: dict[str, Any]) -> str:
    """The rows as a Markdown table; ``ports`` maps a port row to its measured seconds (for the ratio)."""
    head = ("row", "target", "fastest at target", "test acc", "to target s (mean ± std)", "goal s", "met", "port s")
    lines = ["| " + " | ".join(head) + " | ratio |", "|" + "---|" * (len(head) + 1)]
    for r in rows:
        port = ports.get(r["port"])
        if r["contestant"] is None:
            cells = (r["row"], f"{r['target']:.3f}", "none reached it", "", "", f"{r['goal_seconds']:g}", "NO")
        else:
            cells = (
                r["row"],
                f"{r['target']:.3f}",
                r["contestant"],
                f"{r['accuracy_mean']:.4f}",
                f"{r['seconds_mean']:.2f} ± {r['seconds_std']:.2f}",
                f"{r['goal_seconds']:g}",
                "yes" if r["met"] else "NO",
            )
        ratio = "" if port is None or r["seconds_mean"] is None else f"{port / r['seconds_mean']:.1f}×"
        lines.append("| " + " | ".join((*cells, "" if port is None else f"{port:.2f}", ratio)) + " |")
    if main_job is not None:
        lines.append(
            f"| main job: `shootout run digits` (whole command) | every target | — | — | "
            f"{main_job['seconds_mean']:.2f} ± {main_job['seconds_std']:.2f} | {main_job['goal_seconds']:g} | "
            f"{'yes' if main_job['met'] else 'NO'} |  |  |"
        )
    return "\n".join(lines)
