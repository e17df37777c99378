"""Which pictures a contestant gets, and drawing them into the run folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from shootout.data import Splits
from shootout.estimators import Contestant
from shootout.plots import confusion_matrix_plot, graph_data, graph_surface, image_grid, weight_images
from shootout.plots.files import finish

GRID = 24  # test images shown with their predictions
WORST = 16  # largest-loss test images shown


def draw_contestant(
    name: str,
    estimator: Contestant,
    data: Splits,
    proba: np.ndarray,
    confusion: np.ndarray,
    path_for: Callable[[str], Path],
) -> list[tuple[str, Path]]:
    """Draw every picture that fits this contestant; returns (caption, path) pairs."""
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
        pictures.append(
            (
                f"{name}: decision surface on the training data",
                decision_surface(estimator, data, path_for(f"{name}-surface.png"), name),
            )
        )
    return pictures


def decision_surface(estimator: Contestant, data: Splits, path: Path, title: str) -> Path:
    """P(class 1 | x) over the data's bounding box, the training points drawn over it; SVM support large."""
    X, Y_ = data.train_x, data.train_y
    margin = 0.5
    rect = (X.min(axis=0) - margin, X.max(axis=0) + margin)
    fig, ax = plt.subplots(figsize=(5, 4.5))
    function = (
        (lambda P: estimator.predict_proba(P)[:, 1])
        if len(data.class_names) == 2
        else (lambda P: estimator.predict_proba(P).argmax(axis=1))
    )
    graph_surface(function, rect, offset=0.5, ax=ax)
    special = getattr(estimator, "support_", ())  # the samples the model rests on, where it has such
    predicted = estimator.classes_[estimator.predict_proba(X).argmax(axis=1)]
    graph_data(X, Y_, predicted, special=special, ax=ax)
    ax.set_title(title)
    return finish(fig, path, tight=False)
