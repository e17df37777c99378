"""Pictures, drawn with matplotlib on a headless backend unless a display is configured.

2-D classification: :func:`graph_surface` (the decision surface and its contour) and
:func:`graph_data` (points by true class, correct as circles, wrong as squares, special ones large).
Runs: :func:`learning_curves`, :func:`image_grid` (true and predicted labels), :func:`weight_images`,
:func:`confusion_matrix_plot`, :func:`filter_grid`; :func:`line_fit_plot` (pt_linreg);
:func:`accuracy_vs_seconds` (a run's or a comparison's contestants, accuracy against training time).
"""

import os

import matplotlib

if not os.environ.get("MPLBACKEND") and not os.environ.get("DISPLAY"):
    matplotlib.use("Agg")

from shootout.plots.curves import learning_curves
from shootout.plots.files import save_figure
from shootout.plots.images import confusion_matrix_plot, filter_grid, image_grid, weight_images
from shootout.plots.lines import line_fit_plot
from shootout.plots.surface import graph_data, graph_surface
from shootout.plots.tradeoff import Point, accuracy_vs_seconds

__all__ = [
    "Point",
    "accuracy_vs_seconds",
    "confusion_matrix_plot",
    "filter_grid",
    "graph_data",
    "graph_surface",
    "image_grid",
    "learning_curves",
    "line_fit_plot",
    "save_figure",
    "weight_images",
]
