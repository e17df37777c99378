"""Running an experiment: fit every contestant, measure it, draw it, write the run folder.

The run folder holds ``metrics.json`` (the contract: experiment, dataset, and per contestant model,
test_accuracy, train_seconds, epochs, params — plus much more), ``history.csv``, the checkpoints, the
pictures and ``report.html``. Each contestant's outcome is saved as soon as it is known, so a resumed
run skips finished contestants and continues an interrupted one from its last checkpoint.

In a run of several processes every rank runs this code: rank 0 alone reads and writes the run folder,
fetches the data first, and trains the contestants that train in one process; every rank trains the
others together and shares their test predictions. The ranks meet before each contestant they train
together, and nowhere else outside training and prediction.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from shootout.data import Splits, load_splits
from shootout.distributed.collectives import broadcast_object, wait_for_main
from shootout.distributed.faults import explain
from shootout.distributed.world import SINGLE, World
from shootout.estimators import Contestant
from shootout.experiments.catalog import get_experiment
from shootout.experiments.environment import environment
from shootout.experiments.options import OptionsError, RunOptions
from shootout.experiments.pictures import TRADEOFF, draw_contestant, tradeoff_picture
from shootout.experiments.plan import check_world, entries_of, prepared, subset, together, world_facts
from shootout.experiments.report import write_report
from shootout.experiments.rundir import RUN_RECORD, RunFolder, default_run_dir
from shootout.experiments.scoring import in_dataset_classes, train_accuracy
from shootout.experiments.spec import Demonstration, Entry, Experiment, Stage
from shootout.experiments.surfaces import Surface, surface_grid
from shootout.experiments.tables import history_csv, rows_csv
from shootout.metrics import eval_perf_multi, macro_average_precision, top_k_accuracy
from shootout.plots import learning_curves
from shootout.train import resolve_device


def run_contestant(
    entry: Entry,
    estimator: Contestant,
    data: Splits,
    folder: RunFolder | None,
    resume: bool,
    log: Callable[[str], None] | None,
    progress: bool | None,
    world: World = SINGLE,
) -> dict[str, Any] | None:
    """Fit, evaluate and draw one contestant; return its entry of metrics.json.

    world : the ranks training it together (each calls this; only rank 0, which has the ``folder``,
    measures, draws and returns the result; the others return None).
    """
    # the checkpoint's path is the same argument on every rank; only rank 0 ever reads or writes it
    checkpoint = folder.path("checkpoints", f"{entry.name}.pt") if folder is not None else Path(f"{entry.name}.pt")
    context: dict[str, Any] = dict(
        checkpoint=checkpoint,
        resume=resume,
        progress=progress,
        log=(lambda line: log(f"  {entry.name}: {line}")) if log else None,
    )
    if entry.watch_test:  # the test accuracy after every epoch, as the seed prints it; it decides nothing
        context["watch"] = (data.test_x, data.test_y)
    if world.distributed:
        context["world"] = world
    started = time.perf_counter()
    estimator.fit(data.train_x, data.train_y, **context)
    train_seconds = time.perf_counter() - started
    started = time.perf_counter()
    if world.distributed:  # every rank scores a share of the test split; all get every row
        proba = estimator.predict_proba_distributed(data.test_x, world)
    else:
        proba = estimator.predict_proba(data.test_x)
    predict_seconds = time.perf_counter() - started
    if not world.is_main or folder is None:
        return None
    proba, encoded_test = in_dataset_classes(proba, estimator.classes_, data)
    accuracy, pr, confusion = eval_perf_multi(proba.argmax(axis=1), encoded_test, proba.shape[1])
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
        **dict(zip(("train_accuracy", "train_accuracy_samples"), train_accuracy(estimator, data), strict=True)),
        "test_loss": float(losses.mean()),
        "top5_accuracy": top_k_accuracy(proba, encoded_test, 5) if proba.shape[1] > 5 else None,
        "average_precision": macro_average_precision(proba, encoded_test),  # macro, one-vs-rest
        "predict_seconds": predict_seconds,
        "per_class": [
            {"class": str(name), "recall": r, "precision": p}
            for name, (r, p) in zip(data.class_names, pr, strict=False)
        ],
        "confusion_matrix": confusion.tolist(),
        "recipe": estimator.describe(),
        "history": list(estimator.history_),
        **estimator.fit_facts(),
    }
    if entry.probes:  # the test split altered (e.g. shifted): how much the accuracy depends on the exact pixels
        result["probes"] = {
            name: float(estimator.score(alter(data.test_x), data.test_y)) for name, alter in entry.probes
        }
    coef = getattr(estimator, "coef_", None)  # only where the model is linear in its inputs
    if coef is not None:
        result["weight_norm"] = float(np.linalg.norm(coef))  # ||W||, which L2 regularization shrinks
    first = min(len(data.train_x), estimator.scoring_samples)  # the untrained model is scored on the first ones
    initial = estimator.initial_scores(data.train_x[:first], data.train_y[:first])  # loss, accuracy
    result.update(initial, **({"initial_samples": first} if initial else {}))
    pictures = (
        draw_contestant(
            entry.name,
            estimator,
            data,
            proba,
            confusion,
            lambda filename: folder.path("pictures", filename),
            lambda name: folder.path("surfaces", f"{name}.npz"),
        )
        if entry.pictures
        else []
    )
    result["pictures"] = [
        {"caption": caption, "file": str(path.relative_to(folder.work))} for caption, path in pictures
    ]
    return result


def run_experiment(
    experiment: Experiment | Demonstration | str,
    options: RunOptions = RunOptions(),  # noqa: B008 (frozen: one shared default is safe)
    *,
    out: str | Path | None = None,
    resume: str | Path | None = None,
    log: Callable[[str], None] | None = print,
    progress: bool | None = None,
    world: World = SINGLE,
) -> Path | None:
    """Run the contestants of ``experiment`` (or show a demonstration) with ``options``; return the run folder.

    out : the run folder (default ``runs/<name>-<timestamp>``); resume : a run folder (or its
    ``.partial``) to continue; log : called with progress lines (None: silent); progress : bars.
    world : the processes of a launched run (:func:`shootout.distributed.group.start`); every rank calls
    this with the same arguments, rank 0 returns the run folder and the others None.
    """
    experiment = get_experiment(experiment) if isinstance(experiment, str) else experiment
    demonstration = isinstance(experiment, Demonstration)
    entries = entries_of(experiment, options)
    options = _for_world(options, world)
    check_world(entries, options, world.size)
    device = str(resolve_device(options.device_name))
    if not world.is_main:  # the other ranks train the shared contestants with rank 0, and write nothing
        if not demonstration:
            _contestants_body(experiment, entries, options, None, resume is not None, None, False, world)
        return None
    folder = RunFolder(
        resume if resume is not None else (out or default_run_dir(experiment.name)), resume=resume is not None
    )
    started = time.perf_counter()
    try:
        _record(folder, experiment.name, options, device, resumed=resume is not None, world=world)
        if demonstration:
            body, history = _demonstration_body(experiment, options, folder, log)
        else:
            body, history = _contestants_body(
                experiment, entries, options, folder, resume is not None, log, progress, world
            )
        metrics = {
            "experiment": experiment.name,
            "dataset": experiment.dataset,
            "title": experiment.title,
            "claim": experiment.claim,
            "notes": experiment.notes,
            **body,
            "environment": {**environment(device, options.data_seed), **world_facts(entries, options, world)},
            "options": options.to_dict(),
            "resumed": resume is not None,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "total_seconds": time.perf_counter() - started,
        }
        folder.write_json("metrics.json", metrics)
        folder.write_text("history.csv", history)
        write_report(folder.work, metrics)
        return folder.commit()
    except BaseException as exc:
        reported = explain(world, exc)  # another rank's failure: named
        folder.fail(reported)
        if reported is exc:
            raise
        raise reported from None


def _for_world(options: RunOptions, world: World) -> RunOptions:
    """The options with the number of processes the run really has (a mismatch is a usage error)."""
    if world.distributed:
        if options.nproc not in (None, world.size):
            raise OptionsError(f"--nproc {options.nproc}: the launcher started {world.size} processes")
        if world.backend == "nccl" and resolve_device(options.device_name).type != "cuda":
            raise OptionsError(f"--device {options.device_name}: these processes were started for CUDA (NCCL)")
        return replace(options, nproc=world.size)
    if options.processes > 1:
        raise OptionsError(
            f"--nproc {options.nproc}: several processes need a launcher (shootout run --nproc, or torchrun); "
            "give --nproc 1 to continue in this one"
        )
    return options


def _contestants_body(
    experiment: Experiment,
    entries: list[Entry],
    options: RunOptions,
    folder: RunFolder | None,
    resuming: bool,
    log: Callable[[str], None] | None,
    progress: bool | None,
    world: World = SINGLE,
) -> tuple[dict[str, Any], str]:
    """Train and evaluate every chosen contestant: the metrics they add, and history.csv's text (rank 0)."""
    loaded: dict[str, tuple[Splits, int]] = {}  # by the entry's data options: (splits, training samples available)

    def splits_for(entry: Entry) -> tuple[Splits, int]:
        key = json.dumps(entry.data or {}, sort_keys=True)
        if key not in loaded:
            data_options = {**experiment.data_options, **(entry.data or {})}
            data = load_splits(
                experiment.dataset,
                options.data_dir,
                options.verify,
                options.data_seed,
                options.channel_order,
                **data_options,
            )
            available = len(data.train_y)
            if options.train_samples is not None:
                data = subset(data, options.train_samples, options.data_seed)
            loaded[key] = data, available
        return loaded[key]

    for entry in entries:  # one-time library costs, charged to the run rather than to a first contestant
        entry.estimator.warm_up()
    saved = folder.work / "results" if folder is not None else None
    finished = [e.name for e in entries if resuming and saved is not None and (saved / f"{e.name}.json").exists()]
    done = broadcast_object(world, finished)  # a resumed run skips them on every rank
    results = []
    for entry in entries:
        result = _result_of(entry, splits_for, folder, (resuming, entry.name in done), options, log, progress, world)
        if result is not None:
            labels = {"data": entry.data_label()} if entry.data else {}
            results.append({**result, **labels, **({"group": entry.row} if entry.row else {})})
    if not world.is_main:
        return {}, ""
    data, available = splits_for(entries[0]) if entries else (None, 0)
    body = {
        "results": results,
        "pictures": _experiment_pictures(experiment, entries, results, folder),
        "train_samples": len(data.train_y) if data else 0,  # what the first contestant was given
        "train_samples_available": available,
    }
    if experiment.summary is not None:  # the experiment's own comparison of its results (tables, facts)
        shown = experiment.summary(results)
        body["summary"] = {"tables": [t.to_dict() for t in shown.tables], "facts": shown.facts}
    return body, history_csv(results)


