"""Floating-point work per trained sample, counted by torch's FlopCounterMode (or by hand for NumPy)."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode

from shootout.estimators import SoftmaxRegression, TorchNet


def train_flops_per_sample(estimator, sample_shape: tuple[int, ...], num_classes: int) -> float | None:
    """FLOPs of one forward + backward pass per sample (None where not meaningful, e.g. SVMs)."""
    if isinstance(estimator, SoftmaxRegression):
        D = int(np.prod(sample_shape))
        return 4.0 * D * num_classes  # X W forward, Xᵀ G backward
    if not isinstance(estimator, TorchNet):
        return None
    model = estimator.build(sample_shape, num_classes)
    batch = 32
    layout = estimator._recipe().layout
    x = torch.randn(batch, *sample_shape)
    if layout == "nchw":
        x = x.permute(0, 3, 1, 2)
    y = torch.zeros(batch, dtype=torch.long)
    counter = FlopCounterMode(display=False)
    with counter:
        F.cross_entropy(model.logits(x), y).backward()
    return counter.get_total_flops() / batch
