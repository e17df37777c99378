"""Whole-batch augmentation and test-time augmentation against plain per-image NumPy references."""

import numpy as np
import pytest
import torch

from shootout.train.augment import flip_alternate, shift_reflect, translate, tta_logits


def batch(n=6, c=3, h=7, w=5, seed=0):
    """Images whose pixels are all distinct, so any misplaced pixel shows."""
    values = torch.randperm(n * c * h * w, generator=torch.Generator().manual_seed(seed)).float()
    return values.reshape(n, c, h, w)


def mirrored(image: np.ndarray) -> np.ndarray:
    return image[:, :, ::-1]


@pytest.mark.parametrize("epoch", [0, 1, 2, 7])
def test_flip_alternate_mirrors_the_chosen_images_on_even_epochs_and_the_others_on_odd_ones(epoch):
    x = batch()
    chosen = torch.tensor([True, False, True, True, False, False])
    out = flip_alternate(x, epoch, chosen).numpy()
    for i, image in enumerate(x.numpy()):
        flip_now = bool(chosen[i]) if epoch % 2 == 0 else not bool(chosen[i])
        np.testing.assert_array_equal(out[i], mirrored(image) if flip_now else image)


def test_flip_alternate_shows_every_image_once_each_way_over_two_epochs():
    x = batch()
    chosen = torch.rand(len(x), generator=torch.Generator().manual_seed(1)) < 0.5
    even, odd = flip_alternate(x, 4, chosen), flip_alternate(x, 5, chosen)
    for i in range(len(x)):
        seen = {even[i].equal(x[i]), odd[i].equal(x[i])}
        assert seen == {True, False}


def reference_translate(images: np.ndarray, pad: int, offsets: np.ndarray) -> np.ndarray:
    """One image at a time: NumPy's reflect padding, then the crop at that image's offset (row, column)."""
    out = np.empty_like(images)
    h, w = images.shape[-2:]
    for i, image in enumerate(images):
        padded = np.pad(image, ((0, 0), (pad, pad), (pad, pad)), mode="reflect")
        dy, dx = offsets[i]
        out[i] = padded[:, dy : dy + h, dx : dx + w]
    return out


@pytest.mark.parametrize("pad", [1, 2])
def test_translate_crops_each_reflect_padded_image_at_its_own_offset(pad):
    x = batch(n=40)
    out = translate(x, pad, torch.Generator().manual_seed(3))
    offsets = torch.randint(0, 2 * pad + 1, (len(x), 2), generator=torch.Generator().manual_seed(3)).numpy()
    np.testing.assert_array_equal(out.numpy(), reference_translate(x.numpy(), pad, offsets))
    assert len({tuple(o) for o in offsets}) > 1  # the images did not all move alike


def test_translate_keeps_channels_last_batches_and_leaves_pad_zero_alone():
    x = batch().contiguous(memory_format=torch.channels_last)
    assert translate(x, 0) is x
    out = translate(x, 2, torch.Generator().manual_seed(0))
    assert out.shape == x.shape and out.is_contiguous(memory_format=torch.channels_last)


def test_translate_with_the_same_seed_gives_the_same_batch():
    x = batch()
    a = translate(x, 2, torch.Generator().manual_seed(9))
    b = translate(x, 2, torch.Generator().manual_seed(9))
    assert a.equal(b)


def shifted(image: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """One image moved dy down and dx right, reflection filling the border (NumPy's reflect mode)."""
    h, w = image.shape[-2:]
    padded = np.pad(image, ((0, 0), (1, 1), (1, 1)), mode="reflect")
    return padded[:, 1 - dy : 1 - dy + h, 1 - dx : 1 - dx + w]


def test_shift_reflect_moves_content_down_and_right():
    x = batch(n=1)
    down_right = shift_reflect(x, 1, 1)[0].numpy()
    np.testing.assert_array_equal(down_right[:, 1:, 1:], x[0].numpy()[:, :-1, :-1])
    np.testing.assert_array_equal(down_right, shifted(x[0].numpy(), 1, 1))


@pytest.fixture
def linear_model():
    """A model whose logits depend on every pixel's position (a fixed random linear map)."""
    weight = torch.randn(4, 3 * 7 * 5, generator=torch.Generator().manual_seed(5))
    return lambda x: x.reshape(len(x), -1) @ weight.T


def explicit_views(image: np.ndarray, level: int, mirror: bool) -> list[tuple[float, np.ndarray]]:
    """(weight, view) pairs of TTA ``level``, written out by hand."""
    if level == 0:
        return [(1.0, image)]
    if level == 1:
        return [(0.5, image), (0.5, mirrored(image))] if mirror else [(1.0, image)]
    moved = [shifted(image, -1, -1), shifted(image, 1, 1)]
    if not mirror:
        return [(0.5, image), (0.25, moved[0]), (0.25, moved[1])]
    return [(0.25, image), (0.25, mirrored(image))] + [(0.125, v) for m in moved for v in (m, mirrored(m))]


@pytest.mark.parametrize("level", [0, 1, 2])
@pytest.mark.parametrize("mirror", [True, False])
def test_tta_logits_equal_the_weighted_mean_of_the_explicitly_transformed_views(linear_model, level, mirror):
    x = batch()
    out = tta_logits(linear_model, x, level, mirror=mirror)
    for i, image in enumerate(x.numpy()):
        views = explicit_views(image, level, mirror)
        assert sum(w for w, _ in views) == pytest.approx(1.0)
        expected = sum(w * linear_model(torch.from_numpy(v.copy())[None])[0] for w, v in views)
        torch.testing.assert_close(out[i], expected, rtol=1e-5, atol=1e-3)


def test_tta_refuses_an_unknown_level(linear_model):
    with pytest.raises(ValueError, match="TTA level must be one of"):
        tta_logits(linear_model, batch(), 3)
