"""``python -m benchmarks.ablations``: each speed change of the code measured against its alternative.

Every row runs one workload twice per repeat — the way the code does it ("after") and the way it
would be done without the change ("before", mostly the tutorials' way) — alternating which goes
first, in this one process, and reports the median seconds of each and their ratio. The
"in the code" column says what the code does by default; the verdict compares that with the
measurement, so a change that stops paying for itself here shows up as "check". Data loading is
excluded from every timing; everything after the arrays are in memory is included.

``--bf16-accuracy`` also trains the tuned recipes to the end in fp32 and under bf16 autocast (on the
CPU: slow here, but the same rounding as on a GPU) and reports the test accuracy of each: the evidence
a recipe needs before it may turn bf16 on. None does yet — every recipe is ``precision="fp32"``, and
``--precision auto`` (bf16 on CUDA only) is the user's opt-in until this has been run on a GPU.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.kernel_approximation import Nystroem
from threadpoolctl import threadpool_limits

from benchmarks.machine import describe_machine
from shootout.data import Batches, ChecksumWarning, load, sample_gmm_2d
from shootout.data import batches as batches_module
from shootout.data.files import atomic_write_bytes
from shootout.estimators import TorchNet
from shootout.experiments import configure, get_experiment
from shootout.nystroem import EighNystroem
from shootout.scratch import fcann2_loss_grads, fcann2_train, softmax_regression_train
from shootout.scratch.fcann2 import fcann2_init
from shootout.train import evaluate, fit
from shootout.train import trainer as trainer_module
from shootout.train.evaluate import Preprocess
from shootout.train.trainer import warm_up_torch

NOISE = 0.05  # a ratio within 5 % of 1 is "no difference" on this machine


@dataclass
class Data:
    """The three image sets, loaded once (loading is never timed)."""

    mnist: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    fashion: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    cifar: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None

    @classmethod
    def load(cls, cifar_dir: Path | None, with_cifar: bool) -> Data:
        def both(name: str, **kwargs: Any) -> tuple[np.ndarray, ...]:
            return (*load(name, "train", **kwargs), *load(name, "test", **kwargs))

        cifar = both("cifar-10", data_dir=cifar_dir, verify=cifar_dir is None) if with_cifar else None
        return cls(both("mnist"), both("fashion-mnist"), cifar)


@dataclass(frozen=True)
class Change:
    """One speed change: the workload it is measured on and the two ways of running it."""

    key: str
    change: str  # what the code does
    before: str  # what it is measured against
    workload: str
    in_code: bool  # the code does "after" by default
    run: Callable[[Data, bool], dict[str, float]]  # (data, after?) -> {"seconds": ..., extras}
    needs_cifar: bool = False


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def _fit_seconds(estimator: TorchNet, x: np.ndarray, y: np.ndarray) -> float:
    return _timed(lambda: estimator.fit(x, y, log=None, progress=False))[0]


def _catalog(experiment: str, contestant: str, **overrides: Any) -> TorchNet:
    return configure(get_experiment(experiment).entry(contestant).estimator, **overrides)


def _with_recipe(estimator: TorchNet, **changes: Any) -> TorchNet:
    return estimator.set_params(recipe=estimator.recipe.with_(**changes))


def _stats(images: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    x = images.reshape(-1, images.shape[-1]).astype(np.float64)
    return torch.tensor(x.mean(axis=0), dtype=torch.float32), torch.tensor(x.std(axis=0), dtype=torch.float32)


def _sgd_epoch(model: torch.nn.Module, batches: Any, lr: float, momentum: float = 0.0) -> None:
    """The tutorials' training step, the same for both variants of a data-path comparison."""
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    model.train()
    for x, y in batches:
        loss = F.cross_entropy(model.logits(x), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()


class _PerSampleSet(torch.utils.data.Dataset):
    """The tutorials' data path: one sample at a time, converted and normalized in ``__getitem__``."""

    def __init__(self, images: np.ndarray, labels: np.ndarray, mean: torch.Tensor, std: torch.Tensor) -> None:
        self.images, self.labels, self.mean, self.std = torch.from_numpy(images), torch.from_numpy(labels), mean, std

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        return ((self.images[i].float() - self.mean) / self.std).reshape(-1), self.labels[i]


def uint8_batches(data: Data, after: bool) -> dict[str, float]:
    x, y = data.fashion[0], data.fashion[1].astype(np.int64)
    mean, std = _stats(x)
    torch.manual_seed(0)
    model = _catalog("fashion-mlp", "mlp-seed").build(x.shape[1:], 10)
    if after:
        batches = Batches(
            torch.from_numpy(x), torch.from_numpy(y), 64, mean=mean.tolist(), std=std.tolist(), layout="flat"
        )
    else:
        generator = torch.Generator().manual_seed(0)
        batches = torch.utils.data.DataLoader(_PerSampleSet(x, y, mean, std), 64, shuffle=True, generator=generator)
    seconds, _ = _timed(lambda: _sgd_epoch(model, batches, 0.01))
    return {"seconds": seconds}


class _FloatSet:
    """The whole training set normalized to float32 once, batches gathered from it (no per-batch work)."""

    def __init__(self, images: np.ndarray, labels: np.ndarray, batch_size: int, mean: torch.Tensor, std: torch.Tensor):
        self.x = (torch.from_numpy(images).float() - mean) / std  # N×H×W×C float32: 4× the uint8 bytes
        self.y, self.batch_size = torch.from_numpy(labels), batch_size

    def __iter__(self):
        order = torch.from_numpy(np.random.default_rng([0, 0]).permutation(len(self.x)))
        for start in range(0, len(order), self.batch_size):
            take = order[start : start + self.batch_size]
            yield self.x[take].permute(0, 3, 1, 2), self.y[take]


def per_batch_normalization(data: Data, after: bool) -> dict[str, float]:
    x, y = data.cifar[0], data.cifar[1].astype(np.int64)
    mean, std = _stats(x)
    torch.manual_seed(0)
    model = _catalog("cifar-lenet", "lenet-tuned").build(x.shape[1:], 10)

    def run() -> int:
        if after:
            batches = Batches(
                torch.from_numpy(x), torch.from_numpy(y), 128, mean=mean.tolist(), std=std.tolist(), layout="nchw"
            )
            held = batches.images.nbytes
        else:
            batches = _FloatSet(x, y, 128, mean, std)
            held = batches.x.nbytes
        _sgd_epoch(model, batches, 0.05, 0.9)
        return held

    seconds, held = _timed(run)
    return {"seconds": seconds, "data MB": held / 2**20}


def fused_normalize(data: Data, after: bool) -> dict[str, float]:
    x = torch.from_numpy(data.cifar[0])
    mean, std = _stats(data.cifar[0])
    batches = Batches(x, torch.zeros(len(x), dtype=torch.int64), 128, mean=mean.tolist(), std=std.tolist())
    order = torch.from_numpy(batches.order())

    def run() -> None:
        for start in range(0, len(order), 128):
            raw = x[order[start : start + 128]]
            if after:
                batches.transform(raw)
            else:
                ((raw.float() - mean) / std).permute(0, 3, 1, 2)

    seconds, _ = _timed(run)
    return {"seconds": seconds}


def _seed_000_epoch_with(data: Data, constant: str, value: Any) -> dict[str, float]:
    """One epoch of the seed 000 MNIST linear loop (938 steps of batch 64: the most steps for the least
    compute per step) with one of the trainer's module constants set to ``value``."""
    with mock.patch.object(trainer_module, constant, value):
        return {"seconds": _fit_seconds(_catalog("mnist-linear", "linear", epochs=1), data.mnist[0], data.mnist[1])}


def host_sync(data: Data, after: bool) -> dict[str, float]:
    # before: the host reads the loss after every step
    return _seed_000_epoch_with(data, "SYNC_EVERY", trainer_module.SYNC_EVERY if after else 1)


def inference_mode_eval(data: Data, after: bool) -> dict[str, float]:
    x_train, _, x, y = data.mnist
    torch.manual_seed(0)
    estimator = _catalog("mnist-lenet", "lenet")
    model = estimator.build(x.shape[1:], 10)
    mean, std = _stats(x_train)
    preprocess = Preprocess(tuple(mean.tolist()), tuple(std.tolist()), "nchw")
    images, labels = torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))

    def tutorial() -> float:
        model.eval()
        correct = 0
        with torch.no_grad():
            for xb, yb in preprocess.batches(images, labels, 64, shuffle=False):
                correct += (model.logits(xb).argmax(dim=1) == yb).sum().item()
        return correct / len(labels)

    seconds, accuracy = _timed((lambda: evaluate(model, images, labels, preprocess)["accuracy"]) if after else tutorial)
    return {"seconds": seconds, "accuracy": accuracy}


