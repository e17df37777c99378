"""The tutorial-style ports of ``benchmarks.ports``: each trains, is timed to the first epoch at its target."""

import json

import numpy as np
import pytest

from benchmarks.ports import ROWS, Outcome, markdown_table, measure_ports, run_port
from benchmarks.ports import __main__ as ports_cli
from benchmarks.ports.tutorials import Epoch, Images
from benchmarks.rows import ROWS as SEED_ROWS
from shootout.experiments import get_experiment

IMPOSSIBLE = 1.01


def _split(n: int, side: int, channels: int, seed: int):
    """Images whose class lights one band of rows: learnable in a few epochs, noisy enough to take more than one."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n)
    images = rng.integers(0, 160, size=(n, side, side, channels))
    band = side // 10
    for i, label in enumerate(labels):
        images[i, label * band : (label + 1) * band] += 60
    return images.astype(np.uint8), labels.astype(np.int64)


def _tiny(dataset: str):
    side, channels = (32, 3) if dataset == "cifar-10" else (28, 1)
    n = 128 if dataset == "cifar-10" else 200  # fewer: LeNet is the slow one
    return _split(n, side, channels, 0), _split(n // 2, side, channels, 1)


def _ports():
    return {row.port.__name__: (row.port, row.dataset) for row in ROWS}.values()


@pytest.mark.parametrize(("port", "dataset"), _ports(), ids=lambda p: getattr(p, "__name__", ""))
def test_a_port_stops_at_the_first_epoch_that_reaches_its_target(port, dataset):
    train, test = _tiny(dataset)
    full = run_port(port, train, test, IMPOSSIBLE, epochs=3)
    accuracies = [e.test_accuracy for e in full.epochs]
    target = max(accuracies)
    first = accuracies.index(target) + 1
    outcome = run_port(port, train, test, target, epochs=3)  # the same seed: the same epochs
    assert (outcome.epoch, outcome.accuracy, len(outcome.epochs)) == (first, target, first)
    assert outcome.seconds == outcome.elapsed[-1] > 0


@pytest.mark.parametrize(("port", "dataset"), _ports(), ids=lambda p: getattr(p, "__name__", ""))
def test_a_port_that_cannot_reach_its_target_says_so_after_all_its_epochs(port, dataset):
    train, test = _tiny(dataset)
    outcome = run_port(port, train, test, IMPOSSIBLE, epochs=2)
    expected_epochs = 1 if port.__name__ == "mnist_svm" else 2  # the SVM fits once
    assert not outcome.reached and outcome.epoch is None
    assert len(outcome.epochs) == expected_epochs
    assert outcome.accuracy == max(e.test_accuracy for e in outcome.epochs)
    assert outcome.seconds == outcome.elapsed[-1]


def test_a_target_of_zero_is_reached_after_the_first_epoch():
    outcome = run_port(ROWS[0].port, *_tiny("mnist"), 0.0)
    assert (outcome.epoch, len(outcome.epochs)) == (1, 1)


def test_an_outcome_read_toward_a_lower_target_finds_its_earlier_epoch():
    epochs = tuple(Epoch(0.0, 0.0, a) for a in (0.5, 0.7, 0.9))
    outcome = Outcome(0.9, (1.0, 2.0, 3.0), epochs)
    assert (outcome.epoch, outcome.seconds) == (3, 3.0)
    assert (outcome.toward(0.6).epoch, outcome.toward(0.6).seconds, outcome.toward(0.6).accuracy) == (2, 2.0, 0.7)
    with pytest.raises(ValueError, match="stopped at its target"):
        outcome.toward(0.95)


def test_the_per_sample_dataset_normalizes_one_image_and_lays_it_out_as_asked():
    images = np.arange(2 * 2 * 2 * 3, dtype=np.uint8).reshape(2, 2, 2, 3)
    dataset = Images(images, np.array([4, 7]), [1.0, 2.0, 3.0], [2.0, 2.0, 2.0], chw=True)
    image, label = dataset[1]
    expected = (images[1].astype(np.float32) - [1.0, 2.0, 3.0]) / 2.0
    np.testing.assert_allclose(image.numpy(), expected.transpose(2, 0, 1))
    assert label == 7 and len(dataset) == 2


def test_every_seed_row_is_set_against_a_port_and_contestants_of_the_same_dataset_and_target():
    ports = {row.key: row for row in ROWS}
    assert {row.port for row in SEED_ROWS} == set(ports)  # every port measured is set against shootout's
    for row in SEED_ROWS:
        port = ports[row.port]
        assert port.target == row.target
        for name, contestant in row.contestants:
            experiment = get_experiment(name)
            assert experiment.dataset == port.dataset
            experiment.entry(contestant)  # raises for an unknown contestant


def test_rows_sharing_a_port_share_its_runs_and_a_row_beyond_reach_is_reported_so():
    calls = []

    def arrays(dataset):
        calls.append(dataset)
        return _tiny(dataset)

    measured = measure_ports(["fashion-mlp", "fashion-mlp-0.877"], seeds=1, arrays=arrays)
    assert calls == ["fashion-mnist"]
    reachable, higher = measured
    assert higher["runs"][0]["history"][: len(reachable["runs"][0]["history"])] == reachable["runs"][0]["history"]
    table = markdown_table(measured)
    assert "Fashion MLP 784-256-10 (seed 001) | 0.85 |" in table
    assert higher["reached"] == 1 or "not reached" in table


def test_an_unknown_row_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="mnist-linear"):
        measure_ports(["mnist-lenet"], arrays=_tiny)


def test_the_command_prints_the_header_and_the_table_and_writes_json(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("benchmarks.ports.load_arrays", lambda dataset, cifar_dir=None: _tiny(dataset))
    out = tmp_path / "ports.json"
    assert ports_cli.main(["--rows", "fashion-softmax-numpy", "mnist-svm", "--seeds", "2", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "torch threads" in printed and "load average" in printed and "timing:" in printed
    assert "| row | target | port s (mean ± std) |" in printed
    assert "| Fashion softmax from scratch, NumPy (seed 004) | 0.82 |" in printed
    document = json.loads(out.read_text())
    assert [r["row"] for r in document["rows"]] == ["fashion-softmax-numpy", "mnist-svm"]
    assert document["rows"][1]["seeds"] == 2 and document["rows"][1]["runs"][0]["history"][0]["train_loss"] is None


def test_an_interrupted_command_keeps_the_rows_it_finished(tmp_path, monkeypatch):
    def arrays(dataset, cifar_dir=None):
        if dataset == "mnist":
            raise KeyboardInterrupt
        return _tiny(dataset)

    monkeypatch.setattr("benchmarks.ports.load_arrays", arrays)
    out = tmp_path / "ports.json"
    with pytest.raises(KeyboardInterrupt):
        ports_cli.main(["--rows", "fashion-softmax-numpy", "mnist-svm", "--seeds", "1", "--json", str(out)])
    assert [r["row"] for r in json.loads(out.read_text())["rows"]] == ["fashion-softmax-numpy"]
