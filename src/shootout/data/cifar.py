"""CIFAR-10 batches: the binary layout and the Python (pickle) layout, neither ever running code.

Binary: records of one label byte and 3,072 pixel bytes (1,024 red, 1,024 green, 1,024 blue, each
32x32 row-major). Python: pickled dicts whose ``data`` is a uint8 array of shape (N, 3072) in the same
order. The pickles are read by :class:`RestrictedUnpickler`, which admits plain containers, bytes, str
and int, and replaces the three NumPy globals a pickled array needs by inert stand-ins of its own;
any other global is refused, so a crafted pickle cannot call anything.
"""

from __future__ import annotations

import io
import math
import pickle
import pickletools
from typing import Any

import numpy as np

from shootout.data.errors import FormatError, UnsafePickleError

SIDE = 32
CHANNELS = 3
PIXELS = SIDE * SIDE * CHANNELS  # 3072
RECORD = 1 + PIXELS  # 3073
NUM_CLASSES = 10

BINARY_MEMBERS = {
    "train": [f"cifar-10-batches-bin/data_batch_{i}.bin" for i in range(1, 6)],
    "test": ["cifar-10-batches-bin/test_batch.bin"],
}
PYTHON_MEMBERS = {
    "train": [f"cifar-10-batches-py/data_batch_{i}" for i in range(1, 6)],
    "test": ["cifar-10-batches-py/test_batch"],
}


def _to_nhwc(flat: np.ndarray) -> np.ndarray:
    """(N, 3072) channel-planar rows -> (N, 32, 32, 3) contiguous uint8."""
    n = flat.shape[0]
    return np.ascontiguousarray(flat.reshape(n, CHANNELS, SIDE, SIDE).transpose(0, 2, 3, 1))


def _check_labels(labels: np.ndarray, name: str) -> np.ndarray:
    if labels.size and int(labels.max()) >= NUM_CLASSES:
        raise FormatError(f"{name}: label {int(labels.max())} out of range 0..{NUM_CLASSES - 1}")
    return labels.astype(np.int64)


