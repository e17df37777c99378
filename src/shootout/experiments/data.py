"""The data an experiment runs on: train and test arrays, class names, and whether they are images."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from shootout.data import get_spec, load
from shootout.data.synthetic import random_mixture_2d
from shootout.experiments.spec import Experiment


@dataclass(frozen=True)
class ExperimentData:
    train_x: np.ndarray  # uint8 N×H×W×C images, or float N×2 points for gmm
    train_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray
    class_names: tuple[str, ...]

    @property
    def is_images(self) -> bool:
        return self.train_x.ndim == 4

    @property
    def image_shape(self) -> tuple[int, ...]:
        return tuple(self.train_x.shape[1:])


def load_experiment_data(
    experiment: Experiment, data_dir: str | Path | None = None, verify: bool = True, seed: int = 0
) -> ExperimentData:
    """Load (or, for gmm, draw with ``seed``) the train and official test splits of the experiment."""
    if experiment.dataset == "gmm":
        options = experiment.data_options
        rng = np.random.default_rng(seed)
        mixture = random_mixture_2d(options["K"], options["C"], rng)
        train_x, train_y = mixture.sample(options["N"], rng)
        test_x, test_y = mixture.sample(options["test_N"], rng)
        return ExperimentData(train_x, train_y, test_x, test_y, tuple(str(c) for c in range(options["C"])))
    spec = get_spec(experiment.dataset)
    train_x, train_y = load(spec.name, "train", data_dir=data_dir, verify=verify)
    test_x, test_y = load(spec.name, "test", data_dir=data_dir, verify=verify)
    return ExperimentData(train_x, train_y, test_x, test_y, spec.classes)
