"""Seed 002's case against the fully connected net on CIFAR-10, shown where it can be measured.

Its three reasons: (1) a fully connected layer on the whole image has many parameters and overfits;
(2) flattening discards which pixels are neighbours; (3) it is sensitive to where things are in the
image. Measured here as (1) parameter counts and the gap between training and test accuracy, (2) the
accuracy of each net trained and tested on images whose pixel positions were shuffled by one fixed
permutation (a fully connected net cannot tell; a convolution loses its neighbourhoods), and (3) the
accuracy on the test images shifted by two pixels.
"""

from __future__ import annotations

from typing import Any

from shootout.data.transforms import shift_images
from shootout.experiments.spec import Shown, Table

SHIFTS = (
    ("test images shifted 2 px right", lambda images: shift_images(images, dx=2)),
    ("test images shifted 2 px down", lambda images: shift_images(images, dy=2)),
)
SHUFFLED = {"permute_pixels": 0}  # the data option of the contestants trained on shuffled pixel positions


def three_reasons(results: list[dict[str, Any]]) -> Shown:
    """One table: per net, parameters, train and test accuracy, the shifted and shuffled accuracies."""
    plain = {r["model"]: r for r in results if "data" not in r}
    shuffled = {r.get("group", r["model"]): r for r in results if "data" in r}
    rows = []
    for name, r in plain.items():
        probes = r.get("probes", {})
        other = shuffled.get(name)
        rows.append(
            (
                name,
                f"{r['params']:,}",
                _pct(r.get("train_accuracy")),
                _pct(r["test_accuracy"]),
                _pct(None if r.get("train_accuracy") is None else r["train_accuracy"] - r["test_accuracy"]),
                *(_pct(probes.get(label)) for label, _ in SHIFTS),
                _pct(other["test_accuracy"] if other else None),
            )
        )
    columns = ("net", "parameters", "train acc", "test acc", "train - test", *(s for s, _ in SHIFTS), "shuffled")
    shown = Shown(tables=[Table("the seed's three reasons, measured", columns, tuple(rows))])
    shown.facts["shuffled"] = "trained and tested on images whose pixel positions one fixed permutation shuffled"
    return shown


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"
