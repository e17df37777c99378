"""What every shootout net shares: ``logits`` for training, probabilities from ``forward``.

The lab's modules return class probabilities from ``forward``; training needs the logits, so the
loss is computed stably from log-softmax. ``l2_penalty`` is the sum of squared *weights* (biases and
batch-norm parameters excluded), the lab's ``param_lambda`` regularizer.
"""

from __future__ import annotations

import torch
from torch import nn


def out_major(W: torch.Tensor) -> torch.Tensor:
    """The same in × out matrix, stored out-major (as ``nn.Linear`` stores its weight).

    ``X @ W`` then runs as the transposed GEMM, which for narrow outputs is much faster on the CPU:
    784 × 10, batch 256, forward + backward 1.6× (``python -m benchmarks.ablations``); for wide
    layers it is a wash. Values, shape and indexing are unchanged; only the strides differ.
    """
    return W.t().contiguous().t()


class Classifier(nn.Module):
    """Base class: subclasses implement :meth:`logits` and list their weight tensors in :meth:`weight_tensors`."""

    def logits(self, X: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def weight_tensors(self) -> list[torch.Tensor]:
        raise NotImplementedError

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        """Class probabilities (N × C)."""
        return torch.softmax(self.logits(X), dim=1)

    def linear_weights(self) -> torch.Tensor | None:
        """W (D × C) when the scores are one affine map of the input pixels (S = X W + b), else None."""
        return None

    def get_loss(self, X: torch.Tensor, Yoh_: torch.Tensor, param_lambda: float = 0.0) -> torch.Tensor:
        """The lab's loss: mean negative log-likelihood of one-hot ``Yoh_`` (N × C) + ``param_lambda`` · Σ||W||².

        The log-probabilities come from ``log_softmax`` of the scores: large scores neither overflow
        nor reach ``log(0)``.
        """
        nll = -(Yoh_ * torch.log_softmax(self.logits(X), dim=1)).sum(dim=1).mean()
        return nll + param_lambda * self.l2_penalty()

    def l2_penalty(self) -> torch.Tensor:
        """Σ ||W||² over the weight tensors."""
        return sum((w * w).sum() for w in self.weight_tensors())

    def count_params(self, verbose: bool = True) -> int:
        """Print each parameter's name and shape (when ``verbose``) and return the total count."""
        total = 0
        for name, param in self.named_parameters():
            if verbose:
                print(f"{name}: {tuple(param.shape)}")
            total += param.numel()
        if verbose:
            print(f"total: {total}")
        return total


def count_params(model: nn.Module, verbose: bool = True) -> int:
    """The lab's ``count_params`` for any module: names and shapes printed, total returned."""
    return Classifier.count_params(model, verbose)  # type: ignore[arg-type]
