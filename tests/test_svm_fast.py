"""The kernel contestants' fast stages: a seeded stratified subsample and a PCA projection before the RBF kernel."""

import numpy as np
import pytest
from sklearn.datasets import make_circles
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression, RidgeClassifier
from sklearn.pipeline import make_pipeline

from shootout.data.splits import stratified_subsample
from shootout.experiments.report import _facts
from shootout.svm import SVM, NystroemSVM
from shootout.svm.nystroem import EighNystroem


@pytest.fixture(scope="module")
def rings():
    """Two concentric rings (no line separates them) drawn in a random plane of 20 dimensions, plus noise."""
    rng = np.random.default_rng(0)
    points, labels = make_circles(n_samples=600, factor=0.5, noise=0.05, random_state=0)
    plane = np.linalg.qr(rng.standard_normal((20, 2)))[0]  # 20 × 2, orthonormal columns
    X = points @ plane.T + 0.01 * rng.standard_normal((600, 20))
    return X[:400], labels[:400], X[400:], labels[400:]


def fast(**changes):
    settings = dict(n_components=50, alpha=0.01, pca_components=2, max_train=300, scale=1.0, seed=0)
    return NystroemSVM(**{**settings, **changes})


def test_it_separates_rings_that_a_linear_model_cannot(rings):
    X, y, X_test, y_test = rings
    linear = LogisticRegression().fit(X, y).score(X_test, y_test)
    assert linear < 0.7
    assert fast().fit(X, y).score(X_test, y_test) > 0.95


def test_the_exact_svm_on_principal_components_separates_them_too_and_says_so(rings):
    X, y, X_test, y_test = rings
    svm = SVM(kernel="rbf", C=10.0, gamma="scale", pca_components=2, max_train=300, scale=1.0).fit(X, y)
    assert svm.score(X_test, y_test) > 0.95
    facts = svm.fit_facts()
    assert facts["train_samples"] == 300 and facts["pca_components"] == 2 and 0 < facts["support_vectors"] < 300
    assert svm.svm_.svm.support_vectors_.shape[1] == 2  # the kernel saw the projection, not the 20 inputs


def test_it_is_the_composition_of_pca_nystroem_and_ridge_on_the_subsample(rings):
    X, y, X_test, _ = rings
    ours = fast(seed=3).fit(X, y)
    keep = stratified_subsample(y, 300, seed=3)
    theirs = make_pipeline(
        PCA(2, random_state=3),
        EighNystroem(kernel="rbf", gamma=ours.gamma_, n_components=50, random_state=3),
        RidgeClassifier(alpha=0.01),
    ).fit(X[keep].astype(np.float32), y[keep])
    np.testing.assert_allclose(
        ours.linear_.decision_function(ours.features_.transform(ours.pca_.transform(X_test.astype(np.float32)))),
        theirs.decision_function(X_test.astype(np.float32)),
        rtol=1e-5,
        atol=1e-5,
    )
    np.testing.assert_array_equal(ours.predict(X_test), theirs.predict(X_test.astype(np.float32)))


def test_gamma_scale_is_taken_from_the_projected_features(rings):
    X, y, _, _ = rings
    model = fast().fit(X, y)
    projected = model.pca_.transform(X[stratified_subsample(y, 300, 0)].astype(np.float32))
    assert model.gamma_ == pytest.approx(1 / (2 * projected.var()), rel=1e-5)


def test_one_seed_gives_one_model_and_another_seed_another(rings):
    X, y, X_test, _ = rings
    first, again, other = fast(seed=1).fit(X, y), fast(seed=1).fit(X, y), fast(seed=2).fit(X, y)
    np.testing.assert_array_equal(first.predict_proba(X_test), again.predict_proba(X_test))
    assert not np.array_equal(first.features_.component_indices_, other.features_.component_indices_)


def test_its_facts_report_the_samples_components_and_landmarks_it_used(rings):
    X, y, _, _ = rings
    facts = fast().fit(X, y).fit_facts()
    assert facts["train_samples"] == 300 and facts["pca_components"] == 2 and facts["landmarks"] == 50
    assert facts["gamma"] > 0
    assert fast(max_train=None, pca_components=None).fit(X, y).fit_facts()["pca_components"] is None
    described = fast().describe()
    assert (described["max_train"], described["pca_components"], described["n_components"]) == (300, 2, 50)


def test_settings_larger_than_the_data_are_capped_by_it(rings):
    X, y, _, _ = rings
    facts = fast(pca_components=64, n_components=1000, max_train=10_000).fit(X[:120], y[:120]).fit_facts()
    assert facts == {**facts, "train_samples": 120, "pca_components": 20, "landmarks": 120}


def test_the_report_lists_the_pca_components_and_landmarks():
    result = {"test_loss": 0.1, "predict_seconds": 0.5}
    text = _facts({**result, "train_samples": 20_000, "pca_components": 30, "landmarks": 1000}, {})
    assert "trained on 20,000 samples (PCA to 30 components, 1,000 Nystroem landmarks)" in text
    assert "?" not in text
    assert "(812 support vectors)" in _facts({**result, "train_samples": 5000, "support_vectors": 812}, {})
