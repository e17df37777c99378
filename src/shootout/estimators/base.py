"""What every contestant shares: the scikit-learn estimator contract, and the protocol experiments read.

X is either uint8 images N×H×W×C or a float feature matrix N×D; y holds class labels of any kind,
encoded to 0..C-1 in ``fit`` (``classes_`` maps back). Hyper-parameters are keyword arguments that
``__init__`` only stores, so ``clone``, ``cross_val_score`` and pipelines work; learned state ends in ``_``.

The protocol. The experiment layer (runner, pictures, report) knows a contestant only through these,
so a new kind of contestant needs no change there:

- ``fit(X, y, *, checkpoint=None, resume=False, log=None, progress=None)``: the run's context. A
  contestant that trains in epochs may save progress at ``checkpoint`` and continue from it with
  ``resume``, report one line per epoch to ``log`` and show a progress bar; others ignore them.
- ``predict_proba(X)``, ``classes_``; ``n_params_`` (learned numbers) and ``epochs_`` (passes over
  the training data); ``history_``: one dict per epoch (``epoch``, ``train_loss``, ``train_accuracy``,
  ``val_loss``, ``val_accuracy``, ``lr``, ``seconds`` where known), empty for closed-form fits.
- ``coef_`` (C × D), only where the model is linear in its input pixels: drawn as one image per class.
- ``support_``, only where the model rests on some training samples (support vectors): their
  indices, emphasized in decision-surface pictures.
- :meth:`warm_up`: pay one-time library costs before any fit is timed;
- :meth:`with_overrides`: a fresh copy with a run's command-line overrides applied where they mean
  something for this contestant; :meth:`describe`: the hyper-parameters as plain data;
  :meth:`fit_facts`: what the report lists about the fit; :meth:`initial_loss`: the loss before training.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.validation import check_is_fitted


def as_matrix(X: Any, scale: float = 1.0) -> np.ndarray:
    """Images or features -> float64 N×D divided by ``scale``."""
    X = np.asarray(X)
    if X.ndim < 2:
        raise ValueError(f"X must be images N×H×W×C or features N×D, got shape {X.shape}")
    return X.reshape(len(X), -1).astype(np.float64) / scale


def plain(value: Any) -> Any:
    """A hyper-parameter as JSON-ready data: a recipe-like object becomes its fields, a tuple a list."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    return list(value) if isinstance(value, tuple) else value


class Contestant(ClassifierMixin, BaseEstimator):
    """Base of every shootout estimator: label encoding, ``predict`` from ``predict_proba``, the protocol.

    Subclasses implement ``_fit(X, y_encoded, **context)`` and ``_proba(X)``, and set ``n_params_``
    and ``epochs_``; they override the protocol's methods where they have more to say.
    """

    history_: list[dict[str, Any]]

    def fit(self, X: Any, y: Any, **context: Any) -> Contestant:
        """Learn from X and labels y; ``context`` (checkpoint, resume, log, progress) as the protocol says."""
        y = np.asarray(y)
        if len(X) != len(y):
            raise ValueError(f"{len(X)} samples but {len(y)} labels")
        self.classes_, encoded = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError("need at least two classes to train a classifier")
        self.history_ = []
        self._fit(X, encoded.astype(np.int64), **context)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities N × C, columns in the order of ``classes_``."""
        check_is_fitted(self, "classes_")
        return self._proba(X)

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def warm_up(self) -> None:
        """Pay this kind of contestant's one-time library costs now, so no timed fit is charged them."""

    def with_overrides(self, **overrides: Any) -> Contestant:
        """A fresh (unfitted) copy with each override applied to the hyper-parameter of the same name.

        Overrides that name no hyper-parameter of this contestant do not apply to it and are skipped
        (``--lr`` means nothing to an SVM); the original is left untouched.
        """
        own = self.get_params(deep=False)
        return clone(self).set_params(**{k: v for k, v in overrides.items() if k in own})

    def describe(self) -> dict[str, Any]:
        """The hyper-parameters as plain data, and the class name."""
        return {**{k: plain(v) for k, v in self.get_params(deep=False).items()}, "class": type(self).__name__}

    def fit_facts(self) -> dict[str, Any]:
        """What the report lists about the last fit beyond accuracy and time (none by default)."""
        return {}

    def initial_loss(self, X: Any, y: Any) -> float | None:
        """Cross-entropy of the untrained model on (X, y), where that means something (None here)."""
        return None

    def _fit(self, X: Any, y: np.ndarray, **context: Any) -> None:
        raise NotImplementedError

    def _proba(self, X: Any) -> np.ndarray:
        raise NotImplementedError
