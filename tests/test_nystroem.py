"""EighNystroem must be scikit-learn's Nystroem with a faster factorization, nothing else."""

import numpy as np
import pytest
from sklearn.kernel_approximation import Nystroem

from shootout.svm.nystroem import EighNystroem


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_same_landmarks_normalization_and_features_as_scikit_learn(dtype):
    X = np.random.default_rng(0).random((300, 20)).astype(dtype)
    ours = EighNystroem(kernel="rbf", gamma=0.5, n_components=120, random_state=3).fit(X)
    theirs = Nystroem(kernel="rbf", gamma=0.5, n_components=120, random_state=3).fit(X)
    np.testing.assert_array_equal(ours.component_indices_, theirs.component_indices_)
    tol = 1e-3 if dtype == np.float32 else 1e-8
    features = ours.transform(X)
    assert features.dtype == dtype and features.shape == (300, 120)
    np.testing.assert_allclose(features, theirs.transform(X), rtol=tol, atol=tol)


def test_a_rank_deficient_kernel_is_handled_as_scikit_learn_does():
    base = np.random.default_rng(1).random((10, 5))
    X = np.repeat(base, 4, axis=0)  # duplicated rows: a singular kernel with rounding-sized eigenvalues
    ours = EighNystroem(kernel="rbf", gamma=1.0, n_components=30, random_state=0).fit(X)
    theirs = Nystroem(kernel="rbf", gamma=1.0, n_components=30, random_state=0).fit(X)
    # the features' Gram matrix approximates the kernel on the data in both
    kernel = theirs.transform(X) @ theirs.transform(X).T
    np.testing.assert_allclose(ours.transform(X) @ ours.transform(X).T, kernel, atol=1e-6)


def test_more_components_than_samples_uses_every_sample():
    X = np.random.default_rng(2).random((15, 4))
    ours = EighNystroem(kernel="rbf", gamma=1.0, n_components=40, random_state=0).fit(X)
    assert ours.components_.shape == (15, 4) and ours.transform(X).shape == (15, 15)
