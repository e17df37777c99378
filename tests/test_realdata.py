"""Acceptance on the real files, fetched through SHOOTOUT_MIRRORS (file://…/shared/data) — run in CI."""

from pathlib import Path

import numpy as np
import pytest

from shootout.cli import main
from shootout.data import ChecksumWarning, info, load

pytestmark = pytest.mark.realdata


def test_mnist_train_statistics_match_the_seed(real_data):
    stats = info("mnist")
    assert stats.shapes == {"train": (60000, 28, 28, 1), "test": (10000, 28, 28, 1)}
    assert stats.mean[0] == pytest.approx(33.318421449829934, rel=1e-12)
    assert stats.std[0] == pytest.approx(78.56748998339798, rel=1e-12)
    assert stats.class_counts["test"][1] == 1135


def test_fashion_mnist_train_mean_and_balanced_classes(real_data):
    stats = info("fashion-mnist")
    assert stats.mean[0] == pytest.approx(72.94035223214286, rel=1e-12)
    assert stats.class_counts["train"] == (6000,) * 10


def test_cli_prints_mnist_statistics(real_data, capsys):
    assert main(["data", "info", "mnist"]) == 0
    out = capsys.readouterr().out
    assert "33.318421449829934" in out and "78.56748998339798" in out


def test_jpeg_derived_cifar10_loads_with_verification_off_and_a_warning(real_data):
    folder = Path(real_data) / "cifar-10-jpeg"
    with pytest.warns(ChecksumWarning, match="cifar-10-binary.tar.gz: checksum mismatch"):
        images, labels = load("cifar-10", "train", data_dir=folder, verify=False)
    assert images.shape == (50000, 32, 32, 3) and images.dtype == np.uint8
    assert np.bincount(labels).tolist() == [5000] * 10
    means = images.reshape(-1, 3).mean(axis=0, dtype=np.float64)
    np.testing.assert_allclose(means, [125.26884794921875, 122.93301916015625, 113.86283869140625], rtol=1e-12)


def test_softmax_regression_from_scratch_reaches_the_seed_accuracy_on_fashion_mnist(real_data):
    from shootout.scratch import softmax_regression_classify, softmax_regression_train

    images, labels = load("fashion-mnist", "train")
    test_images, test_labels = load("fashion-mnist", "test")
    result = softmax_regression_train(images, labels, 10, batch_size=256, lr=0.1, epochs=5, seed=0)
    accuracy = np.mean(softmax_regression_classify(test_images, result.W, result.b).argmax(axis=1) == test_labels)
    assert accuracy >= 0.82


def test_seed_000_linear_recipe_reaches_0918_on_mnist(real_data):
    import torch

    from shootout.nets import PTLogreg
    from shootout.train import Recipe, evaluate, fit

    images, labels = load("mnist", "train")
    recipe = Recipe(optimizer="sgd", lr=0.01, batch_size=64, epochs=5, mean=33.3184, std=78.5675, device="cpu")
    torch.manual_seed(0)
    model = PTLogreg(784, 10)  # zero init, as the seed
    result = fit(model, images, labels, recipe, log=None, progress=False)
    accuracy = evaluate(model, *load("mnist", "test"), result.preprocess)["accuracy"]
    assert accuracy >= 0.918


def test_seed_001_mlp_reaches_084_on_fashion_mnist(real_data):
    import torch

    from shootout.nets import PTDeep
    from shootout.train import Recipe, evaluate, fit

    images, labels = load("fashion-mnist", "train")
    torch.manual_seed(0)
    model = PTDeep([784, 256, 10])
    result = fit(
        model,
        images,
        labels,
        Recipe(optimizer="sgd", lr=0.01, batch_size=64, epochs=5, device="cpu"),
        log=None,
        progress=False,
    )
    accuracy = evaluate(model, *load("fashion-mnist", "test"), result.preprocess)["accuracy"]
    assert accuracy >= 0.84
