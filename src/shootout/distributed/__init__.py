"""Running one experiment on several processes: torchrun (one or many machines) or ``--nproc N`` (this one).

:mod:`~shootout.distributed.world` says who this process is, :mod:`~shootout.distributed.group`
opens the process group, :mod:`~shootout.distributed.collectives` holds the few collectives a run
needs, :mod:`~shootout.distributed.faults` stops every rank when one fails and names it, and
:mod:`~shootout.distributed.launch` starts ``torch.distributed.run`` for ``--nproc``.
"""

from shootout.distributed.faults import EXIT_PEER, PeerFailure
from shootout.distributed.world import SINGLE, LaunchError, World, from_env, launched, rank_seed

__all__ = ["EXIT_PEER", "SINGLE", "LaunchError", "PeerFailure", "World", "from_env", "launched", "rank_seed"]
