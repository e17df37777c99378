"""Scaling: one experiment on 1 process and on N (``shootout run NAME --nproc N``); a table and JSON.

python -m benchmarks.scaling [--experiment digits] [--nproc 1 2] [--seed 0] [--epochs E]

Per contestant: its train seconds (``fit``, data in memory), its test accuracy and the training samples
it went through per second, for each number of processes; per run: the whole command's wall time
(start-up of every process, data loading and pictures included). The NumPy and SVM contestants train
on rank 0 alone whatever the number, so they show what the extra processes cost them, not a speed-up.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

WHY = (
    "On a machine of 2 cores, 2 processes of one thread each use the same cores as 1 process of two threads, "
    "and every step adds an all-reduce of the gradients (gloo, over loopback) to a step that shrank by half; "
    "the digits nets are so small that a step is mostly fixed cost (Python, the optimizer, the all-reduce), "
    "so the 2-process run is not faster here. Each process also starts Python and torch and loads the data. "
    "More cores per process, larger batches per step or GPUs (NCCL) are what distributed training pays off on."
)


def run_once(name: str, nproc: int, seed: int, epochs: int | None, out: Path) -> dict[str, Any]:
    """The metrics of one ``shootout run`` on ``nproc`` processes, with the command's wall time."""
    command = [sys.executable, "-m", "shootout", "run", name, "--seed", str(seed), "--out", str(out)]
    command += ["--nproc", str(nproc)] + ([] if epochs is None else ["--epochs", str(epochs)])
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{name} on {nproc} process(es) failed:\n{done.stderr[-3000:]}")
    metrics = json.loads((out / "metrics.json").read_text())
    metrics["wall_seconds"] = wall
    return metrics


def load_average() -> float | None:
    """The machine's 1-minute load average: other work on the same cores changes every timing here."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def _samples(result: dict[str, Any], train_samples: int) -> float:
    """Training samples the contestant went through (epochs × the samples it trained on)."""
    recipe = result["recipe"].get("recipe") or {}
    held = recipe.get("val_fraction")
    held = held if held is not None else (0.2 if recipe.get("early_stopping") else 0.0)
    return result.get("train_samples") or train_samples * (1 - held) * result["epochs"]


def rows_of(runs: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (contestant, processes): seconds, accuracy, samples per second, speed-up over 1 process."""
    rows = []
    first = min(runs)
    for nproc, metrics in sorted(runs.items()):
        base = {r["model"]: r for r in runs[first]["results"]}
        for result in metrics["results"]:
            samples = _samples(result, metrics["train_samples"])
            rows.append(
                {
                    "contestant": result["model"],
                    "processes": nproc,
                    "threads": metrics["environment"]["torch_threads"],
                    "trained_by": result.get("world_size", 1),
                    "train_seconds": result["train_seconds"],
                    "test_accuracy": result["test_accuracy"],
                    "samples_per_second": samples / result["train_seconds"] if result["train_seconds"] else None,
                    "speedup": base[result["model"]]["train_seconds"] / result["train_seconds"],
                    "run_wall_seconds": metrics["wall_seconds"],
                }
            )
    return rows


def markdown_table(rows: list[dict[str, Any]]) -> str:
    head = ("contestant", "processes × threads", "trained by", "train s", "× vs 1", "test acc", "samples/s")
    head += ("whole run s",)
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = (
            r["contestant"],
            f"{r['processes']} × {r['threads']}",
            "rank 0" if r["trained_by"] == 1 and r["processes"] > 1 else f"{r['trained_by']} process(es)",
            f"{r['train_seconds']:.2f}",
            f"{r['speedup']:.2f}",
            f"{r['test_accuracy']:.4f}",
            "" if r["samples_per_second"] is None else f"{r['samples_per_second']:,.0f}",
            f"{r['run_wall_seconds']:.1f}",
        )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def scaling(name: str, processes: list[int], seed: int, epochs: int | None) -> dict[str, Any]:
    """Run ``name`` once per number of processes; the rows and the machine's explanation."""
    load = [load_average()]
    with tempfile.TemporaryDirectory(prefix="shootout-scaling-") as scratch:
        runs = {n: run_once(name, n, seed, epochs, Path(scratch) / f"{name}-{n}") for n in processes}
    load.append(load_average())
    return {"experiment": name, "seed": seed, "epochs": epochs, "rows": rows_of(runs), "why": WHY, "load": load}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scaling", description=__doc__.split("\n\n")[0])
    parser.add_argument("--experiment", default="digits")
    parser.add_argument("--nproc", type=int, nargs="+", default=[1, 2], help="numbers of processes (default 1 2)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=None, help="override epochs (a quick check)")
    parser.add_argument("--json", type=Path, default=Path("benchmarks/scaling.json"))
    args = parser.parse_args(argv)
    table = scaling(args.experiment, args.nproc, args.seed, args.epochs)
    print(f"# scaling: {args.experiment}, seed {args.seed}, {time.strftime('%Y-%m-%d %H:%M')}")
    print(f"load average before and after (other work on these cores): {table['load']}\n")
    print(markdown_table(table["rows"]))
    print(f"\n{WHY}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({**table, "created": time.strftime("%Y-%m-%dT%H:%M:%S")}, indent=2) + "\n")
    print(f"\nJSON: {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
