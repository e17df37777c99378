"""Continuing an interrupted run with the options recorded in its ``run.json``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from shootout.experiments.options import OptionsError, RunOptions
from shootout.experiments.rundir import read_run_record
from shootout.experiments.runner import run_experiment


def resume_experiment(
    folder: str | Path,
    experiment: str | None = None,
    *,
    log: Callable[[str], None] | None = print,
    progress: bool | None = None,
    **given: Any,
) -> Path:
    """Continue the interrupted run in ``folder`` (``DIR`` or ``DIR.partial``) with the options it was started with.

    experiment : checked against the folder's when given. given : options given again (see
    :meth:`RunOptions.resumed_with`: those that change the weights must keep their recorded value).
    """
    record = read_run_record(folder)
    if experiment is not None and experiment != record["experiment"]:
        raise OptionsError(f"{folder} holds a run of {record['experiment']}, not of {experiment}")
    options = RunOptions.from_dict(record["options"]).resumed_with(**given)
    if log:
        log(f"resuming {record['experiment']} in {folder} with {_changed(record['options'], options)}")
    return run_experiment(record["experiment"], options, resume=folder, log=log, progress=progress)


def _changed(recorded: dict[str, Any], options: RunOptions) -> str:
    now = options.to_dict()
    changes = [f"{k.replace('_', '-')} {now[k]}" for k in now if now[k] != recorded.get(k)]
    return "the options it was started with" + (f", but {', '.join(changes)}" if changes else "")
