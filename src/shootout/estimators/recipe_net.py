"""What the torch contestants share: a frozen ``recipe`` of training settings and torch's one-time import."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from shootout.estimators.base import Contestant
from shootout.train.host_memory import keep_freed_memory
from shootout.train.trainer import warm_up_torch


class RecipeNet(Contestant):
    """A torch contestant whose training settings live in a recipe dataclass returned by ``_recipe()``."""

    def _recipe(self) -> Any:
        raise NotImplementedError

    def warm_up(self) -> None:
        """torch's lazy import paid now, and host memory kept for reuse (:mod:`shootout.train.host_memory`)."""
        warm_up_torch()  # torch imports torch._dynamo lazily at the first optimizer step: 1-2 s
        keep_freed_memory()  # activations reuse freed host memory instead of faulting in fresh pages

    def with_overrides(self, **overrides: Any) -> RecipeNet:
        """A fresh copy; overrides naming a recipe field (epochs, seed, device, lr, …) go to the recipe,
        the others to the estimator's own hyper-parameters where it has them."""
        in_recipe = {f.name for f in fields(self._recipe())}
        copy = super().with_overrides(**{k: v for k, v in overrides.items() if k not in in_recipe})
        return copy.set_params(recipe=self._recipe().with_(**{k: v for k, v in overrides.items() if k in in_recipe}))
