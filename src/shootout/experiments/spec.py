"""An experiment is data: a dataset and a tuple of named contestants, each an unfitted estimator."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shootout.estimators import Contestant


@dataclass(frozen=True)
class Entry:
    """One contestant: a name, its estimator (hyper-parameters = the recipe), the accuracy it must reach."""

    name: str
    estimator: Contestant
    target: float | None = None  # the test accuracy the release must reach
    note: str = ""  # e.g. "seed 000 recipe" or "tuned"


@dataclass(frozen=True)
class Experiment:
    """A named comparison on one dataset; ``claim`` is what the seed tutorial reports."""

    name: str
    dataset: str  # digits | mnist | fashion-mnist | cifar-10 | gmm
    title: str
    contestants: tuple[Entry, ...]
    claim: str = ""
    notes: str = ""
    data_options: dict[str, Any] = field(default_factory=dict)

    def entry(self, name: str) -> Entry:
        for entry in self.contestants:
            if entry.name == name:
                return entry
        raise KeyError(name)
