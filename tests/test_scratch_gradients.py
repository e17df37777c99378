"""Every hand-derived gradient against central finite differences and against torch.autograd (float64)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from shootout.scratch import binlogreg_loss_grads, fcann2_loss_grads, logreg_loss_grads
from shootout.scratch.fcann2 import Fcann2Params, _step, _Workspace, fcann2_init
from shootout.scratch.functional import cross_entropy_grad
from tests.gradcheck import numeric_grad, rel_error

TOL = 1e-6
LAMBDA = 0.03


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((13, 4))
    return X, rng.integers(0, 3, size=13), rng


def _t(a):
    return torch.tensor(a, dtype=torch.float64, requires_grad=True)


def test_binary_logreg_gradients(data):
    X, _, rng = data
    Y_ = (X[:, 0] + rng.standard_normal(13) > 0).astype(np.int64)
    w, b = rng.standard_normal(4), 0.3
    loss, grad_w, grad_b = binlogreg_loss_grads(X, Y_, w, b, LAMBDA)

    num_w = numeric_grad(lambda: binlogreg_loss_grads(X, Y_, w, b, LAMBDA)[0], w)

    def loss_at(bias):
        return binlogreg_loss_grads(X, Y_, w, bias, LAMBDA)[0]

    num_b = (loss_at(b + 1e-6) - loss_at(b - 1e-6)) / 2e-6
    assert rel_error(grad_w, num_w) < TOL and rel_error(grad_b, num_b) < TOL

    tw, tb = _t(w), _t(b)
    tloss = F.binary_cross_entropy_with_logits(torch.from_numpy(X) @ tw + tb, torch.tensor(Y_, dtype=torch.float64))
    tloss = tloss + LAMBDA * (tw * tw).sum()
    tloss.backward()
    assert loss == pytest.approx(tloss.item(), rel=1e-12)
    assert rel_error(grad_w, tw.grad.numpy()) < TOL and rel_error(grad_b, tb.grad.numpy()) < TOL


def test_multinomial_logreg_gradients(data):
    X, Y_, rng = data
    W, b = rng.standard_normal((4, 3)), rng.standard_normal(3)
    loss, grad_W, grad_b = logreg_loss_grads(X, Y_, W, b, LAMBDA)

    assert rel_error(grad_W, numeric_grad(lambda: logreg_loss_grads(X, Y_, W, b, LAMBDA)[0], W)) < TOL
    assert rel_error(grad_b, numeric_grad(lambda: logreg_loss_grads(X, Y_, W, b, LAMBDA)[0], b)) < TOL

    tW, tb = _t(W), _t(b)
    tloss = F.cross_entropy(torch.from_numpy(X) @ tW + tb, torch.from_numpy(Y_)) + LAMBDA * (tW * tW).sum()
    tloss.backward()
    assert loss == pytest.approx(tloss.item(), rel=1e-12)
    assert rel_error(grad_W, tW.grad.numpy()) < TOL and rel_error(grad_b, tb.grad.numpy()) < TOL


def test_cross_entropy_gradient_with_respect_to_scores(data):
    _, Y_, rng = data
    S = rng.standard_normal((13, 3)) * 5
    _, G_s = cross_entropy_grad(S, Y_)
    tS = _t(S)
    F.cross_entropy(tS, torch.from_numpy(Y_)).backward()
    assert rel_error(G_s, tS.grad.numpy()) < TOL
    assert rel_error(G_s, numeric_grad(lambda: cross_entropy_grad(S, Y_)[0], S)) < TOL


def _fcann2_torch_loss(X, Y_, p: Fcann2Params, lam):
    tensors = {k: _t(getattr(p, k)) for k in ("W1", "b1", "W2", "b2")}
    H1 = torch.relu(torch.from_numpy(X) @ tensors["W1"] + tensors["b1"])
    S2 = H1 @ tensors["W2"] + tensors["b2"]
    loss = F.cross_entropy(S2, torch.from_numpy(Y_)) + lam * ((tensors["W1"] ** 2).sum() + (tensors["W2"] ** 2).sum())
    loss.backward()
    return loss.item(), {k: t.grad.numpy() for k, t in tensors.items()}


def test_fcann2_gradients_in_every_parameter(data):
    X, Y_, _ = data
    params = fcann2_init(4, 6, 3, seed=1)
    params.b1 += 0.1  # keep pre-activations away from the ReLU kink for finite differences
    loss, grads = fcann2_loss_grads(X, Y_, params, LAMBDA)
    tloss, tgrads = _fcann2_torch_loss(X, Y_, params, LAMBDA)
    assert loss == pytest.approx(tloss, rel=1e-12)
    for name in ("W1", "b1", "W2", "b2"):
        num = numeric_grad(lambda: fcann2_loss_grads(X, Y_, params, LAMBDA)[0], getattr(params, name))
        assert rel_error(getattr(grads, name), num) < TOL, name
        assert rel_error(getattr(grads, name), tgrads[name]) < TOL, name


def test_fast_in_place_step_equals_the_reference_gradient_step(data):
    X, Y_, _ = data
    reference, fast = fcann2_init(4, 6, 3, seed=2), fcann2_init(4, 6, 3, seed=2)
    _, grads = fcann2_loss_grads(X, Y_, reference, LAMBDA)
    _step(X, np.arange(len(X)), Y_, fast, _Workspace(13, 4, 6, 3), 0.1, LAMBDA)
    for name in ("W1", "b1", "W2", "b2"):
        expected = getattr(reference, name) - 0.1 * getattr(grads, name)
        np.testing.assert_allclose(getattr(fast, name), expected, rtol=1e-12, atol=1e-15)
