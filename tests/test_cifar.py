import gzip
import io
import os
import pickle
import tarfile
import tracemalloc
import warnings

import numpy as np
import pytest

from shootout.data import ChecksumError, ChecksumWarning, FormatError, UnsafePickleError, load
from shootout.data.archive import read_members
from shootout.data.cifar import parse_cifar_binary, parse_cifar_pickle, read_cifar_archive
from tests.fakes import PickledArray, cifar_archive, cifar_binary_batch, cifar_pickle_batch, tiny_cifar


def _images(n=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(n, 32, 32, 3), dtype=np.uint8), rng.integers(0, 10, size=n)


def test_binary_records_become_nhwc_images_and_int64_labels():
    images, labels = _images()
    got_images, got_labels = parse_cifar_binary(cifar_binary_batch(images, labels), "b.bin")
    assert got_images.shape == (3, 32, 32, 3) and got_images.dtype == np.uint8
    assert got_labels.dtype == np.int64
    np.testing.assert_array_equal(got_images, images)
    np.testing.assert_array_equal(got_labels, labels)


def test_binary_record_channels_are_planar_red_first():
    record = bytes([7]) + bytes([10]) * 1024 + bytes([20]) * 1024 + bytes([30]) * 1024
    images, labels = parse_cifar_binary(record, "one.bin")
    assert labels.tolist() == [7]
    assert images[0, 5, 9].tolist() == [10, 20, 30]


def test_binary_batch_with_a_partial_record_is_refused():
    images, labels = _images()
    with pytest.raises(FormatError, match="b.bin: .*whole number of 3073-byte records, found 9218 bytes"):
        parse_cifar_binary(cifar_binary_batch(images, labels)[:-1], "b.bin")


def test_binary_label_out_of_range_is_refused():
    with pytest.raises(FormatError, match="label 12 out of range"):
        parse_cifar_binary(bytes([12]) + bytes(3072), "b.bin")


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_pickled_batches_parse_to_the_same_arrays(protocol):
    images, labels = _images()
    got_images, got_labels = parse_cifar_pickle(cifar_pickle_batch(images, labels, protocol), "p")
    np.testing.assert_array_equal(got_images, images)
    np.testing.assert_array_equal(got_labels, labels)


class _RunsCode:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_pickle_that_would_call_os_system_is_refused_and_runs_nothing(tmp_path):
    marker = tmp_path / "pwned"
    evil = pickle.dumps({b"data": _RunsCode(marker), b"labels": [0]}, protocol=2)
    with pytest.raises(UnsafePickleError, match=r"evil: pickle asks for (posix|os)\.system"):
        parse_cifar_pickle(evil, "evil")
    assert not marker.exists()


def test_pickle_asking_for_builtins_eval_is_refused():
    class Eval:
        def __reduce__(self):
            return (eval, ("1+1",))

    with pytest.raises(UnsafePickleError, match="builtins.eval"):
        parse_cifar_pickle(pickle.dumps(Eval()), "e")


def test_pickled_array_of_another_dtype_is_refused():
    batch = {b"data": np.zeros((1, 3072), dtype=np.float32), b"labels": [0]}
    with pytest.raises(FormatError, match="expected uint8"):
        parse_cifar_pickle(pickle.dumps(batch, protocol=2), "f")


def test_truncated_pickle_is_a_format_error():
    images, labels = _images()
    with pytest.raises(FormatError, match="t: not a valid CIFAR pickle"):
        parse_cifar_pickle(cifar_pickle_batch(images, labels)[:500], "t")


def test_a_label_beyond_int64_is_out_of_range_not_an_overflow():
    batch = {b"data": PickledArray((1, 3072), "u1", bytes(3072)), b"labels": [2**70]}
    with pytest.raises(FormatError, match="big: label 1180591620717411303424 out of range 0..9"):
        parse_cifar_pickle(pickle.dumps(batch, protocol=4), "big")


