import numpy as np
import pytest
import torch
import torch.nn.functional as F

from shootout.data import sample_gauss_2d
from shootout.nets import Classifier, FlatAsImage, LeNet, PTDeep, PTLogreg, count_params, fit_line
from shootout.scratch import logreg_train, one_hot
from shootout.train import eval, train


def test_linreg_hand_gradients_agree_with_autograd_at_every_step():
    fit = fit_line(np.array([1.0, 2.0, 4.0]), np.array([3.0, 5.5, 8.0]), param_niter=50, param_delta=0.05)
    for step in fit.history:
        assert step["grad_a"] == pytest.approx(step["autograd_a"], rel=1e-12, abs=1e-12)
        assert step["grad_b"] == pytest.approx(step["autograd_b"], rel=1e-12, abs=1e-12)


def test_linreg_fits_the_labs_two_points():
    fit = fit_line([1, 2], [3, 5], param_niter=2000, param_delta=0.1)
    assert fit.a == pytest.approx(2.0, abs=1e-6) and fit.b == pytest.approx(1.0, abs=1e-6)
    assert fit.history[-1]["loss"] < 1e-10


def test_linreg_fits_many_noisy_points_like_least_squares():
    rng = np.random.default_rng(0)
    X = rng.uniform(-3, 3, 200)
    Y = 0.7 * X - 2.0 + rng.normal(0, 0.1, 200)
    fit = fit_line(X, Y, param_niter=2000, param_delta=0.1)
    a, b = np.polyfit(X, Y, 1)
    assert fit.a == pytest.approx(a, abs=1e-6) and fit.b == pytest.approx(b, abs=1e-6)


def test_ptlogreg_forward_gives_probabilities():
    model = PTLogreg(3, 4)
    with torch.no_grad():
        model.W.normal_()
    P = model(torch.randn(5, 3))
    assert P.shape == (5, 4) and torch.allclose(P.sum(dim=1), torch.ones(5))


def test_ptlogreg_loss_is_stable_and_equals_cross_entropy_plus_l2():
    model = PTLogreg(2, 3).double()
    with torch.no_grad():
        model.W.copy_(torch.tensor([[1000.0, -1000.0, 0.0], [0.0, 500.0, -500.0]], dtype=torch.float64))
    X = torch.tensor([[1.0, 1.0], [-1.0, 2.0]], dtype=torch.float64)
    Y_ = torch.tensor([1, 2])
    loss = model.get_loss(X, F.one_hot(Y_, 3).double(), param_lambda=1e-3)
    expected = F.cross_entropy(X @ model.W + model.b, Y_) + 1e-3 * (model.W**2).sum()
    assert torch.isfinite(loss) and loss.item() == pytest.approx(expected.item(), rel=1e-12)


