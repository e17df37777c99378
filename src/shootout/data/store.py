"""Where dataset files live and how a file on disk becomes a verified payload.

A file is looked up in ``data_dir`` when one is given (a folder holding the dataset's files
directly, as in the tutorials; nothing is downloaded there), else in the cache
``<SHOOTOUT_DATA or user cache dir>/<dataset>/<file>``, where a missing file is downloaded.
Every payload is checked against the registry; with ``verify=False`` a differing local copy is
accepted with a :class:`ChecksumWarning` that names it — never silently.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import platformdirs
from filelock import FileLock

from shootout.data.download import download
from shootout.data.errors import ChecksumError, ChecksumWarning, DatasetError, FormatError
from shootout.data.files import file_sha256, read_payload, sha256_hex
from shootout.data.registry import DatasetSpec, FileSpec

DATA_ENV = "SHOOTOUT_DATA"


def cache_root() -> Path:
    """The cache folder: ``$SHOOTOUT_DATA`` if set, else the platform's user cache dir for shootout."""
    configured = os.environ.get(DATA_ENV)
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_cache_dir("shootout")) / "datasets"


def dataset_cache(spec: DatasetSpec) -> Path:
    return cache_root() / spec.name


def _mismatch(path: Path, file: FileSpec, found_payload: str | None, found_archive: str | None) -> str | None:
    """Describe how ``path`` fails its registry digest, or None when it passes."""
    if file.sha256 is not None and found_payload != file.sha256:
        return (
            f"{path}: checksum mismatch: expected SHA-256 {file.sha256} of the decompressed payload, "
            f"found {found_payload}"
        )
    if file.sha256 is None and file.archive_sha256 is not None and found_archive != file.archive_sha256:
        return (
            f"{path}: checksum mismatch: expected SHA-256 {file.archive_sha256} of the archive, found {found_archive}"
        )
    return None


def read_verified(path: Path, file: FileSpec, verify: bool = True, hint: str = "") -> bytes:
    """Read ``path``, check it against ``file``'s digest and return the decompressed payload.

    A mismatch raises :class:`ChecksumError` (``hint`` says how to recover) unless ``verify`` is
    False, in which case it warns with :class:`ChecksumWarning` and goes on.
    """
    archive_digest = None
    if file.archive_sha256 and not file.sha256:
        try:
            archive_digest = file_sha256(path)
        except OSError as exc:
            raise FormatError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    try:
        payload = read_payload(path)
    except FormatError as exc:
        if verify:
            raise FormatError(f"{exc}{hint}") from None
        raise
    problem = _mismatch(path, file, sha256_hex(payload) if file.sha256 else None, archive_digest)
    if problem:
        if verify:
            raise ChecksumError(problem + hint)
        warnings.warn(f"{problem}; accepted because verification is off", ChecksumWarning, stacklevel=3)
    return payload


def _find(folder: Path, variants: tuple[FileSpec, ...]) -> tuple[Path, FileSpec] | None:
    for file in variants:
        candidate = folder / file.name
        if candidate.is_file():
            return candidate, file
    return None


def fetch_slot(
    spec: DatasetSpec, slot: str, data_dir: Path | None = None, verify: bool = True, refresh: bool = False
) -> tuple[Path, bytes]:
    """Return (path, verified payload) for one slot of ``spec``, downloading into the cache if needed.

    ``refresh`` replaces a cached file that fails verification by a fresh download instead of
    raising (``shootout data fetch``).
    """
    variants = spec.slots[slot]
    if data_dir is not None:
        folder = Path(data_dir)
        if not folder.is_dir():
            raise DatasetError(f"--data-dir {folder} is not a folder")
        found = _find(folder, variants)
        if found is None:
            names = " or ".join(f.name for f in variants)
            raise DatasetError(
                f"{folder}: no {names} for {spec.name}; place the file there or drop --data-dir "
                "to download it into the cache"
            )
        path, file = found
        hint = "; pass --no-verify (verify=False) to use your own re-encoded copy, with a warning"
        return path, read_verified(path, file, verify, hint)

    folder = dataset_cache(spec)
    folder.mkdir(parents=True, exist_ok=True)
    hint = f"; run `shootout data fetch {spec.name}` to replace it"
    with FileLock(str(folder / f".{slot}.lock")):
        found = _find(folder, variants)
        if found is not None:
            path, file = found
            try:
                return path, read_verified(path, file, verify, hint)
            except DatasetError:
                if not refresh:
                    raise
        file = variants[0]
        payloads: list[bytes] = []

        def check(tmp: Path) -> None:
            payloads.append(read_verified(tmp, file, verify=True))

        path = download(spec, file, folder / file.name, check)
        return path, payloads[-1]
