"""Scoring a fitted contestant beyond its test accuracy: over the dataset's classes, and on its training split."""

from __future__ import annotations

import numpy as np

from shootout.data import Splits
from shootout.estimators import Contestant


def train_accuracy(estimator: Contestant, data: Splits) -> tuple[float, int]:
    """The returned weights' accuracy on the training split (outside the timing), and on how many samples.

    The last epoch's running accuracy would be cheaper but is another number: it averages over an epoch of
    changing weights, and misses the best weights that early stopping restores. Above the contestant's
    ``scoring_samples`` (10,000; the speedrun net 1,000) a fixed seeded sample that big stands for the split
    (±0.5 points at worst for 10,000, ±1.6 for 1,000), so a slow predictor such as an SVM is not asked for
    60,000 predictions.
    """
    n, cap = len(data.train_y), estimator.scoring_samples
    if n <= cap:
        return float(estimator.score(data.train_x, data.train_y)), n
    take = np.sort(np.random.default_rng(0).choice(n, cap, replace=False))
    return float(estimator.score(data.train_x[take], data.train_y[take])), cap


def in_dataset_classes(proba: np.ndarray, classes: np.ndarray, data: Splits) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities with a column for every class of the dataset, and the test labels as column indices.

    A contestant trained on a subset that missed a class has no column for it; that column is 0 here, so a
    test image of that class counts as wrong and the confusion matrix keeps the dataset's classes.
    """
    n_classes = max(len(data.class_names), int(data.test_y.max()) + 1, int(classes.max()) + 1)
    full = np.zeros((len(proba), n_classes), dtype=proba.dtype)
    full[:, classes.astype(np.int64)] = proba
    return full, data.test_y.astype(np.int64)
