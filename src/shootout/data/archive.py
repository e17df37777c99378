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


def _open(payload: bytes, archive: str) -> tarfile.TarFile:
    try:
        return tarfile.open(fileobj=io.BytesIO(payload), mode="r:")
    except tarfile.TarError as exc:
        raise FormatError(f"{archive}: not a valid tar archive ({exc})") from exc


def read_members(payload: bytes, archive: str) -> dict[str, bytes]:
    """Return ``{member path: bytes}`` for every regular file of an uncompressed tar payload.

    Every member is checked before any is read; a damaged archive raises :class:`FormatError`.
    """
    with _open(payload, archive) as tar:
        try:
            members = tar.getmembers()
        except (tarfile.TarError, EOFError) as exc:
            raise FormatError(f"{archive}: damaged tar archive ({exc})") from exc
        for member in members:
            check_member(member, archive)
        contents: dict[str, bytes] = {}
        for member in members:
            if not member.isreg():
                continue
            handle = tar.extractfile(member)
            data = handle.read() if handle is not None else b""
            if len(data) != member.size:
                raise FormatError(
                    f"{archive}: member {member.name!r} truncated: header says {member.size} bytes, found {len(data)}"
                )
            contents[member.name] = data
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
