import numpy as np
import pytest

from shootout.data import channel_mean_std, info


def test_channel_statistics_match_numpy_float64():
    images = np.random.default_rng(0).integers(0, 256, size=(50, 7, 5, 3), dtype=np.uint8)
    mean, std = channel_mean_std(images)
    np.testing.assert_allclose(mean, images.reshape(-1, 3).mean(axis=0, dtype=np.float64), rtol=1e-12)
    np.testing.assert_allclose(std, images.reshape(-1, 3).astype(np.float64).std(axis=0), rtol=1e-12)


def test_channel_statistics_refuse_float_images():
    with pytest.raises(TypeError, match="uint8"):
        channel_mean_std(np.zeros((1, 2, 2, 1)))


def test_digits_info_reports_shapes_counts_and_raw_scale():
    stats = info("digits")
    assert stats.shapes == {"train": (1437, 8, 8, 1), "test": (360, 8, 8, 1)}
    assert sum(stats.class_counts["train"]) == 1437 and sum(stats.class_counts["test"]) == 360
    assert 4.0 < stats.mean[0] < 6.0  # raw 0..16 values, not rescaled
    assert "per-channel mean (train)" in stats.format()
