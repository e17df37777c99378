"""Run under torchrun by ``test_distributed.py``: each rank scores sets of awkward sizes over the process
group and compares with a single-process evaluation of the same weights; exit status 0 when all are equal.
"""

import sys

import numpy as np
import torch

from shootout.distributed.group import started
from shootout.distributed.world import SINGLE
from shootout.nets import PTDeep
from shootout.train.evaluate import Preprocess, evaluate, predict_logits


def main() -> int:
    with started("cpu") as world:
        torch.manual_seed(0)
        model = PTDeep([12, 16, 5])  # the same weights on every rank: the same seed
        preprocess = Preprocess(mean=(0.0,), std=(1.0,), layout="flat")
        rng = np.random.default_rng(0)
        cases = 0
        # (samples, batch): 101 = 6 batches of 16 and one of 5; a batch bigger than the set; fewer samples than ranks
        for n, batch in ((101, 16), (37, 64), (1, 8), (250, 7)):
            images = rng.integers(0, 256, (n, 3, 4, 1), dtype=np.uint8)
            labels = rng.integers(0, 5, n)
            together = evaluate(model, images, labels, preprocess, batch, world)
            alone = evaluate(model, images, labels, preprocess, batch, SINGLE)
            if together != alone:
                print(f"rank {world.rank}: n={n} batch={batch}: {together} != {alone}", file=sys.stderr)
                return 1
            if not torch.equal(
                predict_logits(model, images, preprocess, batch, world),
                predict_logits(model, images, preprocess, batch),
            ):
                print(f"rank {world.rank}: n={n} batch={batch}: the gathered logits differ", file=sys.stderr)
                return 1
            cases += 1
        print(f"rank {world.rank}: {cases} cases equal")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
