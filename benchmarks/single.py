"""One (experiment, seed) run in its own process: prints a JSON line with the results and peak RSS.

python -m benchmarks.single EXPERIMENT SEED OUT_DIR [--data-dir DIR] [--epochs N]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import warnings
from pathlib import Path

from benchmarks.flops import train_flops_per_sample
from shootout.data import ChecksumWarning, get_spec
from shootout.experiments import RunOptions, get_experiment, run_experiment


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM). Unlike ``ru_maxrss``, which on Linux keeps the peak of
    the parent that forked us, VmHWM belongs to this process image alone."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("experiment")
    parser.add_argument("seed", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--epochs", type=int, default=None)
    args = parser.parse_args()
    warnings.simplefilter("ignore", ChecksumWarning)  # the benchmark states which copy it used
    experiment = get_experiment(args.experiment)
    options = RunOptions(epochs=args.epochs, seed=args.seed, data_dir=args.data_dir, verify=args.data_dir is None)
    folder = run_experiment(experiment, options, out=args.out, log=None, progress=False)
    metrics = json.loads((folder / "metrics.json").read_text())
    if experiment.dataset == "gmm":
        shape, n_train, classes = (2,), experiment.data_options["K"] * experiment.data_options["N"], 2
    else:
        spec = get_spec(experiment.dataset)
        shape, n_train, classes = spec.image_shape, spec.sizes["train"], spec.num_classes
    for result in metrics["results"]:
        estimator = experiment.entry(result["model"]).estimator.with_overrides(**options.overrides())
        per_sample = train_flops_per_sample(estimator, shape, classes)
        recipe = result["recipe"].get("recipe") or {}
        held = recipe.get("val_fraction")
        if held is None:  # Recipe.validation_fraction's defaults
            held = 0.2 if recipe.get("early_stopping") else 0.1 if recipe.get("stop_at") is not None else 0.0
        trained = result.get("train_samples") or n_train * (1 - held) * result["epochs"]
        result["samples_trained"] = trained
        result["train_flops"] = None if per_sample is None else per_sample * trained
    metrics["rss_mb"] = peak_rss_mb()
    json.dump(metrics, sys.stdout)


if __name__ == "__main__":
    main()
