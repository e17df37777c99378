"""What the workloads share: the data, loaded once and never timed, and small timing helpers."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from shootout.data import load
from shootout.estimators import TorchNet
from shootout.experiments import get_experiment

Split = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # train images, labels, test images, labels


@dataclass
class Data:
    """The three image sets, loaded once (loading is never timed)."""

    mnist: Split
    fashion: Split
    cifar: Split | None

    @classmethod
    def load(cls, cifar_dir: Path | None, with_cifar: bool) -> Data:
        def both(name: str, **kwargs: Any) -> Split:
            return (*load(name, "train", **kwargs), *load(name, "test", **kwargs))

        cifar = both("cifar-10", data_dir=cifar_dir, verify=cifar_dir is None) if with_cifar else None
        return cls(both("mnist"), both("fashion-mnist"), cifar)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """(wall seconds, value) of one call."""
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def fit_seconds(estimator: TorchNet, x: np.ndarray, y: np.ndarray) -> float:
    """Wall seconds of the estimator's ``fit``, silent."""
    return timed(lambda: estimator.fit(x, y, log=None, progress=False))[0]


def catalog(experiment: str, contestant: str, **overrides: Any) -> TorchNet:
    """A fresh copy of a catalog contestant; overrides naming a recipe field (epochs, sync_every, …) go to
    its recipe, so an alternative is chosen through the same parameters a user has."""
    return get_experiment(experiment).entry(contestant).estimator.with_overrides(**overrides)


def channel_stats(images: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-channel mean and std of uint8 images N×H×W×C, as float32 tensors of C values."""
    x = images.reshape(-1, images.shape[-1]).astype(np.float64)
    return torch.tensor(x.mean(axis=0), dtype=torch.float32), torch.tensor(x.std(axis=0), dtype=torch.float32)
