"""When one rank fails, every other rank stops soon, with one line that names the rank that failed.

A rank that dies closes its connections, and a peer waiting on it in a collective gets an error at
once (a peer that hangs instead: the process group's timeout). The launcher then sends SIGTERM to the
ranks still running, which :func:`arm` turns into an exception, so the run folder gets its
``failure.json``. What failed is looked up in the launcher's key-value store: a rank that raises
writes its one-line error there before it exits (:func:`record_failure`), and every rank wrote its
host and process id at the start, so a rank killed outright is found as a process that is gone.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import torch.distributed as dist

from shootout.distributed.world import World

EXIT_PEER = 3  # the exit status of a rank that stopped because another rank failed
_store: Any = None  # a client of the launcher's store, under our own prefix
_LOOK_FOR = 2.0  # seconds to look for the failed rank's record before naming it otherwise


class PeerFailure(RuntimeError):
    """This rank stopped because another rank of the run failed; the message names that rank."""


class Stopped(RuntimeError):
    """The launcher stopped this rank (SIGTERM), which it does when another rank failed; :func:`explain`
    turns it into a :class:`PeerFailure` that says which."""


def arm(world: World) -> None:
    """Register this rank in the launcher's store and turn the launcher's SIGTERM into :class:`Stopped`."""
    global _store
    with contextlib.suppress(Exception):  # without a store, failures are still caught, only named less well
        client = dist.TCPStore(
            os.environ["MASTER_ADDR"], int(os.environ["MASTER_PORT"]), is_master=False, timeout=timedelta(seconds=10)
        )
        _store = dist.PrefixStore("shootout", client)
        _store.set(f"where/{world.rank}", f"{socket.gethostname()} {os.getpid()}")
    signal.signal(signal.SIGTERM, _on_sigterm)


def disarm() -> None:
    """Forget the store; back to the default SIGTERM, unless a failure is being reported (then it stays
    ignored until the process has said why it stops: the launcher's SIGTERM comes right after a failure)."""
    global _store
    _store = None
    if signal.getsignal(signal.SIGTERM) is _on_sigterm:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _on_sigterm(signum: int, frame: Any) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second one must not cut the failure report short
    raise Stopped("stopped by the launcher (SIGTERM)")


def record_failure(world: World, error: BaseException) -> None:
    """Leave this rank's one-line error in the store, for the other ranks to name it (not for peer failures)."""
    if not world.distributed or isinstance(error, (PeerFailure, Stopped)):
        return
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # say why this rank stops before anything stops it
    if _store is None:
        return
    line = " ".join(str(error).split()) or type(error).__name__
    with contextlib.suppress(Exception):
        _store.set(f"failed/{world.rank}", line)


def is_collective_failure(error: BaseException) -> bool:
    """Whether ``error`` came out of a collective whose peer died, closed its connection or timed out."""
    if isinstance(error, dist.DistError):
        return True
    text = str(error)
    markers = ("gloo", "NCCL", "Connection closed by peer", "Connection reset by peer", "Timed out", "timed out")
    return isinstance(error, RuntimeError) and any(marker in text for marker in markers)


def explain(world: World, error: BaseException) -> BaseException:
    """``error`` as this rank reports it: a collective failure or the launcher's SIGTERM becomes a
    :class:`PeerFailure` naming the rank that failed; anything else is returned as it is."""
    if not world.distributed or isinstance(error, PeerFailure):
        return error
    if not (isinstance(error, Stopped) or is_collective_failure(error)):
        return error
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # the launcher's SIGTERM follows: the report comes first
    culprit = failed_rank(world)
    if culprit is not None:
        return PeerFailure(f"{world} stopped because {culprit}")
    if isinstance(error, Stopped):
        return PeerFailure(f"{world} was stopped by its launcher (SIGTERM)")
    first = str(error).splitlines()[0] if str(error) else type(error).__name__
    return PeerFailure(f"{world} stopped because another rank stopped answering ({first})")


def failed_rank(world: World) -> str | None:
    """Which other rank failed, and how, as far as the store and this machine's processes tell."""
    if _store is None:
        return None
    deadline = time.monotonic() + _LOOK_FOR
    while True:
        try:
            for rank in range(world.size):
                if rank != world.rank and _store.check([f"failed/{rank}"]):
                    return f"rank {rank} failed: {_store.get(f'failed/{rank}').decode()}"
            gone = [rank for rank in range(world.size) if rank != world.rank and not _alive(rank)]
        except Exception:  # the store went away with the launcher or rank 0
            return None
        if gone:
            return f"rank {', '.join(map(str, gone))} died (its process is gone)"
        if time.monotonic() > deadline:
            return None
        time.sleep(0.1)


def _alive(rank: int) -> bool:
    """False when ``rank`` ran on this machine and its process is gone; True otherwise (or unknown)."""
    if not _store.check([f"where/{rank}"]):
        return True
    host, pid = _store.get(f"where/{rank}").decode().rsplit(" ", 1)
    if host != socket.gethostname():
        return True
    status = Path(f"/proc/{pid}/stat")
    if Path("/proc/self/stat").exists():  # Linux: a killed child stays a zombie until its launcher reaps it
        try:
            return status.read_text().rsplit(")", 1)[1].split()[0] not in ("Z", "X")  # a zombie is gone
        except OSError:
            return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