def _demonstration_body(
    demonstration: Demonstration, options: RunOptions, folder: RunFolder, log: Callable[[str], None] | None
) -> tuple[dict[str, Any], str]:
    """Show the demonstration: its tables and facts (no contestants: ``results`` is empty), and its history rows."""
    shown = demonstration.show(Stage(options, lambda filename: folder.path("pictures", filename), log))
    body = {
        "results": [],
        "pictures": [{"caption": c, "file": str(path.relative_to(folder.work))} for c, path in shown.pictures],
        "demonstration": {"tables": [t.to_dict() for t in shown.tables], "facts": shown.facts},
    }
    return body, rows_csv(shown.history)


def _record(folder: RunFolder, experiment: str, options: RunOptions, device: str, resumed: bool, world: World) -> None:
    """Write how the run was started into ``run.json``, or add this resume to it."""
    now = time.strftime("%Y-%m-%dT%H:%M:%S")
    if not resumed:
        record = {
            "experiment": experiment,
            "options": options.to_dict(),
            "environment": {**environment(device, options.data_seed), **world.describe()},
            "created": now,
            "resumes": [],
        }
    else:
        record = json.loads((folder.work / RUN_RECORD).read_text()) if (folder.work / RUN_RECORD).is_file() else {}
        record.setdefault("experiment", experiment)
        record.setdefault("options", options.to_dict())
        resumed_with = {"at": now, "options": options.to_dict(), "device": device, "world_size": world.size}
        record.setdefault("resumes", []).append(resumed_with)
    folder.write_json(RUN_RECORD, record)


