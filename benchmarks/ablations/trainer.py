"""Ablations of the torch trainer and evaluation: weight storage, optimizer kernels, host syncs, threads."""

from __future__ import annotations

import numpy as np
import torch

from benchmarks.ablations.common import Data, catalog, channel_stats, fit_seconds, timed
from benchmarks.ablations.registry import ablation
from shootout.train import evaluate, fit
from shootout.train.evaluate import Preprocess


@ablation(
    key="out-major-weights",
    change="PTLogreg/PTDeep weights (in × out) stored out-major, like nn.Linear",
    against="the same weights stored in-major",
    workload="MNIST linear, tuned recipe (batch 512, 2 epochs)",
)
def out_major_weights(data: Data, after: bool) -> dict[str, float]:
    """after = the nets' weights as built (stored out-major); before = the same values stored in-major."""
    x, y = data.mnist[0], data.mnist[1]
    estimator = catalog("mnist-linear", "linear-tuned")
    torch.manual_seed(0)
    model = estimator.build(x.shape[1:], 10)
    if not after:
        for weight in model.weight_tensors():
            weight.data = weight.data.contiguous()
    seconds, _ = timed(lambda: fit(model, x, y, estimator.recipe, log=None, progress=False))
    return {"seconds": seconds}


def _seed_000_epoch(data: Data, **recipe: object) -> dict[str, float]:
    """One epoch of the seed 000 MNIST linear loop (938 steps of batch 64: the most steps for the least
    compute per step), with the recipe fields ``recipe`` changed."""
    estimator = catalog("mnist-linear", "linear", epochs=1, **recipe)
    return {"seconds": fit_seconds(estimator, data.mnist[0], data.mnist[1])}


@ablation(
    key="default-optimizer",
    change="torch's default SGD/Adam (a few kernels per parameter)",
    against="fused SGD/Adam (one kernel a step)",
    workload="MNIST linear (seed 000 recipe), 1 epoch, batch 64: 938 steps",
)
def default_optimizer(data: Data, after: bool) -> dict[str, float]:
    return _seed_000_epoch(data) if after else _seed_000_epoch(data, fused_optimizer=True)


@ablation(
    key="no-host-sync",
    change="losses stay on the device, host checks every 50 steps",
    against="host reads the loss every step",
    workload="MNIST linear (seed 000 recipe), 1 epoch, batch 64",
)
def host_sync(data: Data, after: bool) -> dict[str, float]:
    return _seed_000_epoch(data) if after else _seed_000_epoch(data, sync_every=1)


@ablation(
    key="inference-mode-eval",
    change="inference_mode, batches of 256 (CPU default)",
    against="no_grad, batches of 64, .item() per batch",
    workload="LeNet on the 10,000 MNIST test images",
)
def inference_mode_eval(data: Data, after: bool) -> dict[str, float]:
    x_train, _, x, y = data.mnist
    torch.manual_seed(0)
    model = catalog("mnist-lenet", "lenet").build(x.shape[1:], 10)
    mean, std = channel_stats(x_train)
    preprocess = Preprocess(tuple(mean.tolist()), tuple(std.tolist()), "nchw")
    images, labels = torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))

    def tutorial() -> float:
        model.eval()
        correct = 0
        with torch.no_grad():
            for xb, yb in preprocess.batches(images, labels, 64, shuffle=False):
                correct += (model.logits(xb).argmax(dim=1) == yb).sum().item()
        return correct / len(labels)

    seconds, accuracy = timed((lambda: evaluate(model, images, labels, preprocess)["accuracy"]) if after else tutorial)
    return {"seconds": seconds, "accuracy": accuracy}


@ablation(
    key="torch-threads",
    change="torch's default: one thread per core (2)",
    against="1 thread",
    workload="Fashion-MNIST MLP, tuned recipe, 1 epoch",
)
def torch_threads(data: Data, after: bool) -> dict[str, float]:
    x, y = data.fashion[0], data.fashion[1]
    estimator = catalog("fashion-mlp", "mlp-tuned", epochs=1)
    saved = torch.get_num_threads()
    torch.set_num_threads(saved if after else 1)
    try:
        seconds = fit_seconds(estimator, x, y)
    finally:
        torch.set_num_threads(saved)
    return {"seconds": seconds}


def _lab_mixture() -> tuple[np.ndarray, np.ndarray]:
    """The lab's 60 points (``sample_gmm_2d(6, 2, 10)``, seed 0), as the gmm experiment draws them."""
    from shootout.data.synthetic import sample_gmm_2d

    np.random.seed(0)
    x, y = sample_gmm_2d(6, 2, 10)
    return x.astype(np.float32), y


@ablation(
    key="trainer-per-epoch",
    change="the trainer (one batch made once, no per-epoch allocations or syncs beyond the epoch's sums)",
    against="a bare torch loop of the same steps (forward, loss + L2, backward, step; nothing recorded)",
    workload="gmm PTDeep [2,10,10,2], the lab's recipe: 2,000 full-batch epochs of 60 points",
    overhead=True,
)
def trainer_per_epoch(data: Data, after: bool) -> dict[str, float]:
    """after = :func:`fit` with the gmm contestant's recipe; before = the loop a tutorial writes (the
    trainer's fixed cost per epoch, as a ratio)."""
    x, y = _lab_mixture()
    estimator = catalog("gmm", "ptdeep-2-10-10-2", epochs=2000)
    torch.manual_seed(0)
    model = estimator.build(x.shape[1:], 2)
    if after:
        seconds, _ = timed(lambda: fit(model, x, y, estimator.recipe, log=None, progress=False))
        return {"seconds": seconds}
    recipe = estimator.recipe
    inputs, targets = torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))
    optimizer = torch.optim.SGD(model.parameters(), lr=recipe.lr)

    def bare() -> None:
        for _ in range(recipe.epochs):
            loss = torch.nn.functional.cross_entropy(model.logits(inputs), targets) + recipe.l2 * model.l2_penalty()
            model.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()

    seconds, _ = timed(bare)
    return {"seconds": seconds}


@ablation(
    key="checkpoint-every-epoch",
    change="an atomic checkpoint after every epoch (what a killed run resumes from)",
    against="no checkpoint at all",
    workload="Fashion-MNIST MLP, tuned recipe (10 epochs, 235 steps each)",
)
def checkpoint_every_epoch(data: Data, after: bool) -> dict[str, float]:
    """after = ``fit`` writing its checkpoint every epoch, as ``shootout run`` does; before = none. A ratio
    near 1 keeps every epoch resumable for free; a lower one would argue for ``checkpoint_every`` > 1."""
    import tempfile

    x, y = data.fashion[0], data.fashion[1]
    estimator = catalog("fashion-mlp", "mlp-tuned")
    with tempfile.TemporaryDirectory() as folder:
        checkpoint = f"{folder}/run.pt" if after else None
        seconds, _ = timed(lambda: estimator.fit(x, y, checkpoint=checkpoint, log=None, progress=False))
    return {"seconds": seconds}
