"""One fit over several processes: the model wrapped in DistributedDataParallel, and the few agreements
the ranks must reach (the epoch's sums, the first non-finite loss, the checkpoint). For one process
every method is the plain single-process thing, so :func:`shootout.train.fit` has one code path.

Each rank's gradient is the mean over its share of the global batch; DDP averages them over the ranks,
which is the mean over the global batch: the update a single process makes with that batch. Batch norm:
on CUDA the layers become SyncBatchNorm (statistics of the global batch); on the CPU they stay plain
(statistics of each rank's share) and DDP hands rank 0's running statistics to every rank at each
step (``broadcast_buffers``).
"""

from __future__ import annotations

from typing import Any

import torch
from torch.nn.parallel import DistributedDataParallel

from shootout.distributed.collectives import all_min, all_sum, broadcast_object, gather_objects, sync_buffers
from shootout.distributed.world import World


class _Logits(torch.nn.Module):
    """The classifier's logits as ``forward``: DDP synchronizes gradients of what runs through its forward."""

    def __init__(self, net: torch.nn.Module) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net.logits(x)


def _rng_state(device: torch.device) -> dict[str, Any]:
    state = {"torch": torch.get_rng_state()}
    if device.type == "cuda":
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def _restore_rng(state: dict[str, Any], device: torch.device) -> None:
    torch.set_rng_state(state["torch"])
    if device.type == "cuda" and "cuda" in state:
        torch.cuda.set_rng_state_all(state["cuda"])


class Replicas:
    """The model as every rank trains it; ``forward(x)`` gives the logits (through DDP when distributed)."""

    def __init__(self, world: World, model: torch.nn.Module, device: torch.device) -> None:
        self.world, self.model, self.device = world, model, device
        self.forward = model.logits
        if world.distributed:
            ids = None
            if device.type == "cuda":
                converted = torch.nn.SyncBatchNorm.convert_sync_batchnorm(model)
                assert converted is model, "a classifier is never a batch norm layer itself"
                ids = [device.index if device.index is not None else torch.cuda.current_device()]
            # DDP's constructor hands rank 0's parameters and buffers to every rank: one starting point
            self.forward = DistributedDataParallel(_Logits(model), device_ids=ids)

    def epoch_sums(self, loss_sum: torch.Tensor, correct: torch.Tensor) -> tuple[torch.Tensor, int]:
        """(sum of per-sample losses, correct predictions) of the epoch over every rank."""
        if not self.world.distributed:
            return loss_sum, int(correct)
        both = all_sum(self.world, torch.stack([loss_sum.double(), correct.double()]))  # counts < 2^53: exact
        return both[0], int(both[1])

    def agree_nonfinite(self, losses: torch.Tensor, mine: int | None, stop: int) -> tuple[int, float] | None:
        """The first step whose loss is NaN or infinite on any rank (``mine``: this rank's first, or None,
        among the steps before ``stop``), and that loss; the same answer on every rank, so all stop there."""
        if not self.world.distributed:
            return None if mine is None else (mine, losses[mine].item())
        bad = all_min(self.world, stop if mine is None else mine)
        if bad == stop:
            return None
        value = losses[bad].detach().double()  # the non-finite value itself (nan or ±inf), from the ranks with one
        value = all_sum(self.world, torch.where(torch.isfinite(value), torch.zeros_like(value), value))
        return bad, float(value)

    def agree_buffers(self) -> None:
        """Every rank takes rank 0's buffers (batch norm statistics), before evaluating or keeping the model."""
        sync_buffers(self.world, self.model)

    def random_states(self) -> dict[str, Any]:
        """The random states a checkpoint keeps: rank 0's as ``rng`` and, distributed, every rank's (collective)."""
        states = gather_objects(self.world, _rng_state(self.device))
        if not self.world.is_main:
            return {}
        if not self.world.distributed:
            return {"rng": states[0]}
        return {"rng": states[0], "rng_by_rank": states, "world_size": self.world.size}

    def shared(self, value: Any) -> Any:
        """Rank 0's ``value`` (a checkpoint it read) on every rank."""
        return broadcast_object(self.world, value)

    def restore_rng(self, state: dict[str, Any]) -> None:
        """This rank's random state as saved; a checkpoint of another world size keeps the rank's fresh seed."""
        by_rank = state.get("rng_by_rank")
        if by_rank is not None and len(by_rank) == self.world.size:
            _restore_rng(by_rank[self.world.rank], self.device)
        elif by_rank is None and not self.world.distributed:
            _restore_rng(state["rng"], self.device)