def _result_of(
    entry: Entry,
    splits_for: Callable[[Entry], tuple[Splits, int]],
    folder: RunFolder | None,
    resumed: tuple[bool, bool],
    options: RunOptions,
    log: Callable[[str], None] | None,
    progress: bool | None,
    world: World,
) -> dict[str, Any] | None:
    """The contestant's saved result when resuming a run that finished it, else a fresh one (then saved).

    resumed : (whether the run is resumed, whether this contestant finished before). Rank 0 returns the
    result; the other ranks help train the contestants that train together and return None.
    """
    resuming, finished = resumed
    if finished:
        if folder is None:
            return None
        if log:
            log(f"{entry.name}: already done in the resumed run")
        return json.loads((folder.work / "results" / f"{entry.name}.json").read_text())
    estimator = prepared(entry, options)
    shared = together(estimator, world.size)
    if not (world.is_main or shared):
        return None  # it trains on rank 0 alone
    if world.is_main:
        data = splits_for(entry)[0]  # rank 0 fetches and verifies the files first
    if shared:
        wait_for_main(world)  # however long rank 0 worked alone before
    if not world.is_main:
        data = splits_for(entry)[0]  # from the cache rank 0 filled
    if log:
        where = "" if not world.distributed else f" on {world.size} processes" if shared else " on rank 0 alone"
        log(f"{entry.name}: training ({entry.note or type(entry.estimator).__name__}){where}")
    result = run_contestant(entry, estimator, data, folder, resuming, log, progress, world if shared else SINGLE)
    if result is None or folder is None:
        return None
    if world.distributed:
        result["world_size"] = world.size if shared else 1
    folder.write_json(f"results/{entry.name}.json", result)
    if log:
        log(f"{entry.name}: test accuracy {result['test_accuracy']:.4f} in {result['train_seconds']:.1f}s")
    return result


def _experiment_pictures(
    experiment: Experiment, entries: list[Entry], results: list[dict[str, Any]], folder: RunFolder
) -> list[dict[str, str]]:
    """Pictures comparing the contestants: accuracy against time; the learning curves of all that have a history;
    the surface grid."""
    pictures = []
    if results:
        tradeoff_picture(results, folder.path(TRADEOFF), experiment.title)
        pictures.append({"caption": "test accuracy against training seconds", "file": TRADEOFF})
    histories = {r["model"]: r["history"] for r in results if r["history"]}
    if histories:
        learning_curves(histories, folder.path("pictures", "learning-curves.png"), experiment.title)
        pictures.append({"caption": "learning curves", "file": "pictures/learning-curves.png"})
    if experiment.surface_grid:
        cells = {
            (entry.row or entry.name, entry.data_label()): Surface.load(folder.work / "surfaces" / f"{entry.name}.npz")
            for entry in entries
            if (folder.work / "surfaces" / f"{entry.name}.npz").is_file()
        }
        if cells:
            surface_grid(cells, folder.path("pictures", "surfaces.png"), experiment.title)
            pictures.append({"caption": "decision surfaces side by side", "file": "pictures/surfaces.png"})
    return pictures
