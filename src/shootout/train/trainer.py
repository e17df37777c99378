"""One trainer for every torch classifier: whole-tensor batches, schedules, early stopping, checkpoints.

The data go to the device once, as uint8; each step takes a minibatch by index, normalizes it in one
expression and runs forward, loss, backward and the optimizer step (forward and loss under bf16
autocast when the recipe's precision asks for it; CNN weights channels-last when it asks for that).
Per-step losses and correct counts stay on the device; the host looks at them every
``recipe.sync_every`` steps (to stop at a non-finite loss) and once per epoch. Every epoch ends with an
atomic checkpoint that holds all a resumed run needs to end with exactly the weights of an uninterrupted one.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from shootout.data.stats import channel_mean_std
from shootout.train.checkpoint import load_checkpoint, save_checkpoint
from shootout.train.devices import resolve_device
from shootout.train.evaluate import Preprocess, evaluate
from shootout.train.recipe import Recipe, RecipeError
from shootout.train.schedules import learning_rate

# Recipe fields a resumed run may change: they do not alter the weights an epoch produces.
FREE_ON_RESUME = ("epochs", "device", "eval_batch_size", "sync_every", "checkpoint_every", "log_every")
SPLIT_SALT = 0x5EED  # the validation split draws from its own stream, apart from the batch order


class DivergenceError(RuntimeError):
    """The loss became NaN or infinite; the message names epoch, step and learning rate."""


@dataclass
class TrainResult:
    """What :func:`fit` learned about the run (the model itself is trained in place)."""

    history: list[dict[str, Any]]
    preprocess: Preprocess
    device: str
    best_epoch: int | None = None
    stopped_early: bool = False
    train_seconds: float = 0.0

    def __repr__(self) -> str:
        return (
            f"TrainResult(epochs={len(self.history)}, best_epoch={self.best_epoch}, "
            f"stopped_early={self.stopped_early}, device={self.device!r}, seconds={self.train_seconds:.2f})"
        )


def split_validation(n: int, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(train indices, validation indices), both sorted; ``round(n·fraction)`` samples held out."""
    held = round(n * fraction)
    order = np.random.default_rng([seed, SPLIT_SALT]).permutation(n)
    return np.sort(order[held:]), np.sort(order[:held])


def _check_data(images: np.ndarray, labels: np.ndarray) -> None:
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


def _check_model(model: torch.nn.Module, sample: torch.Tensor, num_classes: int) -> None:
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


