import io
import signal
import tarfile
import tracemalloc

import pytest

from shootout.data import FormatError, UnsafeArchiveError
from shootout.data.archive import extract_archive, read_members
from tests.fakes import tar_bytes
from tests.mutate import seal_header


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
        (_member(""), "it names no file"),
        (_member("."), "it names no file"),
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


def _with_header_field(tar: bytes, member: int, start: int, value: bytes) -> bytes:
    """``tar`` with one field of the ``member``-th header (counted in 512-byte blocks) set and the header re-sealed."""
    out = bytearray(tar)
    header = out[member * 512 : member * 512 + 512]
    header[start : start + len(value)] = value
    seal_header(header)
    out[member * 512 : member * 512 + 512] = header
    return bytes(out)


def test_a_negative_member_size_is_refused_instead_of_reading_the_same_header_forever():
    tar = tar_bytes({"d/a.bin": b"x" * 10, "d/b.bin": b"y" * 10})
    negative = b"\xff" + ((-512) % 2**88).to_bytes(11, "big")  # GNU base-256: -512 steps back one block

    def hung(signum, frame):
        raise TimeoutError("read_members still running after 10 s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(10)  # Python 3.11.7's tarfile looped here
    try:
        with pytest.raises(FormatError, match=r"neg\.tar: member 'd/b\.bin' has a negative size \(-512\)"):
            read_members(_with_header_field(tar, 2, 124, negative), "neg.tar")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_a_pax_number_that_is_not_one_is_a_format_error():
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo("d/a.bin")
        info.size = 3
        info.pax_headers = {"GNU.sparse.map": "abc"}  # tarfile's int() raised ValueError through read_members
        tar.addfile(info, io.BytesIO(b"abc"))
    with pytest.raises(FormatError, match=r"pax\.tar: not a valid tar archive \(ValueError"):
        read_members(buffer.getvalue(), "pax.tar")


def test_a_long_name_header_announcing_exabytes_allocates_nothing_of_the_kind():
    """tarfile reads a GNU long name with one read() of the announced size; the buffer file must not reserve it."""
    longname = tarfile.TarInfo("././@LongLink")
    longname.type = tarfile.GNUTYPE_LONGNAME
    header = bytearray(longname.tobuf(format=tarfile.GNU_FORMAT))
    header[124:136] = b"\x80" + (2**60).to_bytes(11, "big")
    seal_header(header)
    tracemalloc.start()
    try:
        with pytest.raises(FormatError, match="long.tar: not a valid tar archive"):
            read_members(bytes(header) + tar_bytes({"d/a.bin": b"abc"}), "long.tar")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000
