"""Bytes on disk: reading a possibly gzip-compressed payload, hashing it, writing atomically.

A dataset file is identified by the SHA-256 of its *decompressed* payload, so a mirror that
re-compresses the official ``.gz`` files still passes while a corrupted file does not.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from shootout.data.errors import FormatError

GZIP_MAGIC = b"\x1f\x8b"


def decompress(raw: bytes, name: str) -> bytes:
    """Return the payload of ``raw``: gunzipped when it starts with the gzip magic, else as is."""
    if not raw.startswith(GZIP_MAGIC):
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        raise FormatError(f"{name}: not a valid gzip stream ({exc}); the file is truncated or corrupted") from exc


def read_payload(path: Path) -> bytes:
    """Read ``path`` and return its decompressed payload."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise FormatError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    return decompress(raw, str(path))


def sha256_hex(data: bytes) -> str:
    """SHA-256 of ``data`` as lowercase hex."""
    return hashlib.sha256(data).hexdigest()


@contextmanager
def atomic_path(final: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``final``; rename it onto ``final`` only if the block succeeds.

    The temporary file lives in the same folder (so the rename is atomic) under a hidden name that no
    loader looks for, and it is removed whatever went wrong — nothing half-written is ever left
    where a reader would take it for the real file.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".part", dir=final.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write_bytes(final: Path, data: bytes) -> None:
    """Write ``data`` to ``final`` through a temporary file and a rename."""
    with atomic_path(final) as tmp:
        tmp.write_bytes(data)
