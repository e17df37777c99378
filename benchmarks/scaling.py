"""Scaling: one experiment on 1 process and on N (``shootout run NAME --nproc N``); a table and JSON.

python -m benchmarks.scaling [--experiment digits] [--nproc 1 2] [--seed 0] [--epochs E]

Per contestant: its train seconds (``fit``, data in memory), its test accuracy and the training samples
it went through per second, for each number of processes; per run: the whole command's wall time
(start-up of every process, data loading and pictures included). Besides 1 process with torch's default
threads (one per core) it runs 1 process of 1 thread, the thread count each of the N processes gets on a
machine with N cores, so that the effect of the threads is told apart from the effect of distributing.
The NumPy and SVM contestants train on rank 0 alone whatever the number: they show what the other
processes cost them, not a speed-up.
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

from benchmarks.machine import load_average

WHY = (
    "Why 2 processes are not expected to be faster on 2 cores: they use the same two cores as 1 process of "
    "two threads, each step adds an all-reduce of the gradients (gloo, over loopback) while its work halves, "
    "and the digits nets are so small that a step is mostly fixed cost (Python, the optimizer, the all-reduce); "
    "every process also starts Python and torch and loads the data. Compare the 2-process rows with the "
    "1-process, 1-thread ones: that is the cost of distributing. When other work shares the cores (see the load "
    "average), a process of two threads suffers most, because each thread waits for the other at every "
    "parallel operation while the other is descheduled; then 1 × 2 can be far slower than either. "
    "Distributed training pays off with more cores per process, more work per step, and GPUs (NCCL)."
)


def run_once(name: str, nproc: int, threads: int | None, seed: int, epochs: int | None, out: Path) -> dict[str, Any]:
    """The metrics of one ``shootout run`` on ``nproc`` processes (``threads``: OMP_NUM_THREADS, None: the
    default), with the command's wall time."""
    command = [sys.executable, "-m", "shootout", "run", name, "--seed", str(seed), "--out", str(out)]
    command += ["--nproc", str(nproc)] + ([] if epochs is None else ["--epochs", str(epochs)])
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    if threads is not None:
        env["OMP_NUM_THREADS"] = str(threads)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{name} on {nproc} process(es) failed:\n{done.stderr[-3000:]}")
    metrics = json.loads((out / "metrics.json").read_text())
    metrics["wall_seconds"] = wall
    return metrics


def _samples(result: dict[str, Any], train_samples: int) -> float:
    """Training samples the contestant went through (epochs × the samples it trained on)."""
    recipe = result["recipe"].get("recipe") or {}
    held = recipe.get("val_fraction")
    held = held if held is not None else (0.2 if recipe.get("early_stopping") else 0.0)
    return result.get("train_samples") or train_samples * (1 - held) * result["epochs"]


def rows_of(runs: list[tuple[int, dict[str, Any]]]) -> list[dict[str, Any]]:
    """One row per (contestant, run): seconds, accuracy, samples per second, speed-up over the first run."""
    rows = []
    base = {r["model"]: r for r in runs[0][1]["results"]}
    for nproc, metrics in runs:
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
    head = ("contestant", "processes × threads", "trained by", "train s", "× vs first", "test acc", "samples/s")
    head += ("whole run s",)
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in sorted(rows, key=lambda r: r["contestant"]):
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
    """Run ``name`` on 1 process (default threads, then 1 thread) and on each other number of processes."""
    plan = [(1, None), (1, 1)] + [(n, None) for n in processes if n > 1]
    load = [load_average()]
    with tempfile.TemporaryDirectory(prefix="shootout-scaling-") as scratch:
        runs = [
            (n, run_once(name, n, threads, seed, epochs, Path(scratch) / f"{name}-{n}-{threads}"))
            for n, threads in plan
        ]
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
