"""pt_logreg: multinomial logistic regression in PyTorch (lab 1), the same model as the NumPy one.

    S = X W + b   (W: D × C),   P = softmax(S)
    loss = mean_i ( -Σ_c Yoh_[i, c] · log P[i, c] ) + param_lambda · ||W||²

The log-probabilities come from ``log_softmax`` of the scores, so large scores neither overflow nor
reach ``log(0)``. With zero initial weights, full-batch gradient descent here follows exactly the
path of :func:`shootout.scratch.logreg_train`.
"""

from __future__ import annotations

import numpy as np
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

    def get_loss(self, X: torch.Tensor, Yoh_: torch.Tensor, param_lambda: float = 0.0) -> torch.Tensor:
        """Mean negative log-likelihood of one-hot labels ``Yoh_`` (N × C), plus ``param_lambda``·||W||²."""
        nll = -(Yoh_ * torch.log_softmax(self.logits(X), dim=1)).sum(dim=1).mean()
        return nll + param_lambda * self.l2_penalty()


def _as_tensor(array, like: nn.Module) -> torch.Tensor:
    param = next(like.parameters())
    return torch.as_tensor(np.asarray(array), dtype=param.dtype, device=param.device)


def train(
    model: Classifier,
    X,
    Yoh_,
    param_niter: int,
    param_delta: float,
    param_lambda: float = 0.0,
    log_every: int = 0,
) -> list[float]:
    """Full-batch gradient descent on the mean NLL + ``param_lambda``·||W||²; the loss of every iteration.

    X (N × D) and one-hot Yoh_ (N × C) may be NumPy arrays or tensors. This is the lab's functional
    interface over the one trainer, :func:`shootout.train.fit`, with a full-batch SGD recipe and no
    normalization (the data are used as given).
    """
    from shootout.train import Recipe, fit

    if param_delta <= 0:
        raise ValueError(f"param_delta must be positive, got {param_delta}")
    X = np.asarray(X.detach().cpu() if isinstance(X, torch.Tensor) else X, dtype=np.float64)
    Yoh_ = Yoh_.detach().cpu().numpy() if isinstance(Yoh_, torch.Tensor) else np.asarray(Yoh_)
    device = next(model.parameters()).device.type
    iterations = int(param_niter)
    recipe = Recipe(
        optimizer="sgd",
        lr=param_delta,
        batch_size=None,
        epochs=iterations,
        l2=param_lambda,
        mean=0.0,
        std=1.0,
        device=device,
        log_every=log_every or max(iterations, 1),
    )
    result = fit(model, X, Yoh_.argmax(axis=1), recipe, log=print if log_every else None, progress=False)
    return [row["train_loss"] for row in result.history]


def eval(model: Classifier, X) -> np.ndarray:  # the lab's name, shadowing the builtin on purpose
    """Class probabilities (N × C) as a NumPy array for NumPy (or tensor) input X."""
    model.eval()
    with torch.inference_mode():
        return model(_as_tensor(X, model)).cpu().numpy()
