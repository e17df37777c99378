"""Ablations of the torch data path: how a batch gets from the uint8 set to the model."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
import torch
import torch.nn.functional as F

from benchmarks.ablations.common import Data, catalog, channel_stats, timed
from benchmarks.ablations.registry import ablation
from shootout.data import Batches


def sgd_epoch(model: torch.nn.Module, batches: Iterable, lr: float, momentum: float = 0.0) -> None:
    """The tutorials' training step, the same for both variants of a data-path comparison."""
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    model.train()
    for x, y in batches:
        loss = F.cross_entropy(model.logits(x), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()


class PerSampleSet(torch.utils.data.Dataset):
    """The tutorials' data path: one sample at a time, converted and normalized in ``__getitem__``."""

    def __init__(self, images: np.ndarray, labels: np.ndarray, mean: torch.Tensor, std: torch.Tensor) -> None:
        self.images, self.labels, self.mean, self.std = torch.from_numpy(images), torch.from_numpy(labels), mean, std

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        return ((self.images[i].float() - self.mean) / self.std).reshape(-1), self.labels[i]


@ablation(
    key="uint8-batches",
    change="whole uint8 tensor, a batch is one gather + one normalize",
    against="per-sample Dataset + DataLoader(batch 64)",
    workload="Fashion-MNIST 784-256-10, 1 epoch, batch 64, SGD (seed 001's loop)",
)
def uint8_batches(data: Data, after: bool) -> dict[str, float]:
    x, y = data.fashion[0], data.fashion[1].astype(np.int64)
    mean, std = channel_stats(x)
    torch.manual_seed(0)
    model = catalog("fashion-mlp", "mlp-seed").build(x.shape[1:], 10)
    if after:
        batches = Batches(
            torch.from_numpy(x), torch.from_numpy(y), 64, mean=mean.tolist(), std=std.tolist(), layout="flat"
        )
    else:
        generator = torch.Generator().manual_seed(0)
        batches = torch.utils.data.DataLoader(PerSampleSet(x, y, mean, std), 64, shuffle=True, generator=generator)
    seconds, _ = timed(lambda: sgd_epoch(model, batches, 0.01))
    return {"seconds": seconds}


class FloatSet:
    """The whole training set normalized to float32 once, batches gathered from it (no per-batch work)."""

    def __init__(self, images: np.ndarray, labels: np.ndarray, batch_size: int, mean: torch.Tensor, std: torch.Tensor):
        self.x = (torch.from_numpy(images).float() - mean) / std  # N×H×W×C float32: 4× the uint8 bytes
        self.y, self.batch_size = torch.from_numpy(labels), batch_size

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        order = torch.from_numpy(np.random.default_rng([0, 0]).permutation(len(self.x)))  # Batches' seed 0, epoch 0
        for start in range(0, len(order), self.batch_size):
            take = order[start : start + self.batch_size]
            yield self.x[take].permute(0, 3, 1, 2), self.y[take]


@ablation(
    key="per-batch-normalization",
    change="uint8 on the device, normalized per batch",
    against="whole set normalized to float32 up front",
    workload="CIFAR-10 LeNet, 1 epoch, batch 128, momentum",
    needs_cifar=True,
)
def per_batch_normalization(data: Data, after: bool) -> dict[str, float]:
    x, y = data.cifar[0], data.cifar[1].astype(np.int64)
    mean, std = channel_stats(x)
    torch.manual_seed(0)
    model = catalog("cifar-lenet", "lenet-tuned").build(x.shape[1:], 10)

    def run() -> int:
        if after:
            batches = Batches(
                torch.from_numpy(x), torch.from_numpy(y), 128, mean=mean.tolist(), std=std.tolist(), layout="nchw"
            )
            held = batches.images.nbytes
        else:
            batches = FloatSet(x, y, 128, mean, std)
            held = batches.x.nbytes
        sgd_epoch(model, batches, 0.05, 0.9)
        return held

    seconds, held = timed(run)
    return {"seconds": seconds, "data MB": held / 2**20}


@ablation(
    key="fused-normalize",
    change="one addcmul per batch (x·1/std + (-mean/std))",
    against="(x.float() - mean) / std",
    workload="CIFAR-10, normalizing one epoch of 128-batches",
    needs_cifar=True,
)
def fused_normalize(data: Data, after: bool) -> dict[str, float]:
    x = torch.from_numpy(data.cifar[0])
    mean, std = channel_stats(data.cifar[0])
    batches = Batches(x, torch.zeros(len(x), dtype=torch.int64), 128, mean=mean.tolist(), std=std.tolist())
    order = torch.from_numpy(batches.order())

    def run() -> None:
        for start in range(0, len(order), 128):
            raw = x[order[start : start + 128]]
            if after:
                batches.transform(raw)
            else:
                ((raw.float() - mean) / std).permute(0, 3, 1, 2)

    seconds, _ = timed(run)
    return {"seconds": seconds}


@ablation(
    key="index-select",
    change="batch gathered with torch.index_select",
    against="images[index] (advanced indexing)",
    workload="MNIST, gathering one epoch of 64-image batches",
)
def index_select_gather(data: Data, after: bool) -> dict[str, float]:
    images = torch.from_numpy(data.mnist[0])
    order = torch.from_numpy(np.random.default_rng(0).permutation(len(images)))
    takes = order.split(64)

    def run() -> None:
        for take in takes:
            torch.index_select(images, 0, take) if after else images[take]

    seconds, _ = timed(run)
    return {"seconds": seconds}
