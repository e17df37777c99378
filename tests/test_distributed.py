"""Distributed runs: 2 processes over gloo on 127.0.0.1, started by torchrun or by ``shootout run --nproc 2``.

Each test runs real processes (one thread each) under a timeout. The weights of a 2-process run equal
a 1-process run's with the same global batch; scores equal a single-process evaluation exactly; rank
0 alone writes; a rank that dies or raises stops the other one with a line naming it; a resumed run
ends where an uninterrupted one does; two "nodes" meet through a c10d rendezvous on a free port.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

import shootout
from shootout.cli import main
from shootout.distributed.world import World, rank_seed
from shootout.experiments import RunOptions, resume_experiment, run_experiment
from shootout.train.evaluate import shard

TESTS = Path(__file__).parent
SOURCE = Path(shootout.__file__).parents[1]
# the digits on a training set of even size, so 2 ranks share every epoch with none left out
SAME = ["--train-samples", "1000", "--epochs", "4", "--seed", "1", "--device", "cpu", "--batch-size", "32"]
RUN = ["digits", "--only", "ptlogreg", "ptdeep-128", "rbf-svm", *SAME]
ONE = ["digits", "--only", "ptlogreg", *SAME]  # the same run of its first contestant alone
TIMEOUT = 180


def _env(tmp_path: Path, fault: str | None = None) -> dict[str, str]:
    """The environment of a distributed run: this source tree, one thread per rank, loopback only."""
    paths = [str(SOURCE), os.environ.get("PYTHONPATH", "")]
    env = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "SHOOTOUT_DATA": str(tmp_path / "cache"),
        "SHOOTOUT_DIST_TIMEOUT": "30",
    }
    if "lo" in [name for _, name in socket.if_nameindex()]:
        env["GLOO_SOCKET_IFNAME"] = "lo"
    if fault is not None:  # tests/fault_injection/sitecustomize.py makes one rank fail
        paths.insert(0, str(TESTS / "fault_injection"))
        env.update(SHOOTOUT_TEST_FAULT=fault, SHOOTOUT_TEST_FAULT_MARK=str(tmp_path / "fault-time"))
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    return env


def _torchrun(*args: str, env: dict[str, str], cwd: Path | None = None, core: int | None = None) -> subprocess.Popen:
    """``torch.distributed.run ARGS``; ``core``: the one CPU core it and its ranks may use (a "machine" of one core)."""
    command = [sys.executable, "-m", "torch.distributed.run", *args]
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    pin = None if core is None or not cores else (lambda: os.sched_setaffinity(0, {cores[core % len(cores)]}))
    return subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=pin
    )


def _shootout(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "shootout", "run", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=TIMEOUT)


def _weights(folder: Path, name: str) -> dict[str, torch.Tensor]:
    return torch.load(folder / "checkpoints" / f"{name}.pt", weights_only=True)["model"]


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory) -> Path:
    """A complete run of the digits on 2 processes: ``torchrun --standalone --nproc_per_node=2 -m shootout run``."""
    where = tmp_path_factory.mktemp("two")
    run = _torchrun(
        "--standalone", "--nproc_per_node=2", "-m", "shootout", "run", *RUN, "--out", "run", env=_env(where), cwd=where
    )
    out, err = run.communicate(timeout=TIMEOUT)
    assert run.returncode == 0, err
    assert "run folder: run" in out
    return where / "run"


def test_two_processes_learn_the_weights_of_one_with_the_same_global_batch(two_processes, tmp_path):
    options = RunOptions(
        only=("ptlogreg", "ptdeep-128"), train_samples=1000, epochs=4, seed=1, device="cpu", batch_size=32
    )
    one = run_experiment("digits", options, out=tmp_path / "one", log=None, progress=False)
    for name in ("ptlogreg", "ptdeep-128"):
        two_w, one_w = _weights(two_processes, name), _weights(one, name)
        assert set(two_w) == set(one_w)
        for key in one_w:
            assert (two_w[key] - one_w[key]).abs().max() <= 1e-5, (name, key)
        two_state = torch.load(two_processes / "checkpoints" / f"{name}.pt", weights_only=True)
        assert two_state["epoch"] == 4 and two_state["world_size"] == 2 and len(two_state["rng_by_rank"]) == 2


def test_the_run_folder_of_two_processes_is_complete_and_says_how_it_was_trained(two_processes):
    assert not two_processes.with_name("run.partial").exists()
    assert {"metrics.json", "history.csv", "report.html", "run.json", "checkpoints", "pictures", "results"} <= {
        p.name for p in two_processes.iterdir()
    }
    metrics = json.loads((two_processes / "metrics.json").read_text())
    env = metrics["environment"]
    assert (env["world_size"], env["backend"], metrics["options"]["nproc"]) == (2, "gloo", 2)
    assert env["global_batch_size"] == {"ptlogreg": 32, "ptdeep-128": 32, "rbf-svm": None}
    by_name = {r["model"]: r for r in metrics["results"]}
    assert by_name["ptlogreg"]["world_size"] == 2 and by_name["rbf-svm"]["world_size"] == 1
    assert by_name["ptlogreg"]["rank_seeds"] == [1, rank_seed(1, 1)] and rank_seed(1, 1) != 1
    assert all(r["test_accuracy"] > 0.9 for r in metrics["results"])
    report = (two_processes / "report.html").read_text()
    assert "2 processes" in report and "rbf-svm on rank 0 alone" in report


def test_distributed_evaluation_equals_a_single_process_evaluation_exactly(tmp_path):
    worker = _torchrun(
        "--standalone", "--nproc_per_node=2", str(TESTS / "distributed_eval_worker.py"), env=_env(tmp_path)
    )
    out, err = worker.communicate(timeout=TIMEOUT)
    assert worker.returncode == 0, err
    assert out.count("4 cases equal") == 2


@pytest.mark.parametrize("n", [0, 1, 5, 101, 256, 257, 1000])
def test_every_sample_is_scored_once_by_exactly_one_rank(n):
    for size in (1, 2, 3, 8):
        for batch in (1, 7, 256):
            rows = [shard(n, batch, World(rank=r, size=size)) for r in range(size)]
            seen = np.concatenate([np.arange(n)[part] for part in rows])
            assert np.array_equal(seen, np.arange(n))  # in order, each once, nothing padded
            assert all(part.start % batch == 0 for part in rows if part.start < n)  # whole batches, as one process


@pytest.fixture(scope="module")
def killed(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess, float]:
    """``shootout run --nproc 2`` whose rank 1 is killed (SIGKILL) as its third epoch starts: the run
    folder, what the command did, and the time of the kill."""
    where = tmp_path_factory.mktemp("killed")
    started = time.time()
    done = _shootout(*ONE, "--out", str(where / "run"), "--nproc", "2", env=_env(where, fault="1:2:kill"))
    killed_at = float((where / "fault-time").read_text())
    assert killed_at > started
    return where / "run.partial", done, time.time() - killed_at


def test_a_killed_rank_stops_the_other_within_60_s_and_the_folder_stays_partial(killed):
    partial, done, seconds = killed
    assert done.returncode == 1 and seconds < 60, done.stderr
    lines = _error_lines(done.stderr)
    assert "error: rank 0 of 2 stopped because rank 1 died (its process is gone)" in lines, done.stderr
    assert "error: rank 1 was killed by SIGKILL; rank 0 stopped too" in lines
    assert "Traceback" not in done.stderr
    assert not partial.with_name("run").exists()
    assert json.loads((partial / "failure.json").read_text())["message"] == (
        "rank 0 of 2 stopped because rank 1 died (its process is gone)"
    )


def test_a_rank_that_raises_stops_the_other_naming_it_and_its_error(tmp_path):
    done = _shootout(*ONE, "--out", str(tmp_path / "run"), "--nproc", "2", env=_env(tmp_path, fault="1:2:raise"))
    assert done.returncode == 1
    lines = _error_lines(done.stderr)  # the two ranks' lines in either order, then the launcher's
    named = "rank 0 of 2 stopped because rank 1 failed: injected fault on rank 1"
    assert sorted(lines[:2]) == ["error: injected fault on rank 1", f"error: {named}"], done.stderr
    assert lines[2:] == ["error: rank 1 failed with exit status 1 (its error is above); rank 0 stopped too"]
    assert "Traceback" not in done.stderr
    failure = json.loads((tmp_path / "run.partial" / "failure.json").read_text())
    assert (failure["error"], failure["message"]) == ("PeerFailure", named)


def test_resuming_the_killed_run_ends_with_the_weights_of_an_uninterrupted_one(killed, two_processes, tmp_path):
    same, other = tmp_path / "same.partial", tmp_path / "other.partial"
    shutil.copytree(killed[0], same)
    shutil.copytree(killed[0], other)

    resumed = _shootout("--resume", str(same), env=_env(tmp_path))  # as recorded: on 2 processes
    assert resumed.returncode == 0, resumed.stderr
    assert "resumed from" in resumed.stderr and "after epoch 2" in resumed.stderr
    expected, got = _weights(two_processes, "ptlogreg"), _weights(tmp_path / "same", "ptlogreg")
    assert all(torch.equal(expected[key], got[key]) for key in expected)
    metrics = json.loads((tmp_path / "same" / "metrics.json").read_text())
    assert metrics["resumed"] and metrics["environment"]["world_size"] == 2

    lines: list[str] = []  # another world size is allowed: here one process, this one
    resume_experiment(other, log=lines.append, progress=False, nproc=1)
    assert any("not be bit-identical" in line for line in lines)
    close = _weights(tmp_path / "other", "ptlogreg")
    assert all(torch.allclose(close[key], value, atol=1e-4) for key, value in expected.items())
    assert json.loads((tmp_path / "other" / "metrics.json").read_text())["environment"]["world_size"] == 1


def test_two_nodes_on_127_0_0_1_complete_a_run_and_only_rank_0_writes(tmp_path):
    with socket.socket() as probe:  # a free port for the rendezvous, never a fixed one
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    rendezvous = ["--nnodes=2", "--nproc_per_node=1", "--rdzv_backend=c10d", f"--rdzv_endpoint=127.0.0.1:{port}"]
    rendezvous += ["--rdzv_id=two-nodes", "--local-addr=127.0.0.1", "--max_restarts=0"]
    command = [*rendezvous, "-m", "shootout", "run", "digits", "--only", "ptlogreg", "--train-samples", "400"]
    command += ["--epochs", "2", "--device", "cpu", "--out", "run"]
    homes = [tmp_path / "node0", tmp_path / "node1"]
    nodes = []
    for core, home in enumerate(homes):  # each "machine" its own core, working folder and cache
        home.mkdir()
        nodes.append(_torchrun(*command, env=_env(home), cwd=home, core=core))
    for node in nodes:
        _, err = node.communicate(timeout=TIMEOUT)
        assert node.returncode == 0, err
    written = [sorted(p.name for p in home.iterdir()) for home in homes]
    main_home = homes[written.index(["run"])] if ["run"] in written else None
    assert main_home is not None and sorted(written) == [[], ["run"]], written  # rank 0 wrote, the other nothing
    metrics = json.loads((main_home / "run" / "metrics.json").read_text())
    assert metrics["environment"]["world_size"] == 2 and metrics["results"][0]["world_size"] == 2


def test_a_global_batch_that_does_not_split_is_refused_before_any_process_starts(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["run", "digits", "--only", "ptlogreg", "--nproc", "2", "--batch-size", "33"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.endswith(
        "--batch-size 33 does not split over 2 processes (the batch is global: each process takes "
        "an equal share); use a multiple of 2"
    )


def test_several_processes_without_a_launcher_are_refused(tmp_path):
    with pytest.raises(Exception, match="several processes need a launcher"):
        run_experiment("digits", RunOptions(nproc=2, only=("ptlogreg",)), out=tmp_path / "run", log=None)


def test_rank_seeds_keep_the_run_seed_on_rank_0_and_differ_elsewhere():
    assert rank_seed(7, 0) == 7
    seeds = {rank_seed(7, rank) for rank in range(1, 8)}
    assert len(seeds) == 7 and 7 not in seeds and rank_seed(7, 3) == rank_seed(7, 3)


def test_the_launchers_variables_are_read_and_checked(monkeypatch):
    from shootout.distributed import LaunchError, from_env, launched

    for name in ("WORLD_SIZE", "RANK", "LOCAL_RANK", "LOCAL_WORLD_SIZE"):
        monkeypatch.delenv(name, raising=False)
    assert not launched() and from_env() is None
    monkeypatch.setenv("WORLD_SIZE", "4")
    monkeypatch.setenv("RANK", "3")
    monkeypatch.setenv("LOCAL_RANK", "1")
    monkeypatch.setenv("LOCAL_WORLD_SIZE", "2")
    assert from_env() == World(rank=3, size=4, local_rank=1, local_size=2)
    monkeypatch.setenv("RANK", "4")
    with pytest.raises(LaunchError, match="RANK=4, WORLD_SIZE=4"):
        from_env()
    monkeypatch.setenv("RANK", "x")
    with pytest.raises(LaunchError, match="not integers"):
        from_env()
