"""The speedrun's hyper-parameters in one validated, serializable dataclass (the defaults: CIFAR-10, 94 %).

The defaults follow the public airbench94 recipe, translated to a mean (not summed) loss over the
batch: its "lr 11.5 per 1024 examples" with momentum 0.85 is a plain SGD learning rate of 1.5 here, its
"weight decay 0.0153" a coupled weight decay of 0.0153 / 11.5 ≈ 1.33e-3 (torch multiplies it by the lr,
so the decay per step is the same). A bad value fails when the recipe is made, with one
:class:`SpeedrunRecipeError` naming the field, the value and what is allowed.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from shootout.train.augment import TTA_LEVELS
from shootout.train.recipe import DEVICES, PRECISIONS, RecipeError


class SpeedrunRecipeError(RecipeError):
    """A speedrun recipe field has a value it cannot take."""


@dataclass(frozen=True)
class SpeedrunRecipe:
    """How to train a :class:`shootout.nets.SpeedrunNet`; see :func:`shootout.train.speedrun.train_speedrun`."""

    epochs: int = 10
    batch_size: int = 1024  # the target; every batch of a run has the same size, see train_speedrun
    lr: float = 1.5  # peak learning rate of the conv and head weights (mean loss over the batch)
    momentum: float = 0.85
    nesterov: bool = True
    weight_decay: float = 0.0153 / 11.5  # on conv and head weights only; biases are not decayed
    bias_lr_scale: float = 64.0  # the batch norms' biases learn with lr · this
    label_smoothing: float = 0.2
    whiten_bias_epochs: int = 3  # the whitening layer's bias learns for these first epochs, then stays
    warmup: float = 0.23  # fraction of the steps over which the lr rises from lr/5 to lr; then linear to 0
    tta: int | None = None  # 0 none, 1 + mirror, 2 + 1-px moves; None: 2 on CUDA, 0 on the CPU (see below)
    translate: int = 2  # random moves of up to this many pixels (reflect-padded); 0: none
    flip: bool = True  # alternating mirror images (off for digits: they are not mirror-symmetric)
    seed: int = 0
    device: str = "auto"  # cpu | cuda | auto
    precision: str = "auto"  # fp32 | bf16 (autocast) | auto (bf16 on CUDA, fp32 on the CPU)
    compile: bool | None = None  # torch.compile the training forward pass; None: on CUDA only (warm-up untimed)
    eval_batch_size: int | None = None  # None: by device (256 on the CPU, 4,096 on CUDA)

    def __post_init__(self) -> None:
        def bad(name: str, allowed: str) -> SpeedrunRecipeError:
            return SpeedrunRecipeError(f"speedrun recipe: {name}={getattr(self, name)!r} is invalid; {allowed}")

        for name, minimum in (("epochs", 0), ("batch_size", 1), ("whiten_bias_epochs", 0), ("translate", 0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
                raise bad(name, f"it must be an integer >= {minimum}")
        for name in ("lr", "bias_lr_scale"):
            if not _number(getattr(self, name)) or not getattr(self, name) > 0:
                raise bad(name, "it must be a positive number")
        if not _number(self.weight_decay) or self.weight_decay < 0:
            raise bad("weight_decay", "it must be 0 or more")
        for name, low, high in (("momentum", 0, 1), ("label_smoothing", 0, 1), ("warmup", 0, 1)):
            if not _number(getattr(self, name)) or not low <= getattr(self, name) < high:
                raise bad(name, f"it must lie in [{low}, {high})")
        for name in ("nesterov", "flip"):
            if not isinstance(getattr(self, name), bool):
                raise bad(name, "it must be True or False")
        if self.compile is not None and not isinstance(self.compile, bool):
            raise bad("compile", "it must be True, False or None (on CUDA only)")
        if self.nesterov and self.momentum == 0:
            raise bad("nesterov", "Nesterov momentum needs momentum > 0")
        if self.tta is not None and self.tta not in TTA_LEVELS:
            raise bad("tta", "use 0 (none), 1 (mirror), 2 (mirror and 1-pixel moves) or None (by device)")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise bad("seed", "it must be an integer >= 0")
        if self.device not in DEVICES:
            raise bad("device", f"use one of {', '.join(DEVICES)}")
        if self.precision not in PRECISIONS:
            raise bad("precision", f"use one of {', '.join(PRECISIONS)}")
        if self.eval_batch_size is not None and (not isinstance(self.eval_batch_size, int) or self.eval_batch_size < 1):
            raise bad("eval_batch_size", "it must be a positive integer, or None (chosen by device)")

    def tta_level(self, device_type: str) -> int:
        """The TTA level on ``device_type``. By default 2 on CUDA and 0 on the CPU, where each view is a
        whole extra pass over the test set (level 2 is six of them: minutes for CIFAR-10 on 2 cores)."""
        if self.tta is not None:
            return self.tta
        return 2 if device_type == "cuda" else 0

    def compiled(self, device_type: str) -> bool:
        """Whether the training forward pass is compiled on ``device_type``. By default only on CUDA: on the
        CPU, compiling took minutes and the compiled epochs measured no faster here."""
        return self.compile if self.compile is not None else device_type == "cuda"

    def autocast(self, device_type: str) -> bool:
        """Whether forward and loss run under bf16 autocast on ``device_type``."""
        return self.precision == "bf16" or (self.precision == "auto" and device_type == "cuda")

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for checkpoints, metrics.json and reports)."""
        return asdict(self)

    def with_(self, **changes: Any) -> SpeedrunRecipe:
        """A copy with some fields changed (validated again)."""
        unknown = set(changes) - {f.name for f in fields(self)}
        if unknown:
            raise SpeedrunRecipeError(f"speedrun recipe: unknown field(s) {', '.join(sorted(unknown))}")
        return replace(self, **changes)


def _number(value: Any) -> bool:
    """A finite real number (not a bool, NaN or infinity)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
