"""ksvm_wrap: a kernel SVM over scikit-learn's SVC, trained when constructed (lab 1).

Multi-class data are handled one-vs-one (SVC's own scheme: one binary SVM per pair of classes);
``get_scores`` aggregates the pairwise decisions into one score per class (SVC's "ovr" shape of the
decision function, still computed from the one-vs-one machines), which is what average precision
needs. ``kernel="linear"`` gives the linear SVM of the MNIST comparison.
"""

from __future__ import annotations

import numpy as np
from sklearn.svm import SVC


class KSVMWrap:
    """Kernel SVM trained on X (N × D) and integer labels Y_ (N,) in the constructor.

    param_svm_c : weight of the data term (SVC's C); param_svm_gamma : RBF width ('auto' = 1/D,
    'scale' = 1/(D·Var X), or a number); kernel : 'rbf' (default) or 'linear'.
    """

    def __init__(
        self,
        X: np.ndarray,
        Y_: np.ndarray,
        param_svm_c: float = 1,
        param_svm_gamma: str | float = "auto",
        kernel: str = "rbf",
        seed: int | None = 0,
    ) -> None:
        X, Y_ = np.asarray(X, dtype=np.float64), np.asarray(Y_)
        if X.ndim != 2 or Y_.shape != (len(X),):
            raise ValueError(f"KSVMWrap needs X of shape N×D and N labels; got {X.shape} and {Y_.shape}")
        if len(np.unique(Y_)) < 2:
            raise ValueError("KSVMWrap needs at least two classes in Y_")
        if param_svm_c <= 0:
            raise ValueError(f"param_svm_c must be positive, got {param_svm_c}")
        self.param_svm_c, self.param_svm_gamma, self.kernel = param_svm_c, param_svm_gamma, kernel
        self.svm = SVC(
            C=param_svm_c, gamma=param_svm_gamma, kernel=kernel, decision_function_shape="ovr", random_state=seed
        )
        self.svm.fit(X, Y_)
        self.classes_ = self.svm.classes_

    def __repr__(self) -> str:
        return (
            f"KSVMWrap(kernel={self.kernel!r}, param_svm_c={self.param_svm_c}, "
            f"param_svm_gamma={self.param_svm_gamma!r}, support_vectors={len(self.support)})"
        )

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predicted class labels (N,)."""
        return self.svm.predict(np.asarray(X, dtype=np.float64))

    def get_scores(self, X: np.ndarray) -> np.ndarray:
        """Classification scores: (N,) for two classes (positive favours the second), else (N × C)."""
        return self.svm.decision_function(np.asarray(X, dtype=np.float64))

    @property
    def support(self) -> np.ndarray:
        """Indices (into the training X) of the support vectors."""
        return self.svm.support_
