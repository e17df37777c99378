"""Host memory for torch on the CPU: freed blocks kept for reuse instead of handed back to the kernel.

glibc's malloc serves every block above 32 MiB with a fresh ``mmap`` and unmaps it when it is freed, so each
large activation tensor (the speedrun net's reach 250 MB for a batch of 1,000 CIFAR-10 images) came back as
new pages that the kernel faulted in and zeroed one by one: 1.5 million page faults, 17–21 % of the CPU
time of two training steps here. With ``mmap`` off and trimming above 2 GiB only, a freed block stays in the
heap and the next step takes it again (``python -m benchmarks.ablations``). The price: the process keeps
its peak of free memory instead of returning it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

M_TRIM_THRESHOLD, M_MMAP_MAX = -1, -4  # mallopt's parameters (glibc's malloc.h)
KEPT = {M_MMAP_MAX: 0, M_TRIM_THRESHOLD: 2**31 - 1}  # no mmap for any block; trim above 2 GiB of free top
GLIBC_DEFAULTS = {M_MMAP_MAX: 65536, M_TRIM_THRESHOLD: 128 * 1024}


def _mallopt():
    """glibc's ``mallopt``, or None on another system or C library."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):
        return None


def keep_freed_memory(keep: bool = True) -> bool:
    """Make glibc's malloc keep freed memory for reuse (``keep=False``: its defaults again, as fixed values).

    Returns whether the settings took effect (False without glibc, where nothing changes).
    """
    mallopt = _mallopt()
    if mallopt is None:
        return False
    settings = KEPT if keep else GLIBC_DEFAULTS
    return all(mallopt(param, value) == 1 for param, value in settings.items())
