"""Pictures of images: a grid with true and predicted labels, weight images, a confusion matrix.

A grid is one picture, not one Axes per image: the images go into one mosaic drawn once, their
captions and frames on top, all on one invisible Axes. matplotlib's cost per Axes (ticks, spines,
titles, layout) and per drawn image made 30-image grids most of a small run's time.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import Normalize
from matplotlib.patches import Rectangle

from shootout.plots.files import finish

CAPTION_PAD = 6 / 72  # inches between an image and its caption (a title's pad: 6 points)
LINE = 9 * 1.2 / 72  # inches per caption line at font size 9
TITLE_BAND = 0.45  # inches above the grid for the figure's title
MOSAIC_SIDE = 48  # an image spans at least this many mosaic pixels, so gaps fall on a fine grid


def _rgba(image: np.ndarray, cmap: str = "gray", norm: Normalize | None = None) -> np.ndarray:
    """An H×W×C image (uint8 or float) as H×W×4 floats in [0, 1], as ``imshow`` shows it: one channel
    through ``cmap``, scaled by ``norm`` (default: the image's own minimum and maximum)."""
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if image.ndim == 2:
        norm = norm if norm is not None else Normalize(float(image.min()), float(image.max()))
        return plt.get_cmap(cmap)(norm(image))
    rgb = image / 255.0 if image.dtype == np.uint8 else np.clip(image, 0, 1)
    return np.concatenate([rgb, np.ones((*image.shape[:2], 1))], axis=2)


def _grid(
    tiles: Sequence[np.ndarray],
    captions: Sequence[str],
    colors: Sequence[str],
    frames: Sequence[float],
    columns: int,
    size: tuple[float, float, int],
    path: str | Path,
    title: str,
) -> Path:
    """Draw RGBA ``tiles`` in rows of ``columns``, each under its caption and in its frame (line width in
    points), in ``colors``. size : (side of a tile, gap between tiles, caption lines), in inches and lines.

    Lengths are counted in mosaic pixels (an image's pixel repeated ``up`` times each way), in which the
    Axes' data coordinates run from the top-left corner, y down.
    """
    side, gap, lines = size
    rows = max(1, -(-len(tiles) // columns))
    big = max((max(t.shape[:2]) for t in tiles), default=1)
    up = -(-MOSAIC_SIDE // big)  # an image's pixel repeated so often each way
    unit = side / (up * big)  # inches per mosaic pixel
    span, gaps, band, top = (
        up * big,
        round(gap / unit),
        round((CAPTION_PAD + LINE * lines) / unit),
        round(TITLE_BAND / unit),
    )
    cell = (span + gaps, span + gaps + band)
    width, height = columns * cell[0], top + rows * cell[1]
    mosaic = np.zeros((height, width, 4))  # transparent: the figure's white shows through
    fig = plt.figure(figsize=(width * unit, height * unit))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    for i, tile in enumerate(tiles):
        row, column = divmod(i, columns)
        h, w = tile.shape[0] * up, tile.shape[1] * up
        x = column * cell[0] + gaps // 2 + (span - w) // 2
        y = top + row * cell[1] + band + gaps // 2 + (span - h) // 2
        mosaic[y : y + h, x : x + w] = tile.repeat(up, axis=0).repeat(up, axis=1)
        ax.text(x + w / 2, y - CAPTION_PAD / unit, captions[i], ha="center", va="bottom", fontsize=9, color=colors[i])
        ax.add_patch(Rectangle((x, y), w, h, fill=False, edgecolor=colors[i], linewidth=frames[i]))
    ax.imshow(mosaic, extent=(0, width, height, 0), interpolation="nearest", aspect="auto")
    ax.set(xlim=(0, width), ylim=(height, 0))
    return finish(fig, path, title, tight=False, crop=False)  # laid out to its edges already


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
    labels are large enough to read when the picture is shown at the width of a page. Each one-channel
    image is shown in grey from its own darkest to its own lightest pixel.
    """
    captions, wrong = [], []
    for i in range(len(images)):
        label = f"true {class_names[true[i]]}"
        if predicted is not None:
            label += f"\npred {class_names[predicted[i]]}"
        if notes is not None:
            label += f"\n{notes[i]}"
        captions.append(label)
        wrong.append(predicted is not None and predicted[i] != true[i])
    lines = 1 + (predicted is not None) + (notes is not None)
    return _grid(
        [_rgba(image) for image in images],
        captions,
        ["red" if bad else "black" for bad in wrong],
        [3.0 if bad else 0.8 for bad in wrong],
        columns,
        (1.15, 0.15, lines),
        path,
        title,
    )


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
    norm = Normalize(-limit, limit)
    tiles = [_rgba(W[:, k].reshape(h, w, c).mean(axis=2), "bwr", norm) for k in range(C)]
    names = [str(name) for name in class_names[:C]]
    return _grid(tiles, names, ["black"] * C, [0.8] * C, min(C, 5), (1.85, 0.35, 1), path, title)


def confusion_matrix_plot(M: np.ndarray, class_names: Sequence[str], path: str | Path, title: str = "") -> Path:
    """Counts of true class (rows) against predicted class (columns), with the numbers written in large enough
    to read when the picture is shown at its size.

    The matrix gets a fixed square of 0.55 inch per class (plus 0.2) and fixed margins instead of a tight
    layout (one layout pass fewer over its C² numbers); the saved picture is cropped to what is drawn, so
    long class names still show whole.
    """
    C = len(M)
    side, left, bottom, top = 0.2 + 0.55 * C, 0.5, 0.65, 0.35  # inches
    width, height = left + side + 0.1, bottom + side + top
    fig = plt.figure(figsize=(width, height))
    ax = fig.add_axes((left / width, bottom / height, side / width, side / height))
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
    return finish(fig, path, tight=False)


def filter_grid(
    images: np.ndarray, filtered: dict[str, np.ndarray], labels: Sequence[str], path: str | Path, title: str = ""
) -> Path:
    """One row per image, one column per filter: ``filtered[name]`` holds the N filtered uint8 images."""
    names = list(filtered)
    fig, axes = plt.subplots(len(images), len(names), figsize=(1.9 * len(names), 1.9 * len(images)), squeeze=False)
    for row in range(len(images)):
        for column, name in enumerate(names):
            ax = axes[row, column]
            ax.imshow(_rgba(filtered[name][row]))
            ax.set(xticks=[], yticks=[])
            if row == 0:
                ax.set_title(name, fontsize=9)
        axes[row, 0].set_ylabel(labels[row], fontsize=8)
    return finish(fig, path, title)
