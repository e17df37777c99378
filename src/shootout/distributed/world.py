"""Who this process is in a run: its rank among how many, on which machine slot, over which backend.

A run is one process (:data:`SINGLE`) unless a launcher started several: ``torchrun`` (or ``shootout
run --nproc N``, which starts ``torch.distributed.run`` itself) tells each process its place through
the environment variables ``WORLD_SIZE``, ``RANK``, ``LOCAL_RANK`` and ``LOCAL_WORLD_SIZE``.
:func:`from_env` reads them; :func:`shootout.distributed.start` opens the process group.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np

LAUNCH_VARIABLES = ("WORLD_SIZE", "RANK", "LOCAL_RANK")


class LaunchError(RuntimeError):
    """The launcher's environment variables do not describe a run this process can join."""


@dataclass(frozen=True)
class World:
    """This process's place in the run. ``backend`` is None for a single process (no process group)."""

    rank: int = 0
    size: int = 1
    local_rank: int = 0
    local_size: int = 1
    backend: str | None = None  # "gloo" on the CPU, "nccl" on CUDA
    device: str = "cpu"  # where the tensors of collectives live: cuda:LOCAL_RANK with NCCL

    @property
    def is_main(self) -> bool:
        """Rank 0: the one process that reads and writes the run folder."""
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.size > 1

    def seed(self, seed: int) -> int:
        """This rank's seed: see :func:`rank_seed`."""
        return rank_seed(seed, self.rank)

    def describe(self) -> dict[str, Any]:
        """What metrics.json's environment records about the processes."""
        return {"world_size": self.size, "backend": self.backend}

    def __str__(self) -> str:
        return f"rank {self.rank} of {self.size}"


SINGLE = World()


def rank_seed(seed: int, rank: int) -> int:
    """The seed of rank ``rank``'s own random numbers, derived from the run's seed and the rank.

    Rank 0 keeps the run's seed, so a one-process run draws what it always drew; other ranks get an
    independent stream from NumPy's SeedSequence of (seed, rank).
    """
    if rank == 0:
        return int(seed)
    return int(np.random.SeedSequence([int(seed) & 0xFFFFFFFF, rank]).generate_state(1, np.uint32)[0])


def launched() -> bool:
    """Whether a launcher (torchrun) started this process: its variables are set."""
    return all(name in os.environ for name in LAUNCH_VARIABLES)


def from_env() -> World | None:
    """This process's place as the launcher's variables give it (backend still unset), or None without them."""
    if not launched():
        return None
    try:
        size, rank, local_rank = (int(os.environ[name]) for name in LAUNCH_VARIABLES)
        local_size = int(os.environ.get("LOCAL_WORLD_SIZE", size))
    except ValueError:
        shown = ", ".join(f"{n}={os.environ.get(n)!r}" for n in (*LAUNCH_VARIABLES, "LOCAL_WORLD_SIZE"))
        raise LaunchError(f"the launcher's variables are not integers: {shown}") from None
    if not (0 <= rank < size and 0 <= local_rank < local_size <= size):
        raise LaunchError(
            f"the launcher's variables do not fit: RANK={rank}, WORLD_SIZE={size}, "
            f"LOCAL_RANK={local_rank}, LOCAL_WORLD_SIZE={local_size}"
        )
    return World(rank=rank, size=size, local_rank=local_rank, local_size=local_size)


def cores() -> int:
    """The CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1
