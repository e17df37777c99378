"""Behaviour of the from-scratch models: stability, what they can and cannot separate, the lab's numbers."""

import subprocess
import sys
import time

import numpy as np
import pytest

from shootout.data import sample_gauss_2d, sample_gmm_2d
from shootout.scratch import (
    binlogreg_classify,
    binlogreg_train,
    cross_entropy,
    fcann2_classify,
    fcann2_train,
    log_softmax,
    logreg_classify,
    logreg_train,
    sigmoid,
    softmax,
    softmax_regression_classify,
    softmax_regression_train,
)

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])


def test_softmax_and_cross_entropy_survive_logits_of_plus_minus_1000():
    S = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -1000.0]])
    P = softmax(S)
    assert np.all(np.isfinite(P)) and np.allclose(P.sum(axis=1), 1.0)
    np.testing.assert_allclose(P[0], [1.0, 0.0, 0.0])
    assert np.all(np.isfinite(log_softmax(S)))
    assert cross_entropy(S, np.array([1, 2])) == pytest.approx((2000.0 + np.log(3)) / 2)


def test_sigmoid_is_finite_and_exact_at_the_extremes():
    with np.errstate(all="raise"):
        values = sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    np.testing.assert_allclose(values, [0.0, 0.5, 1.0])


def test_logistic_regression_cannot_solve_xor_but_fcann2_can():
    w, b = binlogreg_train(XOR_X, XOR_Y, param_niter=2000, param_delta=0.5)
    assert np.mean((binlogreg_classify(XOR_X, w, b) > 0.5) == XOR_Y) <= 0.75
    W, bb = logreg_train(XOR_X, XOR_Y, param_niter=2000, param_delta=0.5)
    assert np.mean(logreg_classify(XOR_X, W, bb).argmax(axis=1) == XOR_Y) <= 0.75
    params = fcann2_train(XOR_X, XOR_Y, hidden=5, param_niter=5000, param_delta=0.1, param_lambda=0.0, seed=0)
    assert np.mean(fcann2_classify(XOR_X, params).argmax(axis=1) == XOR_Y) == 1.0


def test_two_well_separated_gaussians_are_classified_perfectly_by_both():
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal((0, 0), 0.5, size=(50, 2)), rng.normal((6, 6), 0.5, size=(50, 2))])
    Y_ = np.repeat([0, 1], 50)
    w, b = binlogreg_train(X, Y_, param_niter=500, param_delta=0.1)
    assert np.mean((binlogreg_classify(X, w, b) > 0.5) == Y_) == 1.0
    params = fcann2_train(X, Y_, hidden=5, param_niter=2000, param_delta=0.05, param_lambda=1e-3, seed=0)
    assert np.mean(fcann2_classify(X, params).argmax(axis=1) == Y_) == 1.0


def test_multinomial_logreg_fits_three_gaussian_classes():
    X, Y_ = sample_gauss_2d(3, 100, rng=0)
    W, b = logreg_train(X, Y_, param_niter=2000, param_delta=0.05)
    P = logreg_classify(X, W, b)
    assert P.shape == (300, 3) and np.allclose(P.sum(axis=1), 1.0)
    assert np.mean(P.argmax(axis=1) == Y_) > 0.85


def test_fcann2_with_the_labs_hyperparameters_fits_the_gmm_sample():
    X, Y_ = sample_gmm_2d(6, 2, 10, rng=0)
    start = time.perf_counter()
    params = fcann2_train(X, Y_, hidden=5, param_niter=1e5, param_delta=0.05, param_lambda=1e-3, seed=0)
    seconds = time.perf_counter() - start
    assert np.mean(fcann2_classify(X, params).argmax(axis=1) == Y_) >= 0.95
    print(f"fcann2: 1e5 iterations on 60 points in {seconds:.2f} s")


def test_fcann2_is_deterministic_for_a_seed():
    X, Y_ = sample_gmm_2d(4, 2, 10, rng=3)
    a = fcann2_train(X, Y_, param_niter=200, seed=5)
    b = fcann2_train(X, Y_, param_niter=200, seed=5)
    np.testing.assert_array_equal(a.W1, b.W1)
    np.testing.assert_array_equal(a.W2, b.W2)


