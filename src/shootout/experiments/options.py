"""How a run was asked for: the options of ``shootout run``, validated once, passed as one value, saved.

The command line parses text into a :class:`RunOptions`; the runner, the contestants and the run
folder take that one value. Every check of an option's value lives in ``__post_init__``: a bad value
fails before any work with one :class:`OptionsError` naming the option as the command line spells it.
"""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from shootout.data.loaders import CHANNEL_ORDERS
from shootout.train.recipe import DEVICES, PRECISIONS

# Options that reach the contestants' hyper-parameters; None means "each recipe's own".
TRAINING = ("epochs", "seed", "device", "lr", "batch_size", "precision")
# Options that change the weights a run produces: a resumed run keeps the value it was started with.
# The others (epochs to extend a run, device, data_dir, verify, only, nproc) may be given anew on resume;
# another number of processes changes the order of the sums, so the weights are then equal only up to rounding.
FIXED_ON_RESUME = ("seed", "lr", "batch_size", "precision", "svm_samples", "train_samples", "channel_order")


class OptionsError(ValueError):
    """An option of a run has a value it cannot take."""


@dataclass(frozen=True)
class RunOptions:
    """Every option of a run. None keeps what each contestant's recipe says."""

    epochs: int | None = None  # every contestant's epochs
    seed: int | None = None  # every seed, and the draw of synthetic data (None: each recipe's; data 0)
    device: str | None = None  # where torch contestants train: cpu | cuda | auto (None: auto)
    lr: float | None = None  # every contestant's learning rate
    batch_size: int | None = None  # every contestant's batch size
    precision: str | None = None  # torch arithmetic: fp32 | bf16 | auto (bf16 on CUDA only)
    svm_samples: int | None = None  # the SVMs' training subsample (0: all)
    train_samples: int | None = None  # every contestant trains on a seeded, stratified subset this big (None: all)
    data_dir: str | None = None  # a folder holding the dataset's files directly; nothing is downloaded
    verify: bool = True  # refuse files whose checksum differs (False: accept them with a warning)
    channel_order: str = "rgb"  # colour images as published, or "bgr" (channels reversed, as MegEngine gives them)
    only: tuple[str, ...] | None = None  # run only these contestants
    nproc: int | None = None  # processes training together (the world size; None: one)

    def __post_init__(self) -> None:
        for name, minimum in (("epochs", 1), ("batch_size", 1), ("svm_samples", 0), ("train_samples", 1), ("nproc", 1)):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < minimum):
                raise self._bad(name, f"must be an integer >= {minimum}, got {value}")
        if self.seed is not None and (isinstance(self.seed, bool) or not isinstance(self.seed, int)):
            raise self._bad("seed", f"must be an integer, got {self.seed!r}")
        if self.lr is not None and not (isinstance(self.lr, int | float) and 0 < self.lr < math.inf):
            raise self._bad("lr", f"must be a positive number, got {self.lr}")
        for name, choices in (("device", DEVICES), ("precision", PRECISIONS), ("channel_order", CHANNEL_ORDERS)):
            value = getattr(self, name)
            if value is not None and value not in choices:
                raise self._bad(name, f"invalid choice: {value!r} (choose from {', '.join(choices)})")
        if self.data_dir is not None:
            folder = Path(self.data_dir).expanduser()
            if not folder.is_dir():
                raise self._bad("data_dir", f"{self.data_dir} is not a folder")
            if not os.access(folder, os.R_OK | os.X_OK):
                raise self._bad("data_dir", f"{self.data_dir} is not readable")
            object.__setattr__(self, "data_dir", str(folder))
        if self.only is not None:
            object.__setattr__(self, "only", tuple(self.only))

    @staticmethod
    def _bad(name: str, problem: str) -> OptionsError:
        return OptionsError(f"--{_flag(name)}: {problem}")

    @property
    def data_seed(self) -> int:
        """The seed that draws synthetic data (a dataset's files do not depend on it)."""
        return self.seed if self.seed is not None else 0

    @property
    def device_name(self) -> str:
        return self.device or "auto"

    @property
    def processes(self) -> int:
        """How many processes the run trains on."""
        return self.nproc or 1

    def overrides(self) -> dict[str, Any]:
        """The contestants' hyper-parameters these options set, by name (see ``Contestant.with_overrides``)."""
        chosen = {name: getattr(self, name) for name in TRAINING if getattr(self, name) is not None}
        if self.svm_samples is not None:
            chosen["max_train"] = self.svm_samples or None  # 0: no cap
        return chosen

    def to_dict(self) -> dict[str, Any]:
        """Plain data, for ``run.json``."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    def resumed_with(self, **given: Any) -> RunOptions:
        """These (recorded) options with those given again when resuming.

        An option in :data:`FIXED_ON_RESUME` given with another value than recorded is refused with an
        :class:`OptionsError` naming it; the others replace the recorded value (``epochs`` extends a
        run, ``device`` moves it).
        """
        unknown = set(given) - {f.name for f in fields(self)}
        if unknown:
            raise TypeError(f"unknown run option(s) {', '.join(sorted(unknown))}")
        changed = [name for name in FIXED_ON_RESUME if name in given and given[name] != getattr(self, name)]
        if changed:
            said = ", ".join(
                f"--{n.replace('_', '-')} {given[n]} (the run has {_shown(getattr(self, n))})" for n in changed
            )
            raise OptionsError(f"cannot resume with {said}: it changes the weights; start a new run instead")
        return RunOptions.from_dict({**self.to_dict(), **given})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunOptions:
        """The options saved by :meth:`to_dict` (unknown keys refused: they come from another version)."""
        unknown = set(data) - {f.name for f in fields(cls)}
        if unknown:
            raise OptionsError(f"unknown run option(s) {', '.join(sorted(unknown))}")
        return cls(**data)


def _shown(value: Any) -> str:
    return "each recipe's own" if value is None else str(value)


def _flag(name: str) -> str:
    """An option's name as the command line spells it (without the dashes)."""
    return name.replace("_", "-")
