"""The lab's functional training interface for pt_logreg (lab 1): ``train`` and ``eval``.

``train(model, X, Yoh_, param_niter, param_delta, param_lambda)`` is full-batch gradient descent, as
the lab writes it; here it is a thin call of the one trainer, :func:`shootout.train.fit`, with a
full-batch SGD recipe and no normalization, so the lab's loop and every experiment share one code path.
"""

from __future__ import annotations

import numpy as np
import torch

from shootout.train.recipe import Recipe
from shootout.train.trainer import fit


def _as_tensor(array, like: torch.nn.Module) -> torch.Tensor:
    param = next(like.parameters())
    return torch.as_tensor(np.asarray(array), dtype=param.dtype, device=param.device)


def train(
    model: torch.nn.Module,
    X,
    Yoh_,
    param_niter: int,
    param_delta: float,
    param_lambda: float = 0.0,
    log_every: int = 0,
) -> list[float]:
    """Full-batch gradient descent on the mean NLL + ``param_lambda``·Σ||W||²; the loss of every iteration.

    model : a :class:`shootout.nets.Classifier` (PTLogreg, PTDeep, …). X (N × D) and one-hot Yoh_
    (N × C) may be NumPy arrays or tensors; the data are used as given. log_every : print the loss
    every that many iterations (0: silent).
    """
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


def eval(model: torch.nn.Module, X) -> np.ndarray:  # the lab's name, shadowing the builtin on purpose
    """Class probabilities (N × C) as a NumPy array for NumPy (or tensor) input X."""
    model.eval()
    with torch.inference_mode():
        return model(_as_tensor(X, model)).cpu().numpy()
