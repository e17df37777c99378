"""One trainer for every torch classifier: whole-tensor batches, schedules, early stopping, checkpoints.

The data go to the device once, as uint8; each step takes a minibatch by index, normalizes it in one
expression and runs forward, loss, backward and the optimizer step (forward and loss under bf16
autocast when the recipe's precision asks for it; CNN weights channels-last when it asks for that).
Per-step losses and correct counts stay on the device; the host looks at them every
``recipe.sync_every`` steps (to stop at a non-finite loss) and once per epoch. Every epoch ends with an
atomic checkpoint that holds all a resumed run needs to end with exactly the weights of an uninterrupted one.

Under a launcher (``world`` of several ranks) the same loop runs on every rank: the model in
DistributedDataParallel, each rank on its shard of the epoch's permutation with its share of the
global batch; the epoch's sums, the validation score (so early stopping decides the same everywhere)
and the first non-finite loss are agreed on by all ranks; rank 0 alone logs and writes checkpoints.
"""

from __future__ import annotations

import contextlib
import math
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

from shootout.distributed.world import SINGLE, World, rank_seed
from shootout.train.checkpoint import load_checkpoint, save_checkpoint
from shootout.train.devices import resolve_device
from shootout.train.evaluate import Preprocess, evaluate
from shootout.train.prepare import Prepared, prepare, split_validation
from shootout.train.recipe import Recipe, RecipeError
from shootout.train.replicas import Replicas
from shootout.train.schedules import learning_rate

__all__ = ["DivergenceError", "TrainResult", "fit", "make_optimizer", "split_validation", "warm_up_torch"]

FREE_ON_RESUME = ("epochs", "device", "eval_batch_size", "sync_every", "checkpoint_every", "log_every")


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
    reached_target: int | None = None  # the epoch whose validation accuracy reached ``recipe.stop_at``
    train_seconds: float = 0.0
    world_size: int = 1  # processes that trained the model together
    rank_seeds: tuple[int, ...] = ()  # each rank's own seed (see shootout.distributed.rank_seed)

    def __repr__(self) -> str:
        return (
            f"TrainResult(epochs={len(self.history)}, best_epoch={self.best_epoch}, "
            f"stopped_early={self.stopped_early}, reached_target={self.reached_target}, device={self.device!r}, "
            f"seconds={self.train_seconds:.2f})"
        )


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