def _statistics(x: np.ndarray) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Per-channel mean/std of uint8 images, per-column ones of float features (std 0 -> 1)."""
    if x.dtype == np.uint8:
        mean, std = (np.asarray(v) for v in channel_mean_std(x))
    else:
        mean, std = x.mean(axis=0, dtype=np.float64), x.std(axis=0, dtype=np.float64)
    return tuple(mean.tolist()), tuple(np.where(std > 0, std, 1.0).tolist())


def warm_up_torch() -> None:
    """Import what torch imports lazily at the first optimizer step (``torch._dynamo``: 1-2 s here).

    Run once before timing a series of fits, so that the first one is not charged a one-time library
    cost that the others do not pay; the run's total time still includes it.
    """
    import torch._dynamo  # noqa: F401


def make_optimizer(model: torch.nn.Module, recipe: Recipe) -> torch.optim.Optimizer:
    """The recipe's optimizer. torch's fused kernels (one per step, ``recipe.fused_optimizer``) measured
    ×0.89-×0.97 end to end against the default ones on 2 cores (``python -m benchmarks.ablations``, row
    default-optimizer), so the default kernels are the default; both give the same weights up to rounding."""
    params = [p for p in model.parameters() if p.requires_grad]
    fused = recipe.fused_optimizer
    if recipe.optimizer == "adam":
        return torch.optim.Adam(params, lr=recipe.lr, weight_decay=recipe.weight_decay, fused=fused)
    momentum = recipe.momentum if recipe.optimizer == "sgd+momentum" else 0.0
    return torch.optim.SGD(params, lr=recipe.lr, momentum=momentum, weight_decay=recipe.weight_decay, fused=fused)


def _first_nonfinite(losses: torch.Tensor, start: int, stop: int) -> int | None:
    finite = torch.isfinite(losses[start:stop])
    if bool(finite.all()):
        return None
    return start + int((~finite).nonzero()[0, 0])


def _rng_state(device: torch.device) -> dict[str, Any]:
    state = {"torch": torch.get_rng_state()}
    if device.type == "cuda":
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def _restore_rng(state: dict[str, Any], device: torch.device) -> None:
    torch.set_rng_state(state["torch"])
    if device.type == "cuda" and "cuda" in state:
        torch.cuda.set_rng_state_all(state["cuda"])


def _same_recipe(saved: dict[str, Any], recipe: Recipe, path: Path) -> None:
    current, defaults = recipe.to_dict(), Recipe().to_dict()  # a field newer than the checkpoint: its default
    differ = [k for k in current if k not in FREE_ON_RESUME and saved.get(k, defaults[k]) != current[k]]
    if differ:
        raise RecipeError(
            f"{path}: checkpoint was written with another recipe ({', '.join(differ)} differ); "
            "start a new run instead of resuming"
        )


def _stderr_log(line: str) -> None:
    tqdm.write(line, file=sys.stderr)


@dataclass
class _Prepared:
    """The data of a run on its device, and how they are normalized."""

    batches: Any
    val: tuple[torch.Tensor, torch.Tensor]
    preprocess: Preprocess
    train_size: int


def _prepare(
    model: torch.nn.Module, images: np.ndarray, labels: np.ndarray, recipe: Recipe, device: torch.device
) -> _Prepared:
    """Split off validation, fix the normalization, move the data to the device once, check the model."""
    _check_data(images, labels)
    train_idx, val_idx = split_validation(len(images), recipe.validation_fraction, recipe.seed)
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
    _check_model(model, first, int(labels.max()) + 1)
    val_y = torch.from_numpy(labels[val_idx].astype(np.int64)).to(device)
    return _Prepared(
        preprocess.batches(x_all, y_all, recipe.batch_size, seed=recipe.seed),
        (torch.from_numpy(images[val_idx]).to(device), val_y),
        preprocess,
        len(train_y),
    )


class _Run:
    """The mutable state of one training run: model, optimizer, history, best weights."""

    def __init__(self, model: torch.nn.Module, recipe: Recipe, data: _Prepared, device: torch.device) -> None:
        self.model, self.recipe, self.data, self.device = model, recipe, data, device
        self.optimizer = make_optimizer(model, recipe)
        self.steps = len(data.batches)
        self.history: list[dict[str, Any]] = []
        self.best: dict[str, Any] = {"epoch": None, "score": -1.0, "state": None}
        self.stale, self.seconds, self.start_epoch = 0, 0.0, 0
        self.autocast = recipe.autocast(device.type)
        size = recipe.batch_size or data.train_size  # every batch is full but the last (drop_last is off)
        self.batch_sizes = torch.full((self.steps,), float(size), device=device)
        self.batch_sizes[-1] = data.train_size - size * (self.steps - 1)

    def train_epoch(self, epoch: int, bar: tqdm) -> dict[str, Any]:
        """One pass over the training batches; the host looks at the losses every ``recipe.sync_every`` steps."""
        recipe, model, steps = self.recipe, self.model, self.steps
        model.train()
        self.data.batches.set_epoch(epoch)
        losses = torch.zeros(steps, device=self.device)
        correct = torch.zeros((), dtype=torch.int64, device=self.device)
        checked, lr, scheduled = 0, recipe.lr, recipe.schedule != "none"
        for i, (x, y) in enumerate(self.data.batches):
            if scheduled:
                lr = learning_rate(recipe, epoch * steps + i, steps)
                for group in self.optimizer.param_groups:
                    group["lr"] = lr
            with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.autocast):
                scores = model.logits(x)  # (B, C)
                loss = F.cross_entropy(scores, y)  # autocast computes it in fp32
            if recipe.l2:
                loss = loss + recipe.l2 * model.l2_penalty()
            model.zero_grad(set_to_none=True)  # the module's: no profiler record per step, unlike the optimizer's
            loss.backward()
            self.optimizer.step()
            losses[i] = loss.detach()
            correct += (scores.detach().argmax(dim=1) == y).sum()
            if (i + 1) % recipe.sync_every == 0 or i + 1 == steps:
                self._check_finite(losses, checked, i + 1, epoch)
                checked = i + 1
            bar.update(1)
        return {
            "epoch": epoch + 1,
            "train_loss": float((losses * self.batch_sizes).sum() / self.data.train_size),
            "train_accuracy": int(correct) / self.data.train_size,
            "val_loss": None,
            "val_accuracy": None,
            "lr": lr,
        }

    def _check_finite(self, losses: torch.Tensor, start: int, stop: int, epoch: int) -> None:
        bad = _first_nonfinite(losses, start, stop)
        if bad is not None:
            lr = learning_rate(self.recipe, epoch * self.steps + bad, self.steps)
            raise DivergenceError(
                f"training diverged: loss is {losses[bad].item()} at epoch {epoch + 1}, step "
                f"{bad + 1} of {self.steps}, learning rate {lr:.4g}; lower the learning rate"
            )

    def validate(self, row: dict[str, Any]) -> None:
        """Score the validation split into ``row`` and keep the weights when they are the best so far."""
        val_x, val_y = self.data.val
        if not len(val_x):
            return
        scores = evaluate(self.model, val_x, val_y, self.data.preprocess, self.recipe.eval_batch_size)
        row["val_loss"], row["val_accuracy"] = scores["loss"], scores["accuracy"]
        if scores["accuracy"] > self.best["score"]:
            state = {k: v.detach().to("cpu", copy=True) for k, v in self.model.state_dict().items()}
            self.best, self.stale = {"epoch": row["epoch"], "score": scores["accuracy"], "state": state}, 0
        else:
            self.stale += 1

    def state(self, epoch: int) -> dict[str, Any]:
        """Everything a resumed run needs, as tensors and plain data."""
        return {
            "epoch": epoch,
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "rng": _rng_state(self.device),
            "history": self.history,
            "best": self.best,
            "stale": self.stale,
            "train_seconds": self.seconds,
            "recipe": self.recipe.to_dict(),
        }

    def restore(self, state: dict[str, Any], path: Path) -> None:
        _same_recipe(state["recipe"], self.recipe, path)
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.history, self.best, self.stale = state["history"], state["best"], state["stale"]
        self.start_epoch, self.seconds = state["epoch"], state["train_seconds"]
        _restore_rng(state["rng"], self.device)


def fit(
    model: torch.nn.Module,
    images: np.ndarray,
    labels: np.ndarray,
    recipe: Recipe,
    *,
    checkpoint: str | Path | None = None,
    resume: bool = False,
    log: Callable[[str], None] | None = _stderr_log,
    progress: bool | None = None,
    watch: tuple[np.ndarray, np.ndarray] | None = None,
) -> TrainResult:
    """Train ``model`` (a :class:`shootout.nets.Classifier`) in place on ``images`` and int ``labels``.

    images : uint8 N×H×W×C, or float features N×D. checkpoint : file written atomically after every
    ``recipe.checkpoint_every`` epochs; with ``resume`` an existing one is continued (same recipe
    required; ``epochs`` may grow). log : called with one line per epoch when no progress bar is
    shown (None: silent). progress : one bar over the run (default: when stderr is a terminal).
    watch : a labelled set (e.g. the test split) scored after every epoch into the history as
    ``test_loss`` and ``test_accuracy``, as the tutorials print it; it decides nothing and its time is
    not counted in ``seconds``.
    Raises :class:`RecipeError` before training for a model/data mismatch and
    :class:`DivergenceError` at a non-finite loss.
    """
    device = resolve_device(recipe.device)
    torch.manual_seed(recipe.seed)
    model.to(device)
    if recipe.layout == "nchw" and recipe.channels_last:  # the batches are channels-last views already
        model.to(memory_format=torch.channels_last)
    run = _Run(model, recipe, _prepare(model, np.asarray(images), np.asarray(labels), recipe, device), device)
    watched = None
    if watch is not None:
        watched = tuple(torch.from_numpy(np.ascontiguousarray(a)).to(device) for a in (watch[0], np.asarray(watch[1])))
    path = Path(checkpoint) if checkpoint is not None else None
    if resume and path is not None and path.exists():
        run.restore(load_checkpoint(path), path)
        if log:
            log(f"resumed from {path} after epoch {run.start_epoch}")
    show_bar = sys.stderr.isatty() if progress is None else progress
    stopped_early = False
    # On a terminal one bar runs over all remaining steps, its postfix showing the last epoch's numbers;
    # elsewhere (CI, files) one log line per epoch.
    with tqdm(
        total=run.steps * (recipe.epochs - run.start_epoch),
        disable=not show_bar,
        leave=False,
        file=sys.stderr,
        unit="step",
        dynamic_ncols=True,
    ) as bar:
        for epoch in range(run.start_epoch, recipe.epochs):
            bar.set_description(f"epoch {epoch + 1}/{recipe.epochs}")
            started = time.perf_counter()
            row = run.train_epoch(epoch, bar)
            run.validate(row)
            row["seconds"] = time.perf_counter() - started
            run.seconds += row["seconds"]
            if watched is not None:  # reported only: after the timing, and never read by any decision
                scores = evaluate(model, *watched, run.data.preprocess, recipe.eval_batch_size)
                row["test_loss"], row["test_accuracy"] = scores["loss"], scores["accuracy"]
            run.history.append(row)
            stopped_early = recipe.early_stopping and recipe.patience is not None and run.stale >= recipe.patience
            last = stopped_early or epoch + 1 == recipe.epochs
            if show_bar:
                bar.set_postfix_str(_format_row(row, recipe.epochs).split("  ", 1)[1], refresh=False)
            elif log and (last or (epoch + 1) % recipe.log_every == 0):
                log(_format_row(row, recipe.epochs))
            if path is not None and (last or (epoch + 1) % recipe.checkpoint_every == 0):
                save_checkpoint(path, run.state(epoch + 1))
            if stopped_early:
                if log:
                    log(f"early stopping: no better validation accuracy for {run.stale} epochs")
                break
    if recipe.early_stopping and run.best["state"] is not None:
        model.load_state_dict(run.best["state"])
    best_epoch = run.best["epoch"] if recipe.early_stopping else None
    return TrainResult(run.history, run.data.preprocess, str(device), best_epoch, stopped_early, run.seconds)


def _format_row(row: dict[str, Any], epochs: int) -> str:
    parts = [
        f"epoch {row['epoch']}/{epochs}",
        f"loss {row['train_loss']:.4f}",
        f"train acc {row['train_accuracy']:.4f}",
    ]
    if row["val_accuracy"] is not None:
        parts.append(f"val acc {row['val_accuracy']:.4f}")
    parts += [f"lr {row['lr']:.3g}", f"{row['seconds']:.2f}s"]
    return "  ".join(parts)
