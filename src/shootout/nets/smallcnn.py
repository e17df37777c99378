"""A small CNN for tiny images (scikit-learn's 8×8 digits), where LeNet's 5×5 convolutions don't fit.

conv 3×3 (padding 1, ``width`` maps), ReLU, conv 3×3 (2·width), ReLU, max-pool 2, fc 64, ReLU, classes.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from shootout.nets.classifier import Classifier


class SmallCNN(Classifier):
    """Two same-padded 3×3 convolutions and one pooling step for N×C×S×S input, S even."""

    MIN_SIDE = 2  # the one 2×2 pooling step

    def __init__(self, in_channels: int = 1, num_classes: int = 10, image_size: int = 8, width: int = 16) -> None:
        super().__init__()
        if image_size < self.MIN_SIDE or width < 1:
            raise ValueError(f"SmallCNN needs image_size >= 2 and width >= 1, got {image_size}, {width}")
        self.in_channels, self.num_classes, self.image_size, self.width = in_channels, num_classes, image_size, width
        self.conv1 = nn.Conv2d(in_channels, width, 3, padding=1)
        self.conv2 = nn.Conv2d(width, 2 * width, 3, padding=1)
        self.fc1 = nn.Linear(2 * width * (image_size // 2) ** 2, 64)
        self.classifier = nn.Linear(64, num_classes)

    def extra_repr(self) -> str:
        return (
            f"in_channels={self.in_channels}, num_classes={self.num_classes}, image_size={self.image_size}, "
            f"width={self.width}"
        )

    def logits(self, X: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.conv1(X))  # (N, w, S, S)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)  # (N, 2w, S/2, S/2)
        x = F.relu(self.fc1(torch.flatten(x, 1)))  # (N, 64)
        return self.classifier(x)  # (N, classes)

    def weight_tensors(self) -> list[torch.Tensor]:
        return [m.weight for m in (self.conv1, self.conv2, self.fc1, self.classifier)]
