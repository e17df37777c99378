"""The CUDA path: collected everywhere, run only where a GPU is present (skipped without CUDA).

The speedrun contestants on CUDA with bf16 autocast where the GPU has it, their CUDA-event timing, their
compiled forward pass, and the batch augmentation giving on the GPU exactly what it gives on the CPU.
"""

import numpy as np
import pytest
import torch

from shootout.estimators import SpeedrunCNN
from shootout.train.augment import flip_alternate, translate, tta_logits
from shootout.train.speedrun_recipe import SpeedrunRecipe
from shootout.train.timing import Stopwatch

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")

PRECISION = "bf16" if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else "fp32"
GPU = SpeedrunRecipe(epochs=4, batch_size=128, lr=0.3, device="cuda", precision=PRECISION)


def colour_images(n: int, seed: int = 0, side: int = 32, channels: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """uint8 noise; class 1 brighter in the first channel, class 0 in the last."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    images = rng.integers(0, 160, (n, side, side, channels)).astype(np.uint8)
    images[labels == 1, :, :, 0] += 60
    images[labels == 0, :, :, -1] += 60
    return images, labels


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


def test_the_mnist_shaped_speedrun_learns_on_cuda_without_mirrors():
    images, labels = colour_images(1000, side=28, channels=1)
    images[labels == 1, :14] = 255 - images[labels == 1, :14]  # one channel: class 1 differs in its top half
    test = colour_images(500, seed=1, side=28, channels=1)
    test[0][test[1] == 1, :14] = 255 - test[0][test[1] == 1, :14]
    recipe = GPU.with_(flip=False, translate=1)
    model = SpeedrunCNN(widths=(32, 64, 64), recipe=recipe).fit(images, labels)
    assert model.score(*test) >= 0.95


def test_a_compiled_speedrun_trains_and_its_warm_up_leaves_no_trace():
    images, labels = colour_images(512)
    recipe = GPU.with_(epochs=2, precision="fp32", tta=0)
    eager = SpeedrunCNN(widths=(16, 32, 32), recipe=recipe.with_(compile=False)).fit(images, labels)
    compiled = SpeedrunCNN(widths=(16, 32, 32), recipe=recipe.with_(compile=True)).fit(images, labels)
    losses = [row["train_loss"] for row in eager.history_], [row["train_loss"] for row in compiled.history_]
    np.testing.assert_allclose(*losses, rtol=0.05)  # the same run up to kernel rounding


def test_the_stopwatch_waits_for_the_gpu():
    clock = Stopwatch(torch.device("cuda"))
    a = torch.randn(4096, 4096, device="cuda")
    clock.start()
    for _ in range(10):
        a = a @ a / 64
    assert clock.stop() > 0


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
