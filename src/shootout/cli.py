"""The ``shootout`` command.

Exit status: 0 on success, 1 when the work itself fails (one clear line on stderr, no traceback),
2 for a usage error (unknown command, dataset or option value), 3 for a rank of a distributed run that
stopped because another rank failed (its line names that rank).
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_PEER = 0, 1, 2, 3


def _one_of(known, what: str, value: str) -> str:
    """``value`` if it is a known name, else a usage error suggesting the closest one."""
    if value in known:
        return value
    close = difflib.get_close_matches(value, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise argparse.ArgumentTypeError(f"unknown {what} {value!r} (known: {', '.join(known)}){hint}")


def _dataset_name(value: str) -> str:
    from shootout.data.registry import DATASETS

    return _one_of(DATASETS, "dataset", value)


def _experiment_name(value: str) -> str:
    from shootout.experiments.catalog import EXPERIMENTS

    return _one_of(EXPERIMENTS, "experiment", value)


def _integer(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not an integer") from None


def _number(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None


def _readable_dir(value: str) -> Path:
    path = Path(value).expanduser()
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{value} is not a folder")
    if not os.access(path, os.R_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"{value} is not readable")
    return path


def _add_source_options(parser: argparse.ArgumentParser, folder=_readable_dir) -> None:
    parser.add_argument(
        "--data-dir",
        type=folder,
        default=None,
        help="a folder holding the dataset's files directly; nothing is downloaded",
    )
    parser.add_argument(
        "--no-verify",
        action="store_true",
        help="accept local files whose checksum differs (each one is named in a warning)",
    )


def _add_channel_order(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--channel-order",
        default=None,
        help="colour images as published (rgb, the default) or reversed (bgr, as OpenCV and MegEngine keep them)",
    )


def _add_run(commands) -> None:
    run = commands.add_parser(
        "run",
        help="train, evaluate and compare an experiment's contestants",
        description="Run a named experiment; writes a run folder with metrics.json, history.csv, "
        "checkpoints, pictures and report.html.",
    )
    run.add_argument(
        "name", nargs="?", type=_experiment_name, help="an experiment (see `shootout list`); optional with --resume"
    )
    _add_source_options(run, folder=str)  # checked by RunOptions
    run.add_argument("--out", type=Path, default=None, help="the run folder (default: runs/<name>-<timestamp>)")
    # Values are only parsed here; RunOptions checks them (one place for the API and the command line).
    run.add_argument("--epochs", type=_integer, default=None, help="override every contestant's epochs")
    run.add_argument("--seed", type=_integer, default=None, help="override every seed (default: each recipe's, 0)")
    run.add_argument("--lr", type=_number, default=None, help="override every contestant's learning rate")
    run.add_argument("--batch-size", type=_integer, default=None, help="override every batch size")
    run.add_argument("--device", default=None, help="where torch contestants train: cpu | cuda | auto (default auto)")
    run.add_argument(
        "--precision",
        default=None,
        help="torch contestants' arithmetic: fp32 | bf16 | auto (bf16 on CUDA only); default each recipe's",
    )
    run.add_argument(
        "--resume",
        type=Path,
        default=None,
        metavar="RUN_DIR",
        help="continue an interrupted run (RUN_DIR or RUN_DIR.partial) with the options it was started with; "
        "--epochs, --device, --data-dir, --no-verify, --only and --nproc may be given anew",
    )
    run.add_argument(
        "--svm-samples",
        type=_integer,
        default=None,
        metavar="N",
        help="train SVM contestants on N samples (0: all; exact SVC on 60,000 MNIST images takes over half an hour)",
    )
    _add_channel_order(run)
    run.add_argument(
        "--train-samples",
        type=_integer,
        default=None,
        metavar="N",
        help="train every contestant on a seeded, stratified subset of N training samples (default: all)",
    )
    run.add_argument("--only", nargs="+", default=None, metavar="CONTESTANT", help="run only these contestants")
    run.add_argument(
        "--nproc",
        type=_integer,
        default=None,
        metavar="N",
        help="train on N processes of this machine, started through torch.distributed.run (as torchrun "
        "--standalone --nproc_per_node=N -m shootout run does); --batch-size is then the global batch",
    )
    run.set_defaults(handler=_run, parser=run)


def _add_data(commands) -> None:
    data = commands.add_parser(
        "data", help="datasets: statistics and downloads", description="Look at and fetch datasets."
    )
    actions = data.add_subparsers(dest="data_command", metavar="ACTION")
    info = actions.add_parser(
        "info",
        help="shape, per-channel mean/std and class counts",
        description="Print a dataset's shapes, per-channel mean and std over the training pixels, and class counts.",
    )
    fetch = actions.add_parser(
        "fetch",
        help="download and verify a dataset's files into the cache",
        description="Download (or check) every file of a dataset; a cached file that fails verification is "
        "downloaded again.",
    )
    for parser, handler in ((info, _data_info), (fetch, _data_fetch)):
        parser.add_argument("name", type=_dataset_name, help="digits, mnist, fashion-mnist or cifar-10")
        _add_source_options(parser)
        parser.set_defaults(handler=handler, parser=parser)
    info.add_argument(
        "--channel-order",
        choices=("rgb", "bgr"),
        default="rgb",
        help="the order of a colour dataset's per-channel statistics (bgr: as MegEngine's constants are given)",
    )
    data.set_defaults(handler=lambda args: _help(data))


def _add_compare(commands) -> None:
    compare = commands.add_parser(
        "compare",
        help="one table of several runs: a row per contestant, a column per run",
        description="Compare finished runs: test accuracy, training seconds and parameters, a row per contestant "
        "and a column per run (runs of one experiment that differ only in their seed share a column: mean ± std). "
        "Prints the table as Markdown and writes compare.html, compare.csv and compare.png.",
    )
    compare.add_argument("run_dirs", nargs="+", type=Path, metavar="RUN_DIR", help="complete run folders")
    compare.add_argument(
        "--out", type=Path, default=None, help="where the files go (default: runs/compare-<timestamp>)"
    )
    compare.set_defaults(handler=_compare, parser=compare)


def build_parser() -> argparse.ArgumentParser:
    from shootout import __version__

    parser = argparse.ArgumentParser(
        prog="shootout", description="Train, evaluate and compare classic image classifiers."
    )
    parser.add_argument("--version", action="version", version=f"shootout {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_run(commands)
    listing = commands.add_parser("list", help="the experiments", description="Print the experiment names.")
    listing.add_argument("-v", "--verbose", action="store_true", help="also print titles and contestants")
    listing.set_defaults(handler=_list)
    report = commands.add_parser(
        "report",
        help="write a run folder's report.html again",
        description="Rebuild report.html from a run folder's metrics.json and pictures.",
    )
    report.add_argument("run_dir", type=_readable_dir, metavar="RUN_DIR")
    report.set_defaults(handler=_report)
    _add_compare(commands)
    _add_data(commands)
    return parser


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_USAGE


def _data_info(args: argparse.Namespace) -> int:
    from shootout.data import get_spec, info
    from shootout.data.loaders import check_channel_order

    try:
        check_channel_order(get_spec(args.name), args.channel_order)
    except ValueError as exc:
        args.parser.error(str(exc))
    print(info(args.name, data_dir=args.data_dir, verify=not args.no_verify, channel_order=args.channel_order).format())
    return EXIT_OK


def _data_fetch(args: argparse.Namespace) -> int:
    from shootout.data import fetch

    for path in fetch(args.name, data_dir=args.data_dir, verify=not args.no_verify):
        print(f"ok {path}")
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    from shootout.run_command import run

    return run(args)


def _list(args: argparse.Namespace) -> int:
    from shootout.experiments import EXPERIMENTS

    for experiment in EXPERIMENTS.values():
        if args.verbose:
            contestants = getattr(experiment, "contestants", ())  # a demonstration has none
            names = ", ".join(e.name for e in contestants) if contestants else "none (a demonstration)"
            print(f"{experiment.name}: {experiment.title}\n    dataset {experiment.dataset}; contestants: {names}")
        else:
            print(experiment.name)
    return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    from shootout.experiments import rebuild_report

    print(rebuild_report(args.run_dir))
    return EXIT_OK


def _compare(args: argparse.Namespace) -> int:
    from shootout.experiments.compare import CompareError, compare_runs, default_compare_dir
    from shootout.experiments.compare_page import write_comparison

    for folder in args.run_dirs:
        if not folder.is_dir():
            unfinished = folder.with_name(folder.name + ".partial")
            hint = f" ({unfinished} is an unfinished run)" if unfinished.is_dir() else ""
            args.parser.error(f"{folder} is not a folder{hint}")
    try:
        comparison = compare_runs(args.run_dirs)
    except CompareError as exc:
        args.parser.error(str(exc))
    paths = write_comparison(comparison, args.out or default_compare_dir())
    print(comparison.markdown())
    print(f"comparison: {paths['compare.html']}")
    print(f"table: {paths['compare.csv']}")
    return EXIT_OK


def _log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"warning: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # for --nproc: the same command on every rank
    if getattr(args, "handler", None) is None:
        return _help(parser)
    warnings.showwarning = _show_warning
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if os.environ.get("SHOOTOUT_DEBUG") == "1" or not _is_expected(exc):
            raise  # a bug (or debugging asked for): the traceback says where
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_PEER if _is_peer_failure(exc) else EXIT_FAILURE


def _is_expected(exc: BaseException) -> bool:
    """Failures that carry a clear message of their own: the project's errors and the operating system's.

    Anything else (a bare ValueError or KeyError from deep inside a library) is a bug, shown with its
    traceback rather than reduced to a line that hides where it came from.
    """
    from shootout.data.errors import DatasetError
    from shootout.distributed import LaunchError
    from shootout.distributed.faults import PeerFailure, Stopped
    from shootout.experiments import OptionsError
    from shootout.experiments.rundir import RunFolderError
    from shootout.train import CheckpointError, DivergenceError, RecipeError

    expected = (DatasetError, RecipeError, DivergenceError, CheckpointError, RunFolderError, OptionsError, OSError)
    return isinstance(exc, (*expected, PeerFailure, Stopped, LaunchError))


def _is_peer_failure(exc: BaseException) -> bool:
    from shootout.distributed.faults import PeerFailure, Stopped

    return isinstance(exc, (PeerFailure, Stopped))


def _one_line(exc: BaseException) -> str:
    text = str(exc)
    if isinstance(exc, OSError) and exc.filename and exc.strerror:
        text = f"{exc.filename}: {exc.strerror}"
    return " ".join(str(text).split()) or type(exc).__name__
