"""Choosing the device: ``auto`` takes CUDA when it is there; asking for CUDA without it is an error."""

from __future__ import annotations

import torch

from shootout.train.recipe import RecipeError


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise RecipeError("device 'cuda' asked for, but CUDA is not available here; use --device cpu or auto")
    if name not in ("cpu", "cuda"):
        raise RecipeError(f"unknown device {name!r}; use cpu, cuda or auto")
    return torch.device(name)
