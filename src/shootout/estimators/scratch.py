"""The from-scratch NumPy models as estimators: softmax regression, logistic regression, fcann2."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.utils.validation import check_is_fitted

from shootout.estimators.base import Contestant, as_matrix
from shootout.scratch import (
    fcann2_classify,
    fcann2_train,
    logreg_classify,
    logreg_train,
    softmax_regression_classify,
    softmax_regression_init,
    softmax_regression_train,
)


class _LinearContestant(Contestant):
    """A contestant that learns one weight matrix ``W_`` (D × C) and bias ``b_`` on its input pixels."""

    W_: np.ndarray

    @property
    def coef_(self) -> np.ndarray:
        """Class weights C × D (the transpose of ``W_``), on inputs divided by ``scale``."""
        return self.W_.T


class SoftmaxRegression(_LinearContestant):
    """Softmax regression from scratch with minibatch SGD (seed 004); inputs divided by ``scale``;
    ``decay="linear"`` lowers lr to 0 over the run (the seed keeps it constant)."""

    def __init__(
        self,
        batch_size: int = 256,
        lr: float = 0.1,
        epochs: int = 5,
        seed: int = 0,
        scale: float = 255.0,
        init_scale: float = 0.01,
        decay: str = "none",
    ) -> None:
        self.batch_size, self.lr, self.epochs, self.seed = batch_size, lr, epochs, seed
        self.scale, self.init_scale, self.decay = scale, init_scale, decay

    def _fit(self, X: np.ndarray, y: np.ndarray, watch: Any = None, **_: Any) -> None:
        if X.ndim == 2 and X.dtype != np.float32:  # features as float32 once; uint8 images are cast per batch
            X = X.astype(np.float32)
        result = softmax_regression_train(
            X,
            y,
            len(self.classes_),
            batch_size=self.batch_size,
            lr=self.lr,
            epochs=self.epochs,
            seed=self.seed,
            init_scale=self.init_scale,
            scale=self.scale,
            watch=watch,
            decay=self.decay,
        )
        self.W_, self.b_, self.history_ = result.W, result.b, result.history
        self.n_params_, self.epochs_ = self.W_.size + self.b_.size, self.epochs

    def _proba(self, X: np.ndarray) -> np.ndarray:
        return softmax_regression_classify(X, self.W_, self.b_, self.scale)

    def initial_scores(self, X: Any, y: Any) -> dict[str, float]:
        """Loss and accuracy of the starting weights (seed 004 shows about 0.09 accuracy before training)."""
        check_is_fitted(self, "W_")
        W, b = softmax_regression_init(self.W_.shape[0], self.W_.shape[1], self.seed, self.init_scale)
        proba = softmax_regression_classify(np.asarray(X), W, b, self.scale)
        encoded = np.searchsorted(self.classes_, np.asarray(y))
        picked = np.clip(proba[np.arange(len(encoded)), encoded], 1e-12, None)
        return {
            "initial_loss": float(-np.log(picked).mean()),
            "initial_accuracy": float(np.mean(proba.argmax(axis=1) == encoded)),
        }


class ScratchLogreg(_LinearContestant):
    """Multinomial logistic regression by full-batch gradient descent (lab 0), NumPy."""

    def __init__(
        self, param_niter: int = 1000, param_delta: float = 0.1, param_lambda: float = 0.0, scale: float = 1.0
    ) -> None:
        self.param_niter, self.param_delta, self.param_lambda, self.scale = (
            param_niter,
            param_delta,
            param_lambda,
            scale,
        )

    def _fit(self, X: np.ndarray, y: np.ndarray, **_: Any) -> None:
        self.W_, self.b_ = logreg_train(
            as_matrix(X, self.scale),
            y,
            int(self.param_niter),
            self.param_delta,
            self.param_lambda,
            C=len(self.classes_),
        )
        self.n_params_, self.epochs_ = self.W_.size + self.b_.size, int(self.param_niter)

    def _proba(self, X: np.ndarray) -> np.ndarray:
        return logreg_classify(as_matrix(X, self.scale), self.W_, self.b_)


class Fcann2(Contestant):
    """The lab's two-layer ReLU net with hand-derived backprop, full-batch gradient descent, NumPy."""

    def __init__(
        self,
        hidden: int = 5,
        param_niter: float = 1e5,
        param_delta: float = 0.05,
        param_lambda: float = 1e-3,
        seed: int = 0,
        scale: float = 1.0,
    ) -> None:
        self.hidden, self.param_niter, self.param_delta = hidden, param_niter, param_delta
        self.param_lambda, self.seed, self.scale = param_lambda, seed, scale

    def _fit(self, X: np.ndarray, y: np.ndarray, **_: Any) -> None:
        self.params_ = fcann2_train(
            as_matrix(X, self.scale),
            y,
            hidden=self.hidden,
            param_niter=self.param_niter,
            param_delta=self.param_delta,
            param_lambda=self.param_lambda,
            seed=self.seed,
            C=len(self.classes_),
        )
        p = self.params_
        self.n_params_ = p.W1.size + p.b1.size + p.W2.size + p.b2.size
        self.epochs_ = int(self.param_niter)

    def _proba(self, X: np.ndarray) -> np.ndarray:
        return fcann2_classify(as_matrix(X, self.scale), self.params_)
