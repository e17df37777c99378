"""Nystroem kernel features whose normalization comes from a symmetric eigendecomposition.

scikit-learn's :class:`~sklearn.kernel_approximation.Nystroem` takes the landmarks' ``K^(-1/2)`` from a
general SVD of their kernel matrix. That matrix is symmetric, so ``scipy.linalg.eigh`` (divide and
conquer) gives the same matrix: for 4,000 MNIST landmarks it took 4 s here where the SVD took 30 s, half
of the kernel-SVM contestant's time budget. Landmark choice, kernel parameters and ``transform`` are
scikit-learn's own; only the factorization differs, and the tests compare the two.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.linalg
from sklearn.kernel_approximation import Nystroem
from sklearn.metrics.pairwise import pairwise_kernels
from sklearn.utils import check_random_state
from sklearn.utils.validation import validate_data


class EighNystroem(Nystroem):
    """:class:`~sklearn.kernel_approximation.Nystroem` (dense input) with ``K^(-1/2)`` by ``eigh``.

    For a symmetric K = Q diag(w) Qᵀ the SVD's singular values are |w| and its right factor carries
    sign(w); the normalization Q diag(sign(w) / sqrt(max(|w|, 1e-12))) Qᵀ is therefore exactly what
    scikit-learn computes (it clips singular values at 1e-12 too), including for the tiny negative
    eigenvalues that rounding leaves in a positive semi-definite kernel.
    """

    def fit(self, X: Any, y: Any = None) -> EighNystroem:
        """Pick ``n_components`` landmarks as scikit-learn does and factor their kernel matrix."""
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        n_components = min(self.n_components, X.shape[0])
        indices = check_random_state(self.random_state).permutation(X.shape[0])[:n_components]
        basis = X[indices]
        kernel = pairwise_kernels(
            basis, metric=self.kernel, filter_params=True, n_jobs=self.n_jobs, **self._get_kernel_params()
        )
        eigenvalues, Q = scipy.linalg.eigh(kernel, driver="evd", overwrite_a=True, check_finite=False)
        inverse_root = np.sign(eigenvalues) / np.sqrt(np.clip(np.abs(eigenvalues), 1e-12, None))
        self.normalization_ = (Q * inverse_root) @ Q.T
        self.components_, self.component_indices_ = basis, indices
        self._n_features_out = n_components
        return self
