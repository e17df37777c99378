"""Which pictures a contestant gets, and drawing them into the run folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from shootout.data import Splits
from shootout.estimators import Contestant
from shootout.experiments.surfaces import Surface, surface_picture
from shootout.plots import confusion_matrix_plot, image_grid, weight_images

GRID = 24  # test images shown with their predictions
WORST = 16  # largest-loss test images shown


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
        shown = np.arange(min(GRID, len(data.test_x)))
        pictures.append(
            (
                f"{name}: test images with true and predicted labels",
                image_grid(
                    data.test_x[shown],
                    data.test_y[shown],
                    predicted[shown],
                    classes,
                    path_for(f"{name}-predictions.png"),
                    f"{name}: first {len(shown)} test images",
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
