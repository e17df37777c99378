"""Mutations for the fuzz tests: byte edits, gzip re-wrapping and damage, tar header edits, pickle opcode edits.

Every mutator takes a seeded ``numpy.random.Generator`` and the bytes of a valid file and returns the
mutated bytes with a short note of what it did, so that a failing case can be read and rebuilt.
The edits aim at the places parsers trust: length fields, counts, type codes, trailers.
"""

from __future__ import annotations

import gzip
import io
import pickletools
import tarfile

import numpy as np

INTERESTING = (0, 1, 2, 3, 7, 10, 255, 256, 1023, 1024, 3072, 3073, 65535, 65536, 2**31 - 1, 2**31, 2**32 - 1)


def interesting_int(rng: np.random.Generator) -> int:
    """A size a parser might mishandle: a boundary, a power of two up to 2**80 (products overflow), or small."""
    kind = rng.integers(3)
    if kind == 0:
        return int(rng.choice(INTERESTING))
    if kind == 1:
        return 2 ** int(rng.integers(0, 81)) + int(rng.integers(-1, 2))
    return int(rng.integers(0, 64))


def _at(rng: np.random.Generator, size: int) -> int:
    """A position in a buffer of ``size`` bytes, ends included."""
    return int(rng.integers(0, size + 1))


def mutate_bytes(rng: np.random.Generator, data: bytes) -> tuple[bytes, str]:
    """One to four blind edits: bit flips, byte sets, insertions, deletions, duplicated spans, truncation, junk."""
    out, notes = bytearray(data), []
    for _ in range(int(rng.integers(1, 5))):
        op, pos = int(rng.integers(7)), _at(rng, len(out) - 1) if out else 0
        if op == 0 and out:
            out[pos] ^= 1 << int(rng.integers(8))
            notes.append(f"flip@{pos}")
        elif op == 1 and out:
            out[pos] = int(rng.choice([0x00, 0x01, 0x7F, 0x80, 0xFF, int(rng.integers(256))]))
            notes.append(f"set@{pos}={out[pos]:#x}")
        elif op == 2:
            junk = rng.bytes(int(rng.integers(1, 17)))
            out[pos:pos] = junk
            notes.append(f"insert@{pos}+{len(junk)}")
        elif op == 3:
            size = int(rng.integers(1, 65))
            del out[pos : pos + size]
            notes.append(f"delete@{pos}-{size}")
        elif op == 4:
            start = _at(rng, len(out))
            span = out[start : start + int(rng.integers(1, 513))]
            out[pos:pos] = span
            notes.append(f"dup[{start}:+{len(span)}]@{pos}")
        elif op == 5:
            cut = _at(rng, len(out))
            del out[cut:]
            notes.append(f"cut@{cut}")
        else:
            junk = bytes(int(rng.integers(1, 17))) if rng.integers(2) else rng.bytes(int(rng.integers(1, 17)))
            out += junk
            notes.append(f"append+{len(junk)}")
    return bytes(out), ",".join(notes)


# --- gzip ---------------------------------------------------------------------------------------


def regzip(rng: np.random.Generator, payload: bytes) -> tuple[bytes, str]:
    """A *valid* gzip of ``payload`` in another form: cut into 1-4 members, another level, mtime and OS byte.

    Any reader of gzip must return ``payload`` from it: a mirror may re-compress the official files.
    """
    cuts = sorted(_at(rng, len(payload)) for _ in range(int(rng.integers(0, 4))))
    parts = [payload[a:b] for a, b in zip([0, *cuts], [*cuts, len(payload)], strict=True)]
    members = []
    for part in parts:
        member = bytearray(gzip.compress(part, compresslevel=int(rng.integers(1, 10)), mtime=int(rng.integers(2**31))))
        member[9] = int(rng.integers(256))  # the OS byte, which readers ignore
        members.append(bytes(member))
    return b"".join(members), f"regzip:{len(members)} members"


