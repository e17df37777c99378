"""Two contestants on many datasets: a paired table, mean ± std, wins / ties / losses and paired tests.

Each dataset is one pair of observations (the same points for both), so the comparison is paired: the
Wilcoxon signed-rank test on the per-dataset differences (no normality assumed) and the paired t-test
beside it, both from SciPy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import stats

from shootout.experiments.spec import Shown, Table

TIE = 1e-9  # accuracies this close are one result


def paired_summary(first: str, second: str) -> Callable[[list[dict[str, Any]]], Shown]:
    """A summary for an experiment whose results come in groups ``first`` and ``second``, one per dataset."""

    def summarize(results: list[dict[str, Any]]) -> Shown:
        return paired_comparison(results, first, second)

    return summarize


def paired_comparison(results: list[dict[str, Any]], first: str, second: str) -> Shown:
    """Pair the results of groups ``first`` and ``second`` by their ``data`` label and compare them."""
    by_data: dict[str, dict[str, dict[str, Any]]] = {}
    for result in results:
        by_data.setdefault(result.get("data", ""), {})[result.get("group", result["model"])] = result
    pairs = [(data, group[first], group[second]) for data, group in by_data.items() if {first, second} <= set(group)]
    shown = Shown()
    if not pairs:
        shown.facts["paired datasets"] = 0
        return shown
    rows = []
    for data, a, b in pairs:
        gap = a["test_accuracy"] - b["test_accuracy"]
        winner = "tie" if abs(gap) <= TIE else (first if gap > 0 else second)
        rows.append(
            (
                data,
                f"{a['test_accuracy']:.4f}",
                f"{b['test_accuracy']:.4f}",
                f"{a.get('average_precision', float('nan')):.4f}",
                f"{b.get('average_precision', float('nan')):.4f}",
                winner,
            )
        )
    columns = ("dataset", f"{first} accuracy", f"{second} accuracy", f"{first} AP", f"{second} AP", "better")
    shown.tables.append(Table(f"{first} against {second}, one row per dataset", columns, tuple(rows)))
    accuracy = {name: np.array([p[i]["test_accuracy"] for p in pairs]) for i, name in ((1, first), (2, second))}
    ap = {
        name: np.array([p[i].get("average_precision", np.nan) for p in pairs]) for i, name in ((1, first), (2, second))
    }
    summary = tuple(
        (
            name,
            f"{accuracy[name].mean():.4f} ± {accuracy[name].std(ddof=1) if len(pairs) > 1 else 0.0:.4f}",
            f"{np.nanmean(ap[name]):.4f} ± {np.nanstd(ap[name], ddof=1) if len(pairs) > 1 else 0.0:.4f}",
        )
        for name in (first, second)
    )
    shown.tables.insert(0, Table(f"over {len(pairs)} datasets", ("contestant", "accuracy", "AP"), summary))
    gaps = accuracy[first] - accuracy[second]
    wins, losses = int(np.sum(gaps > TIE)), int(np.sum(gaps < -TIE))
    shown.facts[f"{first} wins / ties / losses against {second}"] = f"{wins} / {len(gaps) - wins - losses} / {losses}"
    shown.facts["paired datasets"] = len(pairs)
    shown.facts.update(_paired_tests(gaps))
    return shown


def _paired_tests(gaps: np.ndarray) -> dict[str, Any]:
    """p-values of the Wilcoxon signed-rank test and the paired t-test on the accuracy differences."""
    if len(gaps) < 2 or np.all(np.abs(gaps) <= TIE):
        return {"paired tests": "not computed: fewer than two datasets, or no difference on any"}
    wilcoxon = stats.wilcoxon(gaps, zero_method="zsplit")  # ties split between the signs
    t_test = stats.ttest_1samp(gaps, 0.0)  # the paired t-test is the one-sample test of the differences
    return {
        "Wilcoxon signed-rank p-value (accuracy)": float(wilcoxon.pvalue),
        "paired t-test p-value (accuracy)": float(t_test.pvalue),
        "mean accuracy difference": float(gaps.mean()),
    }
