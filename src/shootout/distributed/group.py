"""Opening and closing the process group of a launched run: once per process, with timeouts.

NCCL when the run trains on CUDA (each rank on the GPU of its ``LOCAL_RANK``), gloo on the CPU, where
each rank gets ``cores // processes on this machine`` threads (at least one), so the processes of one
machine do not fight over its cores.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import torch
import torch.distributed as dist

from shootout.distributed import faults
from shootout.distributed.collectives import set_patient_group
from shootout.distributed.world import LaunchError, World, cores, from_env

# Seconds a collective of the training may wait for a peer: a rank that hangs stops the others after
# this. Collectives run every step, so only a checkpoint write by rank 0 ever makes the others wait.
TIMEOUT = 45.0
# Seconds a rank may wait for work rank 0 does alone (a download, the NumPy and SVM contestants, an exact
# SVC on 60,000 images takes over half an hour); a rank that dies is noticed at once all the same.
PATIENCE = 6 * 3600.0


def _seconds(name: str, default: float) -> float:
    value = os.environ.get(name)
    try:
        return float(value) if value else default
    except ValueError:
        raise LaunchError(f"{name}={value!r} is not a number of seconds") from None


def start(device: str) -> World:
    """Join the run the launcher started; ``device`` is the run's (cpu | cuda | auto) and picks the backend."""
    from shootout.train.devices import resolve_device

    place = from_env()
    if place is None:
        raise LaunchError("no launcher started this process: WORLD_SIZE, RANK and LOCAL_RANK are not set")
    torch.set_num_threads(max(1, cores() // place.local_size))
    if resolve_device(device).type == "cuda":
        if place.local_rank >= torch.cuda.device_count():
            raise LaunchError(
                f"LOCAL_RANK {place.local_rank} needs GPU {place.local_rank}, but this machine has "
                f"{torch.cuda.device_count()}; start at most that many processes per machine"
            )
        torch.cuda.set_device(place.local_rank)
        backend, on = "nccl", f"cuda:{place.local_rank}"
    else:
        backend, on = "gloo", "cpu"
    timeout = timedelta(seconds=_seconds("SHOOTOUT_DIST_TIMEOUT", TIMEOUT))
    dist.init_process_group(backend, timeout=timeout, rank=place.rank, world_size=place.size)
    patience = timedelta(seconds=_seconds("SHOOTOUT_DIST_PATIENCE", PATIENCE))
    set_patient_group(dist.new_group(backend="gloo", timeout=patience))
    world = replace(place, backend=backend, device=on)
    faults.arm(world)
    return world


def stop() -> None:
    """Leave the process group (a no-op when none is open)."""
    faults.disarm()
    set_patient_group(None)
    if dist.is_available() and dist.is_initialized():
        with contextlib.suppress(Exception):  # a group whose peers died is gone already
            dist.destroy_process_group()


@contextlib.contextmanager
def started(device: str) -> Iterator[World]:
    """The launched run's :class:`World` for the duration of the block; the group is closed after it."""
    try:
        yield start(device)
    finally:
        stop()
