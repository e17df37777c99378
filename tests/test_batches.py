import subprocess
import sys

import numpy as np
import pytest
import torch

from shootout.data import Batches


def _data(n=10, h=2, w=3, c=2):
    images = np.arange(n * h * w * c, dtype=np.int64).reshape(n, h, w, c) % 256
    return images.astype(np.uint8), np.arange(n, dtype=np.int64)


def _labels_seen(batches):
    return np.concatenate([y for _, y in batches])


def test_an_epoch_visits_every_sample_exactly_once():
    images, labels = _data(n=23)
    seen = _labels_seen(Batches(images, labels, batch_size=5, seed=3))
    assert sorted(seen.tolist()) == list(range(23))


def test_same_seed_and_epoch_give_the_same_order_and_epochs_differ():
    images, labels = _data(n=50)
    a, b = Batches(images, labels, 8, seed=1), Batches(images, labels, 8, seed=1)
    first = _labels_seen(a)
    np.testing.assert_array_equal(first, _labels_seen(b))
    a.set_epoch(1)
    assert not np.array_equal(first, _labels_seen(a))


def test_without_shuffle_order_is_the_stored_order():
    images, labels = _data(n=7)
    np.testing.assert_array_equal(_labels_seen(Batches(images, labels, 3, shuffle=False)), labels)


def test_drop_last_drops_the_short_batch_and_len_agrees():
    images, labels = _data(n=10)
    keep, drop = Batches(images, labels, 4), Batches(images, labels, 4, drop_last=True)
    assert [len(y) for _, y in keep] == [4, 4, 2] and len(keep) == 3
    assert [len(y) for _, y in drop] == [4, 4] and len(drop) == 2


def test_batch_size_none_is_one_full_batch():
    images, labels = _data(n=9)
    batches = list(Batches(images, labels, None))
    assert len(batches) == 1 and batches[0][0].shape[0] == 9


def test_normalization_is_per_channel_on_the_0_255_scale():
    images, labels = _data()
    mean, std = (10.0, 20.0), (2.0, 4.0)
    ((x, _),) = Batches(images, labels, None, shuffle=False, mean=mean, std=std)
    expected = (images.astype(np.float64) - np.array(mean)) / np.array(std)
    assert x.dtype == np.float32
    np.testing.assert_allclose(x, expected, rtol=1e-6)


@pytest.mark.parametrize(("layout", "shape"), [("nhwc", (10, 2, 3, 2)), ("nchw", (10, 2, 2, 3)), ("flat", (10, 12))])
def test_layouts_give_the_expected_shapes(layout, shape):
    images, labels = _data()
    ((x, _),) = Batches(images, labels, None, shuffle=False, layout=layout)
    assert x.shape == shape


def test_nchw_moves_channels_in_front():
    images, labels = _data()
    ((x, _),) = Batches(images, labels, None, shuffle=False, layout="nchw")
    np.testing.assert_array_equal(x[3, 1], images[3, :, :, 1])


def test_torch_tensors_give_the_same_batches_as_numpy_arrays():
    images, labels = _data(n=17)
    kwargs = dict(batch_size=4, seed=5, mean=(3.0, 4.0), std=(5.0, 6.0), layout="nchw")
    for (xn, yn), (xt, yt) in zip(
        Batches(images, labels, **kwargs),
        Batches(torch.from_numpy(images), torch.from_numpy(labels), **kwargs),
        strict=True,
    ):
        assert isinstance(xt, torch.Tensor) and xt.dtype == torch.float32
        np.testing.assert_allclose(xt.numpy(), xn, rtol=1e-6)
        np.testing.assert_array_equal(yt.numpy(), yn)


@pytest.mark.parametrize("layout", ["nhwc", "nchw", "flat"])
@pytest.mark.parametrize(("batch_size", "drop_last"), [(4, False), (4, True), (None, False)])
def test_reused_buffers_give_the_same_batches_as_fresh_arrays(layout, batch_size, drop_last):
    images, labels = _data(n=11)
    kwargs = dict(batch_size=batch_size, seed=3, drop_last=drop_last, mean=(3.0, 4.0), std=(5.0, 6.0), layout=layout)
    fresh = [(x.copy(), y) for x, y in Batches(images, labels, **kwargs)]
    reused = [(x.copy(), y) for x, y in Batches(images, labels, reuse=True, **kwargs)]
    assert len(fresh) == len(reused) > 0
    for (xf, yf), (xr, yr) in zip(fresh, reused, strict=True):
        assert xr.dtype == xf.dtype and xr.shape == xf.shape
        np.testing.assert_array_equal(xr, xf)
        np.testing.assert_array_equal(yr, yf)


