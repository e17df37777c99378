"""The speedrun contestant: a :class:`~shootout.nets.SpeedrunNet` trained by ``train_speedrun``.

Its own loop, not :func:`shootout.train.fit`: whitening from data, per-group learning rates, batch augmentation, TTA.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from shootout.estimators.recipe_net import RecipeNet
from shootout.nets.flat_image import square_side
from shootout.nets.speedrun import SpeedrunNet
from shootout.train.speedrun import WHITEN_SAMPLES, SpeedrunResult, predict_logits, score, train_speedrun
from shootout.train.speedrun_recipe import SpeedrunRecipe


class SpeedrunCNN(RecipeNet):
    """A speedrun CNN (whitening layer, three conv groups of ``widths``, head × ``head_scale``) trained with ``recipe``.

    X is uint8 images N×H×W×C (kept uint8 and normalized per batch on the device; float images are
    taken as float32) or a feature table N×D. A feature row is not an image: it is standardized per
    column and laid out as a one-channel square image (D = s² features fill an s×s image, other D are
    zero-padded at the end; an image smaller than the net's 9×9 is centred in a zero border), and it
    is neither mirrored nor moved, in training or at test time (``flip``, ``translate`` and ``tta`` are
    switched off for it). That way scikit-learn's checks and pipelines work on it like on any contestant.
    The network is built in ``fit`` from the data's shape, under ``torch.manual_seed(recipe.seed)``;
    ``n_params_`` counts all its parameters, the frozen whitening filters and batch-norm scales included.
    """

    # A forward pass costs 0.24 GFLOP per CIFAR-10 image: on the CPU, scoring 10,000 training images twice (train
    # accuracy, the untrained net) would take twice as long as the test split; 1,000 are within ±1.6 points.
    scoring_samples = 1_000

    def __init__(
        self,
        widths: Sequence[int] = (64, 256, 256),
        head_scale: float = 1 / 9,
        recipe: SpeedrunRecipe | None = None,
    ) -> None:
        self.widths, self.head_scale, self.recipe = widths, head_scale, recipe

    def _recipe(self) -> SpeedrunRecipe:
        return self.recipe if self.recipe is not None else SpeedrunRecipe()

    def build(self, shape: tuple[int, ...], num_classes: int) -> SpeedrunNet:
        """The untrained network for images of ``shape`` (H×W×C, as the net sees them)."""
        return SpeedrunNet(shape[-1], num_classes, self.widths, self.head_scale)

    def _fit(
        self,
        X: np.ndarray,
        y: np.ndarray,
        checkpoint: Any = None,
        resume: bool = False,
        log: Any = None,
        progress: bool | None = False,
        watch: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        if X.ndim == 2:
            self.feature_mean_ = X.mean(axis=0)
            spread = X.std(axis=0)
            self.feature_scale_ = np.where(spread > 0, spread, 1.0)
        recipe = self._effective_recipe(X)
        images = self._images(X)
        torch.manual_seed(recipe.seed)
        self.model_ = self.build(images.shape[1:], len(self.classes_))
        result: SpeedrunResult = train_speedrun(
            self.model_,
            images,
            y,
            recipe,
            checkpoint=checkpoint,
            resume=resume,
            log=log,
            progress=progress,
            watch=None if watch is None else (self._images(watch[0]), watch[1]),
        )
        self.result_, self.history_, self.recipe_ = result, result.history, recipe
        self.n_params_ = sum(p.numel() for p in self.model_.parameters())
        self.epochs_ = len(result.history)

    def _effective_recipe(self, X: np.ndarray) -> SpeedrunRecipe:
        """The recipe, without mirror images, moves and TTA for feature rows (they are not images)."""
        recipe = self._recipe()
        return recipe if X.ndim == 4 else recipe.with_(flip=False, translate=0, tta=0)

    def _images(self, X: np.ndarray) -> np.ndarray:
        """What the loop takes: uint8 images as they are, float ones as float32, at least 9×9 (centred in zeros);
        feature rows standardized and laid out as one-channel square images."""
        if X.ndim == 2:
            rows = ((X - self.feature_mean_) / self.feature_scale_).astype(np.float32)
            inner = square_side(X.shape[1])
            rows = np.pad(rows, ((0, 0), (0, inner * inner - X.shape[1])))
            X = rows.reshape(len(rows), inner, inner, 1)
        elif X.dtype != np.uint8:
            X = X.astype(np.float32, copy=False)
        short = [max(SpeedrunNet.MIN_SIDE - side, 0) for side in X.shape[1:3]]
        if any(short):
            X = np.pad(
                X,
                ((0, 0), (short[0] // 2, short[0] - short[0] // 2), (short[1] // 2, short[1] - short[1] // 2), (0, 0)),
            )
        return X

    def fit_facts(self) -> dict[str, Any]:
        """Where and how it trained: device, precision, compiled or not, TTA level, the batch plan, the timed seconds
        (whitening + epochs, without data transfer and warm-up: the speedrun's own scope)."""
        result = self.result_
        return {
            "device": result.device,
            "precision": result.precision,
            "compiled": result.compiled,
            "tta": self.recipe_.tta_level(torch.device(result.device).type),
            "batch_size": result.batch_size,
            "steps_per_epoch": result.steps_per_epoch,
            "timed_seconds": result.train_seconds,
            "whiten_seconds": result.whiten_seconds,
        }

    def initial_scores(self, X: Any, y: Any) -> dict[str, float]:
        """Cross-entropy and accuracy, on (X, y), of a freshly built net of this recipe, its whitening layer set
        from these images: the net as it stands before its first step. Needs the fitted estimator (its
        classes and normalization)."""
        X = self._validate_input(X)
        encoded = self._encode(y)
        if len(encoded) != len(X):
            raise ValueError(f"{len(X)} samples but {len(encoded)} labels")
        images = self._images(X)
        torch.manual_seed(self.recipe_.seed)
        model = self.build(images.shape[1:], len(self.classes_)).to(self.result_.device)
        probe = torch.from_numpy(np.ascontiguousarray(images[:WHITEN_SAMPLES])).to(self.result_.device)
        labels = torch.zeros(len(probe), dtype=torch.int64, device=probe.device)
        normalized = next(iter(self.result_.preprocess.batches(probe, labels, None, shuffle=False)))[0]
        model.set_whitening(normalized)
        scores = score(model, images, encoded, self.result_.preprocess, 0, self.recipe_)
        return {"initial_loss": scores["loss"], "initial_accuracy": scores["accuracy"]}

    def _proba(self, X: np.ndarray) -> np.ndarray:
        level = self.recipe_.tta_level(torch.device(self.result_.device).type)
        logits = predict_logits(self.model_, self._images(X), self.result_.preprocess, level, self.recipe_)
        return torch.softmax(logits, dim=1).cpu().numpy()
