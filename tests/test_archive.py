import io
import tarfile

import pytest

from shootout.data import FormatError, UnsafeArchiveError
from shootout.data.archive import extract_archive, read_members
from tests.fakes import tar_bytes


def _tar_with(info: tarfile.TarInfo, data: bytes = b"") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        tar.addfile(tarfile.TarInfo("ok/readme.txt"), io.BytesIO(b""))
        tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return buffer.getvalue()


def _member(name: str, kind: bytes = tarfile.REGTYPE, linkname: str = "", data: bytes = b"x") -> bytes:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    return _tar_with(info, data)


def test_regular_members_are_read_into_memory():
    members = read_members(tar_bytes({"d/a.bin": b"abc", "d/b.bin": b""}), "a.tar")
    assert members == {"d/a.bin": b"abc", "d/b.bin": b""}


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (_member("/etc/passwd"), "absolute path"),
        (_member("../../evil.sh"), r"'\.\.' escapes"),
        (_member("data/../../evil.sh"), r"'\.\.' escapes"),
        (_member("data/link", tarfile.SYMTYPE, "/etc/passwd"), "link to '/etc/passwd'"),
        (_member("data/hard", tarfile.LNKTYPE, "../../outside"), "link to '../../outside'"),
        (_member("data/dev", tarfile.CHRTYPE), "device, fifo or other special file"),
        (_member("data/fifo", tarfile.FIFOTYPE), "device, fifo or other special file"),
    ],
)
def test_unsafe_members_refuse_the_whole_archive(payload, reason):
    with pytest.raises(UnsafeArchiveError, match=f"evil.tar: refusing member .*{reason}"):
        read_members(payload, "evil.tar")


def test_extraction_refuses_traversal_and_writes_nothing(tmp_path):
    dest = tmp_path / "out"
    with pytest.raises(UnsafeArchiveError):
        extract_archive(_member("../escaped.txt"), "evil.tar", dest)
    assert not (tmp_path / "escaped.txt").exists()
    assert not dest.exists() or not any(dest.rglob("*"))


def test_extraction_writes_regular_files_under_dest(tmp_path):
    written = extract_archive(tar_bytes({"d/a.bin": b"abc"}), "a.tar", tmp_path)
    assert written == [tmp_path / "d" / "a.bin"]
    assert (tmp_path / "d" / "a.bin").read_bytes() == b"abc"


def test_garbage_is_not_a_tar():
    with pytest.raises(FormatError, match="not a valid tar archive"):
        read_members(b"this is not a tar archive at all" * 40, "junk.tar")


def test_member_cut_short_is_a_format_error():
    payload = tar_bytes({"d/a.bin": b"x" * 4000})[:1500]
    with pytest.raises(FormatError, match="junk.tar"):
        read_members(payload, "junk.tar")
