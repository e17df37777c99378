"""The speedrun experiments through ``shootout run``, on tiny generated MNIST and CIFAR-10 files.

Nothing in ``shootout.experiments`` knows the speedrun contestant beyond its catalog entries: these runs
go through the same runner, run folder and report as every other contestant's.
"""

import dataclasses
import json
import warnings

import numpy as np
import pytest
import torch

from shootout.cli import main
from shootout.data import ChecksumWarning, registry
from shootout.estimators import SpeedrunCNN
from shootout.experiments import EXPERIMENTS, catalog
from tests.fakes import cifar_archive, tiny_cifar, tiny_idx_arrays, tiny_idx_spec, write_tiny_idx


@pytest.fixture(autouse=True)
def one_torch_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_the_speedruns_are_one_contestant_each_aiming_at_the_records():
    cifar, mnist = EXPERIMENTS["cifar-speedrun"], EXPERIMENTS["mnist-speedrun"]
    assert [e.target for e in cifar.contestants] == [0.94] and [e.target for e in mnist.contestants] == [0.99]
    assert all(isinstance(e.estimator, SpeedrunCNN) for e in (*cifar.contestants, *mnist.contestants))
    assert "94.01 %" in cifar.claim and "2.59 s" in cifar.claim and "A100" in cifar.claim
    assert "99.04 %" in mnist.claim and "0.76 s" in mnist.claim and "1660 Ti" in mnist.claim
    assert cifar.contestants[0].estimator.widths == (64, 256, 256)
    assert mnist.contestants[0].estimator.recipe.flip is False  # digits are not mirror-symmetric


def read_metrics(run_dir) -> dict:
    return json.loads((run_dir / "metrics.json").read_text())


def check_speedrun_result(metrics: dict, epochs: int) -> None:
    (result,) = metrics["results"]
    assert result["model"] == "speedrun" and result["epochs"] == epochs and result["params"] > 0
    assert 0.0 <= result["test_accuracy"] <= 1.0
    assert result["recipe"]["class"] == "SpeedrunCNN" and result["recipe"]["recipe"]["epochs"] == epochs
    assert result["device"] == "cpu" and result["tta"] == 0 and result["precision"] == "fp32"
    assert result["compiled"] is False
    assert 0 < result["timed_seconds"] <= result["train_seconds"]
    assert [row["epoch"] for row in result["history"]] == list(range(1, epochs + 1))
    assert np.isfinite(result["initial_loss"])
    samples = min(metrics["train_samples"], SpeedrunCNN.scoring_samples)
    assert result["initial_samples"] == result["train_accuracy_samples"] == samples


def test_mnist_speedrun_runs_through_the_cli_on_a_tiny_mnist(monkeypatch, isolated_cache, tmp_path, capsys):
    arrays = tiny_idx_arrays()
    arrays["train-labels"] = (np.arange(12) % 10).astype(np.uint8)  # every class: the pictures need all ten
    payloads = write_tiny_idx(isolated_cache[0] / "tiny", arrays)
    monkeypatch.setitem(registry.DATASETS, "tiny", tiny_idx_spec(payloads))
    tiny = dataclasses.replace(EXPERIMENTS["mnist-speedrun"], dataset="tiny")
    monkeypatch.setitem(catalog.EXPERIMENTS, "mnist-speedrun", tiny)
    out = tmp_path / "run"
    assert main(["run", "mnist-speedrun", "--epochs", "2", "--device", "cpu", "--out", str(out)]) == 0
    metrics = read_metrics(out)
    assert metrics["experiment"] == "mnist-speedrun"
    check_speedrun_result(metrics, epochs=2)
    assert (out / "report.html").is_file() and (out / "checkpoints" / "speedrun.pt").is_file()
    assert "speedrun" in capsys.readouterr().out


def test_cifar_speedrun_runs_through_the_cli_on_a_tiny_cifar_archive(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    splits = tiny_cifar(seed=2)
    splits["train"] = (splits["train"][0], np.arange(20) % 10)  # every class: the pictures need all ten
    (data / "cifar-10-binary.tar.gz").write_bytes(cifar_archive(splits))
    out = tmp_path / "run"
    args = ["run", "cifar-speedrun", "--epochs", "1", "--device", "cpu", "--data-dir", str(data), "--no-verify"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChecksumWarning)
        assert main([*args, "--out", str(out)]) == 0
    check_speedrun_result(read_metrics(out), epochs=1)
