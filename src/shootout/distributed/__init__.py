"""Running one experiment on several processes: torchrun (one or many machines) or ``--nproc N`` (this one).

:mod:`~shootout.distributed.world` says who this process is, :mod:`~shootout.distributed.group`
opens the process group, :mod:`~shootout.distributed.collectives` holds the few collectives a run
needs, :mod:`~shootout.distributed.faults` stops every rank when one fails and names it, and
:mod:`~shootout.distributed.launch` starts ``torch.distributed.run`` for ``--nproc``.

Importing the package imports NumPy only; the modules that need torch are imported where they are used.
"""

from shootout.distributed.world import SINGLE, LaunchError, World, from_env, launched, rank_seed

__all__ = ["SINGLE", "LaunchError", "World", "from_env", "launched", "rank_seed"]
