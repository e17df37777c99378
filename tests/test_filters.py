"""Image filters by conv2d against a NumPy reference and SciPy's correlate."""

import numpy as np
import pytest
from scipy import ndimage

from shootout.filters import FILTERS, as_uint8, filter2d


def _images(n=3, side=9, channels=3, seed=0):
    return np.random.default_rng(seed).integers(0, 256, size=(n, side, side, channels), dtype=np.uint8)


def _reference(images, kernel):
    """The sum over each zero-padded neighbourhood, written out as loops over the kernel's offsets."""
    n, h, w, c = images.shape
    kh, kw = kernel.shape
    padded = np.zeros((n, h + kh - 1, w + kw - 1, c))
    padded[:, kh // 2 : kh // 2 + h, kw // 2 : kw // 2 + w] = images
    out = np.zeros((n, h, w, c))
    for i in range(kh):
        for j in range(kw):
            out += kernel[i, j] * padded[:, i : i + h, j : j + w]
    return out


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_filter2d_equals_the_numpy_reference(name):
    images = _images()
    np.testing.assert_allclose(filter2d(images, FILTERS[name]), _reference(images, FILTERS[name]), atol=1e-9)


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_filter2d_equals_scipy_correlate_with_a_zero_border(name):
    images = _images(channels=1)
    expected = np.stack(
        [
            ndimage.correlate(image[..., 0].astype(np.float64), FILTERS[name], mode="constant", cval=0.0)
            for image in images
        ]
    )
    np.testing.assert_allclose(filter2d(images, FILTERS[name])[..., 0], expected, atol=1e-9)


def test_the_identity_filter_returns_the_image_exactly():
    images = _images()
    assert np.array_equal(as_uint8(filter2d(images, FILTERS["identity"])), images)


def test_channels_are_filtered_each_on_its_own():
    images = _images(n=1)
    only_red = images.copy()
    only_red[..., 1:] = 0
    out = filter2d(only_red, FILTERS["laplacian"])
    assert np.all(out[..., 1:] == 0)
    np.testing.assert_allclose(out[..., 0], filter2d(images[..., :1], FILTERS["laplacian"])[..., 0])


def test_an_asymmetric_kernel_shows_correlation_is_not_convolution():
    image = np.zeros((1, 5, 5, 1))
    image[0, 2, 2, 0] = 1.0  # an impulse: correlation returns the kernel flipped, convolution the kernel
    kernel = np.arange(9.0).reshape(3, 3)
    np.testing.assert_array_equal(filter2d(image, kernel)[0, 1:4, 1:4, 0], kernel[::-1, ::-1])


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="N×H×W×C"):
        filter2d(np.zeros((4, 4)), FILTERS["blur"])
    with pytest.raises(ValueError, match="odd sides"):
        filter2d(_images(), np.ones((2, 2)))
