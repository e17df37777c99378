"""The SVM contestants: :class:`SVM` (the lab's ``KSVMWrap``) and :class:`NystroemSVM` (an RBF kernel
machine that scales to all of MNIST).

Exact SVC training grows quadratically or worse with the number of samples (over half an hour on all of
MNIST), so ``max_train`` caps the training set with a seeded, class-stratified subsample; the
number actually used is kept in ``train_samples_``. ``predict_proba`` is the softmax of the per-class
decision scores — a ranking, not calibrated probabilities (calibration would cost five more fits).
``pca_components`` projects the (subsampled) training data on that many principal components before the
kernel: on MNIST, 30 of them keep the digits apart and make each kernel value 26 times cheaper.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from shootout.data.splits import stratified_subsample
from shootout.estimators.base import Contestant, as_matrix
from shootout.scratch.functional import softmax
from shootout.svm.ksvm_wrap import KSVMWrap
from shootout.svm.nystroem import EighNystroem


def fit_pca(X: np.ndarray, components: int | None, seed: int) -> Any:
    """scikit-learn's PCA fitted on X, keeping ``components`` (at most min(N, D)); None for no projection."""
    if not components:
        return None
    from sklearn.decomposition import PCA

    return PCA(min(components, *X.shape), random_state=seed).fit(X)


def project(pca: Any, X: np.ndarray) -> np.ndarray:
    """X on the principal components of ``pca`` (X itself when there is none)."""
    return X if pca is None else pca.transform(X)


def pca_size(pca: Any) -> int:
    """The numbers a fitted PCA learned (components and mean); 0 for none."""
    return 0 if pca is None else pca.components_.size + pca.mean_.size


def scale_gamma(X: np.ndarray) -> float:
    """SVC's ``gamma="scale"``: 1 / (D · Var X) of the features the kernel sees, 1 for constant X (no width
    to scale by)."""
    variance = float(X.var())
    return 1.0 / (X.shape[1] * variance) if variance > 0 else 1.0


def scores_to_proba(scores: np.ndarray) -> np.ndarray:
    """Softmax of decision scores (N,) for two classes or (N × C): a ranking, not a calibration."""
    if scores.ndim == 1:  # two classes: one signed score, positive favouring the second
        scores = np.stack([-scores, scores], axis=1)
    return softmax(scores)


class SVM(Contestant):
    """Kernel SVM (one-vs-one for many classes). kernel : rbf | linear; C, gamma : SVC's; inputs / ``scale``;
    max_train : a subsample of that many; pca_components : principal components the kernel sees (None: all inputs)."""

    def __init__(
        self,
        kernel: str = "rbf",
        C: float = 1.0,
        gamma: str | float = "auto",
        scale: float = 255.0,
        max_train: int | None = None,
        pca_components: int | None = None,
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
        self.pca_components = pca_components

    def _fit(self, X: np.ndarray, y: np.ndarray, **_: Any) -> None:
        keep = stratified_subsample(y, self.max_train, self.seed) if self.max_train else np.arange(len(y))
        X = as_matrix(X[keep], self.scale)
        self.pca_ = fit_pca(X, self.pca_components, self.seed)
        self.svm_ = KSVMWrap(
            project(self.pca_, X),
            y[keep],
            param_svm_c=self.C,
            param_svm_gamma=self.gamma,
            kernel=self.kernel,
            seed=self.seed,
        )
        self.train_samples_ = len(keep)
        support = self.svm_.svm.support_vectors_
        self.n_params_ = (
            pca_size(self.pca_) + support.size + self.svm_.svm.dual_coef_.size + self.svm_.svm.intercept_.size
        )
        self.epochs_ = 1
        self.support_ = keep[self.svm_.support]  # indices into the X given to fit

    def fit_facts(self) -> dict[str, Any]:
        """How many training samples the SVM saw, the principal components it kept, and the support vectors."""
        return {
            "train_samples": self.train_samples_,
            "pca_components": None if self.pca_ is None else self.pca_.n_components_,
            "support_vectors": len(self.support_),
        }

    def _proba(self, X: np.ndarray) -> np.ndarray:
        return scores_to_proba(self.svm_.get_scores(project(self.pca_, as_matrix(X, self.scale))))


class NystroemSVM(Contestant):
    """An RBF kernel machine that scales: Nystroem features of the RBF kernel + a ridge classifier.

    ``n_components`` training images (seeded) become landmarks; each image is mapped to its kernel
    values against them, whitened by the landmarks' kernel matrix (scikit-learn's Nystroem, factored
    by ``eigh``: :class:`shootout.svm.nystroem.EighNystroem`), and a one-vs-rest least-squares classifier
    (``RidgeClassifier``) is fitted on those features in closed form. gamma : ``"scale"`` =
    1 / (D · Var X) as in SVC (1 for constant X), or a number; D and X are those the kernel sees.

    For speed, two more stages, both off by default. ``max_train``: fit on a seeded, class-stratified
    subsample of that many samples (``train_samples_`` says how many). ``pca_components``: project on
    that many principal components (scikit-learn's ``PCA``, fitted on those samples) before the kernel.
    On MNIST, 30 components keep the digits apart and make each kernel value 26 times cheaper than on
    784 pixels; what remains is the whitening and the ridge solve, each about N × ``n_components``²
    multiply-adds for N training samples.
    """

    def __init__(
        self,
        n_components: int = 2000,
        gamma: str | float = "scale",
        alpha: float = 1.0,
        pca_components: int | None = None,
        max_train: int | None = None,
        scale: float = 255.0,
        seed: int = 0,
    ) -> None:
        self.n_components, self.gamma, self.alpha, self.scale, self.seed = n_components, gamma, alpha, scale, seed
        self.pca_components, self.max_train = pca_components, max_train

    def _fit(self, X: np.ndarray, y: np.ndarray, **_: Any) -> None:
        from sklearn.linear_model import RidgeClassifier

        keep = stratified_subsample(y, self.max_train, self.seed) if self.max_train else np.arange(len(y))
        X, y = as_matrix(X[keep], self.scale, np.float32), y[keep]
        self.pca_ = fit_pca(X, self.pca_components, self.seed)
        X = project(self.pca_, X)
        gamma = scale_gamma(X) if self.gamma == "scale" else float(self.gamma)
        components = min(self.n_components, len(X))
        self.features_ = EighNystroem(kernel="rbf", gamma=gamma, n_components=components, random_state=self.seed)
        Z = self.features_.fit_transform(X)
        self.linear_ = RidgeClassifier(alpha=self.alpha).fit(Z, y)
        self.gamma_, self.train_samples_ = gamma, len(X)
        self.n_params_ = (
            pca_size(self.pca_)
            + self.features_.components_.size
            + self.features_.normalization_.size
            + self.linear_.coef_.size
            + self.linear_.intercept_.size
        )
        self.epochs_ = 1

    def fit_facts(self) -> dict[str, Any]:
        """How many training samples it saw, the principal components and landmarks it kept, the kernel width."""
        return {
            "train_samples": self.train_samples_,
            "pca_components": None if self.pca_ is None else self.pca_.n_components_,
            "landmarks": self.features_.components_.shape[0],
            "gamma": self.gamma_,
        }

    def _proba(self, X: np.ndarray) -> np.ndarray:
        features = self.features_.transform(project(self.pca_, as_matrix(X, self.scale, np.float32)))
        return scores_to_proba(self.linear_.decision_function(features))
