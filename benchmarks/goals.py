"""The speed goals of the release, each checked against the benchmark's measurements."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Goal:
    experiment: str
    contestant: str
    accuracy: float | None  # mean test accuracy to reach (None: no accuracy part)
    seconds: float | None  # mean seconds to target (train + evaluation) at most
    rss_mb: float | None = None  # peak resident memory of the run at most
    peak_fraction: float | None = None  # achieved GFLOP/s / measured torch peak at least
    label: str = ""


GOALS = (
    Goal("mnist-linear", "linear-tuned", 0.92, 0.8, label="MNIST linear ≥ 0.92 in ≤ 0.8 s"),
    Goal("mnist-linear", "linear", 0.918, 3.0, label="seed 000 recipe in ≤ 3 s"),
    Goal("fashion-mlp", "mlp-tuned", 0.885, 12.0, label="Fashion-MNIST MLP ≥ 0.885 in ≤ 12 s"),
    Goal("fashion-softmax-scratch", "scratch-softmax", 0.82, 0.5, label="seed 004 in NumPy ≥ 0.82 in ≤ 0.5 s"),
    Goal("mnist-lenet", "lenet", 0.99, 60.0, label="MNIST CNN ≥ 0.99 in ≤ 60 s"),
    Goal("cifar-lenet", "lenet-tuned", 0.60, 60.0, label="CIFAR-10 LeNet ≥ 0.60 in ≤ 60 s"),
    Goal("cifar-lenet", "lenet-tuned", None, None, rss_mb=1200, label="CIFAR-10 training peak RSS ≤ 1.2 GB"),
    Goal("cifar-lenet", "lenet-fast", 0.60, 12.0, label="moonshot: CIFAR-10 LeNet ≥ 0.60 in ≤ 12 s"),
    Goal("fashion-mlp", "mlp-tuned", None, None, peak_fraction=0.30, label="MLP matmuls ≥ 30 % of measured peak"),
    Goal("mnist-shootout", "rbf-nystroem", 0.97, 60.0, label="kernel SVM on MNIST ≥ 0.97 in ≤ 60 s"),
    Goal("mnist-shootout", "rbf-pca-nystroem-1200", 0.965, 6.0, label="MNIST kernel SVM ≥ 0.965 in ≤ 6 s"),
)


def check(goal: Goal, row: dict | None, peak_gflops: float) -> tuple[bool | None, str]:
    """(met, what was measured) for ``goal`` against the aggregated row of its contestant."""
    if row is None:
        return None, "not run"
    parts, met = [], True
    if goal.accuracy is not None:
        met &= row["accuracy_mean"] >= goal.accuracy
        parts.append(f"acc {row['accuracy_mean']:.4f}")
    if goal.seconds is not None:
        met &= row["seconds_mean"] <= goal.seconds
        parts.append(f"{row['seconds_mean']:.2f} s")
    if goal.rss_mb is not None:
        met &= row["rss_mb_max"] <= goal.rss_mb
        parts.append(f"RSS {row['rss_mb_max']:.0f} MB")
    if goal.peak_fraction is not None:
        fraction = (row.get("gflops_mean") or 0.0) / peak_gflops
        met &= fraction >= goal.peak_fraction
        parts.append(f"{100 * fraction:.0f} % of peak")
    return bool(met), ", ".join(parts)
