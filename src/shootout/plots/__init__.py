"""Pictures, drawn with matplotlib on a headless backend unless a display is configured.

2-D classification: :func:`graph_surface` (the decision surface and its contour) and
:func:`graph_data` (points by true class, correct as circles, wrong as squares, special ones large).
"""

import os

import matplotlib

if not os.environ.get("MPLBACKEND") and not os.environ.get("DISPLAY"):
    matplotlib.use("Agg")

from shootout.plots.files import save_figure
from shootout.plots.surface import graph_data, graph_surface

__all__ = ["graph_data", "graph_surface", "save_figure"]
