"""Before the first step: check data and model, split off validation, fix the normalization, move the data once.

Every rank of a distributed run prepares the same arrays (the same validation split, the same
statistics); only its batches differ: its shard of each epoch's permutation, in batches of the global
batch size divided by the number of processes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from shootout.data.stats import channel_mean_std
from shootout.distributed.world import World
from shootout.train.evaluate import Preprocess
from shootout.train.recipe import Recipe, RecipeError

SPLIT_SALT = 0x5EED  # the validation split draws from its own stream, apart from the batch order


def split_validation(n: int, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(train indices, validation indices), both sorted; ``round(n·fraction)`` samples held out."""
    held = round(n * fraction)
    order = np.random.default_rng([seed, SPLIT_SALT]).permutation(n)
    return np.sort(order[held:]), np.sort(order[:held])


def check_data(images: np.ndarray, labels: np.ndarray) -> None:
    is_images = images.dtype == np.uint8 and images.ndim == 4
    is_features = images.ndim == 2 and np.issubdtype(images.dtype, np.floating)
    if not (is_images or is_features):
        raise RecipeError(
            f"training data must be uint8 images N×H×W×C or float features N×D, got {images.dtype} {images.shape}"
        )
    if is_features and not np.all(np.isfinite(images)):
        raise RecipeError("training features hold NaN or infinite values")
    if labels.shape != (len(images),) or not np.issubdtype(labels.dtype, np.integer):
        raise RecipeError(f"labels must be {len(images)} integers, got {labels.dtype} {labels.shape}")
    if len(images) == 0:
        raise RecipeError("cannot train on zero images")


def check_model(model: torch.nn.Module, sample: torch.Tensor, num_classes: int) -> None:
    """One forward pass on one sample, so a shape mismatch fails before training with a clear message."""
    expected = getattr(model, "input_dim", None)
    if expected is not None and sample[0].numel() != expected:
        raise RecipeError(
            f"{type(model).__name__} expects inputs of dimension {expected}, but the data give "
            f"{sample[0].numel()} ({'×'.join(map(str, sample.shape[1:]))})"
        )
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            out = model.logits(sample)
    except RuntimeError as exc:
        raise RecipeError(
            f"{type(model).__name__} cannot take inputs of shape {tuple(sample.shape)}: {str(exc).splitlines()[0]}"
        ) from None
    finally:
        model.train(was_training)
    if out.ndim != 2 or out.shape[1] < num_classes:
        raise RecipeError(
            f"{type(model).__name__} gives {tuple(out.shape[1:])} scores per sample, "
            f"but the labels need {num_classes} classes"
        )


def rank_batch_size(recipe: Recipe, world: World) -> int | None:
    """Each rank's share of the recipe's (global) batch; a batch that does not split evenly is refused."""
    if recipe.batch_size is None or not world.distributed:
        return recipe.batch_size
    if recipe.batch_size % world.size:
        raise RecipeError(
            f"batch size {recipe.batch_size} (the global batch) does not split over {world.size} processes; "
            f"use a multiple of {world.size}"
        )
    return recipe.batch_size // world.size


def _statistics(x: np.ndarray) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Per-channel mean/std of uint8 images, per-column ones of float features (std 0 -> 1)."""
    if x.dtype == np.uint8:
        mean, std = (np.asarray(v) for v in channel_mean_std(x))
    else:
        mean, std = x.mean(axis=0, dtype=np.float64), x.std(axis=0, dtype=np.float64)
    return tuple(mean.tolist()), tuple(np.where(std > 0, std, 1.0).tolist())


@dataclass
class Prepared:
    """The data of a run on its device, and how they are normalized."""

    batches: Any  # this rank's batches
    val: tuple[torch.Tensor, torch.Tensor]  # the whole validation split (each rank scores its share)
    preprocess: Preprocess
    train_size: int  # samples trained on per epoch, over all ranks


def prepare(
    model: torch.nn.Module,
    images: np.ndarray,
    labels: np.ndarray,
    recipe: Recipe,
    device: torch.device,
    world: World,
) -> Prepared:
    """Split off validation, fix the normalization, move the data to the device once, check the model."""
    check_data(images, labels)
    per_rank = rank_batch_size(recipe, world)
    train_idx, val_idx = split_validation(len(images), recipe.validation_fraction, recipe.seed)
    if len(train_idx) < world.size:
        raise RecipeError(f"{len(train_idx)} training samples cannot be shared by {world.size} processes")
    train_x, train_y = images[train_idx], labels[train_idx].astype(np.int64)
    mean, std = _statistics(train_x) if recipe.mean is None or recipe.std is None else (None, None)
    channels = images.shape[-1]
    preprocess = Preprocess(
        mean=tuple(np.broadcast_to(recipe.mean if recipe.mean is not None else mean, channels).tolist()),
        std=tuple(np.broadcast_to(recipe.std if recipe.std is not None else std, channels).tolist()),
        layout=recipe.layout,
    )
    if train_x.dtype != np.uint8:  # float features travel in the model's precision; images stay uint8
        dtype = np.float64 if next(model.parameters()).dtype == torch.float64 else np.float32
        train_x, images = train_x.astype(dtype), images.astype(dtype)
    x_all, y_all = torch.from_numpy(train_x).to(device), torch.from_numpy(train_y).to(device)
    first = next(iter(preprocess.batches(x_all[:1], y_all[:1], 1, shuffle=False)))[0]
    check_model(model, first, int(labels.max()) + 1)
    val_y = torch.from_numpy(labels[val_idx].astype(np.int64)).to(device)
    # every rank walks the same seeded permutation of each epoch and takes every size-th sample of it
    batches = preprocess.batches(x_all, y_all, per_rank, seed=recipe.seed, rank=world.rank, world_size=world.size)
    return Prepared(
        batches,
        (torch.from_numpy(images[val_idx]).to(device), val_y),
        preprocess,
        batches.shard_size * world.size,
    )
