"""Flat features for a convolutional net: each row read as a one-channel square image.

A convolutional net needs images, but a feature matrix N×D is what pipelines, scikit-learn's checks
and flattened datasets give. A row of D = s² features is exactly a flattened s×s grayscale image
(N×784 -> 28×28, N×64 -> 8×8), so it is read back as one; any other D is zero-padded at the end up to
the next square. An image smaller than the net accepts (LeNet needs 16×16) is centred in a zero border,
as LeNet-5 took 28×28 MNIST digits centred in 32×32: in a corner, a few pixels reach only the
convolutions' edge windows, and on two-feature blobs LeNet learned 0.77 there against 0.95 centred.
The input stays flat for the trainer (normalized per column) and becomes an image in the forward pass.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from shootout.nets.classifier import Classifier


def square_side(features: int) -> int:
    """The side of the smallest square image that holds ``features`` pixels."""
    return math.isqrt(max(features - 1, 0)) + 1


class FlatAsImage(Classifier):
    """``net`` (taking N×1×side×side) fed N×``input_dim`` features, read as a square image and centred."""

    def __init__(self, net: Classifier, input_dim: int, side: int) -> None:
        super().__init__()
        if input_dim < 1 or side < square_side(input_dim):
            raise ValueError(f"{input_dim} features do not fit a {side}×{side} image")
        self.net, self.input_dim, self.side = net, input_dim, side
        inner = square_side(input_dim)
        self.inner = inner
        before = (side - inner) // 2
        self.padding = (inner * inner - input_dim, (before, side - inner - before) * 2)

    def extra_repr(self) -> str:
        return f"input_dim={self.input_dim}, side={self.side}"

    def logits(self, X: torch.Tensor) -> torch.Tensor:
        tail, border = self.padding
        images = F.pad(X, (0, tail)).reshape(X.shape[0], 1, self.inner, self.inner)
        return self.net.logits(F.pad(images, border) if any(border) else images)

    def weight_tensors(self) -> list[torch.Tensor]:
        return self.net.weight_tensors()
