"""Downloads through real HTTP on 127.0.0.1 and through file:// mirrors, into an isolated cache."""

import gzip
import hashlib
import http.server
import threading
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from shootout.data import ChecksumError, DatasetError, DownloadError, FormatError
from shootout.data.registry import FileSpec
from shootout.data.store import fetch_slot, read_verified
from tests.fakes import IDX_FILES, tiny_idx_arrays, tiny_idx_spec, write_tiny_idx


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture
def http_root(tmp_path):
    """Serve ``tmp_path/www`` on an ephemeral port of 127.0.0.1; yields (root folder, base URL)."""
    root = tmp_path / "www"
    root.mkdir()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _cache_files(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.rglob("*") if p.is_file() and not p.name.endswith(".lock"))


def test_first_mirror_404_then_second_mirror_serves_the_file(http_root, tmp_path, monkeypatch, isolated_cache):
    root, base = http_root
    payloads = write_tiny_idx(root / "good" / "tiny", tiny_idx_arrays())
    (root / "empty").mkdir()
    monkeypatch.setenv("SHOOTOUT_MIRRORS", f"{base}/empty {base}/good")
    spec = tiny_idx_spec(payloads)
    path, payload = fetch_slot(spec, "train-images")
    assert path == isolated_cache[0] / "tiny" / IDX_FILES["train-images"]
    assert payload == payloads["train-images"]
    assert _cache_files(isolated_cache[0]) == [IDX_FILES["train-images"]]


def test_file_url_mirror_is_supported(tmp_path, monkeypatch, isolated_cache):
    payloads = write_tiny_idx(tmp_path / "mirror" / "tiny", tiny_idx_arrays())
    monkeypatch.setenv("SHOOTOUT_MIRRORS", f"file://{tmp_path / 'mirror'}")
    _, payload = fetch_slot(tiny_idx_spec(payloads), "test-labels")
    assert payload == payloads["test-labels"]


def test_official_mirrors_use_the_flat_layout(http_root, isolated_cache):
    root, base = http_root
    payloads = write_tiny_idx(root / "flat", tiny_idx_arrays())
    _, payload = fetch_slot(tiny_idx_spec(payloads, mirrors=(f"{base}/flat/",)), "train-labels")
    assert payload == payloads["train-labels"]


def test_recompressed_mirror_passes_because_the_payload_is_hashed(tmp_path, monkeypatch):
    arrays = tiny_idx_arrays()
    official = write_tiny_idx(tmp_path / "official", arrays, mtime=0)
    folder = tmp_path / "mirror" / "tiny"
    write_tiny_idx(folder, arrays, mtime=123456)  # other gzip header, same payload
    name = IDX_FILES["train-images"]
    (folder / name).write_bytes(gzip.compress(gzip.decompress((folder / name).read_bytes()), compresslevel=1))
    assert (folder / name).read_bytes() != (tmp_path / "official" / name).read_bytes()
    monkeypatch.setenv("SHOOTOUT_MIRRORS", f"file://{tmp_path / 'mirror'}")
    _, payload = fetch_slot(tiny_idx_spec(official), "train-images")
    assert payload == official["train-images"]


def test_wrong_bytes_on_every_mirror_leave_nothing_in_the_cache(tmp_path, monkeypatch, isolated_cache):
    write_tiny_idx(tmp_path / "a" / "tiny", tiny_idx_arrays(seed=0))
    write_tiny_idx(tmp_path / "b" / "tiny", tiny_idx_arrays(seed=1))  # same names, other content
    spec = tiny_idx_spec(write_tiny_idx(tmp_path / "expected", tiny_idx_arrays(seed=2)))
    monkeypatch.setenv("SHOOTOUT_MIRRORS", f"file://{tmp_path / 'a'} file://{tmp_path / 'b'}")
    with pytest.raises(DownloadError) as caught:
        fetch_slot(spec, "train-images")
    message = str(caught.value)
    assert message.count("checksum mismatch") == 2  # each mirror served a file, with other bytes
    assert f"file://{tmp_path / 'a'}/tiny/" in message and f"file://{tmp_path / 'b'}/tiny/" in message
    assert "Place train-images-idx3-ubyte.gz by hand in" in message
    assert _cache_files(isolated_cache[0]) == []


def test_bad_mirror_then_good_mirror_caches_only_the_good_file(tmp_path, monkeypatch, isolated_cache):
    good = write_tiny_idx(tmp_path / "good" / "tiny", tiny_idx_arrays(seed=0))
    write_tiny_idx(tmp_path / "bad" / "tiny", tiny_idx_arrays(seed=1))
    monkeypatch.setenv("SHOOTOUT_MIRRORS", f"file://{tmp_path / 'bad'} file://{tmp_path / 'good'}")
    path, _ = fetch_slot(tiny_idx_spec(good), "train-images")
    assert gzip.decompress(path.read_bytes()) == good["train-images"]


