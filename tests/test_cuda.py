"""The CUDA path: collected everywhere, run only where a GPU is present (skipped without CUDA).

Every torch contestant of every experiment trains and predicts with ``--device cuda``; the speedrun
contestants on CUDA with bf16 autocast where the GPU has it, their CUDA-event timing, their compiled forward
pass, and the batch augmentation giving on the GPU exactly what it gives on the CPU. bf16 stays within 0.3
points of fp32 (mean over seeds, on the real data) for every recipe that ``--precision auto`` runs in bf16 on
CUDA; that every other recipe runs in fp32 there is checked on any machine.
"""

import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

from shootout.data import SYNTHETIC, ChecksumWarning, get_spec, load_splits
from shootout.estimators import SpeedrunCNN
from shootout.estimators.recipe_net import RecipeNet
from shootout.experiments import EXPERIMENTS, RunOptions, get_experiment
from shootout.experiments.spec import Experiment
from shootout.train.augment import flip_alternate, translate, tta_logits
from shootout.train.speedrun_recipe import SpeedrunRecipe
from shootout.train.timing import Stopwatch

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")

PRECISION = "bf16" if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else "fp32"
GPU = SpeedrunRecipe(epochs=4, batch_size=128, lr=0.3, device="cuda", precision=PRECISION)
# The recipes that run in bf16 on CUDA (precision "auto"), each checked against fp32 below: (experiment, contestant)
BF16_ON_CUDA = (("cifar-speedrun", "speedrun"), ("mnist-speedrun", "speedrun"))
BF16_SEEDS = 3  # means of 3 runs each: a single run's accuracy varies by tenths of a point from seed to seed