def torch_threads(data: Data, after: bool) -> dict[str, float]:
    x, y = data.fashion[0], data.fashion[1]
    estimator = _catalog("fashion-mlp", "mlp-tuned", epochs=1)
    saved = torch.get_num_threads()
    torch.set_num_threads(saved if after else 1)
    try:
        seconds = _fit_seconds(estimator, x, y)
    finally:
        torch.set_num_threads(saved)
    return {"seconds": seconds}


def numpy_threads(data: Data, after: bool) -> dict[str, float]:
    x, y = data.fashion[0], data.fashion[1]
    with threadpool_limits(None if after else 1):
        seconds, _ = _timed(lambda: softmax_regression_train(x, y, 10))
    return {"seconds": seconds}


def fused_numpy_loop(data: Data, after: bool) -> dict[str, float]:
    x, y = data.fashion[0], data.fashion[1]
    seconds, _ = _timed(lambda: softmax_regression_train(x, y, 10, loop="fused" if after else "readable"))
    return {"seconds": seconds}


def record_gather(data: Data, after: bool) -> dict[str, float]:
    """The seed 004 loop with Batches gathering whole image records, or (before) fancy-indexing pixels."""
    x, y = data.fashion[0], data.fashion[1]
    records = batches_module._rows_as_records
    with mock.patch.object(batches_module, "_rows_as_records", records if after else lambda _: None):
        seconds, _ = _timed(lambda: softmax_regression_train(x, y, 10))
    return {"seconds": seconds}


