import numpy as np
import pytest

from shootout.data import sample_gauss_2d, sample_gmm_2d


def test_gauss_2d_gives_n_points_per_class_with_int_labels():
    X, Y_ = sample_gauss_2d(3, 40, rng=0)
    assert X.shape == (120, 2) and X.dtype == np.float64
    assert Y_.shape == (120,) and Y_.dtype == np.int64
    assert np.bincount(Y_).tolist() == [40, 40, 40]


def test_gmm_2d_gives_k_times_n_points_with_labels_below_c():
    X, Y_ = sample_gmm_2d(6, 2, 10, rng=1)
    assert X.shape == (60, 2) and Y_.shape == (60,)
    assert set(Y_.tolist()) <= {0, 1}
    # each component's N points share one class
    assert all(len(set(Y_[k * 10 : (k + 1) * 10].tolist())) == 1 for k in range(6))


def test_same_seed_same_sample_and_other_seed_other_sample():
    a, b, c = sample_gmm_2d(4, 2, 30, rng=7), sample_gmm_2d(4, 2, 30, rng=7), sample_gmm_2d(4, 2, 30, rng=8)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_a_generator_can_be_passed_and_is_advanced():
    rng = np.random.default_rng(0)
    first, second = sample_gauss_2d(2, 5, rng=rng), sample_gauss_2d(2, 5, rng=rng)
    assert not np.array_equal(first[0], second[0])


def test_class_means_lie_in_the_sampling_square():
    X, Y_ = sample_gauss_2d(5, 2000, rng=3)
    means = np.array([X[c == Y_].mean(axis=0) for c in range(5)])
    assert np.all((means > -1) & (means < 11))


@pytest.mark.parametrize("args", [(0, 10), (2, 0)])
def test_empty_requests_are_refused(args):
    with pytest.raises(ValueError, match="sample_gauss_2d needs"):
        sample_gauss_2d(*args)
