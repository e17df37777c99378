"""``python -m benchmarks.ports``: the seeds' straightforward ports, time to each row's target; a table and JSON."""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
import time
from pathlib import Path

from benchmarks.machine import describe_machine, load_averages
from benchmarks.ports import ROWS, TIMING_SCOPE, markdown_table, measure_ports


def _load() -> str:
    averages = load_averages()
    return "unknown" if averages is None else " / ".join(f"{x:.2f}" for x in averages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.ports",
        description=f"{__doc__.splitlines()[0]}\n\n{textwrap.fill('Timing scope: ' + TIMING_SCOPE, 100)}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    keys = [row.key for row in ROWS]
    parser.add_argument(
        "--rows", nargs="+", default=keys, choices=keys, metavar="ROW", help=f"default: all ({', '.join(keys)})"
    )
    parser.add_argument("--seeds", type=int, default=3, help="runs per row, seeds 0, 1, … (default 3)")
    parser.add_argument(
        "--cifar-dir", type=Path, default=None, help="folder holding cifar-10-binary.tar.gz (read unverified)"
    )
    parser.add_argument("--json", type=Path, default=Path("benchmarks/ports.json"), help="where to write the JSON")
    args = parser.parse_args(argv)

    machine, load_before = describe_machine(), _load()
    started = time.strftime("%Y-%m-%d %H:%M")
    print(f"# tutorial-style ports, time to accuracy, {started}")
    print(
        f"machine: {machine['cpu']}, {machine['cores']} cores, torch threads {machine['torch_threads']}; "
        f"python {machine['python']}, torch {machine['torch']}, numpy {machine['numpy']}, "
        f"scikit-learn {machine['scikit-learn']}; CUDA: {machine['cuda'] or 'none'}"
    )
    print(f"load average (1 / 5 / 15 min) at the start: {load_before}")
    print(f"CIFAR-10: {args.cifar_dir or 'the verified cache'}; seeds: {args.seeds}")
    print(f"timing: {TIMING_SCOPE}", flush=True)
    document = {
        "created": started,
        "machine": machine,
        "load_average": {"start": load_before, "end": None},
        "timing": TIMING_SCOPE,
        "seeds": args.seeds,
        "cifar_dir": None if args.cifar_dir is None else str(args.cifar_dir),
        "environment": {"SHOOTOUT_MIRRORS": os.environ.get("SHOOTOUT_MIRRORS")},
        "rows": [],
    }

    def save(row: dict | None = None) -> None:  # after every row: an interrupted run keeps the rows it finished
        if row is not None:
            document["rows"].append(row)
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(document, indent=2) + "\n")

    measure_ports(
        args.rows,
        args.seeds,
        args.cifar_dir,
        log=lambda line: print(f"  {line}", file=sys.stderr, flush=True),
        done=save,
    )
    document["load_average"]["end"] = _load()
    save()
    print()
    print(markdown_table(document["rows"]))
    print(f"\nload average at the end: {document['load_average']['end']}")
    print(f"JSON: {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
