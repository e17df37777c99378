import gzip
import subprocess
import sys

import pytest

from shootout.cli import main
from shootout.data import registry
from tests.fakes import IDX_FILES, tiny_idx_arrays, tiny_idx_spec, write_tiny_idx


@pytest.fixture
def tiny(monkeypatch, isolated_cache):
    """A registered MNIST-shaped dataset 'tiny' already sitting in the cache."""
    folder = isolated_cache[0] / "tiny"
    payloads = write_tiny_idx(folder, tiny_idx_arrays())
    monkeypatch.setitem(registry.DATASETS, "tiny", tiny_idx_spec(payloads))
    return folder, payloads


def test_data_info_digits_prints_statistics(capsys):
    assert main(["data", "info", "digits"]) == 0
    out = capsys.readouterr().out
    assert "train images 1437x8x8x1 uint8" in out and "test  class counts:" in out


def test_data_info_of_a_cached_dataset(tiny, capsys):
    assert main(["data", "info", "tiny"]) == 0
    assert "train images 12x28x28x1" in capsys.readouterr().out


def test_corrupted_cache_file_gives_one_line_and_exit_1(tiny, capsys):
    folder, payloads = tiny
    (folder / IDX_FILES["train-images"]).write_bytes(gzip.compress(payloads["train-images"][:-5] + b"12345"))
    assert main(["data", "info", "tiny"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "checksum mismatch" in err
    assert "Traceback" not in err


def test_fetch_replaces_a_corrupted_cache_file(tiny, tmp_path, monkeypatch, capsys):
    folder, _ = tiny
    write_tiny_idx(tmp_path / "mirror" / "tiny", tiny_idx_arrays())
    (folder / IDX_FILES["test-labels"]).write_bytes(b"garbage")
    monkeypatch.setenv("SHOOTOUT_MIRRORS", f"file://{tmp_path / 'mirror'}")
    assert main(["data", "fetch", "tiny"]) == 0
    assert capsys.readouterr().out.count("ok ") == 4
    assert main(["data", "info", "tiny"]) == 0


def test_no_verify_warns_on_stderr_naming_the_file(tiny, tmp_path, capsys):
    folder, payloads = tiny
    target = folder / IDX_FILES["test-labels"]
    target.write_bytes(gzip.compress(payloads["test-labels"][:-1] + b"\x09"))
    assert main(["data", "info", "tiny", "--data-dir", str(folder), "--no-verify"]) == 0
    err = capsys.readouterr().err
    assert f"warning: {target}: checksum mismatch" in err


def test_unknown_dataset_is_a_usage_error_with_a_suggestion(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["data", "info", "fashion-mnst"])
    assert caught.value.code == 2
    assert "did you mean 'fashion-mnist'?" in capsys.readouterr().err


def test_missing_data_dir_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["data", "info", "mnist", "--data-dir", str(tmp_path / "nope")])
    assert caught.value.code == 2
    assert capsys.readouterr().err.strip().endswith("is not a folder")


def test_no_arguments_print_help_and_exit_2(capsys):
    assert main([]) == 2
    assert "usage: shootout" in capsys.readouterr().err


def test_console_script_runs_as_a_module():
    out = subprocess.run([sys.executable, "-m", "shootout", "data", "info", "digits"], capture_output=True, text=True)
    assert out.returncode == 0 and "digits:" in out.stdout