@pytest.mark.parametrize(
    "kwargs",
    [dict(hidden=0), dict(param_delta=0.0), dict(param_lambda=-1.0)],
)
def test_fcann2_refuses_bad_hyperparameters(kwargs):
    with pytest.raises(ValueError, match="fcann2 needs"):
        fcann2_train(XOR_X, XOR_Y, param_niter=1, **kwargs)


def test_labels_must_match_the_rows_of_x():
    with pytest.raises(ValueError, match="one class index per row"):
        logreg_train(XOR_X, XOR_Y[:3])


def test_softmax_regression_learns_digits_images():
    from shootout.data import load

    images, labels = load("digits", "train")
    test_images, test_labels = load("digits", "test")
    result = softmax_regression_train(images, labels, 10, batch_size=64, lr=0.5, epochs=20, scale=16.0)
    losses = [h["train_loss"] for h in result.history]
    assert losses[-1] < losses[0]
    P = softmax_regression_classify(test_images, result.W, result.b, scale=16.0)
    assert np.mean(P.argmax(axis=1) == test_labels) >= 0.9


@pytest.mark.parametrize("images_kind", ["uint8 images", "float32 features"])
def test_softmax_regression_fused_loop_equals_the_readable_one(images_kind):
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, size=(103, 4, 4, 3), dtype=np.uint8)  # 103 = 4 batches of 25 + a short one
    if images_kind == "float32 features":
        images = images.reshape(103, -1).astype(np.float32)
    labels = rng.integers(0, 5, size=103)
    fast = softmax_regression_train(images, labels, 5, batch_size=25, lr=0.3, epochs=3, seed=2)
    readable = softmax_regression_train(images, labels, 5, batch_size=25, lr=0.3, epochs=3, seed=2, loop="readable")
    np.testing.assert_allclose(fast.W, readable.W, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(fast.b, readable.b, rtol=1e-4, atol=1e-6)
    for f, r in zip(fast.history, readable.history, strict=True):
        assert f["train_loss"] == pytest.approx(r["train_loss"], rel=1e-5)
        assert f["train_accuracy"] == r["train_accuracy"]
    assert fast.history[-1]["train_loss"] < fast.history[0]["train_loss"]


@pytest.mark.parametrize("loop", ["fused", "readable"])
def test_softmax_regression_learns_the_same_weights_whichever_way_batches_are_gathered(loop):
    rng = np.random.default_rng(4)
    images = rng.integers(0, 256, size=(53, 4, 4, 1), dtype=np.uint8)
    labels = rng.integers(0, 3, size=53)
    kwargs = dict(batch_size=16, lr=0.3, epochs=2, seed=1, loop=loop)
    records = softmax_regression_train(images, labels, 3, **kwargs)
    indexed = softmax_regression_train(images, labels, 3, gather="index", **kwargs)
    np.testing.assert_array_equal(indexed.W, records.W)
    np.testing.assert_array_equal(indexed.b, records.b)
    assert indexed.history == records.history


def test_softmax_regression_fused_loop_is_stable_for_huge_scores():
    rng = np.random.default_rng(3)
    images = rng.integers(0, 256, size=(40, 3, 3, 1), dtype=np.uint8)
    labels = rng.integers(0, 3, size=40)
    kwargs = dict(batch_size=16, lr=1e-6, epochs=2, init_scale=10.0, scale=0.01)  # scores of order 1e6
    fast = softmax_regression_train(images, labels, 3, **kwargs)
    readable = softmax_regression_train(images, labels, 3, loop="readable", **kwargs)
    assert np.all(np.isfinite(fast.W)) and np.isfinite(fast.history[-1]["train_loss"])
    assert fast.history[0]["train_loss"] > 1e3  # the loss of confidently wrong scores, not inf or nan
    np.testing.assert_allclose(fast.W, readable.W, rtol=1e-4, atol=1e-3)
    for f, r in zip(fast.history, readable.history, strict=True):
        assert f["train_loss"] == pytest.approx(r["train_loss"], rel=1e-4)
        assert f["train_accuracy"] == r["train_accuracy"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"loop": "vectorized"}, "loop must be one of"), ({"scale": 0.0}, "scale > 0"), ({"lr": -1.0}, "lr > 0")],
)
def test_softmax_regression_refuses_bad_settings(kwargs, message):
    images, labels = np.zeros((4, 2, 2, 1), np.uint8), np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match=message):
        softmax_regression_train(images, labels, 2, **kwargs)


def test_scratch_package_never_imports_torch():
    code = "import sys, shootout.scratch, shootout.metrics; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
