"""Which pictures a contestant (and a run) gets, and drawing them into the run folder."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from shootout.data import Splits
from shootout.estimators import Contestant
from shootout.experiments.surfaces import Surface, surface_picture
from shootout.plots import Point, accuracy_vs_seconds, confusion_matrix_plot, image_grid, weight_images

GRID = 30  # about this many test images shown with their predictions, every class alike
GRID_SEED = 0  # the same test images for every contestant and every run, so their grids compare
GRID_COLUMNS = 12  # a column per class up to this many classes
WORST = 16  # largest-loss test images shown
TRADEOFF = "pictures/accuracy-vs-seconds.png"  # the run's answer at a glance; the report puts it first
CURVES = "pictures/learning-curves.png"


def per_class_sample(labels: np.ndarray, size: int = GRID, seed: int = GRID_SEED) -> np.ndarray:
    """Indices of a seeded sample of about ``size`` samples with every class in ``labels`` equally represented.

    Ordered round by round (one sample of each class, then the next), so a grid with one column per class
    shows a class per column. The first ``size`` images would do on a shuffled test set, but test sets ordered
    by class (as some CIFAR-10 copies are) would show one class only.
    """
    rng = np.random.default_rng(seed)
    classes = np.unique(labels)
    if len(classes) == 0:
        return np.arange(0)
    per_class = max(1, size // len(classes))
    chosen = [rng.permutation(np.flatnonzero(labels == c))[:per_class] for c in classes]
    rounds = [[take[r] for take in chosen if r < len(take)] for r in range(per_class)]
    return np.array([index for row in rounds for index in row], dtype=np.int64)


def tradeoff_picture(results: Sequence[dict[str, Any]], path: Path, title: str) -> Path:
    """The run's contestants as test accuracy against training seconds, their targets marked.

    The claim is the caption the report puts under the picture, as text (one place to read it, searchable).
    """
    points = [Point(r["model"], r["train_seconds"], r["test_accuracy"], target=r.get("target")) for r in results]
    return accuracy_vs_seconds(points, path, title)


def draw_contestant(
    name: str,
    estimator: Contestant,
    data: Splits,
    proba: np.ndarray,
    confusion: np.ndarray,
    path_for: Callable[[str], Path],
    surfaces_path: Callable[[str], Path],
) -> list[tuple[str, Path]]:
    """Draw every picture that fits this contestant; returns (caption, path) pairs.

    path_for : a picture's file name -> its path; surfaces_path : a contestant's name -> where its 2-D
    decision surface is kept for the experiment's grid.
    """
    pictures: list[tuple[str, Path]] = []
    predicted = proba.argmax(axis=1)
    classes = data.class_names
    pictures.append(
        (
            f"{name}: confusion matrix on the test set",
            confusion_matrix_plot(confusion, classes, path_for(f"{name}-confusion.png"), f"{name}"),
        )
    )
    if data.is_images:
        shown = per_class_sample(data.test_y)
        columns = min(len(np.unique(data.test_y[shown])), GRID_COLUMNS)
        wrong = int(np.sum(predicted[shown] != data.test_y[shown]))
        pictures.append(
            (
                f"{name}: test images drawn at random, {len(shown) // columns} of each class, with true and "
                f"predicted labels ({wrong} of {len(shown)} wrong, in red)",
                image_grid(
                    data.test_x[shown],
                    data.test_y[shown],
                    predicted[shown],
                    classes,
                    path_for(f"{name}-predictions.png"),
                    f"{name}: test images, a column per class (wrong ones in red)",
                    columns=columns,
                ),
            )
        )
        losses = -np.log(np.clip(proba[np.arange(len(proba)), data.test_y], 1e-12, None))
        worst = np.argsort(-losses, kind="stable")[:WORST]
        pictures.append(
            (
                f"{name}: the {len(worst)} test images with the largest loss",
                image_grid(
                    data.test_x[worst],
                    data.test_y[worst],
                    predicted[worst],
                    classes,
                    path_for(f"{name}-largest-loss.png"),
                    f"{name}: largest loss",
                    notes=[f"loss {losses[i]:.2f}" for i in worst],
                ),
            )
        )
        coef = getattr(estimator, "coef_", None)  # C × D, only where the model is linear in its pixels
        if coef is not None:
            W = np.asarray(coef, dtype=np.float64).T
            pictures.append(
                (
                    f"{name}: weights of each class as an image",
                    weight_images(
                        W, data.image_shape, classes, path_for(f"{name}-weights.png"), f"{name}: weights per class"
                    ),
                )
            )
    elif data.train_x.shape[1] == 2:
        surface = Surface.of(estimator, data.train_x, data.train_y)
        surface.save(surfaces_path(name))
        pictures.append(
            (
                f"{name}: decision surface on the training data",
                surface_picture(surface, path_for(f"{name}-surface.png"), name),
            )
        )
    return pictures
