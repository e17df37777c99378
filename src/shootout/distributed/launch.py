"""``shootout run NAME --nproc N``: the same run as ``torchrun --standalone --nproc_per_node=N -m shootout run
NAME``, started through ``torch.distributed.run`` from this process (nothing else spawns the ranks).

The rendezvous listens on 127.0.0.1 on a port the system picks; gloo talks over the loopback
interface. When a rank fails, the launcher stops the others and this process prints one line naming
the rank that failed first, instead of the launcher's own report.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import uuid
from collections.abc import Sequence

from shootout.distributed.faults import EXIT_PEER
from shootout.distributed.world import cores

EXIT_FAILURE, EXIT_USAGE = 1, 2


def torchrun_arguments(nproc: int, argv: Sequence[str]) -> list[str]:
    """``torch.distributed.run``'s command line for ``python -m shootout ARGV`` on ``nproc`` local processes."""
    return [
        "--nnodes=1",
        f"--nproc_per_node={nproc}",
        "--rdzv_backend=c10d",
        "--rdzv_endpoint=127.0.0.1:0",  # port 0: the system picks a free one
        f"--rdzv_id={uuid.uuid4()}",
        "--local-addr=127.0.0.1",  # the address the ranks reach the launcher's store at
        "--max_restarts=0",
        "-m",
        "shootout",
        *argv,
    ]


def _loopback() -> str | None:
    """The name of the loopback network interface, where there is one by the usual name."""
    try:
        names = [name for _, name in socket.if_nameindex()]
    except OSError:
        return None
    return next((name for name in ("lo", "lo0") if name in names), None)


def launch(nproc: int, argv: Sequence[str]) -> int:
    """Run ``shootout ARGV`` on ``nproc`` processes of this machine; the exit status of the run."""
    from torch.distributed import run as torchrun
    from torch.distributed.elastic.multiprocessing.api import SignalException
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError

    os.environ.setdefault("OMP_NUM_THREADS", str(max(1, cores() // nproc)))  # each rank's share of the cores
    loopback = _loopback()
    if loopback is not None:
        os.environ.setdefault("GLOO_SOCKET_IFNAME", loopback)
    logging.getLogger("torch.distributed.elastic").setLevel(logging.CRITICAL)  # its report: one line below instead
    try:
        torchrun.run(torchrun.parse_args(torchrun_arguments(nproc, argv)))
    except ChildFailedError as exc:
        return _report(exc.failures)
    except SignalException as exc:  # this process was asked to stop; the launcher stopped the ranks first
        name = signal.Signals(exc.sigval).name
        print(f"error: stopped by {name}; every rank was stopped", file=sys.stderr, flush=True)
        return 128 + int(exc.sigval)
    return 0


def _report(failures: dict) -> int:
    """One line naming the rank that failed first (not one that stopped because of it); the exit status."""
    stopped = (EXIT_PEER, -signal.SIGTERM)
    causes = {rank: f for rank, f in failures.items() if f.exitcode not in stopped} or failures
    rank, failure = min(causes.items(), key=lambda item: (item[1].timestamp, item[0]))
    if failure.exitcode < 0:
        how = f"was killed by {failure.signal_name()}"
    else:
        how = f"failed with exit status {failure.exitcode} (its error is above)"
    others = sorted(set(failures) - {rank})
    stopped_too = f"; rank {', '.join(map(str, others))} stopped too" if others else ""
    print(f"error: rank {rank} {how}{stopped_too}", file=sys.stderr, flush=True)
    return EXIT_USAGE if failure.exitcode == EXIT_USAGE else EXIT_FAILURE
