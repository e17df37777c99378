"""Bytes on disk: reading a possibly gzip-compressed payload, hashing it, writing atomically.

A dataset file is identified by the SHA-256 of its *decompressed* payload, so a mirror that
re-compresses the official ``.gz`` files still passes while a corrupted file does not.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from shootout.data.errors import FormatError

GZIP_MAGIC = b"\x1f\x8b"
CHUNK = 1 << 20
# The trailer's size is trusted to size the buffer up to this multiple of the file (CIFAR-10 expands
# 1.05 times, Fashion-MNIST 1.8); past it the buffer grows as data arrives. The trailer of a truncated
# or corrupt file is any 4 bytes, so trusting it further would reserve up to 4 GB for a 10 MB file.
TRAILER_TRUST = 2


def _gunzip(handle: BinaryIO) -> bytearray:
    """Stream-decompress a gzip file into one buffer sized from its trailer (no compressed copy in memory).

    Handles concatenated gzip members (a valid re-compression); a stream that ends early raises.
    """
    compressed = handle.seek(0, 2)
    handle.seek(max(compressed - 4, 0))
    size = int.from_bytes(handle.read(4), "little")  # ISIZE: the (last member's) size
    out = bytearray(min(size, TRAILER_TRUST * compressed))  # a corrupt trailer cannot ask for gigabytes
    handle.seek(0)
    inflater, written, pending = zlib.decompressobj(wbits=31), 0, b""
    while chunk := pending or handle.read(CHUNK):
        if inflater.eof:  # the previous gzip member ended: another one starts here
            inflater = zlib.decompressobj(wbits=31)
        data = inflater.decompress(chunk)
        out[written : written + len(data)] = data  # grows the buffer when the trailer undercounts
        written += len(data)
        pending = inflater.unused_data if inflater.eof else b""
    if not inflater.eof:
        raise EOFError("compressed file ended before the end-of-stream marker was reached")
    del out[written:]
    return out


def read_payload(source: Path | bytes | bytearray, name: str | None = None) -> bytes | bytearray:
    """The decompressed payload of a file (a path, or its bytes already in memory), gzip or raw.

    A file is streamed, never held compressed; bytes go through the same streaming gunzip, so what
    is tested on bytes is what real loads run. ``name`` labels errors (default: the path).
    """
    in_memory = isinstance(source, bytes | bytearray)
    label = name or ("<bytes>" if in_memory else str(source))
    try:
        with io.BytesIO(source) if in_memory else Path(source).open("rb") as handle:
            if handle.read(2) == GZIP_MAGIC:
                return _gunzip(handle)
            handle.seek(0)
            return handle.read()
    except (EOFError, zlib.error) as exc:
        raise FormatError(f"{label}: not a valid gzip stream ({exc}); the file is truncated or corrupted") from exc
    except OSError as exc:
        raise FormatError(f"{label}: cannot read ({exc.strerror or exc})") from exc


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes as stored, read in chunks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


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
