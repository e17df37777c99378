"""``python -m benchmarks.speedrun``: a speedrun timed the airbench way, mean ± std over seeds on one device.

The data are loaded once and the test split is put on the device once; one whole run (fit and evaluation)
warms up the libraries and is not counted; then every seed trains a fresh net and predicts the test split.
What the times cover is :data:`TIMING_SCOPE`, printed with every run. The header says what it ran on: the
GPU, its driver, torch, CUDA and cuDNN versions (on the CPU: the processor and torch), and which copy of
the data was read (the published files, or a copy whose checksums differ, named where it is known).

    python -m benchmarks.speedrun --device cuda --experiment cifar-speedrun --data-dir DIR --no-verify
    python -m benchmarks.speedrun --device cpu --train-samples 500 --epochs 1 --seeds 2   # a quick look here
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import textwrap
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch

from benchmarks.machine import describe_machine
from shootout.data import ChecksumWarning, Splits, fetch, get_spec, load_splits, stratified_subsample
from shootout.data.files import atomic_write_bytes, file_sha256
from shootout.estimators import SpeedrunCNN
from shootout.experiments import get_experiment
from shootout.train import RecipeError, resolve_device
from shootout.train.speedrun import predict_logits
from shootout.train.timing import Stopwatch

SPEEDRUNS = ("cifar-speedrun", "mnist-speedrun")
SEEDS = {"cuda": 10, "cpu": 3}  # by default; a CPU seed of the whole CIFAR-10 speedrun takes hours here
TIMING_SCOPE = (
    "'train s' is the speedrun's own timed_seconds: computing the whitening layer and the epochs, measured with "
    "CUDA events on a GPU and perf_counter on the CPU; it leaves out loading the data, moving it to the device "
    "and the warm-up steps each fit takes on a throwaway copy of its state (cuDNN's search, torch.compile). "
    "'eval s' is predicting the test split, already on the device, with the run's test-time augmentation, and "
    "counting the correct predictions, timed the same way. One whole run (fit and evaluation) before the "
    "first seed is not counted. 'total s' is their sum."
)
KNOWN_COPIES = {  # SHA-256 of a file as stored -> what it is
    "bcec144e6e6330d2216fd5bce08de483352c11bcb9b8d8f7bb11e7c4dc59cb43": (
        "the JPEG-derived CIFAR-10 copy (its images went through JPEG: not the published pixels)"
    ),
}


def driver_version() -> str | None:
    """The NVIDIA driver's version as nvidia-smi reports it (None without nvidia-smi)."""
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return None
    try:
        done = subprocess.run(
            [smi, "--query-gpu=driver_version", "--format=csv,noheader"], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = done.stdout.strip().splitlines()
    return lines[0].strip() if done.returncode == 0 and lines else None


def describe_device(device: torch.device) -> dict[str, Any]:
    """What the times were measured on: the GPU, driver, torch, CUDA and cuDNN versions, or the CPU."""
    machine = describe_machine()
    facts = {"device": str(device), "torch": machine["torch"], "cpu": machine["cpu"], "cores": machine["cores"]}
    if device.type == "cuda":
        facts.update(
            gpu=torch.cuda.get_device_name(device),
            gpu_memory_gb=round(torch.cuda.get_device_properties(device).total_memory / 2**30, 1),
            driver=driver_version(),
            cuda=torch.version.cuda,
            cudnn=torch.backends.cudnn.version(),
        )
    else:
        facts["torch_threads"] = machine["torch_threads"]
    return facts


def load_data(dataset: str, data_dir: Path | None, verify: bool) -> tuple[Splits, dict[str, Any]]:
    """The splits, and which files they came from: path, SHA-256, what the copy is where known."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ChecksumWarning)
        paths = fetch(dataset, data_dir, verify)
        data = load_splits(dataset, data_dir, verify)
    differs = [str(w.message) for w in caught if issubclass(w.category, ChecksumWarning)]
    files = []
    for path in paths:
        sha256 = file_sha256(path)
        files.append({"file": str(path), "sha256": sha256, "known_as": KNOWN_COPIES.get(sha256)})
    return data, {"dataset": dataset, "published": not differs, "files": files, "checksum_warnings": differs}


def describe_copy(copy: dict[str, Any]) -> str:
    """One line: the dataset, its files and whether they are the published ones."""
    named = sorted({f["known_as"] for f in copy["files"] if f["known_as"]})
    what = (
        "; ".join(named)
        if named
        else (
            "the published files (checksums verified)"
            if copy["published"]
            else "a copy whose checksums differ from the published files"
        )
    )
    files = ", ".join(f["file"] for f in copy["files"])
    return f"{get_spec(copy['dataset']).title}: {what} — {files}"


def evaluate(model: SpeedrunCNN, test_x: torch.Tensor, test_y: torch.Tensor) -> tuple[float, float]:
    """(accuracy, seconds) of predicting test images already on the model's device, with the run's TTA."""
    result, recipe = model.result_, model.recipe_
    device = torch.device(result.device)
    classes = torch.as_tensor(model.classes_, device=device)
    clock = Stopwatch(device)
    clock.start()
    logits = predict_logits(model.model_, test_x, result.preprocess, recipe.tta_level(device.type), recipe)
    correct = (classes[logits.argmax(dim=1)] == test_y).sum()
    seconds = clock.stop()
    return int(correct) / len(test_y), seconds


def one_run(
    contestant: SpeedrunCNN, seed: int, data: Splits, test_x: torch.Tensor, test_y: torch.Tensor
) -> dict[str, Any]:
    """Train a fresh copy with ``seed`` and evaluate it: accuracy, timed train and eval seconds, how it ran."""
    model = contestant.with_overrides(seed=seed).fit(data.train_x, data.train_y, log=None, progress=False)
    accuracy, eval_seconds = evaluate(model, test_x, test_y)
    facts = model.fit_facts()
    train_seconds = facts["timed_seconds"]
    return {
        "seed": seed,
        "accuracy": accuracy,
        "train_seconds": train_seconds,
        "eval_seconds": eval_seconds,
        "total_seconds": train_seconds + eval_seconds,
        "fit": facts,
    }


def mean_std(values: list[float]) -> dict[str, float]:
    return {"mean": statistics.fmean(values), "std": statistics.stdev(values) if len(values) > 1 else 0.0}


def summarize(runs: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Mean and standard deviation over the seeds of accuracy and of each time."""
    return {
        key: mean_std([r[key] for r in runs]) for key in ("accuracy", "train_seconds", "eval_seconds", "total_seconds")
    }


def markdown(experiment: str, summary: dict[str, dict[str, float]], seeds: int) -> str:
    """The table: one row, mean ± std over the seeds."""
    a, tr, ev, to = (summary[k] for k in ("accuracy", "train_seconds", "eval_seconds", "total_seconds"))
    return "\n".join(
        [
            "| experiment | seeds | test accuracy | train s | eval s | total s |",
            "|---|---|---|---|---|---|",
            f"| {experiment} | {seeds} | {a['mean']:.4f} ± {a['std']:.4f} | {tr['mean']:.3f} ± {tr['std']:.3f} | "
            f"{ev['mean']:.3f} ± {ev['std']:.3f} | {to['mean']:.3f} ± {to['std']:.3f} |",
        ]
    )


def header(device: dict[str, Any], copy: dict[str, Any], sizes: tuple[int, int]) -> str:
    """What ran where: the device and its versions, the data copy and sizes, the timing scope."""
    if device["device"].startswith("cuda"):
        driver = device["driver"] or "unknown (no nvidia-smi)"
        where = (
            f"GPU: {device['gpu']} ({device['gpu_memory_gb']} GiB), driver {driver}, torch {device['torch']}, "
            f"CUDA {device['cuda']}, cuDNN {device['cudnn']}"
        )
    else:
        where = (
            f"CPU: {device['cpu']}, {device['cores']} cores, torch threads {device['torch_threads']}, "
            f"torch {device['torch']}"
        )
    return "\n".join(
        [
            where,
            f"data: {describe_copy(copy)}; {sizes[0]:,} training and {sizes[1]:,} test images",
            textwrap.fill("timing: " + TIMING_SCOPE, 110),
        ]
    )


def how_it_ran(fit: dict[str, Any], epochs: int) -> str:
    """The recipe as the fit resolved it on this device."""
    return (
        f"ran as: epochs {epochs}, {fit['steps_per_epoch']} batches of {fit['batch_size']} per epoch, "
        f"{fit['precision']}, compiled {fit['compiled']}, TTA level {fit['tta']}"
    )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.speedrun", description=__doc__.splitlines()[0])
    parser.add_argument("--experiment", choices=SPEEDRUNS, default="cifar-speedrun")
    parser.add_argument("--device", default="cuda", help="cuda (default) or cpu")
    parser.add_argument("--seeds", type=int, default=None, help="seeds 0..n-1 (default: 10 on CUDA, 3 on the CPU)")
    parser.add_argument("--epochs", type=int, default=None, help="override the recipe's epochs (not the record's)")
    parser.add_argument("--train-samples", type=int, default=None, help="a stratified subset of the training split")
    parser.add_argument("--test-samples", type=int, default=None, help="a stratified subset of the test split")
    parser.add_argument("--data-dir", type=Path, default=None, help="a folder holding the dataset's files")
    parser.add_argument(
        "--no-verify", action="store_true", help="accept a copy whose checksums differ (said in the header)"
    )
    parser.add_argument("--json", type=Path, default=None, help="default: benchmarks/speedrun-EXPERIMENT-DEVICE.json")
    args = parser.parse_args(argv)
    try:
        device = resolve_device(args.device)
    except RecipeError as exc:  # cuda asked for where there is none: one line, exit 2
        parser.error(str(exc))
    seeds = args.seeds if args.seeds is not None else SEEDS.get(device.type, SEEDS["cpu"])
    if seeds < 1:
        parser.error("--seeds must be at least 1")
    experiment = get_experiment(args.experiment)
    overrides: dict[str, Any] = {"device": device.type}
    if args.epochs is not None:
        overrides["epochs"] = args.epochs
    contestant = experiment.contestants[0].estimator.with_overrides(**overrides)
    data, copy = load_data(experiment.dataset, args.data_dir, not args.no_verify)
    if args.train_samples is not None:
        data = data.with_train_subset(args.train_samples, 0)
    test_x, test_y = data.test_x, data.test_y
    if args.test_samples is not None:  # a stratified sample: a test split may be ordered by class
        take = stratified_subsample(test_y, args.test_samples, 0)
        test_x, test_y = test_x[take], test_y[take]
    test_x = torch.from_numpy(np.ascontiguousarray(test_x)).to(device)  # on the device once, outside every timing
    test_y = torch.from_numpy(test_y).to(device)
    facts = describe_device(device)
    print(f"# {args.experiment} on {device}, {time.strftime('%Y-%m-%d %H:%M')}")
    print(header(facts, copy, (len(data.train_y), len(test_y))), flush=True)
    warm_up = one_run(contestant, seeds, data, test_x, test_y)  # not counted: library and compile costs
    print(how_it_ran(warm_up["fit"], contestant.recipe.epochs))
    print(f"  warm-up (seed {seeds}, not counted): {warm_up['total_seconds']:.3f} s", flush=True)
    runs = []
    for seed in range(seeds):
        runs.append(one_run(contestant, seed, data, test_x, test_y))
        r = runs[-1]
        times = f"train {r['train_seconds']:.3f} s, eval {r['eval_seconds']:.3f} s"
        print(f"  seed {seed}: accuracy {r['accuracy']:.4f}, {times}", flush=True)
    summary = summarize(runs)
    print()
    print(markdown(args.experiment, summary, seeds))
    result = {
        "experiment": args.experiment,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "device": facts,
        "data": copy,
        "train_samples": len(data.train_y),
        "test_samples": len(test_y),
        "recipe": contestant.describe(),
        "timing_scope": TIMING_SCOPE,
        "seeds": seeds,
        "summary": summary,
        "runs": runs,
        "warm_up": warm_up,
    }
    path = args.json or Path("benchmarks") / f"speedrun-{args.experiment}-{device.type}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, (json.dumps(result, indent=2) + "\n").encode())
    print(f"\nJSON: {path}")
    return result


if __name__ == "__main__":
    main()
