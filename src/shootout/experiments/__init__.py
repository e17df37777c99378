"""Named experiments (one for each result the tutorials claim or teach) and the machinery that runs them."""

from shootout.experiments.catalog import EXPERIMENTS, get_experiment
from shootout.experiments.options import OptionsError, RunOptions
from shootout.experiments.report import rebuild_report, write_report
from shootout.experiments.runner import results_table, resume_experiment, run_experiment
from shootout.experiments.spec import Entry, Experiment

__all__ = [
    "EXPERIMENTS",
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
