"""Run under torchrun on 2 GPUs by ``test_distributed_cuda.py``: each rank trains a batch-norm net on its GPU
with NCCL and checks that its layers became SyncBatchNorm, that every rank ends with the same weights and
buffers, and that the scores over the ranks equal a single-process evaluation; prints "ok" per rank."""

import sys

import numpy as np
import torch
import torch.distributed as dist

from shootout.distributed.group import started
from shootout.distributed.world import SINGLE
from shootout.nets import PTDeep
from shootout.train import Recipe, fit
from shootout.train.evaluate import evaluate


def main() -> int:
    with started("cuda") as world:
        assert world.backend == "nccl" and torch.cuda.current_device() == world.local_rank
        rng = np.random.default_rng(0)
        images = rng.integers(0, 256, (512, 4, 4, 1), dtype=np.uint8)
        labels = (images.reshape(512, -1).mean(axis=1) > 127).astype(np.int64)
        torch.manual_seed(0)
        model = PTDeep([16, 32, 2], batchnorm=True)
        recipe = Recipe(optimizer="sgd+momentum", lr=0.05, batch_size=64, epochs=2, device="cuda")
        result = fit(model, images, labels, recipe, log=None, progress=False, world=world)
        assert any(isinstance(m, torch.nn.SyncBatchNorm) for m in model.modules())
        for tensor in model.state_dict().values():
            others = [torch.empty_like(tensor) for _ in range(world.size)]
            dist.all_gather(others, tensor)
            assert all(torch.equal(other, tensor) for other in others)
        together = evaluate(model, images, labels, result.preprocess, 100, world)
        assert together == evaluate(model, images, labels, result.preprocess, 100, SINGLE)
        print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
