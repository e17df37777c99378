"""What a run will do, checked before any work: the chosen contestants, and how they share the processes.

In a run of several processes the contestants that can train distributed (:attr:`Contestant.trains_distributed`)
train on every rank together, each rank on its share of the global batch; the others train once, on
rank 0. The contestants are asked through the protocol, never by their class.
"""

from __future__ import annotations

from typing import Any

from shootout.data import SYNTHETIC, Splits, get_spec
from shootout.estimators import Contestant
from shootout.experiments.options import OptionsError, RunOptions
from shootout.experiments.spec import Demonstration, Entry, Experiment


def chosen(experiment: Experiment, only: tuple[str, ...] | None) -> list[Entry]:
    """The entries named in ``only`` (all when None); an unknown name is an OptionsError listing the known ones."""
    if only is None:
        return list(experiment.contestants)
    unknown = sorted(set(only) - {e.name for e in experiment.contestants})
    if unknown:
        raise OptionsError(
            f"--only: unknown contestant(s) {', '.join(unknown)} in {experiment.name} "
            f"(known: {', '.join(e.name for e in experiment.contestants)})"
        )
    return [e for e in experiment.contestants if e.name in only]


def check_channel_order(dataset: str, channel_order: str) -> None:
    """``--channel-order bgr`` needs colour images: refused before any work for grey images and 2-D points."""
    if channel_order != "rgb" and (dataset in SYNTHETIC or get_spec(dataset).image_shape[-1] != 3):
        raise OptionsError(f"--channel-order {channel_order}: {dataset} has no colour channels to reorder")


def subset(data: Splits, size: int, seed: int) -> Splits:
    """``--train-samples``: a seeded, stratified subset of the training split; too small a size is a usage error."""
    try:
        return data.with_train_subset(size, seed)
    except ValueError as exc:
        raise OptionsError(f"--train-samples: {exc}") from None


def entries_of(experiment: Experiment | Demonstration, options: RunOptions) -> list[Entry]:
    """The contestants a run of ``experiment`` with ``options`` trains, after the checks every run makes."""
    if isinstance(experiment, Demonstration):
        if options.only is not None:
            raise OptionsError(f"--only: {experiment.name} is a demonstration and has no contestants")
        return []
    check_channel_order(experiment.dataset, options.channel_order)
    return chosen(experiment, options.only)


def prepared(entry: Entry, options: RunOptions) -> Contestant:
    """The entry's estimator with the run's overrides."""
    return entry.estimator.with_overrides(**options.overrides())


def together(estimator: Contestant, world_size: int) -> bool:
    """Whether ``estimator`` trains on every rank of a run of ``world_size`` processes (else on rank 0 alone)."""
    return world_size > 1 and estimator.trains_distributed


def check_world(entries: list[Entry], options: RunOptions, world_size: int) -> None:
    """Refuse, before any work, a global batch that does not split evenly over the processes."""
    for entry in entries:
        estimator = prepared(entry, options)
        batch = estimator.global_batch_size
        if together(estimator, world_size) and batch is not None and batch % world_size:
            said = f"--batch-size {batch}" if options.batch_size is not None else f"{entry.name}'s batch size {batch}"
            raise OptionsError(
                f"{said} does not split over {world_size} processes (the batch is global: each process takes "
                f"an equal share); use a multiple of {world_size}"
            )


def world_facts(entries: list[Entry], options: RunOptions, world: Any) -> dict[str, Any]:
    """What metrics.json's environment says about the processes and each contestant's global batch."""
    return {
        **world.describe(),
        "global_batch_size": {entry.name: prepared(entry, options).global_batch_size for entry in entries},
        "rank0_only": [e.name for e in entries if world.distributed and not together(prepared(e, options), world.size)],
    }
