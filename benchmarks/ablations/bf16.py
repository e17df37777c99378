"""``--bf16-accuracy``: the test accuracy of each tuned recipe trained to the end in fp32 and under bf16.

This is the evidence a recipe needs before it may turn bf16 on. None does yet — every recipe is
``precision="fp32"``, and ``--precision auto`` (bf16 on CUDA only) is the user's opt-in until this has
been run on a GPU. On a CPU without bf16 units it is 20-30× slower, but rounds the same way.
"""

from __future__ import annotations

from typing import Any

from benchmarks.ablations.common import Data, catalog, fit_seconds

BF16_RECIPES = (  # (experiment, contestant, the Data field it trains on)
    ("mnist-linear", "linear-tuned", "mnist"),
    ("fashion-mlp", "mlp-tuned", "fashion"),
    ("mnist-lenet", "lenet", "mnist"),
    ("cifar-lenet", "lenet-tuned", "cifar"),
)


def bf16_accuracy(data: Data) -> list[dict[str, Any]]:
    """Test accuracy and training seconds of each tuned recipe in fp32 and under bf16 autocast."""
    rows = []
    for experiment, contestant, dataset in BF16_RECIPES:
        x, y, x_test, y_test = getattr(data, dataset)
        row: dict[str, Any] = {"experiment": experiment, "contestant": contestant}
        for precision in ("fp32", "bf16"):
            estimator = catalog(experiment, contestant, precision=precision)
            seconds = fit_seconds(estimator, x, y)
            row[precision] = {"accuracy": float(estimator.score(x_test, y_test)), "seconds": seconds}
        rows.append(row)
        print(f"  {experiment}/{contestant}: fp32 {row['fp32']['accuracy']:.4f}, bf16 {row['bf16']['accuracy']:.4f}")
    return rows
