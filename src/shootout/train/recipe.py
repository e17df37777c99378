"""A training recipe: every hyper-parameter of a run in one validated, serializable dataclass.

A bad value fails when the recipe is made, before any training, with one :class:`RecipeError`
that names the field, the value and what is allowed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

OPTIMIZERS = ("sgd", "sgd+momentum", "adam")
SCHEDULES = ("none", "exponential", "cosine", "onecycle")
DEVICES = ("cpu", "cuda", "auto")
LAYOUTS = ("flat", "nchw", "nhwc")
PRECISIONS = ("fp32", "bf16", "auto")


class RecipeError(ValueError):
    """A recipe (or the model and data given with it) cannot be trained as asked."""


@dataclass(frozen=True)
class Recipe:
    """How to train a torch classifier; see :func:`shootout.train.fit`."""

    optimizer: str = "sgd"  # sgd | sgd+momentum | adam
    lr: float = 0.01  # base learning rate
    momentum: float = 0.9  # for sgd+momentum
    batch_size: int | None = 64  # None: full batch
    epochs: int = 5
    weight_decay: float = 0.0  # the optimizer's weight_decay (all parameters)
    l2: float = 0.0  # the lab's param_lambda: + l2 · Σ||W||² over weight tensors only
    schedule: str = "none"  # none | exponential (lr·gamma^epoch) | cosine | onecycle (both per step)
    gamma: float = 0.95  # exponential decay per epoch
    warmup: float = 0.25  # onecycle: fraction of the steps spent rising to lr
    early_stopping: bool = False  # hold out a validation split, keep the best weights
    val_fraction: float | None = None  # None: 0.2 with early stopping, else 0 (train on everything)
    patience: int | None = None  # stop after this many epochs without a better validation accuracy
    stop_at: float | None = None  # time to accuracy: stop at the first validation accuracy that reaches it
    val_every: int | None = None  # with stop_at: steps between validation passes (None: at the end of each epoch)
    label_smoothing: float = 0.0  # cross-entropy against (1 - ε)·one-hot + ε/C
    seed: int = 0
    device: str = "auto"  # cpu | cuda | auto
    mean: float | Sequence[float] | None = None  # on the 0..255 scale; None: training-set statistics
    std: float | Sequence[float] | None = None
    layout: str = "flat"  # flat (MLPs) | nchw (CNNs) | nhwc
    channels_last: bool = False  # nchw: convolution weights channels-last, like the batches (slower on 2 cores)
    precision: str = "fp32"  # fp32 | bf16 (autocast forward and loss) | auto (bf16 on CUDA, fp32 elsewhere)
    eval_batch_size: int | None = None  # None: by device (shootout.train.evaluate.EVAL_BATCH)
    sync_every: int = 50  # steps between the host's checks for a non-finite loss (1: a sync every step)
    fused_optimizer: bool = False  # torch's fused SGD/Adam kernels; the default ones measured faster on 2 cores
    checkpoint_every: int = 1  # epochs between checkpoints (the last epoch is always saved)
    log_every: int = 1  # epochs between log lines (the last epoch is always logged)

    def __post_init__(self) -> None:
        def bad(name: str, allowed: str) -> RecipeError:
            return RecipeError(f"recipe: {name}={getattr(self, name)!r} is invalid; {allowed}")

        for name, choices in (
            ("optimizer", OPTIMIZERS),
            ("schedule", SCHEDULES),
            ("device", DEVICES),
            ("layout", LAYOUTS),
            ("precision", PRECISIONS),
        ):
            if getattr(self, name) not in choices:
                raise bad(name, f"use one of {', '.join(choices)}")
        if not self.lr > 0:
            raise bad("lr", "it must be a positive number")
        if self.batch_size is not None and (isinstance(self.batch_size, bool) or int(self.batch_size) < 1):
            raise bad("batch_size", "it must be a positive integer, or None for full batch")
        if int(self.epochs) < 0:
            raise bad("epochs", "it must be 0 or more")
        for name in ("weight_decay", "l2"):
            if getattr(self, name) < 0:
                raise bad(name, "it must be 0 or more")
        if not 0 <= self.momentum < 1:
            raise bad("momentum", "it must lie in [0, 1)")
        if not 0 < self.gamma <= 1:
            raise bad("gamma", "it must lie in (0, 1]")
        if not 0 < self.warmup < 1:
            raise bad("warmup", "it must lie in (0, 1)")
        if self.val_fraction is not None and not 0 <= self.val_fraction < 1:
            raise bad("val_fraction", "it must lie in [0, 1)")
        if self.early_stopping and self.val_fraction == 0:
            raise bad("val_fraction", "early stopping needs a validation split (> 0)")
        if self.stop_at is not None and not 0 < self.stop_at <= 1:
            raise bad("stop_at", "it must be a validation accuracy in (0, 1], or None")
        if self.stop_at is not None and self.val_fraction == 0:
            raise bad("val_fraction", "stopping at a validation accuracy needs a validation split (> 0)")
        if self.val_every is not None and (self.stop_at is None or self.val_every < 1):
            raise bad("val_every", "it must be a positive number of steps, and only with stop_at")
        if not 0 <= self.label_smoothing < 1:
            raise bad("label_smoothing", "it must lie in [0, 1)")
        if self.patience is not None and self.patience < 1:
            raise bad("patience", "it must be a positive number of epochs, or None")
        if self.eval_batch_size is not None and self.eval_batch_size < 1:
            raise bad("eval_batch_size", "it must be a positive integer, or None (chosen by device)")
        for name in ("sync_every", "checkpoint_every", "log_every"):
            if getattr(self, name) is None or getattr(self, name) < 1:
                raise bad(name, "it must be a positive integer")

    @property
    def validation_fraction(self) -> float:
        if self.val_fraction is not None:
            return self.val_fraction
        if self.early_stopping:
            return 0.2
        return 0.1 if self.stop_at is not None else 0.0

    def autocast(self, device_type: str) -> bool:
        """Whether training on ``device_type`` runs forward and loss under bf16 autocast."""
        return self.precision == "bf16" or (self.precision == "auto" and device_type == "cuda")

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for checkpoints, metrics.json and reports)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    def with_(self, **changes: Any) -> Recipe:
        """A copy with some fields changed (validated again)."""
        unknown = set(changes) - {f.name for f in fields(self)}
        if unknown:
            raise RecipeError(f"recipe: unknown field(s) {', '.join(sorted(unknown))}")
        return replace(self, **changes)
