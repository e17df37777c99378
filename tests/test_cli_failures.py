"""Bad input through the CLI: one clear line and exit status 2 (usage) or 1 (runtime), never a traceback."""

import errno
import json
import os
import signal
import subprocess
import sys
import time

import pytest
import torch

from shootout.cli import main
from shootout.experiments import rundir
from tests.cli_calls import runtime_error, usage_error


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "mnist-lenett"], "did you mean 'mnist-lenet'?"),
        (["run", "digits", "--device", "tpu"], "invalid choice: 'tpu'"),
        (["run", "digits", "--epochs", "0"], "must be an integer >= 1, got 0"),
        (["run", "digits", "--epochs", "-3"], "must be an integer >= 1, got -3"),
        (["run", "digits", "--epochs", "many"], "'many' is not an integer"),
        (["run", "digits", "--svm-samples", "-1"], "must be an integer >= 0"),
        (["run", "digits", "--lr", "0"], "must be a positive number, got 0"),
        (["run", "digits", "--lr", "-0.1"], "must be a positive number, got -0.1"),
        (["run", "digits", "--lr", "nan"], "must be a positive number, got nan"),
        (["run", "digits", "--batch-size", "0"], "must be an integer >= 1, got 0"),
        (["run", "digits", "--precision", "fp16"], "invalid choice: 'fp16'"),
        (["run", "digits", "--data-dir", "/definitely/not/here"], "/definitely/not/here is not a folder"),
        (["run", "digits", "--frobnicate"], "unrecognized arguments: --frobnicate"),
    ],
)
def test_usage_errors_exit_2_with_one_line(args, message, capsys):
    assert message in usage_error(args, capsys)


def test_a_data_dir_that_is_a_file_is_refused(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    assert "is not a folder" in usage_error(["run", "digits", "--data-dir", str(tmp_path / "file")], capsys)


def test_an_out_folder_that_cannot_be_created_is_aruntime_error(capsys):
    line = runtime_error(["run", "digits", "--out", "/proc/shootout-cannot-write/run"], capsys)
    assert "cannot create the run folder" in line


def test_cuda_without_cuda_is_aruntime_error(monkeypatch, capsys):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert "CUDA is not available" in runtime_error(["run", "digits", "--device", "cuda"], capsys)


def test_a_full_disk_while_writing_the_run_folder_is_one_line_and_no_complete_folder(tmp_path, monkeypatch, capsys):
    def full(path, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(rundir, "atomic_write_bytes", full)
    line = runtime_error(["run", "digits", "--only", "scratch-softmax", "--out", str(tmp_path / "run")], capsys)
    assert "No space left on device" in line
    assert not (tmp_path / "run").exists() and (tmp_path / "run.partial").is_dir()


def test_divergence_through_the_cli_names_epoch_step_and_lr_and_is_recorded(tmp_path, monkeypatch, capsys):
    from shootout.estimators import TorchNet
    from shootout.experiments import catalog
    from shootout.experiments.spec import Entry, Experiment
    from shootout.train import Recipe

    bad = Experiment(
        "diverging",
        "digits",
        "a huge learning rate",
        (Entry("net", TorchNet("deep", hidden=(32,), recipe=Recipe(lr=1e20, epochs=3, device="cpu"))),),
    )
    monkeypatch.setitem(catalog.EXPERIMENTS, "diverging", bad)
    line = runtime_error(["run", "diverging", "--out", str(tmp_path / "run")], capsys)
    assert "at epoch 1, step" in line and "learning rate 1e+20" in line
    failure = json.loads((tmp_path / "run.partial" / "failure.json").read_text())
    assert failure["error"] == "DivergenceError"


# Generous deadlines: only a broken run waits them out, and on a loaded 2-core host starting Python and
# torch alone has taken 45 s. One torch thread in each process, so that the three runs compute alike.
SECONDS = 900


def _shootout(*args, **kwargs):
    return subprocess.Popen(
        [sys.executable, "-m", "shootout", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
        **kwargs,
    )


def _wait_for_a_second_checkpoint(checkpoint, process, seconds=SECONDS):
    """Block until ``checkpoint`` has been written twice (each write renames a new file into place)."""
    deadline, first = time.monotonic() + seconds, None
    while time.monotonic() < deadline and process.poll() is None:
        try:
            inode = checkpoint.stat().st_ino
        except FileNotFoundError:
            inode = None
        if first is None:
            first = inode
        elif inode is not None and inode != first:
            return
        time.sleep(0.01)
    raise AssertionError(f"{checkpoint} was not written twice before the run ended or {seconds} s passed")


def test_a_run_killed_mid_training_resumes_from_its_folder_alone_to_the_uninterrupted_metrics(tmp_path):
    # 30 epochs of ~45 ms: the kill comes within ~10 ms of the second checkpoint, with over a second still to run
    common = ["run", "digits", "--only", "ptlogreg", "--epochs", "30", "--device", "cpu", "--seed", "3"]
    reference = _shootout(*common, "--out", str(tmp_path / "reference"))
    victim = _shootout(*common, "--out", str(tmp_path / "victim"))
    _wait_for_a_second_checkpoint(tmp_path / "victim.partial" / "checkpoints" / "ptlogreg.pt", victim)
    victim.send_signal(signal.SIGKILL)
    victim.communicate()
    assert victim.returncode == -signal.SIGKILL
    assert not (tmp_path / "victim").exists()  # killed: only the .partial folder

    resumed = _shootout("run", "--resume", str(tmp_path / "victim.partial"))  # no other option
    _, err = resumed.communicate(timeout=SECONDS)
    assert resumed.returncode == 0, err
    assert "resumed from" in err
    _, err = reference.communicate(timeout=SECONDS)  # read, not wait(): a full pipe would block it
    assert reference.returncode == 0, err
    assert json.loads((tmp_path / "victim" / "metrics.json").read_text())["resumed"] is True

    def comparable(folder):
        result = json.loads((folder / "metrics.json").read_text())["results"][0]
        result["history"] = [{k: v for k, v in row.items() if k != "seconds"} for row in result["history"]]
        return {k: v for k, v in result.items() if not k.endswith("seconds")}

    assert comparable(tmp_path / "victim") == comparable(tmp_path / "reference")


def test_an_unknown_contestant_in_only_is_ausage_error(capsys):
    assert "--only: unknown contestant(s) nope" in usage_error(["run", "digits", "--only", "nope"], capsys)


def _failing_run(monkeypatch, error):
    from shootout.experiments import runner

    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr(runner, "run_experiment", fail)
    monkeypatch.setattr("shootout.experiments.run_experiment", fail)


def test_a_bug_is_not_swallowed_but_shows_its_traceback(monkeypatch):
    _failing_run(monkeypatch, ValueError("an internal bug"))
    with pytest.raises(ValueError, match="an internal bug"):
        main(["run", "digits"])


def test_shootout_debug_shows_the_traceback_of_an_expected_error(monkeypatch, capsys):
    from shootout.data import DatasetError

    _failing_run(monkeypatch, DatasetError("mnist: a broken file"))
    assert "a broken file" in runtime_error(["run", "digits"], capsys)
    monkeypatch.setenv("SHOOTOUT_DEBUG", "1")
    with pytest.raises(DatasetError, match="a broken file"):
        main(["run", "digits"])
