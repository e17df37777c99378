"""The speedrun's training loop: whole data set on the device, augmentation on whole batches, scoped timing.

The images go to the device once as they are stored (uint8 N×H×W×C); each step gathers a batch by
index, normalizes it into a channels-last N×C×H×W view (bf16 under bf16 precision), mirrors and moves
it (:mod:`shootout.train.augment`), and takes one Nesterov SGD step on the label-smoothed loss. Every
random choice is a pure function of the seed and the epoch (the batch order, which images mirror,
the moves), so a run is repeatable on the CPU and a checkpoint needs no random-generator state: a run
resumed from the end of any epoch ends with exactly the weights of an uninterrupted one (on the CPU).

Timing (``SpeedrunResult.train_seconds``) covers what a speedrun counts: computing the whitening
layer from the training images and the training epochs, measured by a :class:`~shootout.train.timing.Stopwatch`
(CUDA events on a GPU). It leaves out moving the data to the device, the warm-up steps (on CUDA, where
``compile`` is on by default: cuDNN's algorithm search and compilation, run on a copy of the state that is then
thrown away), the ``watch`` scoring, checkpoints and log lines.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from shootout.data.batches import Batches
from shootout.nets.speedrun import SpeedrunNet
from shootout.train.augment import flip_alternate, translate, tta_logits
from shootout.train.checkpoint import load_checkpoint, save_checkpoint
from shootout.train.devices import resolve_device
from shootout.train.evaluate import Preprocess, eval_batch_size
from shootout.train.schedules import triangle
from shootout.train.speedrun_recipe import SpeedrunRecipe, SpeedrunRecipeError
from shootout.train.timing import Stopwatch
from shootout.train.trainer import DivergenceError

WHITEN_SAMPLES = 5000  # training images whose 2×2 patches set the whitening layer (a seeded choice)
WARMUP_STEPS = 3  # untimed steps on a throwaway copy of the state (CUDA, compile) before the timed run
FREE_ON_RESUME = ("epochs", "device", "compile", "eval_batch_size")  # change no weight an epoch produces
FLIP_SALT, MOVE_SALT, WHITEN_SALT = 0xF11, 0x30E, 0xEE5  # separate random streams from one seed


@dataclass
class SpeedrunResult:
    """What :func:`train_speedrun` measured (the model itself is trained in place)."""

    history: list[dict[str, Any]]
    preprocess: Preprocess  # the per-channel normalization of the training images
    device: str
    batch_size: int  # the size of every batch of the run
    steps_per_epoch: int
    precision: str  # bf16 or fp32, as it ran
    compiled: bool  # whether the training forward pass ran through torch.compile
    whiten_seconds: float = 0.0
    train_seconds: float = 0.0  # whitening + epochs, as the module docstring scopes it


def batch_plan(n: int, target: int) -> tuple[int, int]:
    """(batch size, steps per epoch) for ``n`` samples and a target batch size.

    Every batch has the same size (one compiled shape, no tiny last batch skewing batch norm): the
    epoch is cut into round(n / target) batches of n // steps, leaving out the n mod steps samples at
    the end of each epoch's permutation, a different few each epoch (20 of 50,000 at 1,024 -> 49 × 1,020).
    """
    steps = max(round(n / target), 1)
    return n // steps, steps


def seed_for(*parts: int) -> int:
    """A 63-bit seed for a torch generator from integers >= 0 (NumPy's SeedSequence mixes them)."""
    return int(np.random.SeedSequence(list(parts)).generate_state(1, np.uint64)[0] >> 1)


class _Stepper:
    """One run's state: the data on the device, the optimizer, the compiled forward pass."""

    def __init__(self, model: SpeedrunNet, images: np.ndarray, labels: np.ndarray, recipe: SpeedrunRecipe) -> None:
        self.model, self.recipe = model, recipe
        self.device = resolve_device(recipe.device)
        self.autocast = recipe.autocast(self.device.type)
        self.input_dtype = torch.bfloat16 if self.autocast else torch.float32
        self.preprocess = _normalization(images)
        x_all = torch.from_numpy(np.ascontiguousarray(images)).to(self.device)  # (N, H, W, C) as stored
        y_all = torch.from_numpy(labels.astype(np.int64)).to(self.device)
        self.size, self.steps = batch_plan(len(images), recipe.batch_size)
        self.batches = Batches(
            x_all, y_all, self.size, seed=recipe.seed, drop_last=True,
            mean=self.preprocess.mean, std=self.preprocess.std, layout="nchw",
        )  # fmt: skip
        chosen = np.random.default_rng([recipe.seed, FLIP_SALT]).random(len(images)) < 0.5
        self.chosen = torch.from_numpy(chosen).to(self.device)  # (N,): mirrored on even epochs
        model.to(self.device).to(memory_format=torch.channels_last)
        self.compiled = recipe.compiled(self.device.type)
        self.forward = torch.compile(model.logits) if self.compiled else model.logits
        self.optimizer = self.make_optimizer()

    def make_optimizer(self) -> torch.optim.SGD:
        """Nesterov SGD in three groups: weights (decayed), batch-norm biases (lr × scale), whitening bias."""
        r, model = self.recipe, self.model
        groups = [
            {"params": model.weight_tensors(), "weight_decay": r.weight_decay, "scale": 1.0},
            {"params": model.norm_biases(), "weight_decay": 0.0, "scale": r.bias_lr_scale},
            {"params": [model.whiten.bias], "weight_decay": 0.0, "scale": 1.0, "whiten": True},
        ]
        return torch.optim.SGD(groups, lr=r.lr, momentum=r.momentum, nesterov=r.nesterov)

    def set_lr(self, step: int, epoch: int) -> float:
        """Set every group's lr for global ``step`` (a pure function of it); returns the weights' lr."""
        lr = self.recipe.lr * triangle(step, self.recipe.epochs * self.steps, self.recipe.warmup)
        for group in self.optimizer.param_groups:
            frozen = group.get("whiten", False) and epoch >= self.recipe.whiten_bias_epochs
            group["lr"] = 0.0 if frozen else lr * group["scale"]
        return lr

    def batch(self, take: torch.Tensor, epoch: int, moves: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """The augmented, normalized batch (B, C, H, W) of the samples ``take`` and their labels (B,)."""
        x = self.batches.transform(torch.index_select(self.batches.images, 0, take)).to(self.input_dtype)
        if self.recipe.flip:
            x = flip_alternate(x, epoch, self.chosen[take])
        x = translate(x, self.recipe.translate, moves)
        return x, torch.index_select(self.batches.labels, 0, take)

    def step(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """One SGD step; the batch's summed loss and its count of correct predictions, left on the device."""
        with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.autocast):
            scores = self.forward(x)  # (B, classes)
        loss = F.cross_entropy(scores.float(), y, label_smoothing=self.recipe.label_smoothing)
        self.model.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        return loss.detach() * len(y), (scores.detach().argmax(dim=1) == y).sum()

    def epoch(self, epoch: int, bar: tqdm) -> dict[str, Any]:
        """One pass over the training set; the host reads the loss once, at the end."""
        self.model.train()
        self.batches.set_epoch(epoch)
        order = torch.from_numpy(self.batches.order()).to(self.device)
        moves = torch.Generator().manual_seed(seed_for(self.recipe.seed, epoch, MOVE_SALT))
        loss_sum = torch.zeros((), device=self.device)
        correct = torch.zeros((), dtype=torch.int64, device=self.device)
        for i in range(self.steps):
            lr = self.set_lr(epoch * self.steps + i, epoch)
            loss, right = self.step(*self.batch(order[i * self.size : (i + 1) * self.size], epoch, moves))
            loss_sum += loss
            correct += right
            bar.update(1)
        seen = self.steps * self.size
        train_loss = float(loss_sum) / seen
        if not np.isfinite(train_loss):
            raise DivergenceError(
                f"training diverged: the loss of epoch {epoch + 1} is {train_loss}, learning rate up to "
                f"{self.recipe.lr:.4g}; lower the learning rate"
            )
        return {"epoch": epoch + 1, "train_loss": train_loss, "train_accuracy": int(correct) / seen, "lr": lr}

    def warm_up(self) -> None:
        """A few steps on a copy of the state, then the state restored: compilation and cuDNN's search stay untimed."""
        saved = {k: v.detach().clone() for k, v in self.model.state_dict().items()}
        self.model.train()
        order = torch.arange(self.size, device=self.device)
        moves = torch.Generator().manual_seed(0)
        for i in range(WARMUP_STEPS):
            self.set_lr(i, 0)
            self.step(*self.batch(order, i, moves))
        self.model.load_state_dict(saved)
        self.optimizer = self.make_optimizer()
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)

    def whiten(self) -> None:
        """Set the whitening layer from a seeded choice of up to WHITEN_SAMPLES normalized training images."""
        n = len(self.batches.images)
        pick = np.random.default_rng([self.recipe.seed, WHITEN_SALT]).permutation(n)[:WHITEN_SAMPLES]
        take = torch.from_numpy(np.sort(pick)).to(self.device)
        self.model.set_whitening(self.batches.transform(torch.index_select(self.batches.images, 0, take)))


def _normalization(images: np.ndarray) -> Preprocess:
    """Per-channel mean and std of the training images (std 0 -> 1), for channels-last N×C×H×W input."""
    flat = images.reshape(-1, images.shape[-1])
    mean = flat.mean(axis=0, dtype=np.float64)
    std = flat.std(axis=0, dtype=np.float64)
    return Preprocess(tuple(mean.tolist()), tuple(np.where(std > 0, std, 1.0).tolist()), "nchw")


def _check_data(images: np.ndarray, labels: np.ndarray, model: SpeedrunNet) -> None:
    if images.ndim != 4 or not (images.dtype == np.uint8 or images.dtype == np.float32):
        raise SpeedrunRecipeError(
            f"speedrun: images must be uint8 or float32 N×H×W×C, got {images.dtype} {images.shape}"
        )
    if len(images) == 0 or labels.shape != (len(images),):
        raise SpeedrunRecipeError(
            f"speedrun: need one label per image, got {len(images)} images, labels {labels.shape}"
        )
    if images.shape[-1] != model.in_channels or min(images.shape[1:3]) < model.MIN_SIDE:
        raise SpeedrunRecipeError(
            f"speedrun: the net takes {model.in_channels}-channel images of side >= {model.MIN_SIDE}, "
            f"got {'×'.join(map(str, images.shape[1:]))}"
        )


def _same_recipe(saved: dict[str, Any], recipe: SpeedrunRecipe, path: Path) -> None:
    current = recipe.to_dict()
    differ = [k for k in current if k not in FREE_ON_RESUME and saved.get(k) != current[k]]
    if differ:
        raise SpeedrunRecipeError(
            f"{path}: checkpoint was written with another recipe ({', '.join(differ)} differ); "
            "start a new run instead of resuming"
        )


def _stderr_log(line: str) -> None:
    tqdm.write(line, file=sys.stderr)


def train_speedrun(
    model: SpeedrunNet,
    images: np.ndarray,
    labels: np.ndarray,
    recipe: SpeedrunRecipe,
    *,
    checkpoint: str | Path | None = None,
    resume: bool = False,
    log: Callable[[str], None] | None = _stderr_log,
    progress: bool | None = False,
    watch: tuple[np.ndarray, np.ndarray] | None = None,
) -> SpeedrunResult:
    """Train ``model`` in place on ``images`` (uint8 or float32 N×H×W×C) and int ``labels`` 0..C-1.

    checkpoint : a file written atomically after every epoch; with ``resume`` an existing one is
    continued (same recipe but for epochs, device, compile, eval_batch_size). log : one line per epoch
    (None: silent). progress : a bar over the steps (None: when stderr is a terminal). watch : a labelled
    set scored after every epoch (with the run's TTA level) into the history as ``test_loss`` and
    ``test_accuracy``; it decides nothing and is not timed. Raises :class:`SpeedrunRecipeError` for
    data the net cannot take and :class:`~shootout.train.DivergenceError` for a non-finite loss.
    """
    images, labels = np.asarray(images), np.asarray(labels)
    _check_data(images, labels, model)
    run = _Stepper(model, images, labels, recipe)
    level = recipe.tta_level(run.device.type)
    result = SpeedrunResult([], run.preprocess, str(run.device), run.size, run.steps, _precision(run), run.compiled)
    if recipe.epochs > 0 and (run.compiled or run.device.type == "cuda"):
        run.warm_up()
    path = Path(checkpoint) if checkpoint is not None else None
    clock = Stopwatch(run.device)
    if resume and path is not None and path.exists():
        start = _restore(run, result, path)
        if log:
            log(f"resumed from {path} after epoch {start}")
    else:
        start = 0
        clock.start()
        run.whiten()
        result.whiten_seconds = result.train_seconds = clock.stop()
    show_bar = sys.stderr.isatty() if progress is None else progress
    with tqdm(
        total=run.steps * max(recipe.epochs - start, 0), disable=not show_bar, leave=False, file=sys.stderr
    ) as bar:
        for epoch in range(start, recipe.epochs):
            clock.start()
            row = run.epoch(epoch, bar)
            row["seconds"] = clock.stop()
            result.train_seconds += row["seconds"]
            row.update(val_loss=None, val_accuracy=None)
            if watch is not None:  # reported only, after the timing
                scores = score(model, watch[0], watch[1], run.preprocess, level, recipe)
                row["test_loss"], row["test_accuracy"] = scores["loss"], scores["accuracy"]
            result.history.append(row)
            if path is not None:
                save_checkpoint(path, _state(run, result, epoch + 1))
            if log and not show_bar:
                log(_format_row(row, recipe.epochs))
    return result


def _restore(run: _Stepper, result: SpeedrunResult, path: Path) -> int:
    """Continue from a checkpoint (written by a run of the same recipe): the epochs it holds."""
    state = load_checkpoint(path)
    _same_recipe(state["recipe"], run.recipe, path)
    run.model.load_state_dict(state["model"])
    run.optimizer.load_state_dict(state["optimizer"])
    result.history = state["history"]
    result.whiten_seconds, result.train_seconds = state["whiten_seconds"], state["train_seconds"]
    return state["epoch"]


def _precision(run: _Stepper) -> str:
    return "bf16" if run.autocast else "fp32"


def _state(run: _Stepper, result: SpeedrunResult, epoch: int) -> dict[str, Any]:
    """What a resumed run needs: weights, optimizer (momentum buffers), history, the timing so far."""
    return {
        "epoch": epoch,
        "model": run.model.state_dict(),
        "optimizer": run.optimizer.state_dict(),
        "history": result.history,
        "whiten_seconds": result.whiten_seconds,
        "train_seconds": result.train_seconds,
        "recipe": run.recipe.to_dict(),
    }


def predict_logits(
    model: SpeedrunNet,
    images: np.ndarray | torch.Tensor,
    preprocess: Preprocess,
    level: int,
    recipe: SpeedrunRecipe,
    fold: bool = True,
) -> torch.Tensor:
    """Logits (N × classes) of images N×H×W×C, normalized as in training, averaged over the TTA views of ``level``.

    images : an array, or a tensor (one already on the model's device is not copied). fold : predict with
    :meth:`SpeedrunNet.folded` (the batch norms folded into the convs, the same function up to rounding);
    False: with ``model`` itself in eval mode.
    """
    device = next(model.parameters()).device
    x_all = images if isinstance(images, torch.Tensor) else torch.from_numpy(np.ascontiguousarray(images))
    x_all = x_all.to(device)
    size = recipe.eval_batch_size or eval_batch_size(device)
    autocast = recipe.autocast(device.type)
    dummy = torch.zeros(len(x_all), dtype=torch.int64, device=device)
    was_training = model.training
    net = model.folded() if fold else model.eval()
    parts = []
    try:
        with torch.inference_mode(), torch.autocast(device.type, dtype=torch.bfloat16, enabled=autocast):
            for x, _ in preprocess.batches(x_all, dummy, size, shuffle=False):
                parts.append(tta_logits(net.logits, x, level, mirror=recipe.flip).float())
    finally:
        model.train(was_training)
    return torch.cat(parts) if parts else torch.empty(0, model.num_classes, device=device)


def score(
    model: SpeedrunNet,
    images: np.ndarray,
    labels: np.ndarray,
    preprocess: Preprocess,
    level: int,
    recipe: SpeedrunRecipe,
) -> dict[str, float]:
    """Accuracy and mean cross-entropy (no label smoothing) on a labelled set, with TTA ``level``."""
    logits = predict_logits(model, images, preprocess, level, recipe)
    target = torch.as_tensor(np.asarray(labels), dtype=torch.int64, device=logits.device)
    return {
        "loss": F.cross_entropy(logits, target).item(),
        "accuracy": (logits.argmax(dim=1) == target).float().mean().item(),
    }


def _format_row(row: dict[str, Any], epochs: int) -> str:
    parts = [
        f"epoch {row['epoch']}/{epochs}",
        f"loss {row['train_loss']:.4f}",
        f"train acc {row['train_accuracy']:.4f}",
    ]
    if row.get("test_accuracy") is not None:
        parts.append(f"test acc {row['test_accuracy']:.4f}")
    return "  ".join([*parts, f"lr {row['lr']:.3g}", f"{row['seconds']:.2f}s"])
