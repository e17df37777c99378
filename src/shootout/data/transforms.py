"""Whole-array image transforms for the lessons: shifted copies and a fixed shuffle of pixel positions.

Both act on uint8 images N×H×W×C at once (no per-image Python) and return new arrays.
"""

from __future__ import annotations

import numpy as np


def shift_images(images: np.ndarray, dx: int = 0, dy: int = 0) -> np.ndarray:
    """Every image moved ``dx`` pixels right and ``dy`` down (negative: left, up), the uncovered border zero."""
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(f"images must be N×H×W×C, got shape {images.shape}")
    _, h, w, _ = images.shape
    out = np.zeros_like(images)
    if abs(dx) >= w or abs(dy) >= h:
        return out
    source = images[:, max(0, -dy) : h - max(0, dy), max(0, -dx) : w - max(0, dx)]
    out[:, max(0, dy) : h - max(0, -dy), max(0, dx) : w - max(0, -dx)] = source
    return out


def permute_pixels(images: np.ndarray, seed: int) -> np.ndarray:
    """The pixel positions of every image shuffled by one seeded permutation (a pixel keeps its channels).

    A fully connected net cannot tell: a permutation of its inputs is a permutation of its first
    layer's weights. A convolution can: its filters read neighbouring pixels, which are neighbours no more.
    """
    images = np.asarray(images)
    n, h, w, c = images.shape
    order = np.random.default_rng(seed).permutation(h * w)
    return images.reshape(n, h * w, c)[:, order].reshape(n, h, w, c)
