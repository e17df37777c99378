"""The SVM contestants: :class:`SVM` (the lab's ``KSVMWrap``) and :class:`NystroemSVM` (an RBF kernel
machine that scales to all of MNIST).

Exact SVC training grows quadratically or worse with the number of samples (over half an hour on all of
MNIST), so ``max_train`` caps the training set with a seeded, class-stratified subsample; the
number actually used is kept in ``train_samples_``. ``predict_proba`` is the softmax of the per-class
decision scores — a ranking, not calibrated probabilities (calibration would cost five more fits).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from shootout.data.splits import stratified_subsample
from shootout.estimators.base import Contestant, as_matrix
from shootout.scratch.functional import softmax
from shootout.svm.ksvm_wrap import KSVMWrap
from shootout.svm.nystroem import EighNystroem


def scores_to_proba(scores: np.ndarray) -> np.ndarray:
    """Softmax of decision scores (N,) for two classes or (N × C): a ranking, not a calibration."""
    if scores.ndim == 1:  # two classes: one signed score, positive favouring the second
        scores = np.stack([-scores, scores], axis=1)
    return softmax(scores)


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

    def _fit(self, X: np.ndarray, y: np.ndarray, **_: Any) -> None:
        keep = stratified_subsample(y, self.max_train, self.seed) if self.max_train else np.arange(len(y))
        self.svm_ = KSVMWrap(
            as_matrix(X[keep], self.scale),
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
        self.support_ = keep[self.svm_.support]  # indices into the X given to fit

    def fit_facts(self) -> dict[str, Any]:
        """How many training samples the SVM saw, and how many became support vectors."""
        return {"train_samples": self.train_samples_, "support_vectors": len(self.support_)}

    def _proba(self, X: np.ndarray) -> np.ndarray:
        return scores_to_proba(self.svm_.get_scores(as_matrix(X, self.scale)))


class NystroemSVM(Contestant):
    """An RBF kernel machine that scales: Nystroem features of the RBF kernel + a ridge classifier.

    ``n_components`` training images (seeded) become landmarks; each image is mapped to its kernel
    values against them, whitened by the landmarks' kernel matrix (scikit-learn's Nystroem, factored
    by ``eigh``: :class:`shootout.svm.nystroem.EighNystroem`), and a one-vs-rest least-squares classifier
    (``RidgeClassifier``) is fitted on those features in closed form. gamma : ``"scale"`` =
    1 / (D · Var X) as in SVC (1 for constant X), or a number.
    """

    def __init__(
        self,
        n_components: int = 2000,
        gamma: str | float = "scale",
        alpha: float = 1.0,
        scale: float = 255.0,
        seed: int = 0,
    ) -> None:
        self.n_components, self.gamma, self.alpha, self.scale, self.seed = n_components, gamma, alpha, scale, seed

    def _fit(self, X: np.ndarray, y: np.ndarray, **_: Any) -> None:
        from sklearn.linear_model import RidgeClassifier

        X = as_matrix(X, self.scale).astype(np.float32)
        if self.gamma == "scale":  # as SVC: 1 / (D · Var X), and 1 for constant X (no width to scale by)
            variance = float(X.var())
            gamma = 1.0 / (X.shape[1] * variance) if variance > 0 else 1.0
        else:
            gamma = float(self.gamma)
        components = min(self.n_components, len(X))
        self.features_ = EighNystroem(kernel="rbf", gamma=gamma, n_components=components, random_state=self.seed)
        Z = self.features_.fit_transform(X)
        self.linear_ = RidgeClassifier(alpha=self.alpha).fit(Z, y)
        self.gamma_, self.train_samples_ = gamma, len(X)
        self.n_params_ = (
            self.features_.components_.size
            + self.features_.normalization_.size
            + self.linear_.coef_.size
            + self.linear_.intercept_.size
        )
        self.epochs_ = 1

    def fit_facts(self) -> dict[str, Any]:
        """How many training samples it saw, and the kernel width it used."""
        return {"train_samples": self.train_samples_, "gamma": self.gamma_}

    def _proba(self, X: np.ndarray) -> np.ndarray:
        features = self.features_.transform(as_matrix(X, self.scale).astype(np.float32))
        return scores_to_proba(self.linear_.decision_function(features))
