"""The benchmark scripts' own logic: fair alternatives, verdicts, candidates derived from the catalog."""

import numpy as np
import pytest
import torch

from benchmarks.ablations import Change, _FloatSet, _PerSampleSet, markdown, measure
from benchmarks.tune import CANDIDATES, LINEAR, _variant
from shootout.data import Batches
from shootout.experiments import get_experiment


def _images(n=20, side=4, channels=3):
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(n, side, side, channels), dtype=np.uint8), rng.integers(0, 10, n)


def test_the_per_sample_dataset_gives_what_the_whole_tensor_batches_give():
    images, labels = _images()
    mean, std = torch.tensor([10.0, 20.0, 30.0]), torch.tensor([2.0, 3.0, 4.0])
    per_sample = _PerSampleSet(images, labels, mean, std)
    ((x, y),) = Batches(images, labels, None, shuffle=False, mean=mean.tolist(), std=std.tolist(), layout="flat")
    for i in (0, 7, 19):
        sample, label = per_sample[i]
        np.testing.assert_allclose(sample.numpy(), x[i], rtol=1e-6)
        assert int(label) == y[i]


def test_the_float_set_gives_what_the_per_batch_normalization_gives():
    images, labels = _images()
    mean, std = torch.tensor([10.0, 20.0, 30.0]), torch.tensor([2.0, 3.0, 4.0])
    floats = _FloatSet(images, labels, 8, mean, std)
    assert floats.x.dtype == torch.float32 and floats.x.nbytes == 4 * images.nbytes
    per_batch = Batches(
        torch.from_numpy(images), torch.from_numpy(labels), 8, mean=mean.tolist(), std=std.tolist(), layout="nchw"
    )  # seed 0, epoch 0: the same order as the float set's
    for (xf, yf), (xb, yb) in zip(floats, per_batch, strict=True):
        torch.testing.assert_close(xf, xb)
        assert torch.equal(yf, yb)


def _change(before, after, in_code=True):
    return Change(
        "k", "the code", "the other", "w", in_code, lambda data, is_after: {"seconds": after if is_after else before}
    )


@pytest.mark.parametrize(
    ("before", "after", "in_code", "verdict"),
    [
        (2.0, 1.0, True, "kept: faster"),
        (1.02, 1.0, True, "kept: no slower"),
        (1.0, 2.0, True, "check: slower than the alternative"),
        (1.0, 1.0, False, "not used: no faster"),
        (2.0, 1.0, False, "check: the alternative is faster"),
    ],
)
def test_the_verdict_compares_the_measurement_with_what_the_code_does(before, after, in_code, verdict):
    row = measure(_change(before, after, in_code), data=None, repeats=3)
    assert row["verdict"] == verdict
    assert row["speedup"] == pytest.approx(before / after)
    assert row["before_seconds"] == before and row["after_seconds"] == after


def test_the_markdown_table_has_one_line_per_change():
    rows = [measure(_change(2.0, 1.0), None, 1), measure(_change(1.0, 1.0), None, 1)]
    lines = markdown(rows).splitlines()
    assert len(lines) == 4 and "×2.00" in lines[2] and "×1.00" in lines[3]


def test_tuning_candidates_include_the_catalog_choice_itself_and_variants_of_it():
    chosen = get_experiment("mnist-linear").entry("linear-tuned").estimator
    assert any(candidate is chosen for candidate in CANDIDATES[("mnist", "linear-tuned")])
    variant = _variant(LINEAR, lr=0.05, width=8)
    assert variant.recipe.lr == 0.05 and variant.width == 8
    assert variant.recipe.with_(lr=chosen.recipe.lr) == chosen.recipe  # nothing else changed
    assert chosen.recipe.lr == 0.1  # the catalog's estimator is untouched
