"""Continuing an interrupted run with the options recorded in its ``run.json``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from shootout.distributed.collectives import broadcast_object
from shootout.distributed.world import SINGLE, World
from shootout.experiments.options import OptionsError, RunOptions
from shootout.experiments.rundir import read_run_record
from shootout.experiments.runner import run_experiment


def resumed_options(
    folder: str | Path, experiment: str | None = None, **given: Any
) -> tuple[str, RunOptions, dict[str, Any]]:
    """The experiment recorded in ``folder``, its options with ``given`` applied (see
    :meth:`RunOptions.resumed_with`) and the options as recorded."""
    record = read_run_record(folder)
    if experiment is not None and experiment != record["experiment"]:
        raise OptionsError(f"{folder} holds a run of {record['experiment']}, not of {experiment}")
    return record["experiment"], RunOptions.from_dict(record["options"]).resumed_with(**given), record["options"]


def resume_experiment(
    folder: str | Path,
    experiment: str | None = None,
    *,
    log: Callable[[str], None] | None = print,
    progress: bool | None = None,
    world: World = SINGLE,
    **given: Any,
) -> Path | None:
    """Continue the interrupted run in ``folder`` (``DIR`` or ``DIR.partial``) with the options it was started with.

    experiment : checked against the folder's when given. given : options given again (see
    :meth:`RunOptions.resumed_with`: those that change the weights must keep their recorded value).
    world : the processes of a launched run; rank 0 reads the folder and hands the options to the others.
    A launched run continues on the processes it has (a number other than recorded is allowed).
    """
    if world.distributed:
        given.setdefault("nproc", world.size)
    if world.is_main:
        name, options, recorded = resumed_options(folder, experiment, **given)
        if log:
            log(f"resuming {name} in {folder} with {_changed(recorded, options)}")
    name, options_dict = broadcast_object(world, (name, options.to_dict()) if world.is_main else None)
    options = RunOptions.from_dict(options_dict)
    return run_experiment(name, options, resume=folder, log=log, progress=progress, world=world)


def _changed(recorded: dict[str, Any], options: RunOptions) -> str:
    now = options.to_dict()
    changes = [f"{k.replace('_', '-')} {now[k]}" for k in now if now[k] != recorded.get(k)]
    return "the options it was started with" + (f", but {', '.join(changes)}" if changes else "")
