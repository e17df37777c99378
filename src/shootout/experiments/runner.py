"""Running an experiment: fit every contestant, measure it, draw it, write the run folder.

The run folder holds ``metrics.json`` (the contract: experiment, dataset, and per contestant model,
test_accuracy, train_seconds, epochs, params — plus much more), ``history.csv``, the checkpoints, the
pictures and ``report.html``. Each contestant's outcome is saved as soon as it is known, so a resumed
run skips finished contestants and continues an interrupted one from its last checkpoint.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import clone

from shootout.estimators import SVM, Contestant, TorchNet
from shootout.experiments.catalog import get_experiment
from shootout.experiments.data import ExperimentData, load_experiment_data
from shootout.experiments.environment import environment
from shootout.experiments.pictures import draw_contestant
from shootout.experiments.report import write_report
from shootout.experiments.rundir import RunFolder, default_run_dir
from shootout.experiments.spec import Entry, Experiment
from shootout.metrics import eval_perf_multi, top_k_accuracy
from shootout.plots import learning_curves
from shootout.train import Recipe, resolve_device
from shootout.train.recipe import PRECISIONS
from shootout.train.trainer import warm_up_torch

TRAIN_ACCURACY_LIMIT = 20_000  # measure train accuracy directly only on sets up to this size


OVERRIDABLE = ("epochs", "seed", "device", "lr", "batch_size", "precision")  # command-line overrides of every recipe


def configure(estimator: Contestant, svm_samples: int | None = None, **overrides: Any) -> Contestant:
    """A fresh copy of ``estimator`` with the command line's overrides applied where they mean something.

    overrides : any of epochs, seed, device, lr, batch_size, precision (None: keep the recipe's). A torch
    contestant's recipe takes them all; other contestants take those that are their own parameters.
    svm_samples : the SVMs' training subsample (0: all).
    """
    unknown = set(overrides) - set(OVERRIDABLE)
    if unknown:
        raise TypeError(f"cannot override {', '.join(sorted(unknown))}")
    overrides = {k: v for k, v in overrides.items() if v is not None}
    estimator = clone(estimator)
    params = estimator.get_params(deep=False)
    if "recipe" in params:
        estimator.set_params(recipe=(params["recipe"] or Recipe()).with_(**overrides))
    estimator.set_params(**{k: v for k, v in overrides.items() if k in params and k != "recipe"})
    if svm_samples is not None and isinstance(estimator, SVM):
        estimator.set_params(max_train=svm_samples or None)
    return estimator


def describe(estimator: Contestant) -> dict[str, Any]:
    """The estimator's hyper-parameters as plain data (a recipe becomes its fields)."""
    plain = {}
    for key, value in estimator.get_params(deep=False).items():
        plain[key] = (
            value.to_dict() if isinstance(value, Recipe) else (list(value) if isinstance(value, tuple) else value)
        )
    plain["class"] = type(estimator).__name__
    return plain


def _train_accuracy(estimator: Contestant, data: ExperimentData) -> float | None:
    if len(data.train_x) <= TRAIN_ACCURACY_LIMIT:
        return float(estimator.score(data.train_x, data.train_y))
    history = getattr(estimator, "history_", None)
    return history[-1].get("train_accuracy") if history else None


def run_contestant(
    entry: Entry,
    estimator: Contestant,
    data: ExperimentData,
    folder: RunFolder,
    resume: bool,
    log: Callable[[str], None] | None,
    progress: bool | None,
) -> dict[str, Any]:
    """Fit, evaluate and draw one contestant; return its entry of metrics.json."""
    fit_params: dict[str, Any] = {}
    if isinstance(estimator, TorchNet):
        fit_params = dict(
            checkpoint=folder.path("checkpoints", f"{entry.name}.pt"),
            resume=resume,
            progress=progress,
            log=(lambda line: log(f"  {entry.name}: {line}")) if log else None,
        )
    started = time.perf_counter()
    estimator.fit(data.train_x, data.train_y, **fit_params)
    train_seconds = time.perf_counter() - started
    started = time.perf_counter()
    proba = estimator.predict_proba(data.test_x)
    predict_seconds = time.perf_counter() - started
    encoded_test = np.searchsorted(estimator.classes_, data.test_y)
    accuracy, pr, confusion = eval_perf_multi(proba.argmax(axis=1), encoded_test, len(estimator.classes_))
    losses = -np.log(np.clip(proba[np.arange(len(proba)), encoded_test], 1e-12, None))
    result: dict[str, Any] = {
        "model": entry.name,
        "test_accuracy": accuracy,
        "train_seconds": train_seconds,
        "epochs": int(estimator.epochs_),
        "params": int(estimator.n_params_),
        "target": entry.target,
        "met": None if entry.target is None else bool(accuracy >= entry.target),
        "note": entry.note,
        "train_accuracy": _train_accuracy(estimator, data),
        "test_loss": float(losses.mean()),
        "top5_accuracy": top_k_accuracy(proba, encoded_test, 5) if proba.shape[1] > 5 else None,
        "predict_seconds": predict_seconds,
        "per_class": [
            {"class": str(name), "recall": r, "precision": p}
            for name, (r, p) in zip(data.class_names, pr, strict=False)
        ],
        "confusion_matrix": confusion.tolist(),
        "recipe": describe(estimator),
        "history": list(getattr(estimator, "history_", [])),
    }
    if isinstance(estimator, TorchNet):
        subset = slice(0, min(len(data.train_x), 10_000))
        result["initial_loss"] = estimator.initial_loss(data.train_x[subset], data.train_y[subset])
        result["best_epoch"] = estimator.result_.best_epoch
        result["stopped_early"] = estimator.result_.stopped_early
        result["device"] = estimator.result_.device
    if isinstance(estimator, SVM):
        result["train_samples"] = estimator.train_samples_
        result["support_vectors"] = len(estimator.support_)
    pictures = draw_contestant(
        entry.name, estimator, data, proba, confusion, lambda filename: folder.path("pictures", filename)
    )
    result["pictures"] = [
        {"caption": caption, "file": str(path.relative_to(folder.work))} for caption, path in pictures
    ]
    return result


def history_csv(results: list[dict[str, Any]]) -> str:
    """Every contestant's per-epoch history in one table (a ``model`` column first)."""
    columns = ["model", "epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr", "seconds"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for result in results:
        for row in result["history"]:
            writer.writerow({"model": result["model"], **{k: ("" if v is None else v) for k, v in row.items()}})
    return out.getvalue()


def run_experiment(
    experiment: Experiment | str,
    *,
    data_dir: str | Path | None = None,
    out: str | Path | None = None,
    epochs: int | None = None,
    seed: int | None = None,
    device: str | None = None,
    lr: float | None = None,
    batch_size: int | None = None,
    precision: str | None = None,
    resume: str | Path | None = None,
    verify: bool = True,
    svm_samples: int | None = None,
    only: list[str] | None = None,
    log: Callable[[str], None] | None = print,
    progress: bool | None = None,
) -> Path:
    """Run every contestant of ``experiment`` and return the completed run folder.

    out : the run folder (default ``runs/<name>-<timestamp>``); resume : a run folder (or its
    ``.partial``) to continue; only : names of the contestants to run (default all).
    """
    experiment = get_experiment(experiment) if isinstance(experiment, str) else experiment
    if epochs is not None and epochs < 1:
        raise ValueError(f"--epochs must be a positive integer, got {epochs}")
    if lr is not None and not lr > 0:
        raise ValueError(f"--lr must be positive, got {lr}")
    if batch_size is not None and batch_size < 1:
        raise ValueError(f"--batch-size must be a positive integer, got {batch_size}")
    if precision is not None and precision not in PRECISIONS:
        raise ValueError(f"--precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    resolved_device = str(resolve_device(device or "auto"))
    entries = [e for e in experiment.contestants if only is None or e.name in only]
    if only is not None and len(entries) != len(set(only)):
        unknown = sorted(set(only) - {e.name for e in experiment.contestants})
        raise KeyError(
            f"unknown contestant(s) {', '.join(unknown)} in {experiment.name} "
            f"(known: {', '.join(e.name for e in experiment.contestants)})"
        )
    folder = RunFolder(
        resume if resume is not None else (out or default_run_dir(experiment.name)), resume=resume is not None
    )
    started = time.perf_counter()
    try:
        data = load_experiment_data(experiment, data_dir, verify, seed if seed is not None else 0)
        if any(isinstance(entry.estimator, TorchNet) for entry in entries):
            warm_up_torch()  # a one-time import, charged to the run rather than to its first contestant
        overrides = dict(epochs=epochs, seed=seed, device=device, lr=lr, batch_size=batch_size, precision=precision)
        results = [
            _result_of(entry, data, folder, resume is not None, svm_samples, overrides, log, progress)
            for entry in entries
        ]
        metrics = {
            "experiment": experiment.name,
            "dataset": experiment.dataset,
            "title": experiment.title,
            "claim": experiment.claim,
            "notes": experiment.notes,
            "results": results,
            "pictures": _experiment_pictures(experiment, results, folder),
            "environment": environment(resolved_device, seed if seed is not None else 0),
            "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "total_seconds": time.perf_counter() - started,
        }
        folder.write_json("metrics.json", metrics)
        folder.write_text("history.csv", history_csv(results))
        write_report(folder.work, metrics)
        return folder.commit()
    except BaseException as exc:
        folder.fail(exc)
        raise


def _result_of(
    entry: Entry,
    data: ExperimentData,
    folder: RunFolder,
    resuming: bool,
    svm_samples: int | None,
    overrides: dict[str, Any],
    log: Callable[[str], None] | None,
    progress: bool | None,
) -> dict[str, Any]:
    """The contestant's saved result when resuming a run that finished it, else a fresh one (then saved)."""
    saved = folder.work / "results" / f"{entry.name}.json"
    if resuming and saved.exists():
        if log:
            log(f"{entry.name}: already done in the resumed run")
        return json.loads(saved.read_text())
    if log:
        log(f"{entry.name}: training ({entry.note or type(entry.estimator).__name__})")
    estimator = configure(entry.estimator, svm_samples, **overrides)
    result = run_contestant(entry, estimator, data, folder, resuming, log, progress)
    folder.write_json(f"results/{entry.name}.json", result)
    if log:
        log(f"{entry.name}: test accuracy {result['test_accuracy']:.4f} in {result['train_seconds']:.1f}s")
    return result


def _experiment_pictures(
    experiment: Experiment, results: list[dict[str, Any]], folder: RunFolder
) -> list[dict[str, str]]:
    """Pictures comparing the contestants: the learning curves of all that have a history."""
    histories = {r["model"]: r["history"] for r in results if r["history"]}
    if not histories:
        return []
    learning_curves(histories, folder.path("pictures", "learning-curves.png"), experiment.title)
    return [{"caption": "learning curves", "file": "pictures/learning-curves.png"}]


def results_table(metrics: dict[str, Any]) -> str:
    """A plain-text table of the results, for the terminal."""
    rows = [("model", "test acc", "train acc", "target", "met", "train s", "epochs", "params")]
    for r in metrics["results"]:
        target = "" if r["target"] is None else f"{r['target']:.3f}"
        met = "" if r["met"] is None else ("yes" if r["met"] else "NO")
        train = "" if r.get("train_accuracy") is None else f"{r['train_accuracy']:.4f}"
        rows.append(
            (
                r["model"],
                f"{r['test_accuracy']:.4f}",
                train,
                target,
                met,
                f"{r['train_seconds']:.1f}",
                str(r["epochs"]),
                str(r["params"]),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows)
