"""Timing device work honestly: on CUDA the host only queues kernels, so a host clock alone measures the queueing.

A :class:`Stopwatch` records CUDA events around the timed work and waits for the second one before
reading the time; on the CPU, where the work is done when the call returns, it reads ``perf_counter``.
"""

from __future__ import annotations

import time

import torch


class Stopwatch:
    """Seconds of work on ``device`` between :meth:`start` and :meth:`stop`."""

    def __init__(self, device: torch.device) -> None:
        self.cuda = torch.device(device).type == "cuda"
        self._started: float | torch.cuda.Event | None = None

    def start(self) -> None:
        if self.cuda:
            self._started = torch.cuda.Event(enable_timing=True)
            self._started.record()
        else:
            self._started = time.perf_counter()

    def stop(self) -> float:
        """The seconds since :meth:`start`, once every kernel queued before this call has finished."""
        if self._started is None:
            raise RuntimeError("Stopwatch.stop() called before start()")
        started, self._started = self._started, None
        if not self.cuda:
            return time.perf_counter() - started
        ended = torch.cuda.Event(enable_timing=True)
        ended.record()
        ended.synchronize()
        return started.elapsed_time(ended) / 1000.0
