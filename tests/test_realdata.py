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
