"""Choosing the tuned recipes on a validation split of the training set — never on the test set.

    python -m benchmarks.tune [CONTESTANT ...]

For each tuned contestant, every candidate recipe trains on 4/5 of the training split and is scored on
the held-out 1/5, with its training time; the catalog takes the fastest candidate whose validation
accuracy clears the goal with a margin.
"""

from __future__ import annotations

import sys
import time

import numpy as np
from sklearn.base import clone

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
    ("digits", "small-cnn"): [
        TorchNet(
            "smallcnn", recipe=Recipe(optimizer="adam", lr=2e-3, batch_size=32, epochs=30, layout="nchw", **QUIET)
        ),
        TorchNet(
            "smallcnn",
            recipe=Recipe(
                optimizer="adam",
                lr=3e-3,
                batch_size=32,
                epochs=40,
                layout="nchw",
                schedule="onecycle",
                weight_decay=1e-4,
                **QUIET,
            ),
        ),
        TorchNet(
            "smallcnn",
            recipe=Recipe(
                optimizer="sgd+momentum",
                lr=0.05,
                batch_size=32,
                epochs=40,
                layout="nchw",
                schedule="onecycle",
                weight_decay=5e-4,
                **QUIET,
            ),
        ),
    ],
}
SEEDS = {"digits": 5}  # small sets: average over more seeds (and validation splits)


def main(argv: list[str] | None = None) -> None:
    wanted = set(sys.argv[1:] if argv is None else argv)  # contestant names; none: all
    for (dataset, contestant), candidates in CANDIDATES.items():
        if wanted and contestant not in wanted:
            continue
        images, labels = load(dataset, "train")
        seeds = SEEDS.get(dataset, 1)
        print(f"{dataset} / {contestant}: {seeds} seed(s), validation = 1/5 of the training split")
        for estimator in candidates:
            accuracies, seconds = [], []
            for seed in range(seeds):
                train, val = split_validation(len(images), 0.2, seed=123 + seed)
                candidate = clone(estimator)
                if "recipe" in candidate.get_params(deep=False):
                    candidate.set_params(recipe=candidate.recipe.with_(seed=seed))
                started = time.perf_counter()
                candidate.fit(images[train], labels[train], log=None)
                seconds.append(time.perf_counter() - started)
                accuracies.append(candidate.score(images[val], labels[val]))
            params = estimator.get_params(deep=False)
            what = params.get("recipe") or {k: v for k, v in params.items() if k == "n_components"}
            print(
                f"  val acc {np.mean(accuracies):.4f} ± {np.std(accuracies):.4f}  {np.mean(seconds):6.2f} s  {what}",
                flush=True,
            )


if __name__ == "__main__":
    main()
