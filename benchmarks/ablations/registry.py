"""The ablations, each declared where its workload is defined with the :func:`ablation` decorator.

An ablation is one speed change of the code, the alternative it is measured against, and a workload run
both ways: ``run(data, after)`` times the code's way when ``after`` is true and the alternative when it
is false, and returns ``{"seconds": ..., **extras}`` (extras: anything else worth comparing, such as
the memory the data hold).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

Workload = Callable[[Any, bool], dict[str, float]]  # (data, after?) -> {"seconds": ..., extras}


@dataclass(frozen=True)
class Ablation:
    """One speed change: what the code does, what it is measured against, and on which workload."""

    key: str
    change: str  # what the code does ("after")
    against: str  # the alternative ("before"), mostly the tutorials' way
    workload: str
    run: Workload
    needs_cifar: bool = False
    overhead: bool = False  # "against" is the bare minimum of the same work: the row measures a fixed cost


class Registry:
    """Ablations in the order they were declared (the order of the table)."""

    def __init__(self) -> None:
        self._ablations: dict[str, Ablation] = {}

    def ablation(
        self, *, key: str, change: str, against: str, workload: str, needs_cifar: bool = False, overhead: bool = False
    ) -> Callable[[Workload], Workload]:
        """Decorate a workload function ``run(data, after)`` to register it under ``key``; returns it unchanged."""

        def register(run: Workload) -> Workload:
            if key in self._ablations:
                raise ValueError(f"two ablations are called {key!r}")
            self._ablations[key] = Ablation(key, change, against, workload, run, needs_cifar, overhead)
            return run

        return register

    def __iter__(self) -> Iterator[Ablation]:
        return iter(self._ablations.values())

    def __len__(self) -> int:
        return len(self._ablations)

    def __getitem__(self, key: str) -> Ablation:
        return self._ablations[key]

    def keys(self) -> list[str]:
        return list(self._ablations)


REGISTRY = Registry()
ablation = REGISTRY.ablation
