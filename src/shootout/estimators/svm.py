"""Kernel SVM contestant: :class:`shootout.svm.KSVMWrap`, optionally on a stated subsample.

Exact SVC training grows quadratically or worse with the number of samples (over half an hour on all of
MNIST), so ``max_train`` caps the training set with a seeded, class-stratified subsample; the
number actually used is kept in ``train_samples_``. ``predict_proba`` is the softmax of the per-class
decision scores — a ranking, not calibrated probabilities (calibration would cost five more fits).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from shootout.estimators.base import Contestant, as_matrix
from shootout.svm import KSVMWrap


def stratified_subsample(y: np.ndarray, size: int, seed: int) -> np.ndarray:
    """Sorted indices of about ``size`` samples keeping the class proportions of ``y``."""
    from sklearn.model_selection import train_test_split

    if size >= len(y):
        return np.arange(len(y))
    index, _ = train_test_split(np.arange(len(y)), train_size=size, random_state=seed, stratify=y)
    return np.sort(index)


class SVM(Contestant):
    """Kernel SVM (one-vs-one for many classes). kernel : rbf | linear; C, gamma : SVC's; inputs / ``scale``."""

    def __init__(
        self,
        kernel: str = "rbf",
        C: float = 1.0,
        gamma: str | float = "auto",
        scale: float = 255.0,
        max_train: int | None = None,
        seed: int = 0,
    ) -> None:
        self.kernel, self.C, self.gamma, self.scale, self.max_train, self.seed = (
            kernel,
            C,
            gamma,
            scale,
            max_train,
            seed,
        )

    def _fit(self, X: Any, y: np.ndarray, **_: Any) -> None:
        keep = stratified_subsample(y, self.max_train, self.seed) if self.max_train else np.arange(len(y))
        self.svm_ = KSVMWrap(
            as_matrix(np.asarray(X)[keep], self.scale),
            y[keep],
            param_svm_c=self.C,
            param_svm_gamma=self.gamma,
            kernel=self.kernel,
            seed=self.seed,
        )
        self.train_samples_ = len(keep)
        support = self.svm_.svm.support_vectors_
        self.n_params_ = support.size + self.svm_.svm.dual_coef_.size + self.svm_.svm.intercept_.size
        self.epochs_ = 1
        self.support_ = keep[self.svm_.support]

    def _proba(self, X: Any) -> np.ndarray:
        scores = self.svm_.get_scores(as_matrix(X, self.scale))
        if scores.ndim == 1:  # two classes: one signed score
            scores = np.stack([-scores, scores], axis=1)
        exp = np.exp(scores - scores.max(axis=1, keepdims=True))
        return exp / exp.sum(axis=1, keepdims=True)
