"""Dataset statistics: shapes, exact per-channel mean and std, class counts.

Mean and std are float64 over every training pixel, computed from a 256-bin histogram per channel
(exact sums over uint8 values), so they match ``X.mean()`` / ``X.std()`` without a float copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from shootout.data.loaders import load
from shootout.data.registry import get_spec

HIST_CHUNK = 1 << 22  # pixels per bincount call


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    title: str
    classes: tuple[str, ...]
    shapes: dict[str, tuple[int, ...]]  # split -> images shape
    mean: tuple[float, ...]  # per channel, training split
    std: tuple[float, ...]
    class_counts: dict[str, tuple[int, ...]]  # split -> count per class
    channel_order: str = "rgb"  # the order of mean and std for colour images

    def format(self) -> str:
        lines = [f"{self.name}: {self.title}"]
        for split, shape in self.shapes.items():
            lines.append(f"  {split:5s} images {'x'.join(map(str, shape))} uint8")
        lines.append(f"  classes ({len(self.classes)}): {', '.join(self.classes)}")
        order = f", {', '.join(self.channel_order.upper())}" if len(self.mean) == 3 else ""
        lines.append(f"  per-channel mean (train{order}): " + ", ".join(repr(m) for m in self.mean))
        lines.append(f"  per-channel std  (train{order}): " + ", ".join(repr(s) for s in self.std))
        for split, counts in self.class_counts.items():
            lines.append(f"  {split:5s} class counts: " + " ".join(str(c) for c in counts))
        return "\n".join(lines)


def channel_mean_std(images: np.ndarray) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Per-channel float64 mean and (population) std of uint8 images N×H×W×C."""
    if images.dtype != np.uint8:
        raise TypeError(f"expected uint8 images, got {images.dtype}")
    channels = images.shape[-1]
    flat = images.reshape(-1, channels)
    means, stds = [], []
    values = np.arange(256, dtype=np.float64)
    rows = max(1, HIST_CHUNK // channels)
    for c in range(channels):
        # bincount widens to intp; going in chunks keeps that copy small (CIFAR: 51M pixels a channel).
        hist = sum(np.bincount(flat[i : i + rows, c], minlength=256) for i in range(0, len(flat), rows))
        hist = np.asarray(hist, dtype=np.float64)
        n = hist.sum()
        mean = float(hist @ values / n)
        stds.append(float(np.sqrt(hist @ (values - mean) ** 2 / n)))
        means.append(mean)
    return tuple(means), tuple(stds)


def info(name: str, data_dir: str | Path | None = None, verify: bool = True, channel_order: str = "rgb") -> DatasetInfo:
    """Statistics of a dataset (loading, and on first use downloading, both splits), channels in ``channel_order``."""
    spec = get_spec(name)
    shapes, counts = {}, {}
    mean = std = ()
    for split in ("train", "test"):
        images, labels = load(name, split, data_dir=data_dir, verify=verify, channel_order=channel_order)
        shapes[split] = images.shape
        counts[split] = tuple(int(c) for c in np.bincount(labels, minlength=spec.num_classes))
        if split == "train":
            mean, std = channel_mean_std(images)
    return DatasetInfo(spec.name, spec.title, spec.classes, shapes, mean, std, counts, channel_order)
