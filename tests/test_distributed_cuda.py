"""Distributed runs on CUDA: NCCL, each rank on the GPU of its LOCAL_RANK, SyncBatchNorm. Skipped without CUDA
(the CPU and gloo path, which is the same code, is tested in ``test_distributed.py``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import shootout

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA (NCCL)")

SOURCE = Path(shootout.__file__).parents[1]
TESTS = Path(__file__).parent


def _torchrun(nproc: int, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(SOURCE), os.environ.get("PYTHONPATH")) if p)}
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={nproc}", *args]
    return subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=300)


def test_a_run_under_torchrun_on_cuda_uses_nccl(tmp_path):
    args = ["-m", "shootout", "run", "digits", "--only", "ptlogreg", "--epochs", "2", "--device", "cuda"]
    done = _torchrun(1, *args, "--out", "run", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    env = json.loads((tmp_path / "run" / "metrics.json").read_text())["environment"]
    assert (env["backend"], env["world_size"]) == ("nccl", 1)


@pytest.mark.skipif(torch.cuda.device_count() < 2, reason="needs 2 GPUs")
def test_two_gpus_train_together_with_sync_batch_norm_and_score_exactly(tmp_path):
    done = _torchrun(2, str(TESTS / "distributed_cuda_worker.py"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("ok") == 2, done.stdout