FCANN2_STEPS = 10_000  # a tenth of the lab's 1e5, the same per-step cost


def fcann2_workspace(data: Data, after: bool) -> dict[str, float]:
    """after = fcann2_train (buffers made once, in-place step); before = the readable gradient, step by step."""
    X, Y_ = sample_gmm_2d(6, 2, 10, rng=0)
    options = dict(param_delta=0.05, param_lambda=1e-3)
    if after:
        seconds, _ = _timed(lambda: fcann2_train(X, Y_, hidden=5, param_niter=FCANN2_STEPS, **options))
        return {"seconds": seconds}

    def readable() -> None:
        params = fcann2_init(2, 5, 2, seed=0)
        for _ in range(FCANN2_STEPS):
            _, grads = fcann2_loss_grads(X, Y_, params, options["param_lambda"])
            for name in ("W1", "b1", "W2", "b2"):
                getattr(params, name).__isub__(options["param_delta"] * getattr(grads, name))

    seconds, _ = _timed(readable)
    return {"seconds": seconds}


NYSTROEM_LANDMARKS = 2_000  # half the contestant's 4,000: the factorization's share is the same story


def eigh_nystroem(data: Data, after: bool) -> dict[str, float]:
    """after = EighNystroem (K^(-1/2) by eigh); before = scikit-learn's Nystroem (by SVD); fit only."""
    x = data.mnist[0].reshape(len(data.mnist[0]), -1).astype(np.float32) / np.float32(255.0)
    features = EighNystroem if after else Nystroem
    model = features(kernel="rbf", gamma=1.0 / (x.shape[1] * float(x.var())), n_components=NYSTROEM_LANDMARKS)
    seconds, _ = _timed(lambda: model.set_params(random_state=0).fit(x))
    return {"seconds": seconds}


