"""The lessons' building blocks: initializations, per-contestant data, decision-surface grids, weight norms."""

import itertools
import json

import numpy as np
import pytest
import torch

from shootout.data.splits import gauss_splits, gmm_splits
from shootout.data.synthetic import random_mixture_2d
from shootout.estimators import TorchNet
from shootout.experiments import Entry, Experiment, RunOptions, get_experiment, run_experiment
from shootout.experiments.surfaces import Surface
from shootout.nets import PTDeep
from shootout.train import Recipe

FULL_BATCH = Recipe(optimizer="sgd", lr=0.5, batch_size=None, epochs=30, mean=0.0, std=1.0, device="cpu")


@pytest.mark.parametrize(
    ("init", "expected"),
    [("he", lambda i, o: (2 / i) ** 0.5), ("xavier", lambda i, o: (2 / (i + o)) ** 0.5), ("normal", lambda i, o: 0.01)],
)
def test_each_initialization_draws_weights_with_its_standard_deviation(init, expected):
    net = PTDeep([400, 300, 10], init=init, seed=0)
    for weight in net.weights:
        fan_in, fan_out = weight.shape
        assert float(weight.detach().std()) == pytest.approx(expected(fan_in, fan_out), rel=0.05)
        assert not torch.any(net.biases[0])


def test_zero_init_keeps_every_hidden_unit_identical_after_training():
    splits = gauss_splits(C=3, N=30, test_N=1, seed=0)
    X, y = splits.train_x, splits.train_y
    net = TorchNet("deep", hidden=(8,), init="zeros", recipe=FULL_BATCH).fit(X, y)
    first_layer = net.model_.weights[0].detach()  # (D, hidden): one column per hidden unit
    assert torch.equal(first_layer, first_layer[:, :1].expand_as(first_layer))
    with_he = TorchNet("deep", hidden=(8,), init="he", recipe=FULL_BATCH).fit(X, y).model_.weights[0].detach()
    assert not torch.equal(with_he, with_he[:, :1].expand_as(with_he))


def test_a_mixture_whose_components_all_drew_one_class_gets_new_classes():
    assert len(np.unique(random_mixture_2d(6, 2, np.random.default_rng(20)).classes)) == 1  # degenerate as drawn
    assert set(np.unique(gmm_splits(6, 2, 10, 5, seed=20).train_y)) == {0, 1}


def test_a_surface_survives_the_run_folder_unchanged(tmp_path):
    splits = gauss_splits(C=2, N=20, test_N=1, seed=1)
    X, y = splits.train_x, splits.train_y
    surface = Surface.of(TorchNet("logreg", recipe=FULL_BATCH).fit(X, y), X, y)
    again = Surface.load(surface.save(tmp_path / "s.npz"))
    for name in ("values", "rect", "X", "Y_", "predicted", "special"):
        np.testing.assert_array_equal(getattr(again, name), getattr(surface, name))
    assert surface.values.shape == (128, 128) and 0 <= surface.values.min() <= surface.values.max() <= 1


def test_contestants_with_their_own_data_train_on_it_and_meet_in_one_grid(tmp_path):
    experiment = Experiment(
        "two-mixtures",
        "gmm",
        "two mixtures",
        tuple(
            Entry(
                f"net-k{k}", TorchNet("deep", hidden=(4,), recipe=FULL_BATCH), data={"K": k, "C": 2, "N": 10}, row="net"
            )
            for k in (3, 5)
        ),
        data_options={"test_N": 5},
        surface_grid=True,
    )
    folder = run_experiment(experiment, out=tmp_path / "run", log=None, progress=False)
    metrics = json.loads((folder / "metrics.json").read_text())
    assert [r["data"] for r in metrics["results"]] == ["K=3, C=2, N=10", "K=5, C=2, N=10"]
    first, second = (sum(map(sum, r["confusion_matrix"])) for r in metrics["results"])
    assert (first, second) == (3 * 5, 5 * 5)  # K components, 5 test points each: each its own mixture
    assert "pictures/surfaces.png" in [p["file"] for p in metrics["pictures"]]
    assert sorted(p.name for p in (folder / "surfaces").iterdir()) == ["net-k3.npz", "net-k5.npz"]


def test_a_stronger_l2_penalty_gives_a_smaller_weight_norm(tmp_path):
    experiment = get_experiment("gmm-lambda")
    folder = run_experiment(experiment, RunOptions(epochs=60), out=tmp_path / "run", log=None, progress=False)
    norms = [r["weight_norm"] for r in json.loads((folder / "metrics.json").read_text())["results"]]
    # λ = 0 … 0.1 shrink ‖W‖ step by step. At λ = 1 the lab's step (lr 0.5) multiplies W by 1 - 2·0.5·1 = 0
    # before adding the NLL step, so ‖W‖ is then the size of one gradient step: far below λ = 0's, not ordered
    # against λ = 0.1's (1.9 or 3.8 depending on rounding after 60 steps).
    assert len(norms) == 5 and all(a > b for a, b in itertools.pairwise(norms[:4]))
    assert norms[4] < norms[0] / 2
