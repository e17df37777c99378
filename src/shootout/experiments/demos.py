"""The demonstrations: what the seeds show without a score — image filters, and gradients by hand and by autograd.

Each function takes the run's :class:`Stage` and returns what it :class:`Shown`; the catalog names them.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from shootout.data import get_spec, load
from shootout.experiments.spec import Shown, Stage, Table
from shootout.filters import FILTERS, as_uint8, filter2d
from shootout.nets import fit_line
from shootout.plots import filter_grid, line_fit_plot

# Filters: the first test image of a few classes of each dataset (CIFAR's test split may be sorted by class).
FILTER_CLASSES = {"cifar-10": (1, 3, 8), "mnist": (0, 3, 7)}

# pt_linreg: the lab's two points, and a noisy line of N points drawn from the run's seed.
LAB_POINTS = (np.array([1.0, 2.0]), np.array([3.0, 5.0]))  # the line through them: y = 2x + 1
NOISY_N, NOISY_SLOPE, NOISY_INTERCEPT, NOISY_SIGMA = 50, 2.0, 1.0, 0.3
LINREG_STEPS, LINREG_LR = 1000, 0.1
SHOWN_STEPS = 5  # steps printed side by side in the table


def _first_of_classes(dataset: str, classes: tuple[int, ...], stage: Stage) -> tuple[np.ndarray, list[str]]:
    """The first test image of each class; ``--data-dir`` and ``--no-verify`` apply to CIFAR-10 only."""
    options = stage.options
    colour = dataset == "cifar-10"
    images, labels = load(
        dataset,
        "test",
        data_dir=options.data_dir if colour else None,
        verify=options.verify or not colour,
        channel_order=options.channel_order if colour else "rgb",
    )
    names = get_spec(dataset).classes
    index = [int(np.flatnonzero(labels == c)[0]) for c in classes]
    return images[index], [f"{dataset}: {names[c]}" for c in classes]


def show_filters(stage: Stage) -> Shown:
    """The seed's 3×3 filters (and a blur) on a few CIFAR-10 and MNIST test images, as filter2D shows them."""
    shown = Shown()
    identity_exact = True
    for dataset, classes in FILTER_CLASSES.items():
        images, labels = _first_of_classes(dataset, classes, stage)
        filtered = {name: as_uint8(filter2d(images, kernel)) for name, kernel in FILTERS.items()}
        identity_exact &= bool(np.array_equal(filtered["identity"], images))
        path = filter_grid(images, filtered, labels, stage.picture(f"filters-{dataset}.png"), f"3×3 filters: {dataset}")
        shown.pictures.append((f"{dataset}: each image (rows) through each filter (columns), zero padding", path))
    rows = tuple(
        (name, " / ".join(" ".join(_fraction(v) for v in row) for row in kernel), _fraction(kernel.sum()))
        for name, kernel in FILTERS.items()
    )
    shown.tables.append(Table("the kernels (rows separated by /)", ("filter", "kernel", "sum"), rows))
    shown.facts["identity_returns_the_image"] = identity_exact
    shown.facts["padding"] = "zeros, every channel on its own; outputs rounded and clipped to 0..255 like filter2D"
    return shown


def _fraction(value: float) -> str:
    """A kernel weight as the seed writes it: 1/9 rather than 0.111111."""
    return str(Fraction(float(value)).limit_denominator(64))


def _noisy_line(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.uniform(0.0, 2.0, NOISY_N)
    return X, NOISY_SLOPE * X + NOISY_INTERCEPT + NOISY_SIGMA * rng.standard_normal(NOISY_N)


def show_linreg(stage: Stage) -> Shown:
    """pt_linreg on the lab's two points and on a noisy line: gradients by hand and by autograd, step by step."""
    options = stage.options
    steps = options.epochs or LINREG_STEPS  # one gradient step an "epoch": the whole set is one batch
    lr = options.lr or LINREG_LR
    shown = Shown()
    sets = {"lab points (1,3), (2,5)": LAB_POINTS, f"{NOISY_N} noisy points": _noisy_line(options.data_seed)}
    summary = []
    for index, (name, (X, Y)) in enumerate(sets.items()):
        fit = fit_line(X, Y, param_niter=steps, param_delta=lr, seed=options.data_seed)
        gaps = [max(abs(h["grad_a"] - h["autograd_a"]), abs(h["grad_b"] - h["autograd_b"])) for h in fit.history]
        slope, intercept = np.polyfit(X, Y, 1)  # the least-squares line, for comparison
        summary.append((name, f"{fit.a:.6f}", f"{fit.b:.6f}", f"{slope:.6f}", f"{intercept:.6f}", f"{max(gaps):.3g}"))
        rows = tuple(
            (i + 1, f"{h['loss']:.6g}", f"{h['grad_a']:.9g}", f"{h['autograd_a']:.9g}", f"{h['grad_b']:.9g}",
             f"{h['autograd_b']:.9g}")
            for i, h in enumerate(fit.history[:SHOWN_STEPS])
        )  # fmt: skip
        columns = ("step", "loss", "dL/da by hand", "dL/da autograd", "dL/db by hand", "dL/db autograd")
        shown.tables.append(Table(f"{name}: the first {SHOWN_STEPS} steps", columns, rows))
        shown.history += [{"data": name, "step": i + 1, **h} for i, h in enumerate(fit.history)]
        losses = [h["loss"] for h in fit.history]
        path = line_fit_plot(X, Y, fit.a, fit.b, losses, stage.picture(f"linreg-{index}.png"), name)
        shown.pictures.append((f"{name}: the fitted line and the loss of each step", path))
        shown.facts[f"largest gradient difference, {name}"] = max(gaps)
        if stage.log:
            stage.log(f"{name}: a={fit.a:.6f}, b={fit.b:.6f}; hand and autograd gradients differ by ≤ {max(gaps):.3g}")
    columns = ("data", "a (fitted)", "b (fitted)", "a (least squares)", "b (least squares)", "max |hand - autograd|")
    shown.tables.insert(0, Table(f"{steps} steps of gradient descent, learning rate {lr:g}", columns, tuple(summary)))
    return shown
