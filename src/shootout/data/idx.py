"""The IDX format of MNIST and Fashion-MNIST: read and write, gzip or raw.

Layout (big-endian): two zero bytes, a dtype code, the number of dimensions ``ndim``, then ``ndim``
uint32 sizes, then the values in C order. Parsing is a single ``np.frombuffer`` over the payload.
"""

from __future__ import annotations

import gzip
import math
import struct
from pathlib import Path

import numpy as np

from shootout.data.errors import FormatError
from shootout.data.files import atomic_write_bytes, read_payload

# dtype code -> big-endian NumPy dtype, as the format's definition lists them.
IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODES = {dtype.newbyteorder("="): code for code, dtype in IDX_DTYPES.items()}


def parse_idx(payload: bytes, name: str = "<bytes>") -> np.ndarray:
    """Parse an uncompressed IDX payload into an array in native byte order.

    Raises :class:`FormatError` naming ``name`` for a bad magic, an unknown dtype code, or a payload
    whose length differs from what its header announces.
    """
    if len(payload) < 4:
        raise FormatError(f"{name}: IDX header needs 4 bytes, found {len(payload)}")
    zero0, zero1, code, ndim = payload[0], payload[1], payload[2], payload[3]
    if zero0 != 0 or zero1 != 0:
        raise FormatError(f"{name}: bad IDX magic: expected 00 00 <dtype> <ndim>, found {payload[:4].hex(' ')}")
    if code not in IDX_DTYPES:
        known = ", ".join(f"0x{c:02X}" for c in IDX_DTYPES)
        raise FormatError(f"{name}: unknown IDX dtype code 0x{code:02X} (known: {known})")
    if ndim == 0:
        raise FormatError(f"{name}: IDX header declares 0 dimensions")
    header_len = 4 + 4 * ndim
    if len(payload) < header_len:
        raise FormatError(
            f"{name}: IDX header declares {ndim} dimensions ({header_len} header bytes), "
            f"but the file has only {len(payload)} bytes"
        )
    shape = struct.unpack(f">{ndim}I", payload[4:header_len])
    dtype = IDX_DTYPES[code]
    expected = math.prod(shape) * dtype.itemsize  # exact: NumPy's int64 product of (65536,) * 4 wraps to 0
    found = len(payload) - header_len
    if found != expected:
        what = "truncated" if found < expected else "has trailing bytes"
        raise FormatError(
            f"{name}: IDX payload {what}: shape {shape} of {dtype.newbyteorder('=').name} needs "
            f"{expected} bytes, found {found}"
        )
    data = np.frombuffer(payload, dtype=dtype, offset=header_len).reshape(shape)
    return data.astype(dtype.newbyteorder("="), copy=True)  # writable, and frees the payload bytes


def read_idx(source: Path | bytes, name: str | None = None) -> np.ndarray:
    """Read an IDX file (gzip-compressed or raw) from a path or from its bytes."""
    label = name or ("<bytes>" if isinstance(source, bytes | bytearray) else str(source))
    return parse_idx(read_payload(source, label), label)


def encode_idx(array: np.ndarray) -> bytes:
    """Encode ``array`` as an uncompressed IDX payload."""
    array = np.asarray(array)
    native = array.dtype.newbyteorder("=")
    if native not in _CODES:
        raise ValueError(
            f"IDX cannot store dtype {array.dtype}; use one of uint8, int8, int16, int32, float32, float64"
        )
    if array.ndim == 0 or array.ndim > 255:
        raise ValueError(f"IDX needs 1 to 255 dimensions, got {array.ndim}")
    code = _CODES[native]
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + np.ascontiguousarray(array, dtype=IDX_DTYPES[code]).tobytes()


def write_idx(path: Path, array: np.ndarray, compress: bool | None = None) -> None:
    """Write ``array`` to ``path`` as IDX, gzip-compressed when ``compress`` (default: name ends in .gz)."""
    path = Path(path)
    payload = encode_idx(array)
    if compress is None:
        compress = path.suffix == ".gz"
    atomic_write_bytes(path, gzip.compress(payload, mtime=0) if compress else payload)
