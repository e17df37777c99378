"""Named experiments (one for each result the tutorials claim or teach) and the machinery that runs them."""

from shootout.experiments.catalog import EXPERIMENTS, get_experiment
from shootout.experiments.options import OptionsError, RunOptions
from shootout.experiments.report import rebuild_report, write_report
from shootout.experiments.resume import resume_experiment
from shootout.experiments.runner import run_experiment
from shootout.experiments.spec import Demonstration, Entry, Experiment
from shootout.experiments.terminal import results_table

__all__ = [
    "EXPERIMENTS",
    "Demonstration",
    "Entry",
    "Experiment",
    "OptionsError",
    "RunOptions",
    "get_experiment",
    "rebuild_report",
    "results_table",
    "resume_experiment",
    "run_experiment",
    "write_report",
]
