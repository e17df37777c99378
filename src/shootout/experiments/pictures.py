"""Which pictures a contestant gets, and drawing them into the run folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from shootout.estimators import SVM, Contestant, ScratchLogreg, SoftmaxRegression, TorchNet
from shootout.experiments.data import ExperimentData
from shootout.plots import confusion_matrix_plot, graph_data, graph_surface, image_grid, weight_images
from shootout.plots.files import finish

GRID = 24  # test images shown with their predictions
WORST = 16  # largest-loss test images shown


def linear_weights(estimator: Contestant) -> np.ndarray | None:
    """W (D × C) of a linear contestant, or None for any other kind."""
    if isinstance(estimator, SoftmaxRegression | ScratchLogreg):
        return np.asarray(estimator.W_, dtype=np.float64)
    if isinstance(estimator, TorchNet):
        model = estimator.model_
        if estimator.arch == "logreg":
            return model.W.detach().cpu().double().numpy()
        if estimator.arch == "deep" and len(model.weights) == 1:
            return model.weights[0].detach().cpu().double().numpy()
    return None


def draw_contestant(
    name: str,
    estimator: Contestant,
    data: ExperimentData,
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
        W = linear_weights(estimator)
        if W is not None:
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


def decision_surface(estimator: Contestant, data: ExperimentData, path: Path, title: str) -> Path:
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
    special = estimator.support_ if isinstance(estimator, SVM) else ()
    predicted = estimator.classes_[estimator.predict_proba(X).argmax(axis=1)]
    graph_data(X, Y_, predicted, special=special, ax=ax)
    ax.set_title(title)
    return finish(fig, path, tight=False)
