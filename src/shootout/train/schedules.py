"""Learning-rate schedules as pure functions of the step, so a resumed run cannot fall out of step."""

from __future__ import annotations

import math

from shootout.train.recipe import Recipe

ONECYCLE_START = 1 / 25  # onecycle rises from lr/25 ...
ONECYCLE_END = 1e-4  # ... and anneals to lr·1e-4


def learning_rate(recipe: Recipe, step: int, steps_per_epoch: int) -> float:
    """The learning rate for global ``step`` (0-based) of a run of ``recipe.epochs`` epochs."""
    total = max(recipe.epochs * steps_per_epoch, 1)
    if recipe.schedule == "exponential":  # the lab's ExponentialLR, stepped after every epoch
        return recipe.lr * recipe.gamma ** (step // steps_per_epoch)
    if recipe.schedule == "cosine":
        return recipe.lr * 0.5 * (1 + math.cos(math.pi * min(step / total, 1.0)))
    if recipe.schedule == "onecycle":
        rise = max(int(recipe.warmup * total), 1)
        if step < rise:
            return recipe.lr * (ONECYCLE_START + (1 - ONECYCLE_START) * step / rise)
        progress = min((step - rise) / max(total - rise, 1), 1.0)
        return recipe.lr * (ONECYCLE_END + (1 - ONECYCLE_END) * 0.5 * (1 + math.cos(math.pi * progress)))
    return recipe.lr


def triangle(step: int, total: int, peak: float, start: float = 0.2) -> float:
    """The speedrun's lr multiplier at ``step`` of ``total``: from ``start`` up to 1 at ``peak`` · total, then
    linearly down to 0 at ``total`` (the last step's multiplier is 1/(steps after the peak), never 0)."""
    rise = int(peak * total)
    if step < rise:
        return start + (1 - start) * step / rise
    return max(0.0, 1 - (step - rise) / max(total - rise, 1))
