"""Shared fixtures: an isolated cache for every test, and the real-data mirror for marked tests."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest


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
    """One cache shared by the real-data tests, so each real file is copied in once."""
    return tmp_path_factory.mktemp("real-cache")


@pytest.fixture
def real_data(real_mirror_root, real_cache, monkeypatch) -> Path:
    monkeypatch.setenv("SHOOTOUT_MIRRORS", f"file://{real_mirror_root}")
    monkeypatch.setenv("SHOOTOUT_DATA", str(real_cache))
    return real_mirror_root


def pytest_terminal_summary(terminalreporter):
    """Report how many fuzzing cases each code path went through, and how many loaded or were refused."""
    import sys

    # pytest imports the test module under its own name ("test_fuzz"), not as tests.test_fuzz
    module = sys.modules.get("test_fuzz") or sys.modules.get("tests.test_fuzz")
    if module is not None and module.COUNTS:
        counts = ", ".join(
            f"{path} {sum(seen.values())} ({seen['loaded']} loaded, {seen['refused']} refused)"
            for path, seen in sorted(module.COUNTS.items())
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
