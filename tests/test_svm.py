import numpy as np
import pytest
from sklearn.svm import SVC

from shootout.data import sample_gmm_2d
from shootout.metrics import eval_AP
from shootout.svm import KSVMWrap


@pytest.fixture
def gmm():
    return sample_gmm_2d(6, 2, 10, rng=0)


def test_rbf_svm_fits_the_gmm_sample(gmm):
    X, Y_ = gmm
    svm = KSVMWrap(X, Y_, param_svm_c=1, param_svm_gamma="auto")
    assert np.mean(svm.predict(X) == Y_) >= 0.9
    assert "KSVMWrap(kernel='rbf'" in repr(svm)


def test_support_holds_indices_of_training_points_on_or_inside_the_margin(gmm):
    X, Y_ = gmm
    svm = KSVMWrap(X, Y_)
    assert svm.support.ndim == 1 and 0 < len(svm.support) <= len(X)
    assert set(svm.support.tolist()) <= set(range(len(X)))
    margins = np.abs(svm.get_scores(X))
    outside = np.setdiff1d(np.arange(len(X)), svm.support)
    assert np.all(margins[outside] >= 1 - 1e-3)  # non-support vectors lie beyond the margin


def test_binary_scores_rank_for_average_precision(gmm):
    X, Y_ = gmm
    svm = KSVMWrap(X, Y_)
    scores = svm.get_scores(X)
    assert scores.shape == (len(X),)
    assert eval_AP(Y_[np.argsort(scores)]) > 0.9


def test_many_classes_are_one_vs_one_with_a_score_per_class():
    rng = np.random.default_rng(0)
    centers = np.array([[0, 0], [5, 0], [0, 5], [5, 5]])
    X = np.concatenate([rng.normal(c, 0.6, (25, 2)) for c in centers])
    Y_ = np.repeat(np.arange(4), 25)
    svm = KSVMWrap(X, Y_)
    assert svm.svm.decision_function_shape == "ovr" and len(svm.svm.n_support_) == 4
    scores = svm.get_scores(X)
    assert scores.shape == (100, 4)
    np.testing.assert_array_equal(svm.classes_[scores.argmax(axis=1)], svm.predict(X))
    reference = SVC(C=1, gamma="auto", decision_function_shape="ovo").fit(X, Y_)
    assert reference.decision_function(X).shape == (100, 6)  # 4·3/2 pairwise machines underneath
    np.testing.assert_array_equal(reference.predict(X), svm.predict(X))


def test_linear_kernel_option(gmm):
    X, Y_ = gmm
    svm = KSVMWrap(X, Y_, kernel="linear")
    assert svm.svm.kernel == "linear"
    assert svm.predict(X).shape == (len(X),)


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((np.zeros((3, 2)), np.zeros(3, int)), {}, "at least two classes"),
        ((np.zeros((3, 2)), np.zeros(2, int)), {}, "N×D and N labels"),
        ((np.zeros((2, 2)), np.array([0, 1])), {"param_svm_c": 0}, "param_svm_c must be positive"),
    ],
)
def test_bad_inputs_are_refused(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        KSVMWrap(*args, **kwargs)
