"""``python -m benchmarks``: every experiment at full length over several seeds; a table and JSON.

What the times cover is :data:`TIMING_SCOPE`, printed with every run and shown by ``--help``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

import torch

from benchmarks.goals import GOALS, check
from benchmarks.machine import describe_machine, measure_peak
from benchmarks.rows import contestants_by_experiment, time_main_job, time_to_target
from benchmarks.rows import markdown_table as rows_table
from benchmarks.scaling import WHY, scaling
from benchmarks.scaling import markdown_table as scaling_table
from shootout.experiments import EXPERIMENTS

# Experiments whose targets are GPU records: on a CPU a full run takes minutes (MNIST) to hours (CIFAR-10) per
# seed, so without CUDA they run only when named with --experiments.
GPU_GOALS = ("cifar-speedrun", "mnist-speedrun")

DESCRIPTION = "Every experiment at full length over several seeds; a Markdown table, the speed goals and a JSON file."
TIMING_SCOPE = (
    "'train s' is the wall time of the contestant's fit with the data already in memory (dataset loading and "
    "decompression excluded, and so is torch's one-time lazy import of torch._dynamo at the first optimizer, "
    "1-2 s, which the run takes before its first contestant; moving the arrays to the device, normalization "
    "per batch, validation passes and checkpoint writes included); 'to target' adds the prediction on the test "
    "split and is reported only when the mean accuracy reaches the contestant's target. Each (experiment, seed) "
    "runs in a fresh process; peak RSS is that process's maximum resident set (loading included)."
)


def _mean_std(values: list[float]) -> tuple[float, float]:
    return statistics.fmean(values), (statistics.stdev(values) if len(values) > 1 else 0.0)


def run_one(
    name: str, seed: int, data_dir: Path | None, epochs: int | None, scratch: Path, only: list[str] | None = None
) -> dict[str, Any]:
    command = [sys.executable, "-m", "benchmarks.single", name, str(seed), str(scratch / f"{name}-{seed}")]
    if data_dir is not None:
        command += ["--data-dir", str(data_dir)]
    if epochs is not None:
        command += ["--epochs", str(epochs)]
    if only:
        command += ["--only", *only]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{name} seed {seed} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


def aggregate(runs: list[dict[str, Any]], peak: float) -> list[dict[str, Any]]:
    """One row per contestant: mean ± std over seeds of accuracy and seconds, plus throughput."""
    rows = []
    for index, first in enumerate(runs[0]["results"]):
        per_seed = [run["results"][index] for run in runs]
        accuracy = _mean_std([r["test_accuracy"] for r in per_seed])
        train = _mean_std([r["train_seconds"] for r in per_seed])
        total = _mean_std([r["train_seconds"] + r["predict_seconds"] for r in per_seed])
        flops = [r["train_flops"] / r["train_seconds"] / 1e9 for r in per_seed if r.get("train_flops")]
        target = first["target"]
        rows.append(
            {
                "experiment": runs[0]["experiment"],
                "contestant": first["model"],
                "recipe": first["note"],
                "seeds": len(per_seed),
                "accuracy_mean": accuracy[0],
                "accuracy_std": accuracy[1],
                "target": target,
                "met": None if target is None else accuracy[0] >= target,
                "train_seconds_mean": train[0],
                "train_seconds_std": train[1],
                "seconds_mean": total[0],
                "seconds_std": total[1],
                "to_target_seconds": total[0] if target is not None and accuracy[0] >= target else None,
                "samples_per_second": statistics.fmean(r["samples_trained"] / r["train_seconds"] for r in per_seed),
                "gflops_mean": statistics.fmean(flops) if flops else None,
                "peak_fraction": statistics.fmean(flops) / peak if flops else None,
                "epochs": first["epochs"],
                "rss_mb_max": max(run["rss_mb"] for run in runs),
            }
        )
    return rows


def markdown_table(rows: list[dict[str, Any]]) -> str:
    """The aggregated rows as a Markdown table."""
    head = (
        "experiment",
        "contestant",
        "recipe",
        "test acc (mean ± std)",
        "target",
        "to target s",
        "all s",
        "samples/s",
        "GFLOP/s",
        "% peak",
        "peak RSS MB",
    )
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = (
            r["experiment"],
            r["contestant"],
            r["recipe"][:44],
            f"{r['accuracy_mean']:.4f} ± {r['accuracy_std']:.4f}",
            "" if r["target"] is None else f"{r['target']:.3f} {'met' if r['met'] else 'NOT met'}",
            "—" if r["to_target_seconds"] is None else f"{r['to_target_seconds']:.2f}",
            f"{r['seconds_mean']:.2f} ± {r['seconds_std']:.2f}",
            f"{r['samples_per_second']:,.0f}",
            "" if r["gflops_mean"] is None else f"{r['gflops_mean']:.1f}",
            "" if r["peak_fraction"] is None else f"{100 * r['peak_fraction']:.0f}",
            f"{r['rss_mb_max']:.0f}",
        )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _port_seconds(path: Path) -> dict[str, float]:
    """Mean seconds to target of each tutorial-style port (``python -m benchmarks.ports``), when measured."""
    if not path.exists():
        return {}
    return {r["row"]: r["seconds_mean"] for r in json.loads(path.read_text())["rows"] if r.get("seconds_mean")}


def _keep_only(
    experiments: list[str], only: dict[str, list[str]], names: list[str]
) -> tuple[dict[str, list[str]], list[str]]:
    """The experiments and contestants left when only ``names`` may run (``only``: each experiment's
    contestants so far, all of them where it has no entry)."""
    kept = {}
    for name in experiments:
        contestants = only.get(name) or [entry.name for entry in EXPERIMENTS[name].contestants]
        chosen = [c for c in contestants if c in names]
        if chosen:
            kept[name] = chosen
    return kept, list(kept)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=f"{DESCRIPTION}\n\n{textwrap.fill('Timing scope: ' + TIMING_SCOPE, 100)}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    default = [name for name in EXPERIMENTS if name not in GPU_GOALS or torch.cuda.is_available()]
    parser.add_argument(
        "--experiments",
        nargs="+",
        default=default,
        choices=list(EXPERIMENTS),
        help="default: all (without CUDA, all but the speedruns, whose targets are GPU records)",
    )
    parser.add_argument("--seeds", type=int, default=3, help="seeds per experiment (default 3)")
    parser.add_argument("--epochs", type=int, default=None, help="override epochs (a quick check, not a benchmark)")
    parser.add_argument(
        "--cifar-dir",
        type=Path,
        default=None,
        help="folder holding cifar-10-binary.tar.gz (the JPEG-derived copy is read unverified)",
    )
    parser.add_argument(
        "--rows",
        action="store_true",
        help="only the contestants of the time-to-accuracy rows (and the main job), not every experiment",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        default=None,
        metavar="CONTESTANT",
        help="only these contestants of the experiments chosen (with --rows: of the rows' contestants)",
    )
    parser.add_argument(
        "--ports",
        type=Path,
        default=Path("benchmarks/ports.json"),
        help="the tutorial-style ports' times (python -m benchmarks.ports) for the ratio column, if the file exists",
    )
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results.json"), help="where to write the JSON")
    parser.add_argument(
        "--scaling",
        default="digits",
        metavar="EXPERIMENT",
        help="also run this experiment on 1 and on 2 processes (--nproc) for a scaling table; 'none' skips it",
    )
    args = parser.parse_args(argv)
    only = contestants_by_experiment() if args.rows else {}
    experiments = list(only) if args.rows else args.experiments
    if args.only:
        only, experiments = _keep_only(experiments, only, args.only)
        if not experiments:
            parser.error(f"none of {', '.join(args.only)} is a contestant of the experiments chosen")

    machine = describe_machine()
    peak = measure_peak()
    print(f"# shootout benchmark, {time.strftime('%Y-%m-%d %H:%M')}")
    print(
        f"machine: {machine['cpu']}, {machine['cores']} cores, torch threads {machine['torch_threads']}; "
        f"python {machine['python']}, torch {machine['torch']}, numpy {machine['numpy']}, "
        f"scikit-learn {machine['scikit-learn']}; CUDA: {machine['cuda'] or 'none'}"
    )
    print(
        f"measured peak: torch fp32 matmul {peak['torch_matmul_gflops']:.0f} GFLOP/s, NumPy "
        f"{peak['numpy_matmul_gflops']:.0f} GFLOP/s, copy {peak['copy_gbps']:.1f} GB/s"
    )
    print(f"seeds: {args.seeds}; timing: {TIMING_SCOPE}", flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="shootout-bench-") as scratch:
        for name in experiments:
            data_dir = args.cifar_dir if EXPERIMENTS[name].dataset == "cifar-10" else None
            runs = []
            for seed in range(args.seeds):
                started = time.perf_counter()
                runs.append(run_one(name, seed, data_dir, args.epochs, Path(scratch), only.get(name)))
                print(f"  {name} seed {seed}: {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
            rows += aggregate(runs, peak["torch_matmul_gflops"])
    print()
    print(markdown_table(rows))
    print()
    print("| goal | measured | met |\n|---|---|---|")
    by_key = {(r["experiment"], r["contestant"]): r for r in rows}
    goals = []
    for goal in GOALS:
        met, measured = check(goal, by_key.get((goal.experiment, goal.contestant)), peak["torch_matmul_gflops"])
        goals.append({"goal": goal.label, "measured": measured, "met": met})
        print(f"| {goal.label} | {measured} | {'—' if met is None else 'yes' if met else 'NO'} |")
    per_row = time_to_target(rows)
    main_job = time_main_job(args.seeds) if (args.rows and not args.only) or "digits" in experiments else None
    ports = _port_seconds(args.ports)
    print("\nTime to accuracy, per seed row (fastest contestant at the row's target; the port: the tutorial's way)\n")
    print(rows_table(per_row, main_job, ports))
    scaled = None
    if args.scaling != "none" and not args.rows:
        scaled = scaling(args.scaling, [1, 2], 0, args.epochs)
        print(f"\nScaling: {args.scaling} on 1 and 2 processes (shootout run --nproc)\n")
        print(scaling_table(scaled["rows"]))
        print(f"\n{WHY}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "machine": machine,
                "peak": peak,
                "seeds": args.seeds,
                "epochs": args.epochs,
                "rows": rows,
                "goals": goals,
                "time_to_target": per_row,
                "main_job": main_job,
                "scaling": scaled,
                "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
                "environment": {"SHOOTOUT_MIRRORS": os.environ.get("SHOOTOUT_MIRRORS")},
            },
            indent=2,
        )
        + "\n"
    )
    print(f"\nJSON: {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
