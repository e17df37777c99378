"""The few collective operations a run needs, each a no-op for a single process.

Two process groups: the main one (NCCL on CUDA, gloo on the CPU) carries the training's gradients and
the evaluation's sums under a short timeout, so a stuck peer is noticed within it; a second, gloo
"patient" group with a long timeout carries the waits on work that rank 0 does alone (fetching the
data, the NumPy and SVM contestants, reading checkpoints) and the small Python objects it hands on.
A peer that dies is noticed at once on either: its connections close.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.distributed as dist

from shootout.distributed.world import World

_patient: Any = None  # the gloo group with the long timeout; set by shootout.distributed.start


def set_patient_group(group: Any) -> None:
    global _patient
    _patient = group


def all_sum(world: World, tensor: torch.Tensor) -> torch.Tensor:
    """The elementwise sum of ``tensor`` over every rank (a new tensor on ``tensor``'s device)."""
    if not world.distributed:
        return tensor
    on_group = tensor.detach().to(world.device, copy=True)
    dist.all_reduce(on_group, op=dist.ReduceOp.SUM)
    return on_group.to(tensor.device)


def all_min(world: World, value: int) -> int:
    """The smallest of every rank's ``value`` (each rank gets the same)."""
    if not world.distributed:
        return value
    tensor = torch.tensor([value], dtype=torch.int64, device=world.device)
    dist.all_reduce(tensor, op=dist.ReduceOp.MIN)
    return int(tensor.item())


def all_max(world: World, value: int) -> int:
    """The largest of every rank's ``value`` (each rank gets the same)."""
    return -all_min(world, -value)


def broadcast_object(world: World, value: Any) -> Any:
    """Rank 0's ``value`` on every rank (pickled; for small things: options, a checkpoint's state)."""
    if not world.distributed:
        return value
    box = [value if world.is_main else None]
    dist.broadcast_object_list(box, src=0, group=_patient)
    return box[0]


def gather_objects(world: World, value: Any) -> list[Any] | None:
    """Every rank's ``value`` in rank order on rank 0; None on the others."""
    if not world.distributed:
        return [value]
    out: list[Any] | None = [None] * world.size if world.is_main else None
    dist.gather_object(value, out, dst=0, group=_patient)
    return out


def wait_for_main(world: World) -> None:
    """Every rank waits here until all arrived, however long rank 0 worked alone before (patient group)."""
    if world.distributed:
        dist.barrier(group=_patient)


def sync_buffers(world: World, module: torch.nn.Module) -> None:
    """Give every rank rank 0's buffers (batch norm's running statistics).

    DistributedDataParallel broadcasts them at the start of each training forward pass, after which
    each rank's own batch moves them again; this makes them equal before the model is evaluated or kept.
    """
    if not world.distributed:
        return
    for buffer in module.buffers():
        dist.broadcast(buffer.data, src=0)