def test_reused_buffers_are_written_in_place_and_keep_float_features_precision():
    features = np.random.default_rng(0).standard_normal((9, 3))
    batches = Batches(features, np.arange(9), 4, shuffle=False, mean=(1.0, 2.0, 3.0), std=2.0, reuse=True)
    xs = [x for x, _ in batches]
    assert all(x.dtype == np.float64 for x in xs)
    assert np.shares_memory(xs[0], xs[1]) and np.shares_memory(xs[1], xs[2])
    np.testing.assert_allclose(xs[-1], (features[8:] - [1.0, 2.0, 3.0]) / 2.0)  # the last batch written


@pytest.mark.parametrize(
    "images",
    [
        _data(n=9)[0],  # uint8 N×H×W×C: gathered as one record per image
        np.random.default_rng(0).standard_normal((9, 5)),  # float64 features
        _data(n=9)[0][:, :, ::-1],  # not C-contiguous: fancy indexing
        np.asfortranarray(np.random.default_rng(1).standard_normal((9, 4)).astype(np.float32)),
    ],
)
def test_gather_returns_the_indexed_samples_unchanged(images):
    batches = Batches(images, np.arange(9), 4)
    for take in (np.array([8, 0, 3, 3]), np.array([], dtype=np.int64), np.arange(9)[::-1]):
        got = batches.gather(take)
        assert got.dtype == images.dtype
        np.testing.assert_array_equal(got, images[take])
    got[...] = 0  # a copy: the set is untouched
    assert np.any(images != 0)


@pytest.mark.parametrize("reuse", [False, True])
def test_fancy_indexing_gives_the_batches_of_the_record_gather(reuse):
    images, labels = _data(n=11)
    kwargs = dict(batch_size=4, seed=5, mean=(3.0, 4.0), std=(5.0, 6.0), layout="flat", reuse=reuse)
    records = Batches(images, labels, **kwargs)
    indexed = Batches(images, labels, gather="index", **kwargs)
    assert "gather='records'" in repr(records) and "gather='index'" in repr(indexed)
    for epoch in (0, 1):
        records.set_epoch(epoch)
        indexed.set_epoch(epoch)
        expected = [(x.copy(), y) for x, y in records]  # copies: with reuse the next batch overwrites x
        got = [(x.copy(), y) for x, y in indexed]
        assert len(got) == len(expected) == 3
        for (xr, yr), (xi, yi) in zip(expected, got, strict=True):
            np.testing.assert_array_equal(xi, xr)
            np.testing.assert_array_equal(yi, yr)


def test_images_and_labels_of_different_kinds_are_refused():
    images, labels = _data()
    with pytest.raises(ValueError, match="must both be NumPy arrays or both torch tensors"):
        Batches(torch.from_numpy(images), labels, 4)


def test_reuse_is_refused_for_torch_tensors():
    images, labels = _data()
    with pytest.raises(ValueError, match="reuse=True is for NumPy"):
        Batches(torch.from_numpy(images), torch.from_numpy(labels), 4, reuse=True)


def test_images_stay_uint8_until_a_batch_is_taken():
    images, labels = _data()
    batches = Batches(torch.from_numpy(images), torch.from_numpy(labels), 4, mean=1.0, std=2.0)
    next(iter(batches))
    assert batches.images.dtype == torch.uint8


def test_shards_of_all_ranks_partition_the_epoch():
    images, labels = _data(n=22)
    shards = [_labels_seen(Batches(images, labels, 3, seed=9, rank=r, world_size=4)) for r in range(4)]
    assert {len(s) for s in shards} == {5}  # 22 // 4, tail trimmed so every rank does equal work
    together = np.concatenate(shards)
    assert len(set(together.tolist())) == 20


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(batch_size=0), "batch_size must be a positive integer"),
        (dict(layout="hwcn"), "layout must be one of"),
        (dict(rank=2, world_size=2), "rank < world_size"),
        (dict(std=0.0), "std must be positive"),
        (dict(gather="take"), "gather must be one of"),
    ],
)
def test_bad_settings_are_refused(kwargs, message):
    images, labels = _data()
    with pytest.raises(ValueError, match=message):
        Batches(images, labels, **kwargs)


def test_mismatched_lengths_are_refused():
    images, labels = _data()
    with pytest.raises(ValueError, match="10 images but 9 labels"):
        Batches(images, labels[:-1])


def test_numpy_path_never_imports_torch():
    code = (
        "import sys, numpy as np; from shootout.data import Batches, load; "
        "x, y = load('digits'); [b for b in Batches(x, y, 64, mean=4.9, std=6.0, layout='flat')]; "
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
