"""The ``shootout`` command.

Exit status: 0 on success, 1 when the work itself fails (one clear line on stderr, no traceback),
2 for a usage error (unknown command, dataset or option value).
"""

from __future__ import annotations

import argparse
import difflib
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


def _dataset_name(value: str) -> str:
    from shootout.data.registry import DATASETS

    if value in DATASETS:
        return value
    close = difflib.get_close_matches(value, DATASETS, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise argparse.ArgumentTypeError(f"unknown dataset {value!r} (known: {', '.join(DATASETS)}){hint}")


def _add_data_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", type=_dataset_name, help="digits, mnist, fashion-mnist or cifar-10")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="a folder holding the dataset's files directly; nothing is downloaded",
    )
    parser.add_argument(
        "--no-verify",
        action="store_true",
        help="accept local files whose checksum differs (each one is named in a warning)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="shootout", description="Train, evaluate and compare classic image classifiers."
    )
    from shootout import __version__

    parser.add_argument("--version", action="version", version=f"shootout {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    data = commands.add_parser(
        "data", help="datasets: statistics and downloads", description="Look at and fetch datasets."
    )
    data_commands = data.add_subparsers(dest="data_command", metavar="ACTION")
    info = data_commands.add_parser(
        "info",
        help="shape, per-channel mean/std and class counts",
        description="Print a dataset's shapes, per-channel mean and std over the training pixels, and class counts.",
    )
    _add_data_options(info)
    info.set_defaults(handler=_data_info)
    fetch = data_commands.add_parser(
        "fetch",
        help="download and verify a dataset's files into the cache",
        description="Download (or check) every file of a dataset; a cached "
        "file that fails verification is downloaded again.",
    )
    _add_data_options(fetch)
    fetch.set_defaults(handler=_data_fetch)
    data.set_defaults(handler=lambda args: _help(data))
    return parser


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_USAGE


def _data_info(args: argparse.Namespace) -> int:
    from shootout.data import info

    print(info(args.name, data_dir=args.data_dir, verify=not args.no_verify).format())
    return EXIT_OK


def _data_fetch(args: argparse.Namespace) -> int:
    from shootout.data import fetch

    for path in fetch(args.name, data_dir=args.data_dir, verify=not args.no_verify):
        print(f"ok {path}")
    return EXIT_OK


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"warning: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        return _help(parser)
    from shootout.data.errors import DatasetError

    warnings.showwarning = _show_warning
    try:
        return args.handler(args)
    except DatasetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
