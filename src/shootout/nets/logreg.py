"""pt_logreg: multinomial logistic regression in PyTorch (lab 1), the same model as the NumPy one.

    S = X W + b   (W: D × C),   P = softmax(S)
    loss = mean_i ( -Σ_c Yoh_[i, c] · log P[i, c] ) + param_lambda · ||W||²

The loss is :meth:`Classifier.get_loss` (stable log-softmax); the lab's ``train`` and ``eval`` are in
:mod:`shootout.train.lab`. With zero initial weights, full-batch gradient descent follows exactly the
path of :func:`shootout.scratch.logreg_train`.
"""

from __future__ import annotations

import torch
from torch import nn

from shootout.nets.classifier import Classifier, out_major


class PTLogreg(Classifier):
    """Logistic regression for D-dimensional data and C classes; W and b start at zero."""

    def __init__(self, D: int, C: int) -> None:
        super().__init__()
        if D < 1 or C < 2:
            raise ValueError(f"PTLogreg needs D >= 1 and C >= 2, got D={D}, C={C}")
        self.D, self.C = D, C
        self.W = nn.Parameter(out_major(torch.zeros(D, C)))  # D × C, stored C-major: the fast GEMM
        self.b = nn.Parameter(torch.zeros(C))

    def extra_repr(self) -> str:
        return f"D={self.D}, C={self.C}"

    def logits(self, X: torch.Tensor) -> torch.Tensor:
        return torch.addmm(self.b, X.reshape(len(X), -1), self.W)  # X W + b in one kernel, (N, C)

    def weight_tensors(self) -> list[torch.Tensor]:
        return [self.W]

    def linear_weights(self) -> torch.Tensor:
        return self.W
