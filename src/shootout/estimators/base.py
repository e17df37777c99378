"""What every contestant shares: the scikit-learn estimator contract and the shape of its input.

X is either uint8 images N×H×W×C or a float feature matrix N×D; y holds class labels of any kind,
encoded to 0..C-1 in ``fit`` (``classes_`` maps back). Hyper-parameters are keyword arguments that
``__init__`` only stores, so ``clone``, ``cross_val_score`` and pipelines work; learned state ends in ``_``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted


def as_matrix(X: Any, scale: float = 1.0) -> np.ndarray:
    """Images or features -> float64 N×D divided by ``scale``."""
    X = np.asarray(X)
    if X.ndim < 2:
        raise ValueError(f"X must be images N×H×W×C or features N×D, got shape {X.shape}")
    return X.reshape(len(X), -1).astype(np.float64) / scale


class Contestant(ClassifierMixin, BaseEstimator):
    """Base of every shootout estimator: label encoding, ``predict`` from ``predict_proba``.

    Subclasses implement ``_fit(X, y_encoded, **fit_params)`` and ``_proba(X)``, and set
    ``n_params_`` (learned numbers) and ``epochs_`` (passes over the training data).
    """

    history_: list[dict[str, Any]]

    def fit(self, X: Any, y: Any, **fit_params: Any) -> Contestant:
        y = np.asarray(y)
        if len(X) != len(y):
            raise ValueError(f"{len(X)} samples but {len(y)} labels")
        self.classes_, encoded = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError("need at least two classes to train a classifier")
        self.history_ = []
        self._fit(X, encoded.astype(np.int64), **fit_params)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities N × C, columns in the order of ``classes_``."""
        check_is_fitted(self, "classes_")
        return self._proba(X)

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def _fit(self, X: Any, y: np.ndarray, **fit_params: Any) -> None:
        raise NotImplementedError

    def _proba(self, X: Any) -> np.ndarray:
        raise NotImplementedError
