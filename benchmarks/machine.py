"""The machine a benchmark ran on, and its measured peak: fp32 matmul through torch and NumPy, copy."""

from __future__ import annotations

import os
import platform
import time
from typing import Any

import numpy as np
import torch


def load_averages() -> tuple[float, float, float] | None:
    """The 1-, 5- and 15-minute load averages, None where the system keeps none: other work on the same
    cores changes every timing, so each benchmark prints them beside its numbers."""
    try:
        return os.getloadavg()
    except OSError:
        return None


def load_average() -> float | None:
    """The 1-minute load average (see :func:`load_averages`)."""
    averages = load_averages()
    return None if averages is None else averages[0]


def _best_of(fn, repeats: int = 20) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def measure_peak(n: int = 2048) -> dict[str, float]:
    """Best-of-20 GFLOP/s of an n×n fp32 matmul (torch, NumPy) and GB/s of a 256 MB copy.

    The best of many repeats, after a warm-up, is the least disturbed by other load on a noisy machine.
    """
    a, b = torch.randn(n, n), torch.randn(n, n)
    for _ in range(3):
        torch.mm(a, b)  # warm-up
    torch_seconds = _best_of(lambda: torch.mm(a, b))
    an, bn = a.numpy(), b.numpy()
    numpy_seconds = _best_of(lambda: an @ bn)
    big = np.ones(64 * 1024 * 1024, dtype=np.float32)
    out = np.empty_like(big)
    copy_seconds = _best_of(lambda: np.copyto(out, big))
    flops = 2.0 * n**3
    return {
        "torch_matmul_gflops": flops / torch_seconds / 1e9,
        "numpy_matmul_gflops": flops / numpy_seconds / 1e9,
        "copy_gbps": 2 * big.nbytes / copy_seconds / 1e9,  # read + write
    }


def describe_machine() -> dict[str, Any]:
    import sklearn

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            names = [line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "scikit-learn": sklearn.__version__,
        "platform": platform.platform(),
        "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
    }
