"""cifar-fc's measurements: shifted and pixel-shuffled images, and the table of the seed's three reasons."""

import json
import warnings

import numpy as np
import pytest
import torch

from shootout.data import ChecksumWarning
from shootout.data.transforms import permute_pixels, shift_images
from shootout.experiments import RunOptions, run_experiment
from shootout.nets import PTDeep
from tests.fakes import cifar_archive, tiny_cifar


def _images(n=2, side=5, channels=3):
    return np.arange(n * side * side * channels, dtype=np.uint8).reshape(n, side, side, channels)


def test_a_shift_moves_every_pixel_and_fills_the_border_with_zeros():
    images = _images()
    right = shift_images(images, dx=2)
    np.testing.assert_array_equal(right[:, :, 2:], images[:, :, :-2])
    assert not right[:, :, :2].any()
    down_left = shift_images(images, dx=-1, dy=1)
    np.testing.assert_array_equal(down_left[:, 1:, :-1], images[:, :-1, 1:])
    assert not shift_images(images, dx=5).any()


def test_shuffled_pixels_keep_their_channels_and_the_same_shuffle_for_every_image():
    images = _images()
    shuffled = permute_pixels(images, seed=0)
    assert sorted(map(tuple, shuffled[0].reshape(-1, 3))) == sorted(map(tuple, images[0].reshape(-1, 3)))
    moved = np.flatnonzero(np.any(shuffled[0].reshape(-1, 3) != images[0].reshape(-1, 3), axis=1))
    assert len(moved) > 0
    np.testing.assert_array_equal(permute_pixels(images, 0), shuffled)


def test_a_fully_connected_net_cannot_tell_shuffled_pixels_if_its_weights_follow():
    images = _images(side=4, channels=1).astype(np.float32)
    net = PTDeep([16, 8, 3], seed=0)
    order = np.random.default_rng(0).permutation(16)
    shuffled_net = PTDeep([16, 8, 3], seed=0)
    with torch.no_grad():
        shuffled_net.weights[0].copy_(net.weights[0][order])  # row i reads the pixel that moved to position i
    plain = net.logits(torch.from_numpy(images.reshape(2, -1)))
    moved = shuffled_net.logits(torch.from_numpy(permute_pixels(images, 0).reshape(2, -1)))
    torch.testing.assert_close(plain, moved)


def test_cifar_fc_measures_the_three_reasons(tmp_path):
    (tmp_path / "cifar-10-binary.tar.gz").write_bytes(cifar_archive(tiny_cifar(train_per_batch=8, test=10)))
    options = RunOptions(epochs=1, data_dir=str(tmp_path), verify=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChecksumWarning)
        folder = run_experiment("cifar-fc", options, out=tmp_path / "run", log=None, progress=False)
    metrics = json.loads((folder / "metrics.json").read_text())
    assert [r["model"] for r in metrics["results"]] == ["mlp", "lenet", "mlp-shuffled", "lenet-shuffled"]
    table = metrics["summary"]["tables"][0]
    assert [row[0] for row in table["rows"]] == ["mlp", "lenet"]
    assert [row[1] for row in table["rows"]] == ["789,258", "62,006"]  # 3072·256 + 256 + 256·10 + 10; LeNet
    mlp = metrics["results"][0]
    assert set(mlp["probes"]) == {"test images shifted 2 px right", "test images shifted 2 px down"}
    assert table["rows"][0][-1] == f"{metrics['results'][2]['test_accuracy']:.4f}"  # the shuffled MLP's accuracy
    assert "test_accuracy" in mlp["history"][0]  # the seed recipe prints test accuracy per epoch


@pytest.mark.parametrize("bad", [np.zeros((3, 3)), np.zeros((1, 2, 2))])
def test_a_shift_refuses_what_is_not_a_batch_of_images(bad):
    with pytest.raises(ValueError, match="N×H×W×C"):
        shift_images(bad, dx=1)
