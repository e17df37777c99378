"""Mirrors that fail in every way a real one does; the cache never holds a partial or unverified file."""

import http.server
import subprocess
import sys
import threading
import time
from functools import partial

import pytest

from shootout.data import DownloadError
from tests.fakes import IDX_FILES, tiny_idx_arrays, tiny_idx_spec, write_tiny_idx

NAME = IDX_FILES["train-images"]


class _Misbehaving(http.server.BaseHTTPRequestHandler):
    """/<mode>/tiny/<file>: close (half the body, then hang up), wrong, error500, stall, slow, good."""

    def __init__(self, *args, payloads, requests, **kwargs):
        self.payloads, self.requests = payloads, requests
        super().__init__(*args, **kwargs)

    def log_message(self, *args):
        pass

    def do_GET(self):
        mode, name = self.path.split("/")[1], self.path.rsplit("/", 1)[-1]
        self.requests.append(self.path)
        body = self.payloads["good"].get(name)
        if body is None or mode == "error500":
            self.send_error(404 if body is None else 500)
            return
        if mode == "wrong":
            body = self.payloads["wrong"][name]
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if mode == "close":
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.connection.shutdown(2)
            return
        if mode == "slow":
            time.sleep(0.5)  # long enough for a second fetcher to arrive while this one downloads
        if mode == "stall":
            self.wfile.write(body[:10])
            self.wfile.flush()
            time.sleep(3)  # longer than the client's read timeout
            return
        self.wfile.write(body)


@pytest.fixture
def misbehaving(tmp_path, monkeypatch):
    good = tmp_path / "good"
    payloads = write_tiny_idx(good, tiny_idx_arrays(seed=0))
    write_tiny_idx(tmp_path / "wrong", tiny_idx_arrays(seed=1))
    files = {
        "good": {p.name: p.read_bytes() for p in good.iterdir()},
        "wrong": {p.name: p.read_bytes() for p in (tmp_path / "wrong").iterdir()},
    }
    requests: list[str] = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_Misbehaving, payloads=files, requests=requests))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("SHOOTOUT_TIMEOUT", "1")
    yield f"http://127.0.0.1:{server.server_address[1]}", tiny_idx_spec(payloads), requests
    server.shutdown()
    server.server_close()


def _cache_content(cache):
    return sorted(p.name for p in cache.rglob("*") if p.is_file() and not p.name.endswith(".lock"))


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("close", "connection closed after"),
        ("wrong", "checksum mismatch"),
        ("error500", "HTTP 500"),
        ("stall", "timed out"),
    ],
)
def test_a_failing_mirror_is_skipped_for_the_next_one(misbehaving, monkeypatch, isolated_cache, mode, reason):
    from shootout.data.store import fetch_slot

    base, spec, _ = misbehaving
    monkeypatch.setenv("SHOOTOUT_MIRRORS", f"{base}/{mode} {base}/good")
    path, _ = fetch_slot(spec, "train-images")
    assert _cache_content(isolated_cache[0]) == [NAME] and path.name == NAME


def test_when_every_mirror_fails_the_error_lists_each_with_its_reason(misbehaving, monkeypatch, isolated_cache):
    from shootout.data.store import fetch_slot

    base, spec, _ = misbehaving
    modes = ["close", "wrong", "error500", "stall"]
    monkeypatch.setenv("SHOOTOUT_MIRRORS", " ".join(f"{base}/{m}" for m in modes))
    with pytest.raises(DownloadError) as caught:
        fetch_slot(spec, "train-images")
    message = str(caught.value)
    for mode, reason in zip(
        modes, ["connection closed after", "checksum mismatch", "HTTP 500", "timed out"], strict=True
    ):
        assert f"{base}/{mode}/tiny/{NAME}: " in message
        assert reason in message.split(f"{base}/{mode}/tiny/{NAME}: ", 1)[1].split(f"{base}/", 1)[0]
    assert _cache_content(isolated_cache[0]) == []


def test_two_processes_fetching_at_once_both_succeed_with_one_download(misbehaving, isolated_cache):
    base, _, requests = misbehaving
    child = (
        "import sys; sys.path.insert(0, '.')\n"
        "from tests.fakes import IDX_FILES, tiny_idx_arrays, tiny_idx_spec\n"
        "from shootout.data.idx import encode_idx\n"
        "from shootout.data.store import fetch_slot\n"
        "arrays = tiny_idx_arrays()\n"
        "payloads = {slot: encode_idx(arrays[slot]) for slot in IDX_FILES}\n"
        "path, payload = fetch_slot(tiny_idx_spec(payloads), 'train-images')\n"
        "assert payload == payloads['train-images']\n"
    )
    env = {"SHOOTOUT_DATA": str(isolated_cache[0]), "SHOOTOUT_MIRRORS": f"{base}/slow", "PATH": "/usr/bin:/bin"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", child], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert _cache_content(isolated_cache[0]) == [NAME]
    assert len(requests) == 1  # the second waited on the lock, then found the verified file
