"""Checkpoints: written atomically, read back with ``torch.load(..., weights_only=True)``.

A checkpoint holds only tensors and plain data (dicts, lists, numbers, strings), so loading it never
unpickles code; a file holding anything else is refused with a clear message. A half-written file
can never be the one loaded: it only gets its name after it was completely written.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import torch

from shootout.data.files import atomic_path


class CheckpointError(RuntimeError):
    """A checkpoint could not be read, or holds more than tensors and plain data."""


def save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    """Write ``state`` to ``path`` through a temporary file and a rename."""
    with atomic_path(Path(path)) as tmp:
        torch.save(state, tmp)


def load_checkpoint(path: Path) -> dict[str, Any]:
    """Read a checkpoint written by :func:`save_checkpoint` (tensors and plain data only)."""
    try:
        state = torch.load(Path(path), map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        raise CheckpointError(
            f"{path}: refused: the checkpoint holds more than tensors and plain data ({str(exc).splitlines()[0]})"
        ) from None
    except (OSError, RuntimeError, EOFError) as exc:
        raise CheckpointError(f"{path}: cannot read checkpoint ({exc})") from None
    if not isinstance(state, dict) or "model" not in state:
        raise CheckpointError(f"{path}: not a shootout checkpoint")
    return state
