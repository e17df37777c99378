"""A run folder that is created atomically: it gets its final name only when the run succeeded.

While a run works it writes into ``<final>.partial``; on success that folder is renamed to the final
name, so a folder under the final name is always complete. A failed or killed run leaves only the
``.partial`` folder (with ``failure.json`` when the failure could be caught), which ``--resume``
continues from.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

from shootout.data.files import atomic_write_bytes

PARTIAL = ".partial"
RUN_RECORD = "run.json"  # how the run was started: experiment, options, versions; and each resume


class RunFolderError(RuntimeError):
    """The run folder cannot be created or completed."""


def default_run_dir(name: str, root: str | Path = "runs") -> Path:
    return Path(root) / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}"


def work_folder(path: str | Path) -> Path:
    """The ``.partial`` folder a run works in, given the run folder as ``DIR`` or ``DIR.partial``."""
    path = Path(path)
    return path if path.name.endswith(PARTIAL) else path.with_name(path.name + PARTIAL)


def read_run_record(path: str | Path) -> dict[str, Any]:
    """The ``run.json`` of an interrupted run (``DIR`` or ``DIR.partial``): how it was started."""
    work = work_folder(path)
    if not work.is_dir():
        final = work.with_name(work.name[: -len(PARTIAL)])
        done = f" ({final} is a completed run)" if final.is_dir() else ""
        raise RunFolderError(f"nothing to resume: {work} does not exist{done}")
    record = work / RUN_RECORD
    try:
        data = json.loads(record.read_text())
    except FileNotFoundError:
        raise RunFolderError(f"{record} is missing: not a run folder, or one started by an older shootout") from None
    except (OSError, ValueError) as exc:
        raise RunFolderError(f"{record}: cannot be read ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("experiment"), str) or "options" not in data:
        raise RunFolderError(f"{record}: not a run record (no experiment and options)")
    return data


class RunFolder:
    """Write files into ``work`` (the .partial folder); :meth:`commit` renames it to ``final``."""

    def __init__(self, final: str | Path, resume: bool = False) -> None:
        self.work = work_folder(final)
        self.final = final = self.work.with_name(self.work.name[: -len(PARTIAL)])
        if final.exists() and (not final.is_dir() or any(final.iterdir())):
            raise RunFolderError(f"{final} already exists and is not empty; choose another --out")
        try:
            if resume:
                if not self.work.is_dir():
                    raise RunFolderError(f"nothing to resume: {self.work} does not exist")
                (self.work / "failure.json").unlink(missing_ok=True)
            else:
                if self.work.exists():
                    shutil.rmtree(self.work)
                self.work.mkdir(parents=True)
            probe = self.work / ".write-test"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise RunFolderError(f"cannot create the run folder {self.work}: {exc.strerror or exc}") from None

    def path(self, *parts: str) -> Path:
        target = self.work.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write_text(self, name: str, text: str) -> Path:
        target = self.path(name)
        atomic_write_bytes(target, text.encode())
        return target

    def write_json(self, name: str, data: Any) -> Path:
        return self.write_text(name, json.dumps(data, indent=2, default=_plain) + "\n")

    def commit(self) -> Path:
        """Give the folder its final name (an empty folder of that name is replaced)."""
        if self.final.is_dir():
            self.final.rmdir()
        os.replace(self.work, self.final)
        return self.final

    def fail(self, error: BaseException) -> None:
        """Record why the run stopped; the folder keeps its .partial name."""
        # a full disk may be the failure itself: then the .partial name alone says enough
        with contextlib.suppress(OSError):
            self.write_json(
                "failure.json",
                {"error": type(error).__name__, "message": str(error), "time": time.strftime("%Y-%m-%dT%H:%M:%S")},
            )


def _plain(value: Any) -> Any:
    """JSON for NumPy scalars and arrays, and anything else as its string."""
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)
