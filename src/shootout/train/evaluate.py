"""Evaluation of a trained torch classifier: inference mode, large batches, whole-tensor input.

Over several ranks (``world``), each rank scores a run of whole evaluation batches, the same batches a
single process forms, with no sample padded or repeated; so every score equals a single-process
evaluation of the same weights exactly. :func:`evaluate` sums the correct counts (integers) and the
per-batch loss sums (each batch's from the one rank that scored it, so the sum adds zeros only) with
all_reduce; :func:`predict_logits` gathers the rows the same way, each rank filling in its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from shootout.data.batches import Batches
from shootout.distributed.collectives import all_max, all_sum
from shootout.distributed.world import SINGLE, World

# Rows per evaluation batch when none is asked for. On the CPU (2 cores, measured by
# ``python -m benchmarks.ablations``) LeNet on the MNIST test set is fastest at 256 (1024: +40 %, its
# feature maps leave the cache; 64: +20 %) and an MLP within 8 % of its best; a GPU wants big batches.
EVAL_BATCH = {"cpu": 256, "cuda": 4096}


def eval_batch_size(device: torch.device | str) -> int:
    """The default evaluation batch for ``device``."""
    return EVAL_BATCH.get(torch.device(device).type, EVAL_BATCH["cpu"])


@dataclass(frozen=True)
class Preprocess:
    """How images become model input: x = (uint8 - mean) / std, in ``layout``."""

    mean: tuple[float, ...]
    std: tuple[float, ...]
    layout: str

    def batches(self, images: torch.Tensor, labels: torch.Tensor, batch_size: int | None, **kwargs) -> Batches:
        return Batches(images, labels, batch_size, mean=self.mean, std=self.std, layout=self.layout, **kwargs)


def _on(model: torch.nn.Module, array) -> torch.Tensor:
    device = next(model.parameters()).device
    return torch.as_tensor(array).to(device)


def shard(n: int, batch_size: int, world: World) -> slice:
    """The rows rank ``world.rank`` scores: its run of whole evaluation batches (none padded or repeated)."""
    batches = -(-n // batch_size)
    first, last = world.rank * batches // world.size, (world.rank + 1) * batches // world.size
    return slice(min(first * batch_size, n), min(last * batch_size, n))


def _logits_by_batch(model, images: torch.Tensor, preprocess: Preprocess, batch_size: int) -> list[torch.Tensor]:
    """Scores of consecutive batches of ``batch_size`` rows, in inference mode."""
    labels = torch.zeros(len(images), dtype=torch.int64, device=images.device)
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            return [model.logits(x) for x, _ in preprocess.batches(images, labels, batch_size, shuffle=False)]
    finally:
        model.train(was_training)


def predict_logits(
    model, images, preprocess: Preprocess, batch_size: int | None = None, world: World = SINGLE
) -> torch.Tensor:
    """Scores (N × C) for uint8 images N×H×W×C (NumPy or a tensor), on the model's device.

    batch_size : rows per forward pass (None: :func:`eval_batch_size` of the model's device). world :
    every rank calls this with the same images, scores its share and gets all N rows.
    """
    images_t = _on(model, images)
    batch_size = batch_size or eval_batch_size(images_t.device)
    if not world.distributed:
        parts = _logits_by_batch(model, images_t, preprocess, batch_size)
        return torch.cat(parts) if parts else torch.empty(0)
    rows = shard(len(images_t), batch_size, world)
    parts = _logits_by_batch(model, images_t[rows], preprocess, batch_size)
    mine = torch.cat(parts) if parts else None
    classes = all_max(world, 0 if mine is None else mine.shape[1])  # a rank without rows cannot tell
    dtype = next(model.parameters()).dtype if mine is None else mine.dtype
    every = torch.zeros(len(images_t), classes, dtype=dtype, device=images_t.device)
    if mine is not None:
        every[rows] = mine
    return all_sum(world, every)  # each row is one rank's, the others add zeros: exact


def evaluate(
    model, images, labels, preprocess: Preprocess, batch_size: int | None = None, world: World = SINGLE
) -> dict[str, float]:
    """Accuracy and mean cross-entropy on a labelled set (every rank of ``world`` gets the same numbers)."""
    images_t, target = _on(model, images), _on(model, labels)
    n = len(images_t)
    if n == 0:
        return {"accuracy": math.nan, "loss": math.nan}
    batch_size = batch_size or eval_batch_size(images_t.device)
    rows = shard(n, batch_size, world)
    first = rows.start // batch_size
    sums = torch.zeros(1 + -(-n // batch_size), dtype=torch.float64, device=images_t.device)  # correct, per batch
    mine = target[rows]
    for k, logits in enumerate(_logits_by_batch(model, images_t[rows], preprocess, batch_size)):
        y = mine[k * batch_size : (k + 1) * batch_size]
        sums[0] += (logits.argmax(dim=1) == y).sum()
        sums[1 + first + k] = F.cross_entropy(logits, y, reduction="sum").double()
    sums = all_sum(world, sums)
    return {"accuracy": int(sums[0]) / n, "loss": float(sums[1:].sum()) / n}


def predict_proba(
    model, images, preprocess: Preprocess, batch_size: int | None = None, world: World = SINGLE
) -> np.ndarray:
    """Class probabilities (N × C) as a NumPy array."""
    logits = predict_logits(model, images, preprocess, batch_size, world)
    return torch.softmax(logits.float(), dim=1).cpu().numpy()
