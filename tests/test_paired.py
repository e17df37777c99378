"""Two contestants over many datasets: the paired table, wins / ties / losses and the paired tests."""

import json

import numpy as np
import pytest
from scipy import stats

from shootout.experiments import RunOptions, run_experiment
from shootout.experiments.paired import paired_comparison


def _results(first, second):
    rows = []
    for i, (a, b) in enumerate(zip(first, second, strict=True)):
        rows.append({"model": f"net-{i}", "group": "net", "data": f"d{i}", "test_accuracy": a, "average_precision": a})
        rows.append({"model": f"svm-{i}", "group": "svm", "data": f"d{i}", "test_accuracy": b, "average_precision": b})
    return rows


def test_pairs_are_matched_by_dataset_and_counted():
    shown = paired_comparison(_results([0.9, 0.8, 0.7, 0.6], [0.8, 0.8, 0.9, 0.5]), "net", "svm")
    assert shown.facts["net wins / ties / losses against svm"] == "2 / 1 / 1"
    assert shown.facts["paired datasets"] == 4
    per_dataset = shown.tables[1]
    assert [row[0] for row in per_dataset.rows] == ["d0", "d1", "d2", "d3"]
    assert [row[-1] for row in per_dataset.rows] == ["net", "tie", "svm", "net"]
    mean, std = np.mean([0.9, 0.8, 0.7, 0.6]), np.std([0.9, 0.8, 0.7, 0.6], ddof=1)
    assert shown.tables[0].rows[0][1] == f"{mean:.4f} ± {std:.4f}"


def test_the_paired_tests_are_scipys_on_the_differences():
    rng = np.random.default_rng(0)
    second = rng.uniform(0.7, 0.9, 12)
    first = second + rng.normal(0.05, 0.02, 12)
    facts = paired_comparison(_results(first, second), "net", "svm").facts
    assert facts["paired t-test p-value (accuracy)"] == pytest.approx(stats.ttest_rel(first, second).pvalue)
    assert facts["Wilcoxon signed-rank p-value (accuracy)"] < 0.01  # every difference positive


def test_no_difference_anywhere_computes_no_test():
    facts = paired_comparison(_results([0.8, 0.9], [0.8, 0.9]), "net", "svm").facts
    assert facts["net wins / ties / losses against svm"] == "0 / 2 / 0"
    assert "not computed" in facts["paired tests"]


def test_gmm_many_pairs_the_net_and_the_svm_on_every_mixture(tmp_path):
    folder = run_experiment("gmm-many", RunOptions(epochs=20), out=tmp_path / "run", log=None, progress=False)
    metrics = json.loads((folder / "metrics.json").read_text())
    assert len(metrics["results"]) == 40 and metrics["summary"]["facts"]["paired datasets"] == 20
    assert not (folder / "pictures").exists() or not any((folder / "pictures").glob("*-confusion.png"))
    shifted = run_experiment("gmm-many", RunOptions(epochs=20, seed=1), out=tmp_path / "b", log=None, progress=False)
    first = json.loads((shifted / "metrics.json").read_text())["results"]
    # --seed 1 shifts the set by one: its mixture i is mixture i + 1 of seed 0, the same points
    assert first[1]["confusion_matrix"] == metrics["results"][3]["confusion_matrix"]  # ksvm on mixture 1
