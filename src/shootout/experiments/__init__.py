"""Named experiments (every row of MISSION.md's table) and the machinery that runs them."""

from shootout.experiments.catalog import EXPERIMENTS, get_experiment
from shootout.experiments.options import OptionsError, RunOptions
from shootout.experiments.report import rebuild_report, write_report
from shootout.experiments.runner import results_table, run_experiment
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
    "run_experiment",
    "write_report",
]
