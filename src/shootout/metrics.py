"""Evaluation: accuracy, precision and recall, confusion matrix, average precision, top-k accuracy.

The lab's names keep the lab's return shapes; the counting is scikit-learn's wherever it already
does the same thing. NumPy arrays in, plain floats and arrays out (torch callers pass ``.numpy()``).
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import average_precision_score, confusion_matrix, top_k_accuracy_score


def _labels(Y: np.ndarray, Y_: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    Y, Y_ = np.asarray(Y).ravel(), np.asarray(Y_).ravel()
    if Y.shape != Y_.shape:
        raise ValueError(f"predictions {Y.shape} and true labels {Y_.shape} differ in length")
    if len(Y_) == 0:
        raise ValueError("cannot evaluate on zero samples")
    return Y.astype(np.int64), Y_.astype(np.int64)


def _ratio(num: float, den: float) -> float:
    return float(num / den) if den else 0.0


def eval_perf_binary(Y: np.ndarray, Y_: np.ndarray) -> tuple[float, float, float]:
    """(accuracy, recall, precision) of 0/1 predictions ``Y`` against true 0/1 labels ``Y_``.

    Recall or precision with an empty denominator is 0.
    """
    Y, Y_ = _labels(Y, Y_)
    (tn, fp), (fn, tp) = confusion_matrix(Y_, Y, labels=[0, 1])
    return _ratio(tp + tn, len(Y_)), _ratio(tp, tp + fn), _ratio(tp, tp + fp)


def eval_perf_multi(
    Y: np.ndarray, Y_: np.ndarray, num_classes: int | None = None
) -> tuple[float, list[tuple[float, float]], np.ndarray]:
    """(accuracy, [(recall_i, precision_i) per class], confusion matrix M).

    ``M[i, j]`` counts samples of true class i predicted as j (rows: truth, columns: prediction).
    """
    Y, Y_ = _labels(Y, Y_)
    C = num_classes if num_classes is not None else int(max(Y.max(), Y_.max())) + 1
    M = confusion_matrix(Y_, Y, labels=np.arange(C))
    hits = np.diag(M)
    pr = [(_ratio(hits[i], M[i, :].sum()), _ratio(hits[i], M[:, i].sum())) for i in range(C)]
    return _ratio(hits.sum(), M.sum()), pr, M


def eval_AP(ranked_labels: np.ndarray) -> float:
    """Average precision of 0/1 labels sorted by the classifier's score, lowest score first.

    For each positive at rank i, precision counts the positives among the samples scored at least as
    high (positions i..n-1); AP is their mean. Equals scikit-learn's ``average_precision_score``
    when scores are distinct.
    """
    ranked = np.asarray(ranked_labels, dtype=np.int64).ravel()
    positives = int(ranked.sum())
    if positives == 0:
        return 0.0
    above = np.cumsum(ranked[::-1])[::-1]  # positives at or above each rank
    at_or_above = np.arange(len(ranked), 0, -1)  # samples at or above each rank
    return float(((above / at_or_above) * ranked).sum() / positives)


def macro_average_precision(scores: np.ndarray, Y_: np.ndarray) -> float:
    """Mean over classes of the one-vs-rest average precision of each class's column of ``scores`` (N × C).

    Classes absent from ``Y_`` have no positives, hence no AP, and are left out of the mean.
    """
    scores, Y_ = np.asarray(scores), np.asarray(Y_, dtype=np.int64).ravel()
    if scores.ndim != 2 or len(scores) != len(Y_):
        raise ValueError(f"scores must be N×C for the N labels, got shape {scores.shape} for {len(Y_)} labels")
    present = np.unique(Y_)
    one_vs_rest = Y_[:, None] == present[None, :]  # (N × classes present)
    return float(average_precision_score(one_vs_rest, scores[:, present], average="macro"))


def top_k_accuracy(scores: np.ndarray, Y_: np.ndarray, k: int = 5) -> float:
    """Fraction of samples whose true class is among the ``k`` highest scores (N × C)."""
    scores = np.asarray(scores)
    if scores.ndim != 2:
        raise ValueError(f"scores must be N×C, got shape {scores.shape}")
    if not 1 <= k <= scores.shape[1]:
        raise ValueError(f"k must lie in 1..{scores.shape[1]}, got {k}")
    if k == scores.shape[1]:
        return 1.0  # every class is in the top k (scikit-learn warns that this is meaningless)
    return float(top_k_accuracy_score(np.asarray(Y_), scores, k=k, labels=np.arange(scores.shape[1])))


def accuracy(Y: np.ndarray, Y_: np.ndarray) -> float:
    """Fraction of predictions equal to the true labels."""
    Y, Y_ = _labels(Y, Y_)
    return float(np.mean(Y == Y_))
