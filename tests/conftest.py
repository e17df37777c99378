"""Shared fixtures: an isolated cache for every test, and the real-data mirror for marked tests.

The suite runs on pytest-xdist's workers (``-n auto`` in pyproject.toml), one per core; ``-n 0`` runs it
in one process.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest


def _share_the_cores() -> None:
    """Give each xdist worker, and each process its tests start, its share of the cores as threads.

    Runs when a worker loads this file, before anything imports torch or NumPy: their thread pools read
    ``OMP_NUM_THREADS`` when they start. More threads than cores make tiny fits spend their time waiting
    for descheduled threads: on a busy 2-core host a 10-epoch digits run trained in 66 s with two threads
    and in 2.4 s with one. A value set by the user is kept.
    """
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if workers > 1:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        os.environ.setdefault("OMP_NUM_THREADS", str(max(1, cores // workers)))


_share_the_cores()


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory, monkeypatch):
    """Every test gets its own empty SHOOTOUT_DATA and no user mirrors unless it sets them."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("SHOOTOUT_DATA", str(cache))
    real_mirrors = os.environ.get("SHOOTOUT_MIRRORS", "")
    monkeypatch.delenv("SHOOTOUT_MIRRORS", raising=False)
    monkeypatch.setenv("SHOOTOUT_TIMEOUT", "5")
    return cache, real_mirrors


def _missing(reason: str):
    """Outside CI a missing mirror skips; in CI it fails loudly, so real-data tests always run there."""
    if os.environ.get("CI"):
        pytest.fail(f"real-data test cannot run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def real_mirror_root() -> Path:
    """The local folder behind SHOOTOUT_MIRRORS (a file:// URL laid out <dataset>/<file>)."""
    for base in os.environ.get("SHOOTOUT_MIRRORS", "").split():
        parsed = urlparse(base)
        if parsed.scheme == "file" and Path(parsed.path, "mnist").is_dir():
            return Path(parsed.path)
    _missing("set SHOOTOUT_MIRRORS=file://<abs path of ../shared/data> to run the real-data tests")


@pytest.fixture(scope="session")
def real_cache(tmp_path_factory) -> Path:
    """One cache shared by the real-data tests, so each real file is copied in once: shared by the xdist
    workers too (their temporary folders sit side by side), since a fetch holds a file lock and renames a
    verified copy into place."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    cache = base / "real-cache"
    cache.mkdir(exist_ok=True)
    return cache


@pytest.fixture
def real_data(real_mirror_root, real_cache, monkeypatch) -> Path:
    monkeypatch.setenv("SHOOTOUT_MIRRORS", f"file://{real_mirror_root}")
    monkeypatch.setenv("SHOOTOUT_DATA", str(real_cache))
    return real_mirror_root


# Test files whose tests run on one xdist worker, one after another: each test of test_distributed.py starts
# two or three processes, and its module fixtures make runs that several of its tests read; the others read
# a run made once per worker (small_runs, tiny_run), which a second worker would make again.
SAME_WORKER = {
    "test_distributed.py": "processes",
    "test_compare.py": "small_runs",
    "test_notebook.py": "small_runs",
    "test_report.py": "small_runs",
    "test_experiments.py": "tiny_run",
}


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadgroup`` (pyproject.toml): each test goes to whichever worker is free, except that the tests
    of a SAME_WORKER group go to one worker together. The group is named here by file because xdist's
    ``xdist_group`` mark does not reach its scheduler under pytest 9: xdist 3.8 renames the test's
    ``_nodeid``, which pytest 9 no longer reads."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class FileGroups(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            file = nodeid.split("::")[0].rsplit("/", 1)[-1]
            return SAME_WORKER.get(file, super()._split_scope(nodeid))

        def _reschedule(self, node) -> None:
            # A worker that replaces a crashed one gets work once it has collected the tests (xdist 3.8
            # would hand it work before, and stop the session with a KeyError when a second worker crashes)
            if node in self.registered_collections:
                super()._reschedule(node)

    return FileGroups(config, log)


FUZZ_CASES: dict[str, dict[str, int]] = {}  # path -> {"loaded": n, "refused": m}, from test_fuzz.py's reports


def pytest_runtest_logreport(report):
    """Collect the fuzzing counts test_fuzz.py records; the reports come here from xdist's workers too."""
    for name, value in report.user_properties:
        if name == "fuzz_cases":
            path, seen = value
            FUZZ_CASES[path] = seen


def pytest_terminal_summary(terminalreporter):
    """Report how many fuzzing cases each code path went through, and how many loaded or were refused."""
    if FUZZ_CASES:
        counts = ", ".join(
            f"{path} {sum(seen.values())} ({seen.get('loaded', 0)} loaded, {seen.get('refused', 0)} refused)"
            for path, seen in sorted(FUZZ_CASES.items())
        )
        terminalreporter.write_line(f"fuzzing cases run: {counts}")


@pytest.fixture(scope="session")
def small_runs(tmp_path_factory) -> dict:
    """Three small runs made through the notebook API, shared by the report, compare and notebook tests:
    digits (two contestants, 2 epochs) with the default seed and with seed 1, and two contestants of gmm."""
    import shootout

    root = tmp_path_factory.mktemp("small-runs")
    digits = {"only": ["scratch-softmax", "ptlogreg"], "epochs": 2, "log": None, "progress": False}
    return {
        "digits": shootout.run("digits", out=root / "digits", **digits),
        "digits-seed-1": shootout.run("digits", out=root / "digits-seed-1", seed=1, **digits),
        "gmm": shootout.run("gmm", out=root / "gmm", only=["scratch-logreg", "rbf-svm"], log=None),
    }
