import gzip
import struct
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from shootout.data import ChecksumWarning, FormatError, load, read_idx, write_idx
from shootout.data.files import CHUNK
from shootout.data.idx import encode_idx, parse_idx

IDX_DTYPES = [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(dtype=st.sampled_from(IDX_DTYPES), shape=hnp.array_shapes(min_dims=1, max_dims=4, max_side=5)))
def test_encode_then_parse_returns_the_same_array(array):
    back = parse_idx(encode_idx(array))
    assert back.dtype == array.dtype.newbyteorder("=")
    np.testing.assert_array_equal(back, array)


@pytest.mark.parametrize("name", ["x.idx", "x.idx.gz"])
def test_write_then_read_round_trips_raw_and_gzip(tmp_path, name):
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    write_idx(tmp_path / name, array)
    raw = (tmp_path / name).read_bytes()
    assert raw.startswith(b"\x1f\x8b") == name.endswith(".gz")
    np.testing.assert_array_equal(read_idx(tmp_path / name), array)


def test_header_is_big_endian_magic_dtype_and_dims():
    payload = encode_idx(np.zeros((60000, 28, 28), dtype=np.uint8))
    assert payload[:4] == bytes([0, 0, 0x08, 3])
    assert struct.unpack(">3I", payload[4:16]) == (60000, 28, 28)


def test_multibyte_values_are_stored_big_endian():
    payload = encode_idx(np.array([1], dtype=np.int32))
    assert payload[-4:] == b"\x00\x00\x00\x01"


def test_bad_magic_names_the_file_and_both_bytes():
    payload = b"\x08\x03\x00\x00" + encode_idx(np.zeros(3, np.uint8))[4:]
    with pytest.raises(FormatError, match=r"labels\.idx: bad IDX magic: expected 00 00 .*found 08 03 00 00"):
        parse_idx(payload, "labels.idx")


def test_unknown_dtype_code_is_refused():
    with pytest.raises(FormatError, match="unknown IDX dtype code 0x07"):
        parse_idx(bytes([0, 0, 0x07, 1]) + struct.pack(">I", 1) + b"\x00")


def test_zero_dimensions_are_refused():
    with pytest.raises(FormatError, match="0 dimensions"):
        parse_idx(bytes([0, 0, 0x08, 0]))


def test_header_shorter_than_four_bytes_is_refused():
    with pytest.raises(FormatError, match="needs 4 bytes, found 2"):
        parse_idx(b"\x00\x00", "f")


def test_header_cut_inside_the_dimensions_is_refused():
    with pytest.raises(FormatError, match="declares 3 dimensions"):
        parse_idx(bytes([0, 0, 0x08, 3]) + struct.pack(">I", 5))


def test_truncated_payload_says_expected_and_found_bytes():
    payload = encode_idx(np.zeros((4, 2, 2), np.uint8))[:-3]
    with pytest.raises(FormatError, match=r"f\.idx: IDX payload truncated: .* needs 16 bytes, found 13"):
        parse_idx(payload, "f.idx")


def test_trailing_bytes_are_refused():
    with pytest.raises(FormatError, match="trailing bytes"):
        parse_idx(encode_idx(np.zeros(4, np.uint8)) + b"\x00")


def test_truncated_gzip_stream_is_a_format_error(tmp_path):
    path = tmp_path / "cut.gz"
    path.write_bytes(gzip.compress(encode_idx(np.arange(1000, dtype=np.int32)))[:-20])
    with pytest.raises(FormatError, match="cut.gz: not a valid gzip stream"):
        read_idx(path)


def test_missing_file_is_a_format_error_naming_it(tmp_path):
    with pytest.raises(FormatError, match="nothere.gz: cannot read"):
        read_idx(tmp_path / "nothere.gz")


def test_unsupported_dtype_cannot_be_written():
    with pytest.raises(ValueError, match="cannot store dtype"):
        encode_idx(np.zeros(3, dtype=np.uint16))


def test_a_gzip_of_several_concatenated_members_is_one_payload(tmp_path):
    payload = encode_idx(np.arange(5000, dtype=np.int32))
    path = tmp_path / "two-members.gz"
    path.write_bytes(gzip.compress(payload[:1000]) + gzip.compress(payload[1000:]))
    np.testing.assert_array_equal(read_idx(path), np.arange(5000, dtype=np.int32))


def test_a_gzip_trailer_claiming_gigabytes_is_refused_without_allocating_them(tmp_path):
    import tracemalloc

    payload = encode_idx(np.arange(10, dtype=np.uint8))
    path = tmp_path / "lying.gz"
    path.write_bytes(gzip.compress(payload)[:-4] + (4_000_000_000).to_bytes(4, "little"))
    tracemalloc.start()
    try:
        with pytest.raises(FormatError, match="lying.gz: not a valid gzip stream"):
            read_idx(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10_000_000


def test_dimensions_whose_product_passes_2_to_the_64_are_refused_as_truncated():
    """(65536,) * 4 has 2**64 elements, which an int64 product wraps to 0: an empty payload would have 'fit'."""
    header = bytes([0, 0, 0x08, 4]) + struct.pack(">4I", *[65536] * 4)
    with pytest.raises(FormatError, match=r"huge\.idx: IDX payload truncated: .* needs 18446744073709551616 bytes"):
        parse_idx(header, "huge.idx")


def test_a_corrupt_trailer_reserves_no_more_than_twice_the_file_size(tmp_path):
    """A truncated or damaged file's last 4 bytes are arbitrary; they must not size the buffer at 1000× the file."""
    import tracemalloc

    payload = np.random.default_rng(0).bytes(200_000)  # incompressible, so the file is as large as its payload
    path = tmp_path / "lying.gz"
    path.write_bytes(gzip.compress(payload)[:-4] + (2**32 - 1).to_bytes(4, "little"))
    tracemalloc.start()
    try:
        with pytest.raises(FormatError, match="lying.gz: not a valid gzip stream"):
            read_idx(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * path.stat().st_size + CHUNK  # the buffer (twice the file), one read, one inflated piece


def test_labels_that_do_not_match_the_images_name_both_files(tmp_path):
    """Which of the two files is wrong cannot be told, so the error names both."""
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", np.zeros((5, 28, 28), np.uint8))
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.zeros(4, np.uint8))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChecksumWarning)  # these files are not the registry's MNIST
        with pytest.raises(
            FormatError,
            match=r"t10k-labels-idx1-ubyte\.gz: expected 5 labels, one per image in .*"
            r"t10k-images-idx3-ubyte\.gz, found shape \(4,\)",
        ):
            load("mnist", "test", data_dir=tmp_path, verify=False)