def out_major_weights(data: Data, after: bool) -> dict[str, float]:
    """after = the nets' weights as built (stored out-major); before = the same values stored in-major."""
    x, y = data.mnist[0], data.mnist[1]
    estimator = _catalog("mnist-linear", "linear-tuned")
    torch.manual_seed(0)
    model = estimator.build(x.shape[1:], 10)
    if not after:
        for weight in model.weight_tensors():
            weight.data = weight.data.contiguous()
    seconds, _ = _timed(lambda: fit(model, x, y, estimator.recipe, log=None, progress=False))
    return {"seconds": seconds}


def index_select_gather(data: Data, after: bool) -> dict[str, float]:
    images = torch.from_numpy(data.mnist[0])
    order = torch.from_numpy(np.random.default_rng(0).permutation(len(images)))
    takes = order.split(64)

    def run() -> None:
        for take in takes:
            torch.index_select(images, 0, take) if after else images[take]

    seconds, _ = _timed(run)
    return {"seconds": seconds}


def default_optimizer(data: Data, after: bool) -> dict[str, float]:
    return _seed_000_epoch_with(data, "FUSED_OPTIMIZERS", not after)


def contiguous_weights(data: Data, after: bool) -> dict[str, float]:
    x, y = data.cifar[:2]
    estimator = _with_recipe(_catalog("cifar-lenet", "lenet-tuned", epochs=1), channels_last=not after)
    seconds = _fit_seconds(estimator, x, y)
    return {"seconds": seconds}


def compiled(data: Data, after: bool) -> dict[str, float]:
    """after = eager (the code); before = ``torch.compile`` of the forward pass, compile time included."""
    x, y = data.cifar[:2]
    estimator = _catalog("cifar-lenet", "lenet-tuned", epochs=1)
    torch.manual_seed(0)
    model = estimator.build(x.shape[1:], 10)
    if not after:
        torch._dynamo.reset()
        model.logits = torch.compile(model.logits)
    seconds, _ = _timed(lambda: fit(model, x, y, estimator.recipe, log=None, progress=False))
    return {"seconds": seconds}


def bf16_cpu(data: Data, after: bool) -> dict[str, float]:
    """after = fp32 (the code on a CPU); before = bf16 autocast on this CPU."""
    x, y = data.fashion[0], data.fashion[1]
    estimator = _with_recipe(_catalog("fashion-mlp", "mlp-tuned", epochs=1), precision="fp32" if after else "bf16")
    seconds = _fit_seconds(estimator, x, y)
    return {"seconds": seconds}


