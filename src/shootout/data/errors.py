"""The one exception family of the data layer.

Every problem with a dataset file — a bad header, a truncated payload, a checksum that does not
match, an archive entry that tries to escape, a pickle that asks for code, every mirror failing —
ends in a :class:`DatasetError` whose message names the file and says what was expected and what
was found. The CLI prints that message as one line and exits with status 1.
"""

from __future__ import annotations


class DatasetError(Exception):
    """A dataset could not be fetched, verified or parsed."""


class FormatError(DatasetError):
    """A file's bytes do not follow the format it claims (IDX, CIFAR binary, CIFAR pickle, tar)."""


class ChecksumError(DatasetError):
    """A file's payload does not have the SHA-256 the registry expects."""


class DownloadError(DatasetError):
    """Every mirror failed; the message lists each mirror with its reason."""


class UnsafeArchiveError(FormatError):
    """An archive holds an entry that could write outside its folder, or a link or device."""


class UnsafePickleError(FormatError):
    """A pickle asked for something other than the plain data a CIFAR batch holds."""


class ChecksumWarning(UserWarning):
    """A local copy was accepted with ``verify=False`` although its checksum differs."""