def parse_cifar_binary(payload: bytes, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Parse one binary batch into (images N×32×32×3 uint8, labels int64)."""
    if len(payload) == 0 or len(payload) % RECORD:
        raise FormatError(
            f"{name}: CIFAR binary batch must be a whole number of {RECORD}-byte records, found {len(payload)} bytes"
        )
    records = np.frombuffer(payload, dtype=np.uint8).reshape(-1, RECORD)
    return _to_nhwc(records[:, 1:]), _check_labels(records[:, 0], name)


# --- the restricted unpickler ------------------------------------------------------------------


class _NdarrayType:
    """Stands in for ``numpy.ndarray`` when a pickle names it as the subtype to rebuild."""


class _DtypeStub:
    """Stands in for ``numpy.dtype``: records the type name; only uint8 is accepted later."""

    def __init__(self, name: Any, align: Any = 0, copy: Any = 1) -> None:
        if isinstance(name, bytes):
            name = name.decode("ascii", "replace")
        if not isinstance(name, str):
            raise UnsafePickleError(f"dtype name must be text, got {type(name).__name__}")
        self.name = name

    def __setstate__(self, state: Any) -> None:
        if not isinstance(state, tuple):
            raise UnsafePickleError("unexpected dtype state")


class _ArrayStub:
    """Stands in for a pickled ``numpy.ndarray``: keeps shape, dtype and raw bytes, runs nothing."""

    def __init__(self) -> None:
        self.shape: tuple[int, ...] = ()
        self.dtype: _DtypeStub | None = None
        self.raw: bytes = b""

    def __setstate__(self, state: Any) -> None:
        if not isinstance(state, tuple) or len(state) not in (4, 5):
            raise UnsafePickleError("unexpected ndarray state")
        shape, dtype, _fortran, raw = state[-4:]
        if not (isinstance(shape, tuple) and all(type(s) is int and s >= 0 for s in shape)):  # no bools: NumPy refuses
            raise UnsafePickleError("ndarray shape must be a tuple of non-negative ints")
        if not isinstance(dtype, _DtypeStub) or not isinstance(raw, bytes | bytearray):
            raise UnsafePickleError("ndarray state must hold a dtype and raw bytes")
        self.shape, self.dtype, self.raw = shape, dtype, bytes(raw)


def _reconstruct(subtype: Any, shape: Any, code: Any) -> _ArrayStub:
    if subtype is not _NdarrayType:
        raise UnsafePickleError("_reconstruct may only rebuild a plain ndarray")
    return _ArrayStub()


def _frombuffer(buffer: Any, dtype: Any, shape: Any, order: Any) -> _ArrayStub:
    """Protocol-5 form of a pickled array (NumPy >= 1.16 with pickle protocol 5)."""
    stub = _ArrayStub()
    stub.__setstate__((shape, dtype, order == "F", bytes(memoryview(buffer))))
    return stub


def _latin1_encode(text: Any, encoding: Any = "latin1") -> bytes:
    """How protocol 2 written by Python 3 spells ``bytes``: ``_codecs.encode(str, 'latin1')``."""
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise UnsafePickleError("_codecs.encode is admitted only as latin1 encoding of text")
    return text.encode("latin1")


_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy.core.numeric", "_frombuffer"): _frombuffer,
    ("numpy._core.numeric", "_frombuffer"): _frombuffer,
    ("numpy", "ndarray"): _NdarrayType,
    ("numpy", "dtype"): _DtypeStub,
    ("_codecs", "encode"): _latin1_encode,
}


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler for CIFAR batches that can build data but never call real code."""

    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise UnsafePickleError(
                f"pickle asks for {module}.{name}; only plain data (dict, list, bytes, str, int and a "
                "uint8 array) is admitted"
            ) from None

    def persistent_load(self, pid: Any) -> Any:
        raise UnsafePickleError("pickle uses persistent ids; only plain data is admitted")


def _as_array(value: Any, name: str) -> np.ndarray:
    if not isinstance(value, _ArrayStub) or value.dtype is None:
        raise FormatError(f"{name}: 'data' is not a pickled array")
    if value.dtype.name.lstrip("|<>=") not in ("u1", "uint8"):
        raise FormatError(f"{name}: 'data' has dtype {value.dtype.name!r}, expected uint8")
    count = math.prod(value.shape)  # exact: a NumPy product wraps around, so (2**54, 3072) would claim 0 bytes
    if len(value.shape) != 2 or value.shape[1] != PIXELS or len(value.raw) != count:
        raise FormatError(
            f"{name}: 'data' must be N×{PIXELS} uint8 ({count} bytes for shape {value.shape}), "
            f"found {len(value.raw)} bytes"
        )
    return np.frombuffer(value.raw, dtype=np.uint8).reshape(value.shape)


def _check_allocations(payload: bytes) -> None:
    """Refuse a pickle whose lengths run past its end or whose memo indices exceed its size, before unpickling.

    The C unpickler trusts both: it allocates a ``BINBYTES``/``BYTEARRAY8`` object of the announced
    length before reading it, and grows its memo to twice a ``LONG_BINPUT`` index and fills it, so a
    9-byte pickle can make it allocate gigabytes. :func:`pickletools.genops` walks the same opcodes
    reading only the bytes that are there, and raises :class:`ValueError` for a length that overruns.
    """
    for opcode, arg, _ in pickletools.genops(payload):
        if opcode.name in ("PUT", "BINPUT", "LONG_BINPUT") and not 0 <= arg < len(payload):
            raise ValueError(f"memo index {arg} in a pickle of {len(payload)} bytes")


def parse_cifar_pickle(payload: bytes, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Parse one pickled batch into (images N×32×32×3 uint8, labels int64) without running pickle code."""
    try:
        _check_allocations(payload)
        batch = RestrictedUnpickler(io.BytesIO(payload), encoding="bytes").load()
    except UnsafePickleError as exc:
        raise UnsafePickleError(f"{name}: {exc}") from None
    except Exception as exc:  # any malformed stream: truncated, bad opcode, wrong types
        raise FormatError(f"{name}: not a valid CIFAR pickle ({type(exc).__name__}: {exc})") from None
    if not isinstance(batch, dict):
        raise FormatError(f"{name}: expected a pickled dict, found {type(batch).__name__}")
    fields = {k.decode("latin1") if isinstance(k, bytes) else k: v for k, v in batch.items()}
    if "data" not in fields or "labels" not in fields:
        raise FormatError(f"{name}: pickled batch lacks 'data' or 'labels' (keys: {sorted(map(str, fields))})")
    labels = fields["labels"]
    if not isinstance(labels, list) or not all(type(v) is int and v >= 0 for v in labels):
        raise FormatError(f"{name}: 'labels' must be a list of non-negative ints")
    if labels and max(labels) >= NUM_CLASSES:  # checked before NumPy, which cannot hold a label of 2**70
        raise FormatError(f"{name}: label {max(labels)} out of range 0..{NUM_CLASSES - 1}")
    flat = _as_array(fields["data"], name)
    if flat.shape[0] != len(labels):
        raise FormatError(f"{name}: {flat.shape[0]} images but {len(labels)} labels")
    return _to_nhwc(flat), _check_labels(np.asarray(labels, dtype=np.int64), name)


def read_cifar_archive(members: dict, archive: str, split: str) -> tuple[np.ndarray, np.ndarray]:
    """The batches of ``split`` from an archive's members (binary or Python layout), as one array.

    Binary batches are written straight into one preallocated N×32×32×3 array (no per-batch copies
    to concatenate), which keeps loading CIFAR-10 within a small multiple of its size.
    """
    if all(m in members for m in BINARY_MEMBERS[split]):
        names = BINARY_MEMBERS[split]
        for m in names:
            if len(members[m]) == 0 or len(members[m]) % RECORD:
                parse_cifar_binary(members[m], f"{archive}:{m}")  # raises the precise error
        total = sum(len(members[m]) // RECORD for m in names)
        images = np.empty((total, SIDE, SIDE, CHANNELS), dtype=np.uint8)
        labels = np.empty(total, dtype=np.int64)
        start = 0
        for m in names:
            records = np.frombuffer(members[m], dtype=np.uint8).reshape(-1, RECORD)
            stop = start + len(records)
            images[start:stop] = records[:, 1:].reshape(-1, CHANNELS, SIDE, SIDE).transpose(0, 2, 3, 1)
            labels[start:stop] = _check_labels(records[:, 0], f"{archive}:{m}")
            start = stop
        return images, labels
    if all(m in members for m in PYTHON_MEMBERS[split]):
        parts = [parse_cifar_pickle(bytes(members[m]), f"{archive}:{m}") for m in PYTHON_MEMBERS[split]]
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    raise FormatError(
        f"{archive}: no CIFAR-10 {split} batches found: expected {BINARY_MEMBERS[split]} or {PYTHON_MEMBERS[split]}"
    )