def damage_gzip(rng: np.random.Generator, payload: bytes) -> tuple[bytes, str]:
    """A gzip of ``payload`` with its trailer, header or member boundary damaged."""
    data = bytearray(gzip.compress(payload, mtime=0))
    what = int(rng.integers(6))
    if what == 0:  # CRC-32 of the member
        data[-8:-4] = rng.bytes(4)
        return bytes(data), "bad crc"
    if what == 1:  # ISIZE: the size the trailer announces, used to size the output buffer
        size = int(rng.choice([0, 1, len(payload) - 1, len(payload) + 1, 2**32 - 1, interesting_int(rng) % 2**32]))
        data[-4:] = (size % 2**32).to_bytes(4, "little")
        return bytes(data), f"isize={size % 2**32}"
    if what == 2:
        cut = int(rng.integers(1, 9))
        return bytes(data[:-cut]), f"trailer cut by {cut}"
    if what == 3:  # FLG: announces extra fields, a name, a comment or a header CRC that are not there
        data[3] = int(rng.integers(256))
        return bytes(data), f"flags={data[3]:#x}"
    if what == 4:  # a second member cut short
        extra = gzip.compress(payload[: len(payload) // 2], mtime=0)
        return bytes(data) + extra[: _at(rng, len(extra) - 1)], "second member truncated"
    junk = rng.bytes(int(rng.integers(1, 33)))  # junk where a next member would start
    return bytes(data) + junk, f"junk after member+{len(junk)}"


# --- tar ----------------------------------------------------------------------------------------

TYPE_FLAGS = b"0\x00123456789LKxgSDVMA"
FIELDS = {"name": (0, 100), "mode": (100, 8), "size": (124, 12), "mtime": (136, 12), "type": (156, 1)}
FIELDS |= {"linkname": (157, 100), "magic": (257, 8), "prefix": (345, 155)}


def header_offsets(tar: bytes) -> list[int]:
    """Where each header block of a (trusted, unmutated) tar starts."""
    with tarfile.open(fileobj=io.BytesIO(tar), mode="r:") as archive:
        return [member.offset for member in archive.getmembers()]


def seal_header(header: bytearray) -> None:
    """Recompute a 512-byte header's checksum, so the edit reaches the code past the checksum test."""
    header[148:156] = b" " * 8
    header[148:156] = b"%06o\x00 " % sum(header)


def _size_field(rng: np.random.Generator) -> bytes:
    value = interesting_int(rng)
    kind = int(rng.integers(3))
    if kind == 0 and value < 8**11:
        return b"%011o\x00" % value
    if kind == 1:  # GNU base-256, positive: sizes octal cannot hold
        return b"\x80" + (value % 2**88).to_bytes(11, "big")
    return b"\xff" + ((-value) % 2**88).to_bytes(11, "big")  # base-256 negative


def edit_tar_header(rng: np.random.Generator, tar: bytes, names: list[str]) -> tuple[bytes, str]:
    """Set one header field (size, type, name, link, ...) to a value a parser must not trust; re-seal it."""
    out = bytearray(tar)
    at = int(rng.choice(header_offsets(tar)))
    field = str(rng.choice(list(FIELDS)))
    start, width = FIELDS[field]
    if field == "size":
        value = _size_field(rng)
    elif field == "type":
        value = bytes([TYPE_FLAGS[int(rng.integers(len(TYPE_FLAGS)))]])
    elif field in ("name", "linkname", "prefix"):
        choices = [*names, "../escape", "/etc/passwd", "", "a" * 100, "x\x00y", "cifar-10-batches-bin/../../z"]
        value = str(rng.choice(choices)).encode()
    else:
        value = rng.bytes(width)
    header = out[at : at + 512]
    header[start : start + width] = value[:width].ljust(width, b"\x00")
    if rng.integers(10):  # now and then leave the checksum wrong
        seal_header(header)
    out[at : at + 512] = header
    return bytes(out), f"tar header@{at} {field}={value[:24]!r}"


PAX_KEYS = ("size", "path", "linkpath", "mtime", "uid", "hdrcharset", "GNU.sparse.map", "GNU.sparse.size")
PAX_KEYS += ("GNU.sparse.major", "GNU.sparse.minor", "GNU.sparse.name", "GNU.sparse.realsize", "GNU.sparse.numblocks")


def with_pax_headers(rng: np.random.Generator, members: dict[str, bytes]) -> tuple[bytes, str]:
    """The members as a pax tar whose extended header for one member holds a surprising record."""
    target = str(rng.choice(list(members)))
    key = str(rng.choice(PAX_KEYS))
    value = str(rng.choice(["-1", "abc", "1,2,3", "0,1", "", "9" * 40, str(interesting_int(rng)), "../x", "BINARY"]))
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            if name == target:
                info.pax_headers = {key: value}
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue(), f"pax {target}: {key}={value[:24]!r}"


# --- pickle -------------------------------------------------------------------------------------

_CODES = [op.code.encode("latin1") for op in pickletools.opcodes]
_LENGTH_WIDTH = {pickletools.TAKEN_FROM_ARGUMENT1: 1, pickletools.TAKEN_FROM_ARGUMENT4: 4}
_LENGTH_WIDTH |= {pickletools.TAKEN_FROM_ARGUMENT4U: 4, pickletools.TAKEN_FROM_ARGUMENT8U: 8}
FORBIDDEN_GLOBALS = [b"os\nsystem\n", b"builtins\neval\n", b"numpy\nload\n", b"pickle\nloads\n", b"subprocess\nrun\n"]


def edit_pickle_opcodes(rng: np.random.Generator, data: bytes) -> tuple[bytes, str]:
    """One edit at an opcode of a (trusted) pickle: its length or memo index, the opcode itself, or a global.

    Lengths and memo indices are what the C unpickler allocates from before it reads anything.
    """
    ops = list(pickletools.genops(data))
    index = int(rng.integers(len(ops)))
    op, _, pos = ops[index]
    end = ops[index + 1][2] if index + 1 < len(ops) else len(data)
    what = int(rng.integers(6))
    width = _LENGTH_WIDTH.get(op.arg.n) if op.arg is not None else None
    if what == 0 and width:
        value = interesting_int(rng) % 2 ** (8 * width)
        edited = data[: pos + 1] + value.to_bytes(width, "little") + data[pos + 1 + width :]
        return edited, f"{op.name}@{pos} len={value}"
    if what == 1:  # store into a memo slot far beyond the pickle's size
        slot = interesting_int(rng) % 2**32
        return data[:end] + b"r" + slot.to_bytes(4, "little") + data[end:], f"LONG_BINPUT {slot} after @{pos}"
    if what == 2:
        code = _CODES[int(rng.integers(len(_CODES)))]
        return data[:pos] + code + data[pos + 1 :], f"{op.name}@{pos} -> {code!r}"
    if what == 3:
        return data[:pos] + data[end:], f"drop {op.name}@{pos}"
    if what == 4:
        return data[:end] + data[pos:end] + data[end:], f"repeat {op.name}@{pos}"
    call = FORBIDDEN_GLOBALS[int(rng.integers(len(FORBIDDEN_GLOBALS)))]
    return data[:pos] + b"c" + call + data[pos:], f"global {call!r} before @{pos}"