class _Run:
    """The mutable state of one training run: model, optimizer, history, best weights."""

    def __init__(
        self, model: torch.nn.Module, recipe: Recipe, data: Prepared, device: torch.device, world: World
    ) -> None:
        self.model, self.recipe, self.data, self.device, self.world = model, recipe, data, device, world
        self.replicas = Replicas(world, model, device)
        self.optimizer = make_optimizer(model, recipe)
        self.steps = len(data.batches)
        self.history: list[dict[str, Any]] = []
        self.best: dict[str, Any] = {"epoch": None, "score": -1.0, "state": None}
        self.stale, self.seconds, self.start_epoch = 0, 0.0, 0
        self.scored: dict[str, float] | None = None  # the validation scores that ended an epoch at the target
        # why training ended before its last epoch: a resumed run that had stopped trains no further
        self.stopped: dict[str, Any] = {"early": False, "reached": None}
        self.autocast = recipe.autocast(device.type)
        self.losses = torch.empty(self.steps, device=device)  # this epoch's per-step losses, on the device
        shard = data.batches.shard_size
        size = data.batches.batch_size or shard  # every batch is full but the last (drop_last is off)
        self.batch_sizes = torch.full((self.steps,), float(size), device=device)
        self.batch_sizes[-1] = shard - size * (self.steps - 1)

    def precision(self) -> contextlib.AbstractContextManager:
        """bf16 autocast when the recipe asks for it; otherwise no context at all (cheaper per step)."""
        if self.autocast:
            return torch.autocast(self.device.type, dtype=torch.bfloat16)
        return contextlib.nullcontext()

    def train_epoch(self, epoch: int, bar: tqdm) -> dict[str, Any]:
        """One pass over the training batches; the host looks at the losses every ``recipe.sync_every`` steps.

        With ``recipe.val_every`` the validation split is scored every that many steps, and the epoch ends
        at the first score that reaches ``recipe.stop_at`` (the row then covers the steps taken).
        """
        recipe, model, steps = self.recipe, self.model, self.steps
        if not model.training:  # train() walks every submodule: 10,000 one-step epochs notice it
            model.train()
        self.data.batches.set_epoch(epoch)
        losses = self.losses  # every entry is written before it is read: no zeroing
        correct = torch.zeros((), dtype=torch.int64, device=self.device)
        checked, lr, scheduled, done = 0, recipe.lr, recipe.schedule != "none", steps
        self.scored = None
        for i, (x, y) in enumerate(self.data.batches):
            if scheduled:
                lr = learning_rate(recipe, epoch * steps + i, steps)
                for group in self.optimizer.param_groups:
                    group["lr"] = lr
            with self.precision():
                scores = self.replicas.forward(x)  # (B, C)
                loss = F.cross_entropy(scores, y, label_smoothing=recipe.label_smoothing)  # in fp32 under autocast
            if recipe.l2:
                loss = loss + recipe.l2 * model.l2_penalty()
            model.zero_grad(set_to_none=True)  # the module's: no profiler record per step, unlike the optimizer's
            loss.backward()
            self.optimizer.step()
            losses[i] = loss.detach()
            correct += (scores.detach().argmax(dim=1) == y).sum()
            if (i + 1) % recipe.sync_every == 0 and i + 1 < steps:  # the epoch's end checks its own sum
                self._check_finite(losses, checked, i + 1, epoch)
                checked = i + 1
            bar.update(1)
            if recipe.val_every and (i + 1) % recipe.val_every == 0 and i + 1 < steps and self._mid_epoch_target():
                done = i + 1
                break
        loss_sum, right = self.replicas.epoch_sums((losses[:done] * self.batch_sizes[:done]).sum(), correct)
        seen = self.data.train_size
        if done < steps:  # stopped at the target inside the epoch
            seen = int(self.replicas.epoch_sums(self.batch_sizes[:done].sum(), torch.zeros((), dtype=torch.int64))[0])
        train_loss = float(loss_sum / seen)  # the host's one look per epoch (losses are >= 0: any bad one shows)
        if not math.isfinite(train_loss):
            self._check_finite(losses, checked, done, epoch)  # names the first bad step, and raises
            raise DivergenceError(f"training diverged: the mean loss of epoch {epoch + 1} is {train_loss}")
        row = {
            "epoch": epoch + 1,
            "train_loss": train_loss,
            "train_accuracy": right / seen,
            "val_loss": None,
            "val_accuracy": None,
            "lr": lr,
        }
        if done < steps:
            row["steps"] = done
        return row

    def _mid_epoch_target(self) -> bool:
        """Score the validation split now; whether it reached ``recipe.stop_at`` (kept for :meth:`validate`)."""
        self.replicas.agree_buffers()
        scores = self._score_validation()
        reached = scores["accuracy"] >= self.recipe.stop_at
        self.scored = scores if reached else None
        return reached

    def _check_finite(self, losses: torch.Tensor, start: int, stop: int, epoch: int) -> None:
        found = self.replicas.agree_nonfinite(losses, _first_nonfinite(losses, start, stop), stop)
        if found is not None:
            bad, value = found
            lr = learning_rate(self.recipe, epoch * self.steps + bad, self.steps)
            raise DivergenceError(
                f"training diverged: loss is {value} at epoch {epoch + 1}, step "
                f"{bad + 1} of {self.steps}, learning rate {lr:.4g}; lower the learning rate"
            )

    def validate(self, row: dict[str, Any]) -> None:
        """Score the validation split into ``row`` and keep the weights when they are the best so far.

        Distributed, every rank scores its share and the counts are summed, so every rank sees the same
        score and early stopping decides the same on all of them.
        """
        self.replicas.agree_buffers()
        if not len(self.data.val[0]):
            return
        scores = self.scored if self.scored is not None else self._score_validation()
        row["val_loss"], row["val_accuracy"] = scores["loss"], scores["accuracy"]
        if scores["accuracy"] > self.best["score"]:
            state = {k: v.detach().to("cpu", copy=True) for k, v in self.model.state_dict().items()}
            self.best, self.stale = {"epoch": row["epoch"], "score": scores["accuracy"], "state": state}, 0
        else:
            self.stale += 1

    def _score_validation(self) -> dict[str, float]:
        val_x, val_y = self.data.val
        return evaluate(self.model, val_x, val_y, self.data.preprocess, self.recipe.eval_batch_size, self.world)

    def state(self, epoch: int) -> dict[str, Any]:
        """Everything a resumed run needs, as tensors and plain data (gathers the ranks' random states)."""
        return {
            "epoch": epoch,
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "history": self.history,
            "best": self.best,
            "stale": self.stale,
            "train_seconds": self.seconds,
            "stopped": self.stopped,
            "recipe": self.recipe.to_dict(),
            **self.replicas.random_states(),
        }

    def restore(self, state: dict[str, Any], path: Path) -> None:
        _same_recipe(state["recipe"], self.recipe, path)
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.history, self.best, self.stale = state["history"], state["best"], state["stale"]
        self.start_epoch, self.seconds = state["epoch"], state["train_seconds"]
        self.stopped = state.get("stopped", self.stopped)
        self.replicas.restore_rng(state)


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
    world: World = SINGLE,
) -> TrainResult:
    """Train ``model`` (a :class:`shootout.nets.Classifier`) in place on ``images`` and int ``labels``.

    images : uint8 N×H×W×C, or float features N×D. checkpoint : file written atomically after every
    ``recipe.checkpoint_every`` epochs; with ``resume`` an existing one is continued (same recipe
    required; ``epochs`` may grow). log : called with one line per epoch when no progress bar is
    shown (None: silent). progress : one bar over the run (default: when stderr is a terminal).
    watch : a labelled set (e.g. the test split) scored after every epoch into the history as
    ``test_loss`` and ``test_accuracy``, as the tutorials print it; it decides nothing and its time is
    not counted in ``seconds``.
    world : the ranks training together (:mod:`shootout.distributed`; every rank calls ``fit`` with the
    same arguments and ends with the same weights; ``recipe.batch_size`` is the global batch). Rank 0
    alone logs, shows progress and reads and writes the checkpoint.
    Raises :class:`RecipeError` before training for a model/data mismatch (or a global batch that
    does not split over the ranks) and :class:`DivergenceError` at a non-finite loss on any rank.
    """
    device = resolve_device(recipe.device)
    torch.manual_seed(world.seed(recipe.seed))  # rank 0: the recipe's seed, as in a single process
    if not world.is_main:
        log, progress = None, False
    model.to(device)
    if recipe.layout == "nchw" and recipe.channels_last:  # the batches are channels-last views already
        model.to(memory_format=torch.channels_last)
    data = prepare(model, np.asarray(images), np.asarray(labels), recipe, device, world)
    run = _Run(model, recipe, data, device, world)
    watched = None
    if watch is not None:
        watched = tuple(torch.from_numpy(np.ascontiguousarray(a)).to(device) for a in (watch[0], np.asarray(watch[1])))
    path = Path(checkpoint) if checkpoint is not None else None
    if resume and path is not None:
        saved = run.replicas.shared(load_checkpoint(path) if world.is_main and path.exists() else None)
        if saved is not None:
            run.restore(saved, path)
            if log:
                log(f"resumed from {path} after epoch {run.start_epoch}{_world_change(saved, world)}")
    show_bar = sys.stderr.isatty() if progress is None else progress
    stopped_early, reached = run.stopped["early"], run.stopped["reached"]
    end = run.start_epoch if stopped_early or reached is not None else recipe.epochs
    # On a terminal one bar runs over all remaining steps, its postfix showing the last epoch's numbers;
    # elsewhere (CI, files) one log line per epoch.
    with tqdm(
        total=run.steps * (end - run.start_epoch),
        disable=not show_bar,
        leave=False,
        file=sys.stderr,
        unit="step",
        dynamic_ncols=True,
    ) as bar:
        for epoch in range(run.start_epoch, end):
            bar.set_description(f"epoch {epoch + 1}/{recipe.epochs}")
            started = time.perf_counter()
            row = run.train_epoch(epoch, bar)
            run.validate(row)
            row["seconds"] = time.perf_counter() - started
            run.seconds += row["seconds"]
            if watched is not None:  # reported only: after the timing, and never read by any decision
                scores = evaluate(model, *watched, run.data.preprocess, recipe.eval_batch_size, world)
                row["test_loss"], row["test_accuracy"] = scores["loss"], scores["accuracy"]
            run.history.append(row)
            stopped_early = recipe.early_stopping and recipe.patience is not None and run.stale >= recipe.patience
            if _reached(row, recipe.stop_at):  # every rank saw the same (summed) validation score
                reached = row["epoch"]
            last = stopped_early or reached is not None or epoch + 1 == recipe.epochs
            run.stopped = {"early": stopped_early, "reached": reached}
            if show_bar:
                bar.set_postfix_str(_format_row(row, recipe.epochs).split("  ", 1)[1], refresh=False)
            elif log and (last or (epoch + 1) % recipe.log_every == 0):
                log(_format_row(row, recipe.epochs))
            if path is not None and (last or (epoch + 1) % recipe.checkpoint_every == 0):
                state = run.state(epoch + 1)
                if world.is_main:
                    save_checkpoint(path, state)
            if stopped_early:
                if log:
                    log(f"early stopping: no better validation accuracy for {run.stale} epochs")
                break
            if reached is not None:
                if log:
                    log(f"validation accuracy {row['val_accuracy']:.4f} reached the target {recipe.stop_at}: stopping")
                break
    if recipe.early_stopping and run.best["state"] is not None:
        model.load_state_dict(run.best["state"])
    run.replicas.agree_buffers()  # every rank ends with rank 0's model
    best_epoch = run.best["epoch"] if recipe.early_stopping else None
    seeds = tuple(rank_seed(recipe.seed, rank) for rank in range(world.size))
    return TrainResult(
        run.history,
        run.data.preprocess,
        str(device),
        best_epoch,
        stopped_early,
        reached_target=reached,
        train_seconds=run.seconds,
        world_size=world.size,
        rank_seeds=seeds,
    )


def _reached(row: dict[str, Any], target: float | None) -> bool:
    """Whether the epoch's validation accuracy reached the recipe's time-to-accuracy target."""
    return target is not None and row["val_accuracy"] is not None and row["val_accuracy"] >= target


def _world_change(saved: dict[str, Any], world: World) -> str:
    """A note when the checkpoint was written by another number of processes (allowed, not bit-exact)."""
    before = saved.get("world_size", 1)
    if before == world.size:
        return ""
    return (
        f" (written by {before} process{'es' if before > 1 else ''}, continued on {world.size}: "
        "the reduction order changes, so the weights will not be bit-identical to an uninterrupted run)"
    )


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
