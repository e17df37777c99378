"""benchmarks.svm_row: the choice per target is made on validation accuracy and seconds alone."""

import numpy as np
import pytest

from benchmarks.svm_row import CANDIDATES, TODAY, Candidate, choose, measure, table


def _candidate(name: str) -> Candidate:
    return Candidate(name, name, lambda seed: None)


# name -> per repeat (accuracy, wall s, CPU s)
RESULTS = {
    TODAY: [(0.972, 30.0, 60.0), (0.973, 32.0, 62.0)],
    "quick-but-short": [(0.960, 0.5, 1.0), (0.962, 0.6, 1.1)],
    "quick": [(0.968, 1.0, 2.0), (0.969, 1.2, 2.2)],
    "accurate": [(0.975, 3.0, 6.0), (0.976, 3.2, 6.4)],
}
CHOICES = [_candidate(n) for n in RESULTS]


def test_each_target_goes_to_the_fastest_candidate_that_clears_it_with_the_margin():
    assert choose(CHOICES, RESULTS, margin=0.002, by="wall") == {0.965: "quick", 0.97: "accurate"}
    # a margin no candidate clears leaves the target without a choice
    assert choose(CHOICES, RESULTS, margin=0.01, by="wall") == {0.965: "accurate", 0.97: None}


def test_the_table_gives_each_candidate_its_mean_accuracy_and_its_speedup_over_today():
    lines = table(CHOICES, RESULTS, "validation", "wall")
    quick = next(line for line in lines if line.startswith("| quick |"))
    assert "0.9685 ± 0.0007" in quick
    assert quick.rstrip(" |").endswith("28.3")  # the median over repeats of 30 / 1.0 and 32 / 1.2


def test_the_candidate_names_are_unique_and_today_is_among_them():
    names = [c.name for c in CANDIDATES]
    assert len(names) == len(set(names)) and TODAY in names


def _dark_and_bright(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two classes of 8×8 one-channel uint8 images: pixels in 0…127 or in 128…255."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    x = (rng.integers(0, 128, size=(n, 8, 8, 1)) + 128 * y[:, None, None, None]).astype(np.uint8)
    return x, y


@pytest.mark.parametrize("name", ["ny-pca30-1000-10k", "svc-pca30-5k", "rff-pca30-2000-20k"])
def test_measure_fits_each_family_and_scores_it_on_the_evaluation_set(name):
    x, y = _dark_and_bright(300, 0)
    by_name = {c.name: c for c in CANDIDATES}
    accuracy, wall, cpu = measure(by_name[name], 0, x[:200], y[:200], x[200:], y[200:])
    assert accuracy > 0.95 and wall > 0 and cpu > 0