def test_every_failing_mirror_is_listed_with_its_reason(http_root, monkeypatch):
    root, base = http_root
    (root / "tiny").mkdir()
    spec = tiny_idx_spec(write_tiny_idx(root / "unused", tiny_idx_arrays()))
    monkeypatch.setenv("SHOOTOUT_MIRRORS", f"{base} file:///definitely/not/here")
    with pytest.raises(DownloadError, match=r"HTTP 404 .*file:///definitely/not/here/tiny/.*unreachable"):
        fetch_slot(spec, "train-images")


def test_cached_file_is_used_without_any_mirror(tmp_path, monkeypatch, isolated_cache):
    payloads = write_tiny_idx(isolated_cache[0] / "tiny", tiny_idx_arrays())
    _, payload = fetch_slot(tiny_idx_spec(payloads), "train-images")
    assert payload == payloads["train-images"]


def test_corrupted_cached_file_fails_with_the_file_and_the_remedy(isolated_cache):
    payloads = write_tiny_idx(isolated_cache[0] / "tiny", tiny_idx_arrays())
    path = isolated_cache[0] / "tiny" / IDX_FILES["train-labels"]
    path.write_bytes(gzip.compress(payloads["train-labels"][:-1] + b"\xff"))
    with pytest.raises(ChecksumError, match=f"{path}: checksum mismatch.*shootout data fetch tiny"):
        fetch_slot(tiny_idx_spec(payloads), "train-labels")


def test_refresh_replaces_a_corrupted_cached_file(tmp_path, monkeypatch, isolated_cache):
    payloads = write_tiny_idx(tmp_path / "mirror" / "tiny", tiny_idx_arrays())
    cached = isolated_cache[0] / "tiny" / IDX_FILES["train-labels"]
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"\x1f\x8bbroken")
    monkeypatch.setenv("SHOOTOUT_MIRRORS", f"file://{tmp_path / 'mirror'}")
    with pytest.raises(FormatError):
        fetch_slot(tiny_idx_spec(payloads), "train-labels")
    _, payload = fetch_slot(tiny_idx_spec(payloads), "train-labels", refresh=True)
    assert payload == payloads["train-labels"]
    assert gzip.decompress(cached.read_bytes()) == payloads["train-labels"]


def test_uncompressed_copy_in_a_data_dir_is_accepted(tmp_path):
    arrays = tiny_idx_arrays()
    payloads = write_tiny_idx(tmp_path / "gz", arrays)
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "train-images-idx3-ubyte").write_bytes(payloads["train-images"])
    path, payload = fetch_slot(tiny_idx_spec(payloads), "train-images", data_dir=plain)
    assert path.name == "train-images-idx3-ubyte" and payload == payloads["train-images"]


def test_data_dir_without_the_file_says_where_to_put_it(tmp_path):
    spec = tiny_idx_spec(write_tiny_idx(tmp_path / "x", tiny_idx_arrays()))
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetError, match="no train-images-idx3-ubyte.gz or train-images-idx3-ubyte for tiny"):
        fetch_slot(spec, "train-images", data_dir=tmp_path / "empty")


def test_missing_data_dir_is_reported(tmp_path):
    spec = tiny_idx_spec(write_tiny_idx(tmp_path / "x", tiny_idx_arrays()))
    with pytest.raises(DatasetError, match="is not a folder"):
        fetch_slot(spec, "train-images", data_dir=tmp_path / "nope")


def test_archive_digest_is_checked_when_the_payload_digest_is_unknown(tmp_path):
    path = tmp_path / "a.tar.gz"
    path.write_bytes(gzip.compress(b"payload"))
    good = FileSpec("a.tar.gz", None, archive_sha256=hashlib.sha256(path.read_bytes()).hexdigest())
    assert read_verified(path, good) == b"payload"
    with pytest.raises(ChecksumError, match="of the archive"):
        read_verified(path, FileSpec("a.tar.gz", None, archive_sha256="0" * 64))


def test_loaded_tiny_dataset_has_mnist_shapes(tmp_path, monkeypatch):
    from shootout.data import registry
    from shootout.data.loaders import load

    arrays = tiny_idx_arrays()
    payloads = write_tiny_idx(tmp_path / "m" / "tiny", arrays)
    monkeypatch.setitem(registry.DATASETS, "tiny", tiny_idx_spec(payloads))
    monkeypatch.setenv("SHOOTOUT_MIRRORS", f"file://{tmp_path / 'm'}")
    images, labels = load("tiny", "train")
    assert images.shape == (12, 28, 28, 1) and images.dtype == np.uint8
    assert labels.dtype == np.int64
    np.testing.assert_array_equal(images[..., 0], arrays["train-images"])
