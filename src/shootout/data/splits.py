"""An experiment's data: train and test arrays with their class names, loaded from files or drawn.

Registered datasets (``DATASETS``) come from their files through :func:`shootout.data.load`; the
lab's synthetic 2-D data are drawn from a seeded random mixture, so one seed gives one dataset.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from shootout.data.errors import DatasetError
from shootout.data.loaders import load
from shootout.data.registry import get_spec
from shootout.data.synthetic import Mixture2D, random_mixture_2d
from shootout.data.transforms import permute_pixels


@dataclass(frozen=True)
class Splits:
    """Train and test arrays: uint8 images N×H×W×C or float N×D points; int64 labels; class names."""

    train_x: np.ndarray
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

    def with_train_subset(self, size: int, seed: int) -> Splits:
        """These splits with a seeded, class-stratified subset of ``size`` training samples (the test split whole).

        Every class keeps at least one sample, so ``size`` must be at least the number of classes present.
        """
        classes = len(np.unique(self.train_y))
        if size < classes:
            raise ValueError(f"a stratified subset needs at least one sample per class: {size} < {classes} classes")
        keep = stratified_subsample(self.train_y, size, seed)
        return replace(self, train_x=self.train_x[keep], train_y=self.train_y[keep])


def gmm_splits(K: int, C: int, N: int, test_N: int, seed: int = 0, offset: int = 0) -> Splits:
    """One random mixture of ``K`` Gaussians over ``C`` classes: N points per component to train, test_N to test.

    The mixture is drawn from ``seed + offset`` (``offset`` numbers the datasets of an experiment that
    draws many, so ``--seed`` shifts the whole set). A mixture whose components all drew one class has
    nothing to classify; its classes are drawn again (the components stay), so every seed gives a
    usable dataset.
    """
    rng = np.random.default_rng(seed + offset)
    mixture = random_mixture_2d(K, C, rng)
    while C > 1 and K > 1 and len(np.unique(mixture.classes)) < 2:
        mixture = replace(mixture, classes=rng.integers(0, C, size=K).astype(np.int64))
    return _sampled(mixture, N, test_N, rng, C)


def gauss_splits(C: int, N: int, test_N: int, seed: int = 0) -> Splits:
    """``C`` random Gaussians, class i from Gaussian i (the lab's ``sample_gauss_2d``): N and test_N points each."""
    rng = np.random.default_rng(seed)
    return _sampled(random_mixture_2d(C, None, rng), N, test_N, rng, C)


def _sampled(mixture: Mixture2D, N: int, test_N: int, rng: np.random.Generator, C: int) -> Splits:
    train_x, train_y = mixture.sample(N, rng)
    test_x, test_y = mixture.sample(test_N, rng)
    return Splits(train_x, train_y, test_x, test_y, tuple(str(c) for c in range(C)))


# Drawn from a seed, not loaded: each takes its sizes as data options and the seed.
SYNTHETIC: dict[str, Callable[..., Splits]] = {"gmm": gmm_splits, "gauss": gauss_splits}


def load_splits(
    dataset: str,
    data_dir: str | Path | None = None,
    verify: bool = True,
    seed: int = 0,
    channel_order: str = "rgb",
    **options: Any,
) -> Splits:
    """The train and test splits of ``dataset`` (:func:`describe_test_split` says which); a synthetic one is drawn
    with ``seed`` and ``options``.

    channel_order : ``"rgb"`` or ``"bgr"`` for colour datasets (see :func:`shootout.data.load`).
    options : a synthetic dataset's sizes; for an image dataset only ``permute_pixels`` (a seed: both
    splits' pixel positions shuffled by one fixed permutation).
    """
    if dataset in SYNTHETIC:
        if channel_order != "rgb":
            raise ValueError(f"channel order {channel_order!r} needs colour images; {dataset} holds 2-D points")
        return SYNTHETIC[dataset](**options, seed=seed)
    permutation = options.pop("permute_pixels", None)  # the seed of a fixed shuffle of pixel positions
    if options:
        raise DatasetError(f"{dataset} takes no data options but permute_pixels, got {', '.join(sorted(options))}")
    spec = get_spec(dataset)
    train_x, train_y = load(spec.name, "train", data_dir=data_dir, verify=verify, channel_order=channel_order)
    test_x, test_y = load(spec.name, "test", data_dir=data_dir, verify=verify, channel_order=channel_order)
    if permutation is not None:
        train_x, test_x = permute_pixels(train_x, permutation), permute_pixels(test_x, permutation)
    return Splits(train_x, train_y, test_x, test_y, spec.classes)


def stratified_subsample(y: np.ndarray, size: int, seed: int) -> np.ndarray:
    """Sorted indices of about ``size`` samples keeping the class proportions of ``y`` (all when size >= len(y))."""
    from sklearn.model_selection import train_test_split

    if size >= len(y):
        return np.arange(len(y))
    index, _ = train_test_split(np.arange(len(y)), train_size=size, random_state=seed, stratify=y)
    return np.sort(index)


def describe_test_split(dataset: str) -> str:
    """What an experiment's accuracy is measured on, in words, for reports: not every dataset has an official split.

    The 2-D mixtures draw fresh test points from the mixture the training points came from; scikit-learn's
    digits come without a split, so a fixed stratified one is cut; the image datasets ship their own.
    """
    from shootout.data.loaders import DIGITS_SPLIT_SEED, DIGITS_TEST_FRACTION

    if dataset in SYNTHETIC:
        return "fresh points drawn from the same mixture as the training points (each seed draws another mixture)"
    spec = get_spec(dataset)
    if spec.reader == "sklearn-digits":
        return (
            f"a fixed stratified {round(DIGITS_TEST_FRACTION * 100)} % split of scikit-learn's digits "
            f"({spec.sizes['test']:,} images, split seed {DIGITS_SPLIT_SEED}, the same for every run)"
        )
    return f"the official test split ({spec.sizes['test']:,} images)"
