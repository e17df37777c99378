"""The demonstrations: runs without contestants that show a computation (linreg, filters)."""

import csv
import json

import numpy as np
import pytest

from shootout.cli import main
from shootout.experiments import OptionsError, RunOptions, demos, run_experiment


def test_linreg_shows_hand_and_autograd_gradients_side_by_side(tmp_path, capsys):
    assert main(["run", "linreg", "--out", str(tmp_path / "run")]) == 0  # 1,000 steps
    out = capsys.readouterr().out
    assert "dL/da by hand" in out and "dL/da autograd" in out
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["results"] == []
    summary = metrics["demonstration"]["tables"][0]
    assert summary["rows"][0][:3] == ["lab points (1,3), (2,5)", "2.000000", "1.000000"]  # y = 2x + 1 exactly
    facts = metrics["demonstration"]["facts"]
    assert all(gap < 1e-12 for gap in facts.values())
    with (tmp_path / "run" / "history.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 2 * 1000
    assert {"data", "step", "loss", "grad_a", "autograd_a", "grad_b", "autograd_b"} <= set(rows[0])
    assert all(abs(float(r["grad_a"]) - float(r["autograd_a"])) < 1e-12 for r in rows)
    html = (tmp_path / "run" / "report.html").read_text()
    assert "dL/db autograd" in html and html.count("<img") == 2


def test_linreg_noisy_points_follow_the_seed():
    first, again, other = (demos._noisy_line(seed) for seed in (1, 1, 2))
    assert np.array_equal(first[1], again[1]) and not np.array_equal(first[1], other[1])


def test_filters_draws_each_dataset_and_checks_the_identity(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    fake = {
        "cifar-10": (rng.integers(0, 256, (20, 32, 32, 3), dtype=np.uint8), np.arange(20) % 10),
        "mnist": (rng.integers(0, 256, (20, 28, 28, 1), dtype=np.uint8), np.arange(20) % 10),
    }
    monkeypatch.setattr(demos, "load", lambda name, split, **kwargs: fake[name])
    folder = run_experiment("filters", out=tmp_path / "run", log=None)
    metrics = json.loads((folder / "metrics.json").read_text())
    assert metrics["demonstration"]["facts"]["identity_returns_the_image"] is True
    kernels = {row[0]: row[1] for row in metrics["demonstration"]["tables"][0]["rows"]}
    assert kernels["blur"].startswith("1/9 1/9 1/9") and kernels["edge"] == "-1 -2 -1 / 0 0 0 / 1 2 1"
    assert [p["file"] for p in metrics["pictures"]] == ["pictures/filters-cifar-10.png", "pictures/filters-mnist.png"]


def test_a_demonstration_has_no_contestants_to_choose():
    with pytest.raises(OptionsError, match="is a demonstration"):
        run_experiment("linreg", RunOptions(only=("x",)), log=None)


def test_linreg_epochs_sets_the_number_of_steps(tmp_path):
    folder = run_experiment("linreg", RunOptions(epochs=7), out=tmp_path / "run", log=None)
    assert (folder / "history.csv").read_text().count("\n") == 1 + 2 * 7
