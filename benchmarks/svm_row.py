"""``python -m benchmarks.svm_row``: which RBF kernel machine reaches 0.965 (and 0.97) on MNIST fastest.

Every candidate is a scikit-learn estimator that takes the uint8 images as the contestants do. Each is
fitted on the training split less a held-out validation set (10,000 of the 60,000 training images, drawn
from the repeat's seed) and scored on that validation set; the choice is made on validation accuracy
alone. Timing covers ``fit`` on the images already in memory (subsampling, conversion, PCA, kernel,
solve) plus ``predict`` on the 10,000 validation images, as many as the official test split has: wall
seconds, and the process's CPU seconds (summed over its threads: on a machine shared with other jobs
it moves less than wall time). Repeat r uses seed r and runs the candidates in the opposite order to
repeat r - 1; accuracy is mean ± std over the repeats, seconds are medians, and "× today" is the median
over repeats of the ratio of seconds (``--choose-by``: wall or CPU) to today's ``rbf-nystroem`` (4,000
landmarks on every image).

Then, for each target, the fastest candidate (``--choose-by`` wall or CPU seconds) whose mean validation
accuracy clears the target by ``--margin`` is chosen, and the chosen ones are measured on the official
split: fitted on all 60,000 training images, scored on the 10,000 test images (``--test`` names the
candidates to measure instead).

On a machine shared with other jobs, ``--threads 1 --choose-by cpu`` measures the work itself: one thread
per library, no thread waiting for a descheduled sibling, and CPU seconds that move little with the load.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.decomposition import PCA
from sklearn.kernel_approximation import RBFSampler
from sklearn.linear_model import LogisticRegression, RidgeClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from threadpoolctl import threadpool_limits

from benchmarks.machine import describe_machine, load_averages
from shootout.data import load
from shootout.data.splits import stratified_subsample
from shootout.estimators import TorchNet
from shootout.estimators.base import as_matrix
from shootout.svm import SVM, NystroemSVM
from shootout.svm.estimators import scale_gamma
from shootout.svm.nystroem import EighNystroem
from shootout.train import Recipe
from shootout.train.prepare import split_validation

TARGETS = (0.965, 0.97)
PIXELS = {"scale": 255.0, "dtype": np.float32}  # as_matrix's arguments: the images as the contestants see them
VALIDATION = 10_000  # held out of the 60,000 training images: as many as the test split
TODAY = "rbf-nystroem"


class Subsampled(ClassifierMixin, BaseEstimator):
    """``estimator`` fitted on a seeded, class-stratified subsample of ``size`` samples (inside the timing)."""

    def __init__(self, estimator: Any, size: int, seed: int = 0) -> None:
        self.estimator, self.size, self.seed = estimator, size, seed

    def fit(self, X: np.ndarray, y: np.ndarray) -> Subsampled:
        keep = stratified_subsample(y, self.size, self.seed)
        self.fitted_ = clone(self.estimator).fit(X[keep], y[keep])
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.fitted_.predict(X)


class ScaledRBFSampler(RBFSampler):
    """Random Fourier features with SVC's ``gamma="scale"`` (times ``width``): 1 / (D · Var X) of the data."""

    def __init__(self, width: float = 1.0, n_components: int = 100, random_state: int | None = None) -> None:
        super().__init__(n_components=n_components, random_state=random_state)
        self.width = width

    def fit(self, X: np.ndarray, y: Any = None) -> ScaledRBFSampler:
        self.gamma = self.width * scale_gamma(X)
        return super().fit(X, y)


class ScaledNystroem(EighNystroem):
    """:class:`EighNystroem` with SVC's ``gamma="scale"`` taken from the data at ``fit``."""

    def fit(self, X: np.ndarray, y: Any = None) -> ScaledNystroem:
        self.gamma = scale_gamma(X)
        return super().fit(X, y)


def _pca_then(seed: int, k: int, *steps: Any) -> Any:
    return make_pipeline(FunctionTransformer(as_matrix, kw_args=PIXELS), PCA(k, random_state=seed), *steps)


@dataclass(frozen=True)
class Candidate:
    name: str
    what: str
    build: Callable[[int], Any]  # seed -> an unfitted estimator taking uint8 images


def _nystroem(k: int | None, m: int, n: int | None, alpha: float = 0.01) -> Callable[[int], Any]:
    return lambda seed: NystroemSVM(n_components=m, alpha=alpha, pca_components=k, max_train=n, seed=seed)


