"""Ablations of the NumPy models: BLAS threads, the fused softmax-regression loop, the record gather, fcann2."""

from __future__ import annotations

from threadpoolctl import threadpool_limits

from benchmarks.ablations.common import Data, timed
from benchmarks.ablations.registry import ablation
from shootout.data import sample_gmm_2d
from shootout.scratch import fcann2_loss_grads, fcann2_train, softmax_regression_train
from shootout.scratch.fcann2 import fcann2_init

SEED_004 = "NumPy softmax regression, seed 004 recipe (5 epochs)"


@ablation(
    key="numpy-threads",
    change="OpenBLAS default: one thread per core (2)",
    against="1 thread",
    workload=SEED_004,
)
def numpy_threads(data: Data, after: bool) -> dict[str, float]:
    x, y = data.fashion[0], data.fashion[1]
    with threadpool_limits(None if after else 1):
        seconds, _ = timed(lambda: softmax_regression_train(x, y, 10))
    return {"seconds": seconds}


@ablation(
    key="fused-numpy-loop",
    change="the fused step: arrays made once, 1/255 on the scores, sums as products, loss kept per epoch",
    against="the readable step (a fresh array per operation)",
    workload=SEED_004,
)
def fused_numpy_loop(data: Data, after: bool) -> dict[str, float]:
    x, y = data.fashion[0], data.fashion[1]
    seconds, _ = timed(lambda: softmax_regression_train(x, y, 10, loop="fused" if after else "readable"))
    return {"seconds": seconds}


@ablation(
    key="record-gather",
    change="NumPy batches gathered as one record (the image's bytes) per sample",
    against="fancy indexing images[take] (an element loop)",
    workload=SEED_004,
)
def record_gather(data: Data, after: bool) -> dict[str, float]:
    """The seed 004 loop with Batches gathering whole image records, or (before) fancy-indexing pixels."""
    x, y = data.fashion[0], data.fashion[1]
    seconds, _ = timed(lambda: softmax_regression_train(x, y, 10, gather="records" if after else "index"))
    return {"seconds": seconds}


FCANN2_STEPS = 10_000  # a tenth of the lab's 1e5, the same per-step cost


@ablation(
    key="fcann2-workspace",
    change="fcann2: buffers made once, out= and in-place step",
    against="the readable gradient (fresh arrays) each step",
    workload=f"fcann2 on the lab's 60 mixture points, {FCANN2_STEPS:,} steps",
)
def fcann2_workspace(data: Data, after: bool) -> dict[str, float]:
    """after = fcann2_train (buffers made once, in-place step); before = the readable gradient, step by step."""
    X, Y_ = sample_gmm_2d(6, 2, 10, rng=0)
    options = dict(param_delta=0.05, param_lambda=1e-3)
    if after:
        seconds, _ = timed(lambda: fcann2_train(X, Y_, hidden=5, param_niter=FCANN2_STEPS, **options))
        return {"seconds": seconds}

    def readable() -> None:
        params = fcann2_init(2, 5, 2, seed=0)
        for _ in range(FCANN2_STEPS):
            _, grads = fcann2_loss_grads(X, Y_, params, options["param_lambda"])
            for name in ("W1", "b1", "W2", "b2"):
                getattr(params, name).__isub__(options["param_delta"] * getattr(grads, name))

    seconds, _ = timed(readable)
    return {"seconds": seconds}
