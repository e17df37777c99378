import numpy as np
import pytest
from sklearn.metrics import average_precision_score, precision_score, recall_score, top_k_accuracy_score

from shootout.metrics import (
    accuracy,
    eval_AP,
    eval_perf_binary,
    eval_perf_multi,
    macro_average_precision,
    top_k_accuracy,
)


def test_binary_metrics_match_scikit_learn():
    rng = np.random.default_rng(0)
    Y_, Y = rng.integers(0, 2, 200), rng.integers(0, 2, 200)
    acc, recall, precision = eval_perf_binary(Y, Y_)
    assert acc == pytest.approx(np.mean(Y == Y_))
    assert recall == pytest.approx(recall_score(Y_, Y))
    assert precision == pytest.approx(precision_score(Y_, Y))


def test_binary_metrics_on_a_hand_counted_case():
    # tp=2, fn=1, fp=1, tn=1
    assert eval_perf_binary([1, 1, 0, 1, 0], [1, 1, 1, 0, 0]) == pytest.approx((0.6, 2 / 3, 2 / 3))


def test_binary_precision_without_positive_predictions_is_zero():
    assert eval_perf_binary([0, 0], [1, 0]) == (0.5, 0.0, 0.0)


def test_multiclass_metrics_match_scikit_learn():
    rng = np.random.default_rng(1)
    Y_, Y = rng.integers(0, 4, 300), rng.integers(0, 4, 300)
    acc, pr, M = eval_perf_multi(Y, Y_)
    assert acc == pytest.approx(np.mean(Y == Y_))
    np.testing.assert_allclose([r for r, _ in pr], recall_score(Y_, Y, average=None))
    np.testing.assert_allclose([p for _, p in pr], precision_score(Y_, Y, average=None))
    assert M.sum() == 300 and M[2, 3] == np.sum((Y_ == 2) & (Y == 3))


def test_confusion_matrix_has_rows_for_classes_never_seen():
    _, pr, M = eval_perf_multi([0, 0], [0, 0], num_classes=3)
    assert M.shape == (3, 3) and pr[2] == (0.0, 0.0)


@pytest.mark.parametrize("seed", range(5))
def test_average_precision_matches_scikit_learn_on_distinct_scores(seed):
    rng = np.random.default_rng(seed)
    scores, labels = rng.random(50), rng.integers(0, 2, 50)
    ranked = labels[np.argsort(scores)]
    assert eval_AP(ranked) == pytest.approx(average_precision_score(labels, scores))


def test_average_precision_of_the_labs_examples():
    assert eval_AP([0, 0, 0, 1, 1, 1]) == pytest.approx(1.0)
    assert eval_AP([0, 0, 1, 0, 1, 1]) == pytest.approx((1 + 1 + 3 / 4) / 3)
    assert eval_AP([1, 1, 1, 0, 0, 0]) == pytest.approx((3 / 6 + 2 / 5 + 1 / 4) / 3)
    assert eval_AP([0, 0, 0]) == 0.0


def test_top_k_accuracy_matches_scikit_learn_and_top_1_is_accuracy():
    rng = np.random.default_rng(2)
    scores, Y_ = rng.random((100, 5)), rng.integers(0, 5, 100)
    for k in (1, 2, 3):
        assert top_k_accuracy(scores, Y_, k) == pytest.approx(top_k_accuracy_score(Y_, scores, k=k, labels=range(5)))
    assert top_k_accuracy(scores, Y_, 1) == pytest.approx(accuracy(scores.argmax(axis=1), Y_))
    assert top_k_accuracy(scores, Y_, 5) == 1.0


def test_bad_inputs_are_refused_with_a_message():
    with pytest.raises(ValueError, match="differ in length"):
        accuracy([0, 1], [0])
    with pytest.raises(ValueError, match="k must lie in 1..3"):
        top_k_accuracy(np.zeros((2, 3)), [0, 1], k=4)
    with pytest.raises(ValueError, match="zero samples"):
        eval_perf_multi([], [])


@pytest.mark.parametrize("classes", [2, 5])
def test_macro_average_precision_is_the_mean_of_the_labs_per_class_ap(classes):
    rng = np.random.default_rng(classes)
    labels = rng.integers(0, classes, 200)
    scores = rng.random((200, classes)) + 0.5 * np.eye(classes)[labels]  # distinct scores, some signal
    per_class = [eval_AP((labels == c)[np.argsort(scores[:, c])]) for c in range(classes)]
    assert macro_average_precision(scores, labels) == pytest.approx(np.mean(per_class))


def test_macro_average_precision_leaves_out_classes_absent_from_the_labels():
    scores = np.array([[0.9, 0.1, 0.0], [0.2, 0.8, 0.0], [0.6, 0.4, 0.0]])
    labels = np.array([0, 1, 0])
    assert macro_average_precision(scores, labels) == pytest.approx(1.0)  # class 2 has no positives