CANDIDATES = (
    Candidate(TODAY, "NystroemSVM: 4,000 landmarks on the pixels, ridge, all 50,000", _nystroem(None, 4000, None, 1.0)),
    Candidate("svc-pca30-5k", "SVM: PCA 30 + exact RBF SVC (C 10), 5,000", lambda s: _svc(s, 30, 5000)),
    Candidate("svc-pca30-10k", "SVM: PCA 30 + exact RBF SVC (C 10), 10,000", lambda s: _svc(s, 30, 10_000)),
    Candidate("svc-pca30-15k", "SVM: PCA 30 + exact RBF SVC (C 10), 15,000", lambda s: _svc(s, 30, 15_000)),
    Candidate("svc-pca30-20k", "SVM: PCA 30 + exact RBF SVC (C 10), 20,000", lambda s: _svc(s, 30, 20_000)),
    Candidate("ny-pixels-1000-20k", "NystroemSVM: pixels, 1,000 landmarks, 20,000", _nystroem(None, 1000, 20_000)),
    Candidate("ny-pca30-1000-10k", "NystroemSVM: PCA 30, 1,000 landmarks, 10,000", _nystroem(30, 1000, 10_000)),
    Candidate("ny-pca30-1000-20k", "NystroemSVM: PCA 30, 1,000 landmarks, 20,000", _nystroem(30, 1000, 20_000)),
    Candidate("ny-pca35-1000-20k", "NystroemSVM: PCA 35, 1,000 landmarks, 20,000", _nystroem(35, 1000, 20_000)),
    Candidate("ny-pca30-1000-30k", "NystroemSVM: PCA 30, 1,000 landmarks, 30,000", _nystroem(30, 1000, 30_000)),
    Candidate("ny-pca30-1200-20k", "NystroemSVM: PCA 30, 1,200 landmarks, 20,000", _nystroem(30, 1200, 20_000)),
    Candidate("ny-pca30-1500-20k", "NystroemSVM: PCA 30, 1,500 landmarks, 20,000", _nystroem(30, 1500, 20_000)),
    Candidate("ny-pca30-2000-20k", "NystroemSVM: PCA 30, 2,000 landmarks, 20,000", _nystroem(30, 2000, 20_000)),
    Candidate(
        "ny-pca30-1000-20k-logistic",
        "PCA 30 + Nystroem 1,000 + LogisticRegression (lbfgs, C 100, 100 iterations), 20,000",
        lambda s: _head(s, 1000, 20_000, LogisticRegression(C=100.0, max_iter=100)),
    ),
    Candidate(
        "ny-pca30-1000-20k-torch",
        "PCA 30 + Nystroem 1,000 + TorchNet logreg (Adam 3e-3, batch 256, 8 epochs, one-cycle), 20,000",
        lambda s: _head(s, 1000, 20_000, _torch_head(s)),
    ),
    Candidate(
        "rff-pca30-2000-20k",
        "PCA 30 + RBFSampler 2,000 random features + ridge, 20,000",
        lambda s: _rff(s, 2000, 20_000),
    ),
    Candidate(
        "rff-pca30-4000-20k",
        "PCA 30 + RBFSampler 4,000 random features + ridge, 20,000",
        lambda s: _rff(s, 4000, 20_000),
    ),
)


def _svc(seed: int, k: int, n: int) -> SVM:
    return SVM(kernel="rbf", C=10.0, gamma="scale", pca_components=k, max_train=n, seed=seed)


def _head(seed: int, m: int, n: int, head: Any) -> Any:
    return Subsampled(_pca_then(seed, 30, ScaledNystroem(n_components=m, random_state=seed), head), n, seed)


def _torch_head(seed: int) -> TorchNet:
    recipe = Recipe(optimizer="adam", lr=3e-3, batch_size=256, epochs=8, schedule="onecycle", seed=seed, device="cpu")
    return TorchNet("logreg", recipe=recipe)


def _rff(seed: int, D: int, n: int) -> Any:
    return Subsampled(
        _pca_then(seed, 30, ScaledRBFSampler(n_components=D, random_state=seed), RidgeClassifier(alpha=0.01)),
        n,
        seed,
    )


def measure(candidate: Candidate, seed: int, x: np.ndarray, y: np.ndarray, x_eval: np.ndarray, y_eval: np.ndarray):
    """(accuracy on the evaluation set, wall seconds, CPU seconds) of one fit + predict."""
    estimator = candidate.build(seed)
    wall, cpu = time.perf_counter(), time.process_time()
    predicted = estimator.fit(x, y).predict(x_eval)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return float(np.mean(predicted == y_eval)), wall, cpu


def run(candidates: list[Candidate], repeats: int, x: np.ndarray, y: np.ndarray, x_eval=None, y_eval=None):
    """name -> list of (accuracy, wall, cpu), one per repeat; without an evaluation set, a validation split."""
    results: dict[str, list[tuple[float, float, float]]] = {c.name: [] for c in candidates}
    for repeat in range(repeats):
        if x_eval is None:
            train, held = split_validation(len(y), VALIDATION / len(y), seed=repeat)
            data = (x[train], y[train], x[held], y[held])
        else:
            data = (x, y, x_eval, y_eval)
        for candidate in candidates if repeat % 2 == 0 else candidates[::-1]:
            results[candidate.name].append(measure(candidate, repeat, *data))
            accuracy, wall, cpu = results[candidate.name][-1]
            print(f"  repeat {repeat}: {candidate.name}: {accuracy:.4f}, {wall:.2f} s ({cpu:.2f} s CPU)", flush=True)
    return results


