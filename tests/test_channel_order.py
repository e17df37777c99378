"""RGB and BGR: colour images as published, or with their channels reversed as OpenCV and MegEngine keep them."""

import warnings

import numpy as np
import pytest

from shootout.cli import main
from shootout.data import ChecksumWarning, info, load
from shootout.experiments import OptionsError, RunOptions, run_experiment
from tests.fakes import cifar_archive, tiny_cifar


@pytest.fixture
def cifar_dir(tmp_path):
    splits = tiny_cifar(seed=1)
    (tmp_path / "cifar-10-binary.tar.gz").write_bytes(cifar_archive(splits))
    return tmp_path, splits


def _quiet_load(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChecksumWarning)
        return load(*args, **kwargs)


def test_bgr_reverses_the_channels_of_every_image(cifar_dir):
    folder, splits = cifar_dir
    rgb, labels = _quiet_load("cifar-10", "train", data_dir=folder, verify=False)
    bgr, same_labels = _quiet_load("cifar-10", "train", data_dir=folder, verify=False, channel_order="bgr")
    np.testing.assert_array_equal(rgb, splits["train"][0])
    np.testing.assert_array_equal(bgr[..., 0], rgb[..., 2])  # blue first
    np.testing.assert_array_equal(bgr[..., 2], rgb[..., 0])  # red last
    np.testing.assert_array_equal(bgr[..., 1], rgb[..., 1])
    np.testing.assert_array_equal(labels, same_labels)
    assert bgr.flags.c_contiguous and bgr.dtype == np.uint8


def test_info_in_bgr_order_lists_the_reversed_statistics_and_says_so(cifar_dir):
    folder, _ = cifar_dir
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChecksumWarning)
        rgb = info("cifar-10", data_dir=folder, verify=False)
        bgr = info("cifar-10", data_dir=folder, verify=False, channel_order="bgr")
    assert bgr.mean == rgb.mean[::-1] and bgr.std == rgb.std[::-1]
    assert "per-channel mean (train, B, G, R)" in bgr.format()
    assert "per-channel mean (train, R, G, B)" in rgb.format()


def test_bgr_is_refused_for_grey_images():
    with pytest.raises(ValueError, match="needs colour images; mnist has 1 channel"):
        load("mnist", channel_order="bgr")
    with pytest.raises(ValueError, match="channel_order must be one of rgb, bgr"):
        load("digits", channel_order="grb")


def test_the_cli_refuses_bgr_statistics_of_a_grey_dataset(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["data", "info", "mnist", "--channel-order", "bgr"])
    assert caught.value.code == 2
    assert "needs colour images" in capsys.readouterr().err


def test_a_run_in_bgr_order_on_grey_images_is_refused_before_any_work(tmp_path):
    with pytest.raises(OptionsError, match="--channel-order bgr: digits has no colour channels"):
        run_experiment("digits", RunOptions(channel_order="bgr"), out=tmp_path / "run", log=None)
    assert not (tmp_path / "run.partial").exists()
    with pytest.raises(OptionsError, match="--channel-order: invalid choice"):
        RunOptions(channel_order="grb")
