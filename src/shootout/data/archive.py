"""Reading tar archives with a guard: nothing absolute, nothing above the root, no links, no devices.

Archives are read straight into memory (the CIFAR loaders need the member bytes, not files on disk);
:func:`extract_archive` writes them out for users who want the files. Both refuse the *whole*
archive as soon as one member is unsafe — a dataset archive has no reason to hold any of them.
"""

from __future__ import annotations

import io
import tarfile
from pathlib import Path, PurePosixPath

from shootout.data.errors import FormatError, UnsafeArchiveError
from shootout.data.files import atomic_write_bytes


def check_member(member: tarfile.TarInfo, archive: str) -> None:
    """Raise :class:`UnsafeArchiveError` unless ``member`` is a plain file or folder inside the archive."""
    path = PurePosixPath(member.name)
    if not path.parts:  # "" or ".": extracting it would write onto the destination folder itself
        raise UnsafeArchiveError(f"{archive}: refusing member {member.name!r}: it names no file")
    if path.is_absolute() or member.name.startswith(("/", "\\")) or ":" in path.parts[0]:
        raise UnsafeArchiveError(f"{archive}: refusing member {member.name!r}: absolute path")
    if ".." in path.parts or ".." in PurePosixPath(member.name.replace("\\", "/")).parts:
        raise UnsafeArchiveError(f"{archive}: refusing member {member.name!r}: '..' escapes the archive root")
    if member.issym() or member.islnk():
        raise UnsafeArchiveError(
            f"{archive}: refusing member {member.name!r}: link to {member.linkname!r} (links are not allowed)"
        )
    if not (member.isreg() or member.isdir()):
        raise UnsafeArchiveError(f"{archive}: refusing member {member.name!r}: device, fifo or other special file")


class _BufferFile(io.RawIOBase):
    """A read-only, seekable file over a buffer without copying it (io.BytesIO would copy)."""

    def __init__(self, buffer: bytes | bytearray | memoryview) -> None:
        self._view, self._pos = memoryview(buffer).cast("B"), 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        """At most ``size`` bytes, allocating only what is there (a header may announce gigabytes)."""
        end = len(self._view) if size is None or size < 0 else min(self._pos + size, len(self._view))
        data = bytes(self._view[self._pos : end])
        self._pos = max(self._pos, end)
        return data

    def readinto(self, target) -> int:
        n = max(0, min(len(target), len(self._view) - self._pos))
        target[:n] = self._view[self._pos : self._pos + n]
        self._pos += n
        return n

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: len(self._view)}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos


def read_members(payload: bytes | bytearray, archive: str) -> dict[str, memoryview]:
    """Return ``{member path: its bytes}`` for every regular file of an uncompressed tar payload.

    The values are views into ``payload`` (no copies: CIFAR-10's 180 MB are held once). Every member
    is checked before any is read; a damaged archive raises :class:`FormatError`.
    """
    view = memoryview(payload).cast("B")
    members = []
    try:
        with tarfile.open(fileobj=_BufferFile(view), mode="r:") as tar:
            while (member := tar.next()) is not None:
                if member.size < 0:  # the tarfile of Python 3.11.7 steps back to this header forever
                    raise FormatError(f"{archive}: member {member.name!r} has a negative size ({member.size})")
                members.append(member)
    except FormatError:
        raise
    except Exception as exc:  # tarfile raises TarError, EOFError, and ValueError for a pax number that is not one
        raise FormatError(f"{archive}: not a valid tar archive ({type(exc).__name__}: {exc})") from exc
    for member in members:
        check_member(member, archive)
    contents: dict[str, memoryview] = {}
    for member in members:
        if not member.isreg():
            continue
        if member.issparse():
            raise FormatError(f"{archive}: member {member.name!r} is a sparse file, which a dataset never is")
        end = member.offset_data + member.size
        if end > len(view):
            raise FormatError(
                f"{archive}: member {member.name!r} truncated: header says {member.size} bytes, "
                f"found {max(len(view) - member.offset_data, 0)}"
            )
        contents[member.name] = view[member.offset_data : end]
    return contents


def extract_archive(payload: bytes, archive: str, dest: Path) -> list[Path]:
    """Write the regular files of a tar payload under ``dest`` (each atomically) and return their paths."""
    dest = Path(dest)
    written = []
    for name, data in read_members(payload, archive).items():
        target = dest.joinpath(*PurePosixPath(name).parts)
        atomic_write_bytes(target, data)
        written.append(target)
    return written