@pytest.mark.parametrize("rows", [2**54, 2**70])  # 2**54 × 3072 wraps an int64 to 0 bytes; 2**70 does not fit one
def test_a_row_count_that_overflows_int64_is_refused(rows):
    batch = {b"data": PickledArray((rows, 3072), "u1", b""), b"labels": []}
    with pytest.raises(FormatError, match=rf"rows: 'data' must be N×3072 uint8 \({rows * 3072} bytes"):
        parse_cifar_pickle(pickle.dumps(batch, protocol=4), "rows")


def test_a_boolean_dimension_is_refused():
    batch = {b"data": PickledArray((True, 3072), "u1", bytes(3072)), b"labels": [0]}
    with pytest.raises(UnsafePickleError, match="bool: ndarray shape must be a tuple of non-negative ints"):
        parse_cifar_pickle(pickle.dumps(batch, protocol=4), "bool")


@pytest.mark.parametrize(
    ("pickled", "reason"),
    [
        (b"\x80\x02N" + b"r" + (2**24).to_bytes(4, "little") + b".", "memo index 16777216 in a pickle of 9 bytes"),
        (b"\x80\x04\x8e" + (2**31).to_bytes(8, "little") + b"xx", "expected 2147483648 bytes in a bytes8"),
    ],
    ids=["LONG_BINPUT 2**24", "BINBYTES8 of 2 GB"],
)
def test_a_pickle_announcing_gigabytes_is_refused_before_they_are_allocated(pickled, reason):
    """The C unpickler allocates a counted object, and fills a memo up to twice a LONG_BINPUT index, up front."""
    tracemalloc.start()
    try:
        with pytest.raises(FormatError, match=f"greedy: not a valid CIFAR pickle .*{reason}"):
            parse_cifar_pickle(pickled, "greedy")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000


@pytest.mark.parametrize("layout", ["binary", "python"])
def test_archive_in_either_layout_gives_train_and_test(layout):
    splits = tiny_cifar()
    members = read_members(gzip.decompress(cifar_archive(splits, layout)), "c.tar")
    for split in ("train", "test"):
        images, labels = read_cifar_archive(members, "c.tar", split)
        np.testing.assert_array_equal(images, splits[split][0])
        np.testing.assert_array_equal(labels, splits[split][1])


def test_archive_without_batches_says_what_it_expected():
    with pytest.raises(FormatError, match="no CIFAR-10 test batches found"):
        read_cifar_archive({"other/file": b""}, "c.tar", "test")


def test_load_from_a_data_dir_refuses_a_copy_whose_checksum_differs(tmp_path):
    (tmp_path / "cifar-10-binary.tar.gz").write_bytes(cifar_archive(tiny_cifar()))
    with pytest.raises(ChecksumError, match="cifar-10-binary.tar.gz: checksum mismatch.*--no-verify"):
        load("cifar-10", "train", data_dir=tmp_path)


def test_load_without_verification_warns_naming_the_file_and_returns_the_data(tmp_path):
    splits = tiny_cifar()
    path = tmp_path / "cifar-10-binary.tar.gz"
    path.write_bytes(cifar_archive(splits))
    with pytest.warns(ChecksumWarning, match=f"{path}: checksum mismatch"):
        images, labels = load("cifar-10", "test", data_dir=tmp_path, verify=False)
    np.testing.assert_array_equal(images, splits["test"][0])
    assert labels.dtype == np.int64


def test_python_archive_is_used_when_no_binary_archive_is_there(tmp_path):
    splits = tiny_cifar()
    (tmp_path / "cifar-10-python.tar.gz").write_bytes(cifar_archive(splits, "python"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChecksumWarning)
        images, _ = load("cifar-10", "train", data_dir=tmp_path, verify=False)
    np.testing.assert_array_equal(images, splits["train"][0])


def test_evil_pickle_inside_a_python_archive_is_refused_through_load(tmp_path):
    marker = tmp_path / "pwned"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
            data = pickle.dumps({b"data": _RunsCode(marker), b"labels": [0]}, protocol=2)
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    (tmp_path / "cifar-10-python.tar.gz").write_bytes(gzip.compress(buffer.getvalue()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChecksumWarning)
        with pytest.raises(UnsafePickleError, match="data_batch_1: pickle asks for"):
            load("cifar-10", "train", data_dir=tmp_path, verify=False)
    assert not marker.exists()
