"""``python -m benchmarks.ablations``: each speed change of the code measured against its alternative.

Every ablation runs one workload twice per repeat — the way the code does it ("after") and the way it
would be done without the change ("before", mostly the tutorials' way) — alternating which goes first,
in this one process. Data loading is excluded from every timing; everything after the arrays are in
memory is included. Each workload declares its change, alternative and description where it is
defined (:func:`benchmarks.ablations.registry.ablation`), in the modules by theme below, and picks the
alternative through a parameter of the code (a recipe field, a keyword), never by patching it.

- :mod:`~benchmarks.ablations.data_path` — the torch batches;
- :mod:`~benchmarks.ablations.trainer` — weight storage, optimizer kernels, host syncs, evaluation, threads;
- :mod:`~benchmarks.ablations.numpy_loops` — the NumPy models;
- :mod:`~benchmarks.ablations.compute` — the Nystroem factorization, CNN weight layout, compile, LeNet batch, bf16;
- :mod:`~benchmarks.ablations.measure` — both runs, the ratio and its spread, the verdict, the table;
- :mod:`~benchmarks.ablations.bf16` — ``--bf16-accuracy``.
"""

from __future__ import annotations

import importlib

from benchmarks.ablations.registry import REGISTRY, Ablation, ablation

THEMES = ("data_path", "trainer", "numpy_loops", "compute")  # imported in this order: the table's order
for _theme in THEMES:
    importlib.import_module(f"{__name__}.{_theme}")

__all__ = ["REGISTRY", "THEMES", "Ablation", "ablation"]
