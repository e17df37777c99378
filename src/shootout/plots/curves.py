"""Learning curves: training loss, and training / validation accuracy, per epoch for each contestant."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt

from shootout.plots.files import finish


def learning_curves(histories: Mapping[str, Sequence[Mapping[str, Any]]], path: str | Path, title: str = "") -> Path:
    """One figure, two panels (loss; accuracy) with a line per contestant; val accuracy dashed, test dotted."""
    fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(11, 4))
    for name, history in histories.items():
        epochs = [row["epoch"] for row in history]
        (line,) = loss_ax.plot(epochs, [row["train_loss"] for row in history], marker=".", label=name)
        if any(row.get("train_accuracy") is not None for row in history):
            acc_ax.plot(epochs, [row.get("train_accuracy") for row in history], color=line.get_color(), label=name)
        for key, style, suffix in (("val_accuracy", "--", " (val)"), ("test_accuracy", ":", " (test)")):
            if any(row.get(key) is not None for row in history):
                values = [row.get(key) for row in history]
                acc_ax.plot(epochs, values, color=line.get_color(), linestyle=style, label=f"{name}{suffix}")
    loss_ax.set(xlabel="epoch", ylabel="training loss", yscale="log")
    acc_ax.set(xlabel="epoch", ylabel="accuracy")
    for ax in (loss_ax, acc_ax):
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
    return finish(fig, path, title, tight=False)
