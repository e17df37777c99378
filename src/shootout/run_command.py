"""``shootout run``: in this process, on several through ``torch.distributed.run`` (``--nproc``), or as one
rank of a run a launcher started (torchrun sets ``WORLD_SIZE``, ``RANK`` and ``LOCAL_RANK``).

All three take the same path through :func:`shootout.experiments.run_experiment`; a launched rank joins
the process group first and, when it fails, says which rank failed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from shootout.cli import EXIT_OK, _log


def _given(args: argparse.Namespace) -> dict:
    """The run options the user typed (those left out keep their default or recorded value)."""
    given = {
        "epochs": args.epochs,
        "seed": args.seed,
        "device": args.device,
        "lr": args.lr,
        "batch_size": args.batch_size,
        "precision": args.precision,
        "svm_samples": args.svm_samples,
        "train_samples": args.train_samples,
        "channel_order": args.channel_order,
        "data_dir": args.data_dir,
        "verify": False if args.no_verify else None,
        "only": args.only,
        "nproc": args.nproc,
    }
    return {name: value for name, value in given.items() if value is not None}


def run(args: argparse.Namespace) -> int:
    from shootout.distributed import launched
    from shootout.experiments import OptionsError

    given = _given(args)
    try:
        if args.resume is not None and args.out is not None:
            raise OptionsError("--out cannot be given with --resume: the run continues in its own folder")
        if args.resume is None and args.name is None:
            raise OptionsError("name an experiment (see `shootout list`), or give --resume RUN_DIR")
        if launched():  # one rank of a run torchrun (or --nproc) started
            return _run_rank(args, given)
        processes = _planned_processes(args, given)
        if processes > 1:
            from shootout.distributed.launch import launch

            return launch(processes, _without_nproc(args.argv))  # each rank learns the number from the launcher
        return _finish(_run_here(args, given))
    except OptionsError as exc:
        args.parser.error(str(exc))  # a usage error: exit 2


def _without_nproc(argv: list[str]) -> list[str]:
    """The command line without ``--nproc N`` (torch.distributed.run's parser would take it for its own)."""
    kept, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--nproc":
            skip = True
        elif not arg.startswith("--nproc="):
            kept.append(arg)
    return kept


def _run_here(args: argparse.Namespace, given: dict, **world) -> Path | None:
    """Run (or resume) in this process; ``world``: the launched run's, where there is one."""
    from shootout.experiments import RunOptions, resume_experiment, run_experiment

    if args.resume is not None:
        return resume_experiment(args.resume, args.name, log=_log, **given, **world)
    return run_experiment(args.name, RunOptions(**given), out=args.out, log=_log, **world)


def _finish(folder: Path | None) -> int:
    """Print the results and where they are (rank 0; the other ranks of a run print nothing)."""
    import json

    from shootout.experiments import results_table

    if folder is not None:
        metrics = json.loads((folder / "metrics.json").read_text())
        print(results_table(metrics))
        print(f"run folder: {folder}")
        print(f"report: {folder / 'report.html'}")
    return EXIT_OK


def _planned_processes(args: argparse.Namespace, given: dict) -> int:
    """How many processes the run asks for; for several, the run is checked here before any is started."""
    from shootout.experiments import RunOptions, get_experiment
    from shootout.experiments.plan import check_world, entries_of
    from shootout.experiments.resume import resumed_options
    from shootout.train import resolve_device

    if args.resume is not None:
        name, options, _ = resumed_options(args.resume, args.name, **given)
    else:
        name, options = args.name, RunOptions(**given)
    if options.processes > 1:
        check_world(entries_of(get_experiment(name), options), options, options.processes)
        resolve_device(options.device_name)  # --device cuda without CUDA: one line now, not one per rank
    return options.processes


def _run_rank(args: argparse.Namespace, given: dict) -> int:
    """This process's part of a launched run: join the process group, run, leave; a failure is named."""
    from shootout.distributed import faults
    from shootout.distributed.group import started

    with started(given.get("device", "auto")) as world:
        try:
            folder = _run_here(args, given, world=world)
        except BaseException as exc:
            reported = faults.explain(world, exc)  # another rank's failure, named
            faults.record_failure(world, reported)  # this rank's own, for the others to name
            if reported is exc:
                raise
            raise reported from None
        return _finish(folder)
