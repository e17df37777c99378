"""The command line of ``python -m benchmarks.ablations``: measure, print the table, write the JSON."""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path
from typing import Any

from benchmarks.ablations import REGISTRY
from benchmarks.ablations.bf16 import bf16_accuracy
from benchmarks.ablations.common import Data
from benchmarks.ablations.measure import markdown, measure, spread
from benchmarks.machine import describe_machine
from shootout.data import ChecksumWarning
from shootout.data.files import atomic_write_bytes
from shootout.train.host_memory import keep_freed_memory
from shootout.train.trainer import warm_up_torch

DESCRIPTION = "each speed change of the code measured against its alternative (medians of alternating runs)"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ablations", description=DESCRIPTION)
    parser.add_argument("--only", nargs="+", choices=REGISTRY.keys(), default=None)
    parser.add_argument("--repeats", type=int, default=3, help="runs of each variant (default 3; medians)")
    parser.add_argument("--cifar-dir", type=Path, default=None, help="folder holding the CIFAR-10 archive")
    parser.add_argument("--bf16-accuracy", action="store_true", help="also train the tuned recipes under bf16")
    parser.add_argument("--json", type=Path, default=Path("benchmarks/ablations.json"))
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", ChecksumWarning)
    warm_up_torch()  # the lazy one-time import would otherwise fall on whichever variant runs first
    keep_freed_memory()  # as a run's torch contestants have it
    ablations = [a for a in REGISTRY if args.only is None or a.key in args.only]
    data = Data.load(args.cifar_dir, args.bf16_accuracy or any(a.needs_cifar for a in ablations))
    machine = describe_machine()
    print(
        f"{machine['cpu']}, {machine['cores']} cores, torch threads {machine['torch_threads']}, "
        f"torch {machine['torch']}, NumPy {machine['numpy']}; medians of {args.repeats} alternating runs, "
        "speedup = median of the per-repeat ratios (min–max); data loading excluded"
    )
    rows = []
    for ablation in ablations:
        rows.append(measure(ablation, data, args.repeats))
        print(f"  {ablation.key}: {spread(rows[-1])} ({rows[-1]['verdict']})", flush=True)
    print(markdown(rows))
    result: dict[str, Any] = {"machine": machine, "created": time.strftime("%Y-%m-%d %H:%M"), "rows": rows}
    if args.bf16_accuracy:
        result["bf16_accuracy"] = bf16_accuracy(data)
    atomic_write_bytes(args.json, (json.dumps(result, indent=2) + "\n").encode())
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
