"""Fetching a dataset file: every mirror in turn, streamed, verified, then renamed into the cache.

Mirrors from ``SHOOTOUT_MIRRORS`` (space-separated base URLs laid out ``<base>/<dataset>/<file>``,
``file://`` included) are tried before the dataset's official ones (``<base>/<file>``). A mirror
that fails in any way — refused connection, HTTP error, stall past the timeout, truncated body,
wrong bytes — is recorded with its reason and the next one is tried. The bytes go to a hidden
temporary file that becomes the cached file only after its checksum passed.
"""

from __future__ import annotations

import http.client
import os
import shutil
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from tqdm import tqdm

from shootout.data.errors import DatasetError, DownloadError
from shootout.data.files import atomic_path
from shootout.data.registry import DatasetSpec, FileSpec

MIRRORS_ENV = "SHOOTOUT_MIRRORS"
TIMEOUT_ENV = "SHOOTOUT_TIMEOUT"
DEFAULT_TIMEOUT = 30.0  # seconds, for connecting and for each read
CHUNK = 1 << 20
USER_AGENT = "shootout-dataset-fetcher/0.1"


def user_mirrors() -> list[str]:
    """Base URLs from ``SHOOTOUT_MIRRORS``, in the order given."""
    return os.environ.get(MIRRORS_ENV, "").split()


def mirror_urls(spec: DatasetSpec, file: FileSpec) -> list[str]:
    """Every URL to try for ``file``: the user's mirrors first, then the official ones."""
    urls = [f"{base.rstrip('/')}/{spec.name}/{file.name}" for base in user_mirrors()]
    urls += [f"{base.rstrip('/')}/{file.name}" for base in spec.mirrors]
    return urls


def timeout() -> float:
    value = os.environ.get(TIMEOUT_ENV)
    if value is None:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        raise DatasetError(f"{TIMEOUT_ENV}={value!r} is not a number of seconds") from None
    if seconds <= 0:
        raise DatasetError(f"{TIMEOUT_ENV} must be positive, got {value!r}")
    return seconds


def _stream(url: str, dest: Path, label: str) -> None:
    """Copy ``url`` to ``dest`` in chunks; a short body (fewer bytes than announced) is an error."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=timeout()) as response, dest.open("wb") as out:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        show = sys.stderr.isatty() and not os.environ.get("CI")
        with tqdm(total=total, unit="B", unit_scale=True, desc=label, disable=not show, leave=False) as bar:
            received = 0
            while chunk := response.read(CHUNK):
                out.write(chunk)
                received += len(chunk)
                bar.update(len(chunk))
    if total is not None and received != total:
        raise OSError(f"connection closed after {received} of {total} bytes")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return f"unreachable ({exc.reason})"
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, http.client.IncompleteRead):
        return f"connection closed after {len(exc.partial)} bytes, {exc.expected} more expected"
    return f"{type(exc).__name__}: {exc}"


def download(
    spec: DatasetSpec,
    file: FileSpec,
    dest: Path,
    verify: Callable[[Path], None],
) -> Path:
    """Fetch ``file`` into ``dest`` from the first mirror whose bytes pass ``verify``.

    ``verify(path)`` raises :class:`DatasetError` for wrong bytes. Raises :class:`DownloadError`
    listing every mirror and its reason when none works, and says where to put the file by hand.
    """
    urls = mirror_urls(spec, file)
    failures: list[str] = []
    for url in urls:
        try:
            with atomic_path(dest) as tmp:
                _stream(url, tmp, file.name)
                verify(tmp)
            return dest
        except DatasetError as exc:
            failures.append(f"{url}: {exc}")
        except (OSError, ValueError, shutil.Error, http.client.HTTPException) as exc:
            # URLError, HTTPError and timeouts are OSErrors; a body cut short is an HTTPException
            failures.append(f"{url}: {_reason(exc)}")
    tried = "; ".join(failures) if failures else f"no mirror configured (set {MIRRORS_ENV})"
    raise DownloadError(
        f"could not fetch {file.name} for {spec.name}: {tried}. "
        f"Place {file.name} by hand in {dest.parent}/ or pass --data-dir with a folder that holds it."
    )
