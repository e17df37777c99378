"""Pictures of images: a grid with true and predicted labels, weight images, a confusion matrix."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from shootout.plots.files import finish


def _show(ax, image: np.ndarray) -> None:
    """Draw one H×W×C image (uint8 or float), grey for one channel."""
    if image.shape[-1] == 1:
        ax.imshow(image[..., 0], cmap="gray")
    else:
        ax.imshow(image if image.dtype == np.uint8 else np.clip(image, 0, 1))
    ax.set_xticks([])
    ax.set_yticks([])


def image_grid(
    images: np.ndarray,
    true: Sequence[int],
    predicted: Sequence[int] | None,
    class_names: Sequence[str],
    path: str | Path,
    title: str = "",
    notes: Sequence[str] | None = None,
    columns: int = 8,
) -> Path:
    """Images N×H×W×C with 'true' and 'predicted' names above each, as seed 004 shows.

    A wrong prediction gets a red caption and a red frame, so the mistakes stand out in a grid of dozens;
    labels are large enough to read when the picture is shown at the width of a page.
    """
    n = len(images)
    rows = max(1, -(-n // columns))
    lines = 1 + (predicted is not None) + (notes is not None)  # caption lines under each image
    fig, axes = plt.subplots(rows, columns, figsize=(1.3 * columns, (1.3 + 0.3 * lines) * rows), squeeze=False)
    for i, ax in enumerate(axes.ravel()):
        if i >= n:
            ax.axis("off")
            continue
        _show(ax, images[i])
        label = f"true {class_names[true[i]]}"
        wrong = predicted is not None and predicted[i] != true[i]
        if predicted is not None:
            label += f"\npred {class_names[predicted[i]]}"
        if notes is not None:
            label += f"\n{notes[i]}"
        ax.set_title(label, fontsize=9, color="red" if wrong else "black")
        if wrong:
            for spine in ax.spines.values():
                spine.set(color="red", linewidth=3)
    return finish(fig, path, title)


def weight_images(
    W: np.ndarray, image_shape: Sequence[int], class_names: Sequence[str], path: str | Path, title: str = ""
) -> Path:
    """Each column of W (D × C) as an image of ``image_shape`` (H, W, C), one panel per class.

    Colours are centred on zero (red positive, blue negative) with one scale for all classes, so
    the panels compare.
    """
    D, C = W.shape
    if int(np.prod(image_shape)) != D:
        raise ValueError(f"W has {D} rows, images of shape {tuple(image_shape)} have {int(np.prod(image_shape))}")
    h, w, c = image_shape
    limit = float(np.abs(W).max()) or 1.0
    columns = min(C, 5)
    rows = -(-C // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(2.2 * columns, 2.3 * rows), squeeze=False)
    for k, ax in enumerate(axes.ravel()):
        if k >= C:
            ax.axis("off")
            continue
        image = W[:, k].reshape(h, w, c).mean(axis=2)
        ax.imshow(image, cmap="bwr", vmin=-limit, vmax=limit)
        ax.set_title(class_names[k], fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    return finish(fig, path, title)


def confusion_matrix_plot(M: np.ndarray, class_names: Sequence[str], path: str | Path, title: str = "") -> Path:
    """Counts of true class (rows) against predicted class (columns), with the numbers written in large enough
    to read when the picture is shown at its size."""
    C = len(M)
    fig, ax = plt.subplots(figsize=(1.6 + 0.6 * C, 1.2 + 0.55 * C))
    ax.imshow(M, cmap="Blues")
    ticks = np.arange(C)
    ax.set_xticks(ticks, [str(n) for n in class_names], rotation=60, ha="right", fontsize=9)
    ax.set_yticks(ticks, [str(n) for n in class_names], fontsize=9)
    ax.set(xlabel="predicted", ylabel="true")
    threshold = M.max() / 2 if M.size else 0
    for i in range(C):
        for j in range(C):
            ax.text(
                j,
                i,
                str(int(M[i, j])),
                ha="center",
                va="center",
                fontsize=8 if M[i, j] < 1000 else 6,
                color="white" if M[i, j] > threshold else "black",
            )
    ax.set_title(title, fontsize=10)
    return finish(fig, path)


def filter_grid(
    images: np.ndarray, filtered: dict[str, np.ndarray], labels: Sequence[str], path: str | Path, title: str = ""
) -> Path:
    """One row per image, one column per filter: ``filtered[name]`` holds the N filtered uint8 images."""
    names = list(filtered)
    fig, axes = plt.subplots(len(images), len(names), figsize=(1.9 * len(names), 1.9 * len(images)), squeeze=False)
    for row in range(len(images)):
        for column, name in enumerate(names):
            ax = axes[row, column]
            _show(ax, filtered[name][row])
            if row == 0:
                ax.set_title(name, fontsize=9)
        axes[row, 0].set_ylabel(labels[row], fontsize=8)
    return finish(fig, path, title)