CHANGES = (
    Change(
        "uint8-batches",
        "whole uint8 tensor, a batch is one gather + one normalize",
        "per-sample Dataset + DataLoader(batch 64)",
        "Fashion-MNIST 784-256-10, 1 epoch, batch 64, SGD (seed 001's loop)",
        True,
        uint8_batches,
    ),
    Change(
        "per-batch-normalization",
        "uint8 on the device, normalized per batch",
        "whole set normalized to float32 up front",
        "CIFAR-10 LeNet, 1 epoch, batch 128, momentum",
        True,
        per_batch_normalization,
        needs_cifar=True,
    ),
    Change(
        "fused-normalize",
        "one addcmul per batch (x·1/std + (-mean/std))",
        "(x.float() - mean) / std",
        "CIFAR-10, normalizing one epoch of 128-batches",
        True,
        fused_normalize,
        needs_cifar=True,
    ),
    Change(
        "index-select",
        "batch gathered with torch.index_select",
        "images[index] (advanced indexing)",
        "MNIST, gathering one epoch of 64-image batches",
        True,
        index_select_gather,
    ),
    Change(
        "out-major-weights",
        "PTLogreg/PTDeep weights (in × out) stored out-major, like nn.Linear",
        "the same weights stored in-major",
        "MNIST linear, tuned recipe (batch 512, 2 epochs)",
        True,
        out_major_weights,
    ),
    Change(
        "default-optimizer",
        "torch's default SGD/Adam (a few kernels per parameter)",
        "fused SGD/Adam (one kernel a step)",
        "MNIST linear (seed 000 recipe), 1 epoch, batch 64: 938 steps",
        True,
        default_optimizer,
    ),
    Change(
        "no-host-sync",
        "losses stay on the device, host checks every 50 steps",
        "host reads the loss every step",
        "MNIST linear (seed 000 recipe), 1 epoch, batch 64",
        True,
        host_sync,
    ),
    Change(
        "inference-mode-eval",
        "inference_mode, batches of 256 (CPU default)",
        "no_grad, batches of 64, .item() per batch",
        "LeNet on the 10,000 MNIST test images",
        True,
        inference_mode_eval,
    ),
    Change(
        "torch-threads",
        "torch's default: one thread per core (2)",
        "1 thread",
        "Fashion-MNIST MLP, tuned recipe, 1 epoch",
        True,
        torch_threads,
    ),
    Change(
        "numpy-threads",
        "OpenBLAS default: one thread per core (2)",
        "1 thread",
        "NumPy softmax regression, seed 004 recipe (5 epochs)",
        True,
        numpy_threads,
    ),
    Change(
        "fused-numpy-loop",
        "the fused step: arrays made once, 1/255 on the scores, sums as products, loss kept per epoch",
        "the readable step (a fresh array per operation)",
        "NumPy softmax regression, seed 004 recipe (5 epochs)",
        True,
        fused_numpy_loop,
    ),
    Change(
        "record-gather",
        "NumPy batches gathered as one record (the image's bytes) per sample",
        "fancy indexing images[take] (an element loop)",
        "NumPy softmax regression, seed 004 recipe (5 epochs)",
        True,
        record_gather,
    ),
    Change(
        "fcann2-workspace",
        "fcann2: buffers made once, out= and in-place step",
        "the readable gradient (fresh arrays) each step",
        f"fcann2 on the lab's 60 mixture points, {FCANN2_STEPS:,} steps",
        True,
        fcann2_workspace,
    ),
    Change(
        "eigh-nystroem",
        "landmark kernel factored by eigh (EighNystroem)",
        "scikit-learn's Nystroem (general SVD)",
        f"MNIST, Nystroem fit with {NYSTROEM_LANDMARKS:,} RBF landmarks",
        True,
        eigh_nystroem,
    ),
    Change(
        "contiguous-weights",
        "contiguous (NCHW) LeNet weights (channels_last=False)",
        "channels-last weights, like the batches",
        "CIFAR-10 LeNet, tuned recipe, 1 epoch",
        True,
        contiguous_weights,
        needs_cifar=True,
    ),
    Change(
        "no-torch-compile",
        "eager PyTorch",
        "torch.compile of the forward pass (compile time included)",
        "CIFAR-10 LeNet, tuned recipe, 1 epoch",
        True,
        compiled,
        needs_cifar=True,
    ),
    Change(
        "fp32-on-cpu",
        "fp32 on the CPU (precision auto)",
        "bf16 autocast on this CPU",
        "Fashion-MNIST MLP, tuned recipe, 1 epoch",
        True,
        bf16_cpu,
    ),
)


