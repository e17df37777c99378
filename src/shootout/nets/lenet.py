"""LeNet (seed 002): conv 6@5×5, ReLU, max-pool 2, conv 16@5×5, ReLU, max-pool 2, fc 120, 84, classes.

Works for any square input whose side leaves a positive feature map: 3×32×32 (CIFAR-10: 16·5·5
features) and 1×28×28 (MNIST: 16·4·4 features).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from shootout.nets.classifier import Classifier


class LeNet(Classifier):
    """LeNet-5 shaped CNN on N×C×H×W input."""

    MIN_SIDE = 16  # two 5×5 convolutions, each followed by a 2×2 pooling, leave one pixel of a 16×16 image

    def __init__(self, in_channels: int = 3, num_classes: int = 10, image_size: int = 32) -> None:
        super().__init__()
        side = ((image_size - 4) // 2 - 4) // 2
        if side < 1:
            raise ValueError(f"LeNet needs images of side >= {self.MIN_SIDE}, got {image_size}")
        self.in_channels, self.num_classes, self.image_size = in_channels, num_classes, image_size
        self.conv1 = nn.Conv2d(in_channels, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * side * side, 120)
        self.fc2 = nn.Linear(120, 84)
        self.classifier = nn.Linear(84, num_classes)

    def extra_repr(self) -> str:
        return f"in_channels={self.in_channels}, num_classes={self.num_classes}, image_size={self.image_size}"

    def logits(self, X: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(F.relu(self.conv1(X)), 2)  # (N, 6, (S-4)/2, ...)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)  # (N, 16, side, side)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))  # (N, 120)
        x = F.relu(self.fc2(x))  # (N, 84)
        return self.classifier(x)  # (N, classes)

    def weight_tensors(self) -> list[torch.Tensor]:
        return [m.weight for m in (self.conv1, self.conv2, self.fc1, self.fc2, self.classifier)]
