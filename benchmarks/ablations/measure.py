"""Running one ablation both ways, its verdict, and the table of all of them."""

from __future__ import annotations

import statistics
from typing import Any

from benchmarks.ablations.registry import Ablation

NOISE = 0.05  # a ratio within 5 % of 1 is "no difference" on this machine


def verdict(speedup: float, overhead: bool = False) -> str:
    """What the measurement says about the code's way (a speedup > 1: it is faster than the alternative).
    Against a bare loop of the same work (``overhead``) the code cannot be faster: the ratio is its fixed cost."""
    if overhead:
        return f"fixed cost: ×{1 / speedup:.2f} the bare loop's time"
    if speedup > 1 + NOISE:
        return "kept: faster"
    if speedup >= 1 - NOISE:
        return "kept: no slower"
    return "check: slower than the alternative"


def measure(ablation: Ablation, data: Any, repeats: int) -> dict[str, Any]:
    """Run each variant ``repeats`` times, alternating which runs first.

    Seconds (and extras) are the medians over the repeats; the speedup is the median of the per-repeat
    ratios before/after, the two runs of a repeat being neighbours in time (so a slow spell of the
    machine tends to hit both), and its spread is the lowest and highest of those ratios.
    """
    samples: dict[bool, list[dict[str, float]]] = {False: [], True: []}
    for repeat in range(repeats):
        for after in (repeat % 2 == 0, repeat % 2 != 0):
            samples[after].append(ablation.run(data, after))
    median = {
        after: {key: statistics.median(s[key] for s in runs) for key in runs[0]} for after, runs in samples.items()
    }
    ratios = [before["seconds"] / after["seconds"] for before, after in zip(samples[False], samples[True], strict=True)]
    speedup = statistics.median(ratios)  # > 1: the code's way is faster
    extras = sorted(set(median[True]) - {"seconds"})
    return {
        "key": ablation.key,
        "change": ablation.change,
        "against": ablation.against,
        "workload": ablation.workload,
        "before_seconds": median[False]["seconds"],
        "after_seconds": median[True]["seconds"],
        "speedup": speedup,
        "speedup_min": min(ratios),
        "speedup_max": max(ratios),
        "ratios": ratios,
        "extras": {key: [median[False][key], median[True][key]] for key in extras},
        "verdict": verdict(speedup, ablation.overhead),
        "repeats": repeats,
    }


def spread(row: dict[str, Any]) -> str:
    """The speedup with the range of the per-repeat ratios, e.g. ``×1.30 (1.25–1.34)``."""
    if row["repeats"] < 2:
        return f"×{row['speedup']:.2f}"
    return f"×{row['speedup']:.2f} ({row['speedup_min']:.2f}–{row['speedup_max']:.2f})"


def markdown(rows: list[dict[str, Any]]) -> str:
    """The measured rows as a Markdown table."""
    lines = [
        "| change (the code) | against | workload | before s | after s | speedup (min–max) | also | verdict |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        also = "; ".join(f"{key} {before:.4g} → {after:.4g}" for key, (before, after) in row["extras"].items())
        lines.append(
            f"| {row['change']} | {row['against']} | {row['workload']} | {row['before_seconds']:.2f} | "
            f"{row['after_seconds']:.2f} | {spread(row)} | {also} | {row['verdict']} |"
        )
    return "\n".join(lines)
