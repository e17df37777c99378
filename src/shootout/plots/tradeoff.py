"""Test accuracy against training seconds: the one chart that answers "which contestant, at what cost".

A report draws its run's contestants; a comparison draws every run's, one colour per run, with error bars
where several seeds were averaged. Time goes on a log axis because contestants differ by orders of
magnitude (a closed-form SVM in milliseconds, a CNN in minutes).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.lines import Line2D

from shootout.plots.files import finish

FLOOR_SECONDS = 1e-3  # a fit faster than this is drawn at this time (a log axis has no zero)
MARK_SPAN = 1.6  # a target mark spans the point's time divided and multiplied by this (log axis)


@dataclass(frozen=True)
class Point:
    """One contestant (in one run, or averaged over several seeds) on the chart."""

    label: str
    seconds: float
    accuracy: float
    group: str = ""  # its run in a comparison: one colour per group
    accuracy_std: float = 0.0  # drawn as a vertical bar of ± this
    seconds_range: tuple[float, float] | None = None  # fastest and slowest of several runs: a horizontal bar
    target: float | None = None  # the accuracy it must reach, drawn as a short horizontal mark


def accuracy_vs_seconds(points: Sequence[Point], path: str | Path, title: str = "", caption: str = "") -> Path:
    """Draw ``points`` (accuracy against log training seconds); targets as marks; ``caption`` under the chart.

    Without groups every point gets its own colour; with groups, every group does (and a legend names them).
    A point below its target is drawn hollow, so a missed target shows without reading the numbers.
    """
    groups = list(dict.fromkeys(p.group for p in points))
    grouped = len(groups) > 1 or groups != [""]
    colours = plt.get_cmap("tab10").colors
    fig, ax = plt.subplots(figsize=(9, 5))
    drawn: set[str] = set()
    for index, point in enumerate(points):
        colour = colours[(groups.index(point.group) if grouped else index) % len(colours)]
        x = max(point.seconds, FLOOR_SECONDS)
        missed = point.target is not None and point.accuracy < point.target
        xerr = None
        if point.seconds_range is not None:  # asymmetric: a symmetric spread would cross zero on a log axis
            low, high = (max(t, FLOOR_SECONDS) for t in point.seconds_range)
            xerr = [[max(x - low, 0.0)], [max(high - x, 0.0)]]
        ax.errorbar(
            x,
            point.accuracy,
            xerr=xerr,
            yerr=point.accuracy_std or None,
            fmt="o",
            markersize=8,
            color=colour,
            markerfacecolor="white" if missed else colour,
            capsize=3,
            label=point.group if grouped and point.group not in drawn else None,
        )
        drawn.add(point.group)
        ax.annotate(point.label, (x, point.accuracy), xytext=(6, 4), textcoords="offset points", fontsize=8)
        if point.target is not None:
            ax.hlines(point.target, x / MARK_SPAN, x * MARK_SPAN, colors=colour, linestyles="--")
    ax.set_xscale("log")
    ax.set(xlabel="training seconds (log scale)", ylabel="test accuracy")
    ax.grid(alpha=0.3, which="both")
    handles, labels = ax.get_legend_handles_labels()
    if any(p.target is not None for p in points):  # one entry for every mark, whatever its colour
        handles.append(Line2D([], [], color="grey", linestyle="--"))
        labels.append("target (the point's colour)")
    if handles:
        ax.legend(handles, labels, fontsize=8, loc="best")
    if caption:
        fig.text(0.01, -0.01, textwrap.fill(caption, 120), ha="left", va="top", fontsize=9, color="#333")
    return finish(fig, path, title)
