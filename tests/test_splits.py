"""stratified_subsample: the SVMs' capped training set keeps the class proportions of the full one."""

import numpy as np
import pytest

from shootout.data import stratified_subsample


def _imbalanced_labels(seed: int = 0) -> np.ndarray:
    """1,000 labels over 5 classes holding 40 %, 30 %, 15 %, 10 % and 5 %, shuffled."""
    y = np.repeat(np.arange(5), [400, 300, 150, 100, 50])
    return np.random.default_rng(seed).permutation(y)


@pytest.mark.parametrize("size", [37, 100, 333, 990])
@pytest.mark.parametrize("seed", [0, 1])
def test_each_class_share_is_kept_within_one_sample(size, seed):
    y = _imbalanced_labels()
    picked = y[stratified_subsample(y, size, seed)]
    for c in np.unique(y):
        expected = size * np.mean(y == c)  # the class's share of the full set, in samples
        assert abs(np.sum(picked == c) - expected) <= 1, (c, np.sum(picked == c), expected)


def test_the_subsample_is_size_distinct_sorted_indices():
    index = stratified_subsample(_imbalanced_labels(), 250, seed=0)
    assert len(index) == 250 and len(np.unique(index)) == 250 and np.all(np.diff(index) > 0)


def test_a_size_of_at_least_the_set_keeps_every_sample():
    y = _imbalanced_labels()
    np.testing.assert_array_equal(stratified_subsample(y, len(y), seed=0), np.arange(len(y)))


def test_the_same_seed_gives_the_same_subsample_and_another_seed_another():
    y = _imbalanced_labels()
    first = stratified_subsample(y, 100, seed=3)
    np.testing.assert_array_equal(first, stratified_subsample(y, 100, seed=3))
    assert not np.array_equal(first, stratified_subsample(y, 100, seed=4))