def table(candidates: list[Candidate], results: dict[str, list], split: str, by: str) -> list[str]:
    """Markdown rows: accuracy mean ± std, wall and CPU seconds (medians), how many times faster than today's
    contestant (the median over repeats of the ratio of ``by`` seconds, wall or cpu)."""
    today, column = results.get(TODAY), {"wall": 1, "cpu": 2}[by]
    lines = [
        f"| candidate | what | {split} accuracy (mean ± std) | wall s (median) | CPU s (median) | × today ({by}) |",
        "|---|---|---|---|---|---|",
    ]
    for candidate in candidates:
        runs = results[candidate.name]
        accuracy, wall, cpu = zip(*runs, strict=True)
        spread = statistics.stdev(accuracy) if len(accuracy) > 1 else 0.0
        speedup = (
            f"{statistics.median(t[column] / r[column] for t, r in zip(today, runs, strict=True)):.1f}"
            if today and candidate.name != TODAY
            else ""
        )
        lines.append(
            f"| {candidate.name} | {candidate.what} | {statistics.fmean(accuracy):.4f} ± {spread:.4f} | "
            f"{statistics.median(wall):.2f} | {statistics.median(cpu):.2f} | {speedup} |"
        )
    return lines


def choose(candidates: list[Candidate], results: dict[str, list], margin: float, by: str) -> dict[float, str | None]:
    """Per target: the candidate of least median seconds (``by``: wall or cpu) whose mean validation accuracy
    is at least target + margin."""
    column = {"wall": 1, "cpu": 2}[by]
    chosen = {}
    for target in TARGETS:
        passing = [c.name for c in candidates if statistics.fmean(r[0] for r in results[c.name]) >= target + margin]
        chosen[target] = min(passing, key=lambda n: statistics.median(r[column] for r in results[n]), default=None)
    return chosen


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.svm_row", description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", nargs="+", default=None, help="candidate names (default: all)")
    parser.add_argument("--skip", nargs="+", default=(), help="candidate names to leave out")
    parser.add_argument("--margin", type=float, default=0.002, help="validation accuracy above the target to choose")
    parser.add_argument(
        "--choose-by",
        choices=("wall", "cpu"),
        default="wall",
        help="seconds to choose by: wall, or CPU (with --threads 1 on a shared machine: the work, whatever the load)",
    )
    parser.add_argument("--test", nargs="*", default=None, help="measure these on the test split (default: chosen)")
    parser.add_argument("--test-repeats", type=int, default=3)
    parser.add_argument(
        "--threads", type=int, default=None, help="BLAS/OpenMP and torch threads (default: the libraries' own)"
    )
    args = parser.parse_args(argv)
    if args.threads is not None:  # for the whole process: every library's pool, and torch's
        threadpool_limits(args.threads)
        torch.set_num_threads(args.threads)
    by_name = {c.name: c for c in CANDIDATES}
    unknown = (set(args.only or ()) | set(args.skip) | set(args.test or ())) - set(by_name)
    if unknown:
        parser.error(f"unknown candidate(s): {', '.join(sorted(unknown))}")
    candidates = [c for c in CANDIDATES if (args.only is None or c.name in args.only) and c.name not in args.skip]
    machine = describe_machine()
    started = time.strftime("%Y-%m-%d %H:%M")
    print(
        f"{started}, {machine['cpu']}, {machine['cores']} cores, threads {args.threads or 'default'} "
        f"(torch {torch.get_num_threads()}), "
        f"Python {machine['python']}, torch {machine['torch']}, NumPy {machine['numpy']}, "
        f"scikit-learn {machine['scikit-learn']}; load average at start "
        f"{_load_text()}",
        flush=True,
    )
    x, y = load("mnist", "train")
    print(f"validation: {VALIDATION:,} of the 60,000 training images held out (seed = repeat); {args.repeats} repeats")
    results = run(candidates, args.repeats, x, y)
    print()
    print("\n".join(table(candidates, results, "validation", args.choose_by)))
    chosen = choose(candidates, results, args.margin, args.choose_by)
    for target, name in chosen.items():
        print(
            f"target {target}: {name or 'no candidate'} (least {args.choose_by} seconds with validation accuracy "
            f"≥ {target + args.margin:.3f})"
        )
    names = args.test if args.test is not None else sorted({n for n in chosen.values() if n}, key=list(by_name).index)
    if not names:
        return
    x_test, y_test = load("mnist", "test")
    print(
        f"\ntest split: fitted on all 60,000 training images, scored on the 10,000 test images; load average "
        f"{_load_text()}"
    )
    tested = [by_name[n] for n in names]
    test_results = run(tested, args.test_repeats, x, y, x_test, y_test)
    print()
    print("\n".join(table(tested, test_results, "test", args.choose_by)))
    print(f"finished {time.strftime('%Y-%m-%d %H:%M')}; load average {_load_text()}")


def _load_text() -> str:
    averages = load_averages()
    return "unknown" if averages is None else ", ".join(f"{v:.1f}" for v in averages)


if __name__ == "__main__":
    main()