def colour_images(n: int, seed: int = 0, side: int = 32, channels: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """uint8 noise; class 1 brighter in the first channel, class 0 in the last."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    images = rng.integers(0, 160, (n, side, side, channels)).astype(np.uint8)
    images[labels == 1, :, :, 0] += 60
    images[labels == 0, :, :, -1] += 60
    return images, labels


@needs_cuda
def test_the_cifar_shaped_speedrun_learns_on_cuda_in_bf16_with_tta():
    images, labels = colour_images(1000)
    test = colour_images(500, seed=1)
    model = SpeedrunCNN(widths=(64, 256, 256), recipe=GPU).fit(images, labels)
    facts = model.fit_facts()
    assert facts["device"].startswith("cuda") and facts["precision"] == PRECISION and facts["tta"] == 2
    assert facts["compiled"]  # by default on CUDA
    assert 0 < facts["whiten_seconds"] < facts["timed_seconds"]
    first, last = model.history_[0]["seconds"], model.history_[-1]["seconds"]
    assert first < max(20 * last, 1.0)  # compiling (tens of seconds) was paid in the untimed warm-up
    assert model.score(*test) >= 0.95


@needs_cuda
def test_the_mnist_shaped_speedrun_learns_on_cuda_without_mirrors():
    images, labels = colour_images(1000, side=28, channels=1)
    images[labels == 1, :14] = 255 - images[labels == 1, :14]  # one channel: class 1 differs in its top half
    test = colour_images(500, seed=1, side=28, channels=1)
    test[0][test[1] == 1, :14] = 255 - test[0][test[1] == 1, :14]
    recipe = GPU.with_(flip=False, translate=1)
    model = SpeedrunCNN(widths=(32, 64, 64), recipe=recipe).fit(images, labels)
    assert model.score(*test) >= 0.95


@needs_cuda
def test_a_compiled_speedrun_trains_and_its_warm_up_leaves_no_trace():
    images, labels = colour_images(512)
    recipe = GPU.with_(epochs=2, precision="fp32", tta=0)
    eager = SpeedrunCNN(widths=(16, 32, 32), recipe=recipe.with_(compile=False)).fit(images, labels)
    compiled = SpeedrunCNN(widths=(16, 32, 32), recipe=recipe.with_(compile=True)).fit(images, labels)
    losses = [row["train_loss"] for row in eager.history_], [row["train_loss"] for row in compiled.history_]
    np.testing.assert_allclose(*losses, rtol=0.05)  # the same run up to kernel rounding


@needs_cuda
def test_the_stopwatch_waits_for_the_gpu():
    clock = Stopwatch(torch.device("cuda"))
    a = torch.randn(4096, 4096, device="cuda")
    clock.start()
    for _ in range(10):
        a = a @ a / 64
    assert clock.stop() > 0


@needs_cuda
def test_augmentation_on_the_gpu_equals_the_cpu_for_the_same_seed():
    x = torch.randn(64, 3, 32, 32)
    chosen = torch.rand(64, generator=torch.Generator().manual_seed(0)) < 0.5
    on_cpu = translate(flip_alternate(x, 1, chosen), 2, torch.Generator().manual_seed(4))
    on_gpu = translate(flip_alternate(x.cuda(), 1, chosen.cuda()), 2, torch.Generator().manual_seed(4))
    assert torch.equal(on_cpu, on_gpu.cpu())
    weight = torch.randn(10, 3 * 32 * 32)
    cpu_logits = tta_logits(lambda v: v.reshape(len(v), -1) @ weight.T, x, 2)
    gpu_logits = tta_logits(lambda v: v.reshape(len(v), -1) @ weight.cuda().T, x.cuda(), 2)
    torch.testing.assert_close(cpu_logits, gpu_logits.cpu(), rtol=1e-3, atol=1e-2)


def torch_contestants() -> list:
    """(experiment, contestant) of every torch contestant in the catalog."""
    return [
        pytest.param(name, entry.name, id=f"{name}/{entry.name}")
        for name, experiment in EXPERIMENTS.items()
        if isinstance(experiment, Experiment)
        for entry in experiment.contestants
        if isinstance(entry.estimator, RecipeNet)
    ]


def shaped_like(experiment: Experiment, contestant: str, n: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """Up to ``n`` training samples shaped like the experiment's: its own where they are drawn or bundled (the
    mixtures, scikit-learn's digits), noise images of the dataset's shape and classes otherwise (no download)."""
    if experiment.dataset in SYNTHETIC or experiment.dataset == "digits":
        options = {**experiment.data_options, **(experiment.entry(contestant).data or {})}
        options.pop("permute_pixels", None)
        data = load_splits(experiment.dataset, **options)
        return data.train_x[:n], data.train_y[:n]
    spec = get_spec(experiment.dataset)
    images = np.random.default_rng(0).integers(0, 256, (n, *spec.image_shape), dtype=np.uint8)
    return images, np.arange(n) % len(spec.classes)


@needs_cuda
@pytest.mark.parametrize(("experiment", "contestant"), torch_contestants())
def test_every_torch_contestant_trains_and_predicts_with_device_cuda(experiment, contestant):
    spec = get_experiment(experiment)
    options = RunOptions(device="cuda", epochs=1)  # what `shootout run ... --device cuda --epochs 1` passes on
    estimator = spec.entry(contestant).estimator.with_overrides(**options.overrides())
    x, y = shaped_like(spec, contestant)
    estimator.fit(x, y)
    assert next(estimator.model_.parameters()).device.type == "cuda"
    proba = estimator.predict_proba(x[:50])
    assert proba.shape == (len(x[:50]), len(np.unique(y))) and np.allclose(proba.sum(axis=1), 1, atol=1e-4)


def test_every_recipe_runs_in_fp32_on_cuda_unless_its_bf16_accuracy_is_checked():
    on_cuda = {
        (name, entry.name)
        for name, experiment in EXPERIMENTS.items()
        if isinstance(experiment, Experiment)
        for entry in experiment.contestants
        if isinstance(entry.estimator, RecipeNet) and entry.estimator._recipe().autocast("cuda")
    }
    assert on_cuda == set(BF16_ON_CUDA)


@needs_cuda
@pytest.mark.realdata
@pytest.mark.parametrize(("experiment", "contestant"), BF16_ON_CUDA, ids=[e for e, _ in BF16_ON_CUDA])
def test_bf16_is_within_0_3_points_of_fp32_where_precision_auto_chooses_it(experiment, contestant, real_data):
    spec = get_experiment(experiment)
    cifar = spec.dataset == "cifar-10"  # the JPEG-derived copy: the mirror holds no published CIFAR-10 archive
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChecksumWarning)
        data = load_splits(spec.dataset, Path(real_data) / "cifar-10-jpeg" if cifar else None, verify=not cifar)
    accuracy = {}
    for precision in ("fp32", "auto"):
        runs = []
        for seed in range(BF16_SEEDS):
            estimator = spec.entry(contestant).estimator.with_overrides(device="cuda", precision=precision, seed=seed)
            runs.append(estimator.fit(data.train_x, data.train_y).score(data.test_x, data.test_y))
        accuracy[precision] = float(np.mean(runs))
    assert estimator.fit_facts()["precision"] == "bf16"  # auto chose bf16
    assert abs(accuracy["auto"] - accuracy["fp32"]) <= 0.003, accuracy