def measure(change: Change, data: Data, repeats: int) -> dict[str, Any]:
    """Median of ``repeats`` runs of each variant, alternating which runs first."""
    samples: dict[bool, list[dict[str, float]]] = {False: [], True: []}
    for repeat in range(repeats):
        for after in (repeat % 2 == 0, repeat % 2 != 0):
            samples[after].append(change.run(data, after))
    median = {
        after: {key: statistics.median(s[key] for s in runs) for key in runs[0]} for after, runs in samples.items()
    }
    ratio = median[False]["seconds"] / median[True]["seconds"]  # > 1: the code's way is faster
    helps = ratio > 1 + NOISE
    same = abs(ratio - 1) <= NOISE
    if change.in_code:
        verdict = "kept: faster" if helps else ("kept: no slower" if same else "check: slower than the alternative")
    else:
        verdict = "not used: no faster" if not helps else "check: the alternative is faster"
    extras = sorted(set(median[True]) - {"seconds"})
    return {
        "key": change.key,
        "change": change.change,
        "before": change.before,
        "workload": change.workload,
        "before_seconds": median[False]["seconds"],
        "after_seconds": median[True]["seconds"],
        "speedup": ratio,
        "extras": {key: [median[False][key], median[True][key]] for key in extras},
        "verdict": verdict,
        "repeats": repeats,
    }


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| change (the code) | against | workload | before s | after s | speedup | also | verdict |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        also = "; ".join(f"{key} {before:.4g} → {after:.4g}" for key, (before, after) in row["extras"].items())
        lines.append(
            f"| {row['change']} | {row['before']} | {row['workload']} | {row['before_seconds']:.2f} | "
            f"{row['after_seconds']:.2f} | ×{row['speedup']:.2f} | {also} | {row['verdict']} |"
        )
    return "\n".join(lines)


BF16_RECIPES = (  # on a CPU without bf16 units bf16 is 20-30× slower: meant for a GPU machine
    ("mnist-linear", "linear-tuned", "mnist"),
    ("fashion-mlp", "mlp-tuned", "fashion"),
    ("mnist-lenet", "lenet", "mnist"),
    ("cifar-lenet", "lenet-tuned", "cifar"),
)


def bf16_accuracy(data: Data) -> list[dict[str, Any]]:
    """Test accuracy of each tuned recipe trained to the end in fp32 and under bf16 autocast."""
    rows = []
    for experiment, contestant, dataset in BF16_RECIPES:
        x, y, x_test, y_test = getattr(data, dataset)
        row = {"experiment": experiment, "contestant": contestant}
        for precision in ("fp32", "bf16"):
            estimator = _with_recipe(_catalog(experiment, contestant), precision=precision)
            seconds = _fit_seconds(estimator, x, y)
            row[precision] = {"accuracy": float(estimator.score(x_test, y_test)), "seconds": seconds}
        rows.append(row)
        print(f"  {experiment}/{contestant}: fp32 {row['fp32']['accuracy']:.4f}, bf16 {row['bf16']['accuracy']:.4f}")
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ablations", description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=[c.key for c in CHANGES], default=None)
    parser.add_argument("--repeats", type=int, default=3, help="runs of each variant (default 3; medians)")
    parser.add_argument("--cifar-dir", type=Path, default=None, help="folder holding the CIFAR-10 archive")
    parser.add_argument("--bf16-accuracy", action="store_true", help="also train the tuned recipes under bf16")
    parser.add_argument("--json", type=Path, default=Path("benchmarks/ablations.json"))
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", ChecksumWarning)
    warm_up_torch()  # the lazy one-time import would otherwise fall on whichever variant runs first
    changes = [c for c in CHANGES if args.only is None or c.key in args.only]
    data = Data.load(args.cifar_dir, args.bf16_accuracy or any(c.needs_cifar for c in changes))
    machine = describe_machine()
    print(
        f"{machine['cpu']}, {machine['cores']} cores, torch threads {machine['torch_threads']}, "
        f"torch {machine['torch']}, NumPy {machine['numpy']}; medians of {args.repeats} alternating runs; "
        "data loading excluded"
    )
    rows = []
    for change in changes:
        rows.append(measure(change, data, args.repeats))
        print(f"  {change.key}: ×{rows[-1]['speedup']:.2f} ({rows[-1]['verdict']})", flush=True)
    print(markdown(rows))
    result: dict[str, Any] = {"machine": machine, "created": time.strftime("%Y-%m-%d %H:%M"), "rows": rows}
    if args.bf16_accuracy:
        result["bf16_accuracy"] = bf16_accuracy(data)
    atomic_write_bytes(args.json, (json.dumps(result, indent=2) + "\n").encode())
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
