"""Every contestant speaks the scikit-learn estimator contract."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from shootout.data import load, stratified_subsample
from shootout.estimators import Contestant, Fcann2, ScratchLogreg, SoftmaxRegression, TorchNet
from shootout.svm import SVM, NystroemSVM
from shootout.train import Recipe

FAST = Recipe(optimizer="adam", lr=3e-3, batch_size=64, epochs=8, device="cpu", checkpoint_every=100)

CONTESTANTS = {
    "scratch-softmax": SoftmaxRegression(batch_size=32, lr=0.5, epochs=15, scale=16.0),
    "scratch-logreg": ScratchLogreg(param_niter=300, param_delta=0.5, scale=16.0),
    "fcann2": Fcann2(hidden=32, param_niter=300, param_delta=0.5, param_lambda=1e-4, scale=16.0),
    "ptlogreg": TorchNet("logreg", recipe=FAST),
    "ptdeep": TorchNet("deep", hidden=(64,), recipe=FAST),
    "smallcnn": TorchNet("smallcnn", recipe=FAST.with_(layout="nchw")),
    "svm": SVM(kernel="rbf", C=10.0, gamma="scale", scale=16.0),
    "nystroem": NystroemSVM(n_components=300, scale=16.0),
}


@pytest.fixture(scope="module")
def digits():
    return load("digits", "train")


@pytest.mark.parametrize("name", list(CONTESTANTS))
def test_cross_val_score_works_and_learns_the_digits(name, digits):
    images, labels = digits
    scores = cross_val_score(CONTESTANTS[name], images, labels, cv=3)
    assert scores.shape == (3,) and scores.mean() > 0.85, scores


@pytest.mark.parametrize("name", list(CONTESTANTS))
def test_clone_keeps_hyperparameters_and_fit_returns_self(name, digits):
    estimator = CONTESTANTS[name]
    copy = clone(estimator)
    assert copy.get_params() == estimator.get_params()
    images, labels = digits
    assert copy.fit(images[:300], labels[:300]) is copy
    assert not hasattr(estimator, "classes_")  # the original stays unfitted


@pytest.mark.parametrize("name", ["scratch-softmax", "ptdeep", "svm"])
def test_probabilities_rows_sum_to_one_and_predict_is_their_argmax(name, digits):
    images, labels = digits
    estimator = clone(CONTESTANTS[name]).fit(images[:400], labels[:400])
    proba = estimator.predict_proba(images[400:500])
    assert proba.shape == (100, 10) and np.allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(estimator.predict(images[400:500]), estimator.classes_[proba.argmax(axis=1)])


def test_labels_of_any_kind_come_back_as_given(digits):
    images, labels = digits
    names = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])[labels]
    estimator = clone(CONTESTANTS["scratch-softmax"]).fit(images, names)
    assert set(estimator.predict(images[:50])) <= set(names)
    assert estimator.score(images, names) > 0.9


LABEL_KINDS = {
    "strings": np.array(["zero", "one", "two"]),
    "sparse integers": np.array([3, 7, 100]),
}


@pytest.mark.parametrize("kind", list(LABEL_KINDS))
@pytest.mark.parametrize("name", list(CONTESTANTS))
def test_strings_and_arbitrary_integer_labels_map_back_through_classes(name, kind, digits):
    images, digit = digits
    keep = digit < 3
    labels = LABEL_KINDS[kind][digit[keep]]
    estimator = clone(CONTESTANTS[name]).fit(images[keep], labels)
    np.testing.assert_array_equal(estimator.classes_, np.sort(LABEL_KINDS[kind]))
    predicted = estimator.predict(images[keep])
    assert predicted.dtype == labels.dtype and set(predicted) <= set(labels)
    assert estimator.predict_proba(images[keep]).shape == (keep.sum(), 3)
    assert estimator.score(images[keep], labels) > 0.9


class _SeesInput(Contestant):
    """A contestant that keeps the X its ``_fit`` is given and predicts the first class."""

    def _fit(self, X, y, **context):
        self.seen_ = X
        self.n_params_, self.epochs_ = 0, 0

    def _proba(self, X):
        return np.eye(len(self.classes_))[np.zeros(len(X), int)]


def test_uint8_images_reach_the_model_as_they_are_not_as_a_float_copy(digits):
    images, labels = digits
    estimator = _SeesInput().fit(images, labels)
    assert estimator.seen_.dtype == np.uint8 and np.shares_memory(estimator.seen_, images)
    assert estimator.n_features_in_ == 8 and estimator.input_shape_ == (8, 8, 1)
    features = images.reshape(len(images), -1)
    assert _SeesInput().fit(features.astype(np.float32), labels).seen_.dtype == np.float32
    assert _SeesInput().fit(features.astype(np.int64), labels).seen_.dtype == np.float64


def test_images_of_another_shape_or_1d_or_3d_input_are_refused(digits):
    images, labels = digits
    estimator = _SeesInput().fit(images, labels)
    with pytest.raises(ValueError, match=r"samples of shape \(8, 8, 3\).*fitted on samples of shape \(8, 8, 1\)"):
        estimator.predict(np.repeat(images, 3, axis=-1))
    with pytest.raises(ValueError, match="Reshape your data"):
        estimator.predict(images[0].ravel())
    with pytest.raises(ValueError, match="images N×H×W×C or features N×D"):
        _SeesInput().fit(images[..., 0], labels)


def test_an_argument_fit_does_not_take_is_refused_not_ignored(digits):
    images, labels = digits
    with pytest.raises(TypeError, match="sample_weight"):
        SoftmaxRegression().fit(images, labels, sample_weight=np.ones(len(labels)))


@pytest.mark.parametrize("arch", ["lenet", "smallcnn"])
def test_convolutional_nets_learn_from_flattened_images(arch, digits):
    images, labels = digits
    features = images.reshape(len(images), -1).astype(np.float64)  # 64 columns: read back as 8×8
    estimator = TorchNet(arch, recipe=FAST.with_(layout="nchw", epochs=10)).fit(features[:1000], labels[:1000])
    assert estimator.score(features[1000:], labels[1000:]) > 0.9


def test_set_params_changes_the_recipe(digits):
    estimator = clone(CONTESTANTS["ptlogreg"]).set_params(recipe=FAST.with_(epochs=1))
    images, labels = digits
    estimator.fit(images[:200], labels[:200])
    assert estimator.epochs_ == 1 and len(estimator.history_) == 1


def test_contestants_work_inside_a_pipeline_on_features(digits):
    images, labels = digits
    flatten = FunctionTransformer(lambda X: X.reshape(len(X), -1).astype(np.float64))
    pipeline = make_pipeline(flatten, StandardScaler(), TorchNet("deep", hidden=(32,), recipe=FAST))
    scores = cross_val_score(pipeline, images, labels, cv=3)
    assert scores.mean() > 0.85


def test_torch_net_reports_the_loss_of_the_untrained_net(digits):
    images, labels = digits
    estimator = clone(CONTESTANTS["ptdeep"]).fit(images, labels)
    initial = estimator.initial_loss(images, labels)
    assert np.isfinite(initial) and initial > 1.5  # chance level is ln 10 = 2.3; He init is a bit worse
    assert initial > 5 * estimator.history_[-1]["train_loss"]
    assert estimator.initial_loss(images, labels) == initial  # rebuilt from the same seed: deterministic
    with pytest.raises(ValueError, match="labels not seen in fit"):
        estimator.initial_loss(images[:3], np.array([0, 1, 11]))


def test_svm_subsample_is_stratified_and_recorded(digits):
    images, labels = digits
    svm = SVM(kernel="linear", max_train=500, scale=16.0).fit(images, labels)
    kept = stratified_subsample(labels, 500, seed=svm.seed)
    assert svm.train_samples_ == 500 == len(kept)
    assert set(svm.support_) <= set(kept)  # its support vectors come from that subsample
    for c in np.unique(labels):  # each class's share, within one sample of its share in the full set
        assert abs(np.sum(labels[kept] == c) - 500 * np.mean(labels == c)) <= 1, c


def test_unknown_architecture_is_refused(digits):
    images, labels = digits
    with pytest.raises(ValueError, match="arch must be one of"):
        TorchNet("resnet").fit(images, labels)


def test_a_single_class_is_refused(digits):
    images, _ = digits
    with pytest.raises(ValueError, match="at least two classes"):
        SoftmaxRegression().fit(images[:10], np.zeros(10, int))


def test_nystroem_features_approach_the_exact_rbf_svm(digits):
    images, labels = digits
    test_images, test_labels = load("digits", "test")
    exact = SVM(kernel="rbf", C=10.0, gamma="scale", scale=16.0).fit(images, labels).score(test_images, test_labels)
    approx = NystroemSVM(n_components=800, alpha=0.1, scale=16.0).fit(images, labels)
    assert approx.train_samples_ == len(images) and approx.gamma_ > 0
    assert approx.score(test_images, test_labels) > exact - 0.03
