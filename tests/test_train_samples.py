"""--train-samples: every contestant trains on a seeded, stratified subset; the run says how many."""

import json

import numpy as np
import pytest

from shootout.data import Splits
from shootout.experiments import OptionsError, RunOptions, run_experiment
from tests.cli_calls import usage_error


def test_a_train_subset_keeps_class_proportions_and_is_seeded():
    y = np.repeat(np.arange(3), [60, 30, 10])
    splits = Splits(np.arange(100.0)[:, None], y, np.zeros((4, 1)), np.zeros(4, np.int64), ("a", "b", "c"))
    subset = splits.with_train_subset(20, seed=1)
    assert np.bincount(subset.train_y).tolist() == [12, 6, 2]
    assert np.array_equal(subset.train_x[:, 0], splits.with_train_subset(20, seed=1).train_x[:, 0])
    assert not np.array_equal(subset.train_x[:, 0], splits.with_train_subset(20, seed=2).train_x[:, 0])
    assert subset.test_x is splits.test_x


def test_train_samples_trains_on_a_stratified_subset_and_says_how_many(tmp_path):
    options = RunOptions(train_samples=100, only=("scratch-softmax",))
    folder = run_experiment("digits", options, out=tmp_path / "run", log=None, progress=False)
    metrics = json.loads((folder / "metrics.json").read_text())
    assert metrics["train_samples"] == 100 and metrics["train_samples_available"] == 1437
    assert metrics["results"][0]["test_accuracy"] > 0.5  # learned something from 10 per class
    assert "stratified subset of 100 of the 1,437 training samples" in (folder / "report.html").read_text()


def test_train_samples_fewer_than_the_classes_is_ausage_error(capsys):
    assert "at least one sample per class" in usage_error(["run", "digits", "--train-samples", "5"], capsys)


def test_train_samples_is_fixed_on_resume():
    with pytest.raises(OptionsError, match="--train-samples 50"):
        RunOptions(train_samples=100).resumed_with(train_samples=50)
