"""Choosing the tuned recipes on a validation split of the training set — never on the test set.

    python -m benchmarks.tune

For each tuned contestant, every candidate recipe trains on 4/5 of the training split and is scored on
the held-out 1/5, with its training time; the catalog takes the fastest candidate whose validation
accuracy clears the goal with a margin.
"""

from __future__ import annotations

import time

from shootout.data import load
from shootout.estimators import NystroemSVM, TorchNet
from shootout.train import Recipe, split_validation

QUIET = dict(checkpoint_every=1000)
CANDIDATES = {
    ("mnist", "linear-tuned"): [
        TorchNet(
            "logreg",
            recipe=Recipe(optimizer="sgd+momentum", lr=0.05, batch_size=256, epochs=2, schedule="onecycle", **QUIET),
        ),
        TorchNet(
            "logreg",
            recipe=Recipe(optimizer="sgd+momentum", lr=0.1, batch_size=512, epochs=2, schedule="cosine", **QUIET),
        ),
        TorchNet(
            "logreg", recipe=Recipe(optimizer="adam", lr=3e-3, batch_size=512, epochs=2, schedule="onecycle", **QUIET)
        ),
    ],
    ("fashion-mnist", "mlp-tuned"): [
        TorchNet(
            "deep",
            hidden=(256,),
            recipe=Recipe(
                optimizer="sgd+momentum",
                lr=0.05,
                batch_size=128,
                epochs=12,
                schedule="onecycle",
                weight_decay=5e-4,
                **QUIET,
            ),
        ),
        TorchNet(
            "deep",
            hidden=(256,),
            recipe=Recipe(
                optimizer="sgd+momentum",
                lr=0.1,
                batch_size=256,
                epochs=12,
                schedule="onecycle",
                weight_decay=5e-4,
                **QUIET,
            ),
        ),
        TorchNet(
            "deep",
            hidden=(256,),
            recipe=Recipe(optimizer="adam", lr=2e-3, batch_size=256, epochs=12, schedule="onecycle", **QUIET),
        ),
    ],
    ("mnist", "rbf-nystroem"): [NystroemSVM(n_components=n) for n in (2000, 3000, 4000)],
}


def main() -> None:
    for (dataset, contestant), candidates in CANDIDATES.items():
        images, labels = load(dataset, "train")
        train, val = split_validation(len(images), 0.2, seed=123)
        print(f"{dataset} / {contestant}: {len(train)} train, {len(val)} validation")
        for estimator in candidates:
            started = time.perf_counter()
            estimator.fit(images[train], labels[train], log=None)
            seconds = time.perf_counter() - started
            accuracy = estimator.score(images[val], labels[val])
            params = estimator.get_params(deep=False)
            what = params.get("recipe") or {k: v for k, v in params.items() if k == "n_components"}
            print(f"  val acc {accuracy:.4f}  {seconds:6.2f} s  {what}", flush=True)


if __name__ == "__main__":
    main()