def test_ptlogreg_follows_the_numpy_logreg_exactly_from_the_same_start():
    X, Y_ = sample_gauss_2d(3, 30, rng=0)
    W_np, b_np = logreg_train(X, Y_, param_niter=300, param_delta=0.05, param_lambda=1e-3)
    model = PTLogreg(2, 3).double()
    train(model, X, one_hot(Y_, 3), param_niter=300, param_delta=0.05, param_lambda=1e-3)
    np.testing.assert_allclose(model.W.detach().numpy(), W_np, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(model.b.detach().numpy(), b_np, rtol=1e-9, atol=1e-12)


def test_eval_takes_numpy_and_returns_numpy_probabilities():
    rng = np.random.default_rng(1)
    X = np.concatenate([rng.normal(-1.0, 0.5, (20, 2)), rng.normal(1.0, 0.5, (20, 2))])
    Y_ = np.repeat([0, 1], 20)
    model = PTLogreg(2, 2)
    losses = train(model, X, one_hot(Y_, 2), param_niter=200, param_delta=0.1)
    probs = eval(model, X)
    assert isinstance(probs, np.ndarray) and probs.shape == (40, 2)
    assert losses[-1] < losses[0]
    assert np.mean(probs.argmax(axis=1) == Y_) > 0.9


def test_count_params_prints_names_and_shapes_and_returns_the_total(capsys):
    assert PTDeep([2, 3]).count_params() == 9
    out = capsys.readouterr().out
    assert "weights.0: (2, 3)" in out and "biases.0: (3,)" in out
    assert count_params(PTDeep([784, 100, 10]), verbose=False) == 784 * 100 + 100 + 100 * 10 + 10


def test_ptdeep_with_one_layer_is_ptlogreg():
    X, Y_ = sample_gauss_2d(3, 20, rng=2)
    Yoh = one_hot(Y_, 3)
    deep, logreg = PTDeep([2, 3], init="zeros").double(), PTLogreg(2, 3).double()
    train(deep, X, Yoh, 100, 0.1)
    train(logreg, X, Yoh, 100, 0.1)
    np.testing.assert_allclose(eval(deep, X), eval(logreg, X), rtol=1e-10)


@pytest.mark.parametrize("config", [[784], [], [3, 0, 2]])
def test_ptdeep_refuses_configs_without_input_and_classes(config):
    with pytest.raises(ValueError, match="PTDeep config needs at least"):
        PTDeep(config)


def test_ptdeep_keeps_weights_in_parameter_lists_with_the_labs_shapes():
    model = PTDeep([2, 5, 3])
    assert isinstance(model.weights, torch.nn.ParameterList)
    assert [tuple(w.shape) for w in model.weights] == [(2, 5), (5, 3)]
    assert [tuple(b.shape) for b in model.biases] == [(5,), (3,)]


def test_weights_keep_the_labs_shape_and_values_but_are_stored_out_major():
    deep = PTDeep([6, 4, 3], seed=5)
    expected = torch.randn(6, 4, generator=torch.Generator().manual_seed(5)) * (2.0 / 6) ** 0.5
    torch.testing.assert_close(deep.weights[0].detach(), expected)  # the same random values as in-major storage
    for W, (i, o) in zip(deep.weights, [(6, 4), (4, 3)], strict=True):
        assert W.shape == (i, o) and W.stride() == (1, i)  # in × out, each column contiguous (nn.Linear's layout)
    logreg = PTLogreg(5, 3)
    assert logreg.W.shape == (5, 3) and logreg.W.stride() == (1, 5)


def test_out_major_weights_give_the_scores_and_gradients_of_in_major_ones():
    torch.manual_seed(0)
    fast = PTDeep([6, 4, 3])
    slow = PTDeep([6, 4, 3])
    slow.load_state_dict(fast.state_dict())
    for W in slow.weights:
        W.data = W.data.contiguous()  # the same values, in-major
    X = torch.randn(8, 6)
    for model in (fast, slow):
        model.logits(X).square().sum().backward()
    torch.testing.assert_close(fast.logits(X), slow.logits(X))
    for a, b in zip(fast.weights, slow.weights, strict=True):
        torch.testing.assert_close(a.grad, b.grad)
        assert a.grad.stride() == a.stride()  # the gradient follows the weight's layout


def test_batchnorm_uses_batch_statistics_in_training_and_running_ones_in_eval():
    torch.manual_seed(0)
    model = PTDeep([4, 8, 3], batchnorm=True)
    X = torch.randn(32, 4) * 3 + 1
    running_before = model.norms[0].running_mean.clone()
    model.train()
    train_out = model.logits(X)
    assert not torch.equal(model.norms[0].running_mean, running_before)  # updated in training
    model.eval()
    frozen = model.norms[0].running_mean.clone()
    eval_out = model.logits(X)
    assert torch.equal(model.norms[0].running_mean, frozen)  # untouched in eval
    assert not torch.allclose(train_out, eval_out)
    single = model.logits(X[:1])  # one sample works in eval mode and matches the batch row
    assert torch.allclose(single, eval_out[:1], atol=1e-6)


@pytest.mark.parametrize(("channels", "size", "features"), [(3, 32, 16 * 5 * 5), (1, 28, 16 * 4 * 4)])
def test_lenet_takes_cifar_and_mnist_shapes(channels, size, features):
    model = LeNet(channels, 10, size)
    assert model.fc1.in_features == features
    assert model.logits(torch.zeros(2, channels, size, size)).shape == (2, 10)


def test_lenet_for_cifar_has_the_classic_parameter_count():
    assert LeNet(3, 10, 32).count_params(verbose=False) == 62006


def test_lenet_refuses_images_too_small():
    for side in (8, 13, 15):  # 13-15 leave a 0×0 map after the second pooling
        with pytest.raises(ValueError, match="side >= 16"):
            LeNet(1, 10, side)
    assert LeNet(1, 10, LeNet.MIN_SIDE).logits(torch.zeros(2, 1, 16, 16)).shape == (2, 10)


class _SeesInput(Classifier):
    """A stand-in CNN that keeps the images it is given."""

    def logits(self, X: torch.Tensor) -> torch.Tensor:
        self.seen = X
        return torch.zeros(len(X), 2)

    def weight_tensors(self) -> list[torch.Tensor]:
        return []


def test_flat_features_of_a_square_image_are_read_back_as_that_image():
    images = torch.arange(3 * 8 * 8, dtype=torch.float32).reshape(3, 1, 8, 8)
    net = _SeesInput()
    FlatAsImage(net, 64, 8).logits(images.reshape(3, 64))
    assert torch.equal(net.seen, images)


def test_flat_features_are_padded_to_a_square_and_centred_in_the_smallest_image_the_net_takes():
    net = _SeesInput()
    flat = FlatAsImage(net, 3, LeNet.MIN_SIDE)
    flat.logits(torch.tensor([[1.0, 2.0, 3.0]]))
    expected = torch.zeros(1, 1, 16, 16)
    expected[0, 0, 7:9, 7:9] = torch.tensor([[1.0, 2.0], [3.0, 0.0]])  # a 2×2 image (one zero) in the middle
    assert torch.equal(net.seen, expected)
    with pytest.raises(ValueError, match="do not fit"):
        FlatAsImage(net, 65, 8)
