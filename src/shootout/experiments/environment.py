"""Provenance for every run: versions, machine, threads, device, seed, command."""

from __future__ import annotations

import os
import platform
import sys
from typing import Any


def environment(device: str, seed: int) -> dict[str, Any]:
    import matplotlib
    import numpy
    import sklearn
    import torch

    import shootout

    return {
        "shootout": shootout.__version__,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "torch": torch.__version__,
        "scikit-learn": sklearn.__version__,
        "matplotlib": matplotlib.__version__,
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "device": device,
        "cuda": torch.cuda.get_device_name(0) if device.startswith("cuda") else None,
        "seed": seed,
        "command": " ".join(sys.argv),
    }
