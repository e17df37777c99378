"""The loaders' own code paths under fuzzing: each mutated file loads correctly or raises a DatasetError naming it.

Each test feeds ``CASES`` mutated inputs through one path that real loads run:

- ``read_idx`` on bytes: ``read_payload``'s streaming ``_gunzip``, then ``parse_idx``;
- ``load("mnist", data_dir=...)``: the same from files on disk, through ``fetch_slot``;
- ``load("cifar-10", data_dir=...)``: ``_gunzip``, ``read_members`` and ``read_cifar_archive``, for the
  binary archive and for the python (pickle) archive;
- ``parse_cifar_pickle``: the restricted unpickler.

An outcome is a correct load (the right dtype and shape; equal to the original when the mutation left the
data as it was, and to what an independent decoder reads otherwise) or a ``DatasetError`` whose message
names the file. Anything else fails the test with the case's number and mutation: another exception, a
case that runs over ``CASE_SECONDS`` or allocates over ``CASE_BYTES``. Each test draws its inputs from its
own seeded generator, so what it runs does not depend on which other tests ran. Marked ``fuzz``; the
session summary prints the cases each path ran, loaded and refused.
"""

from __future__ import annotations

import gzip
import io
import pickle
import signal
import struct
import tarfile
import tracemalloc
import warnings
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from shootout.data import ChecksumWarning, DatasetError, load, read_idx
from shootout.data.cifar import BINARY_MEMBERS, PYTHON_MEMBERS, RECORD, parse_cifar_pickle
from shootout.data.idx import encode_idx
from tests import mutate
from tests.fakes import (
    PickledArray,
    cifar_binary_batch,
    cifar_pickle_batch,
    tar_bytes,
    tiny_cifar,
    tiny_idx_arrays,
)

# Mutated protocol-0 strings hold escapes like "\\S"; Python warns about them while the parsers refuse them.
pytestmark = [pytest.mark.fuzz, pytest.mark.filterwarnings("ignore:invalid escape sequence:DeprecationWarning")]
CASES = 2000
CASE_SECONDS = 5  # a case takes milliseconds; one past this hangs
CASE_BYTES = 16 << 20  # the inputs are under 100 kB; a parser that allocates more trusted a length field
COUNTS: dict[str, Counter] = {}  # path -> {"loaded": n, "refused": m}, printed by conftest's summary


@pytest.fixture(autouse=True)
def report_counts(record_property):
    """Hand the test's counts to conftest's summary as a property of its report: a report reaches the
    summary from an xdist worker's process too, where this module's COUNTS does not."""
    yield
    for path, seen in COUNTS.items():
        record_property("fuzz_cases", (path, dict(seen)))
    COUNTS.clear()


class CaseTimeout(BaseException):
    """A case ran past CASE_SECONDS (a BaseException, so that no parser's ``except Exception`` hides it)."""


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    def expire(signum, frame):
        raise CaseTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class Case:
    """One mutated input: how to load it, which file it is, and what a load of it must return."""

    how: str  # the mutation, to read and rebuild a failing case
    load: Callable[[], object]
    file: str  # a refusal must name it
    check: Callable[[object], None]  # asserts a successful load is correct
    must_load: bool = False  # the mutation kept the data valid (a re-compression, an untouched batch)


def fuzz(path: str, make_case: Callable[[np.random.Generator], Case]) -> Counter:
    """Run CASES cases of ``make_case`` through ``path``; fail on any outcome but a correct load or a DatasetError."""
    rng = np.random.default_rng(zlib.crc32(path.encode()))  # this path's own inputs, whatever ran before
    outcomes: Counter = Counter()
    tracemalloc.start()
    try:
        for number in range(CASES):
            case = make_case(rng)
            where = f"{path} case {number} ({case.how})"
            before = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            try:
                with _deadline(CASE_SECONDS):
                    result = case.load()
            except DatasetError as exc:
                assert not case.must_load, f"{where}: a valid input was refused: {exc}"
                assert case.file in str(exc), f"{where}: the error does not name {case.file}: {exc}"
                outcomes["refused"] += 1
            except CaseTimeout:
                pytest.fail(f"{where}: still running after {CASE_SECONDS} s")
            except Exception as exc:
                pytest.fail(f"{where}: {type(exc).__name__} escaped instead of a DatasetError: {exc}")
            else:
                try:
                    case.check(result)
                except AssertionError as exc:
                    raise AssertionError(f"{where}: wrong load: {exc}") from exc
                outcomes["loaded"] += 1
            allocated = tracemalloc.get_traced_memory()[1] - before
            assert allocated < CASE_BYTES, f"{where}: allocated {allocated:,} bytes"
    finally:
        tracemalloc.stop()
    COUNTS[path] = outcomes
    return outcomes


def _put(path: Path, data: bytes) -> None:
    """Write a case's file as a new file: truncating the last case's file costs milliseconds on ext4."""
    path.unlink(missing_ok=True)
    path.write_bytes(data)


def _gunzip_reference(data: bytes) -> bytes:
    """What the standard library's gzip module reads from ``data`` (raw bytes pass through), to compare with."""
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


# --- IDX: read_payload's streaming gunzip and parse_idx ------------------------------------------

IDX_SEEDS = [
    np.arange(24, dtype=np.uint8).reshape(2, 3, 4),
    np.arange(-3, 3, dtype=np.int8),
    np.arange(-6, 6, dtype=np.int16).reshape(3, 4),
    np.arange(6, dtype=np.int32),
    np.linspace(-1, 1, 15, dtype=np.float32).reshape(3, 5),
    np.linspace(0, 1, 4, dtype=np.float64),
    *tiny_idx_arrays().values(),  # MNIST-shaped images (12×28×28 and 5×28×28) and labels
]


def _idx_reference(payload: bytes) -> np.ndarray:
    """The array an IDX payload holds, decoded from the format's definition (to compare a load with)."""
    dtype = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}[payload[2]]
    shape = struct.unpack(f">{payload[3]}I", payload[4 : 4 + 4 * payload[3]])
    return np.frombuffer(payload, dtype=dtype, offset=4 + 4 * payload[3]).reshape(shape)


def _mutated_idx_payload(rng: np.random.Generator, payload: bytes) -> tuple[bytes, str]:
    """The header fields (dtype code, ndim, a dimension) set to surprising values, or blind byte edits."""
    out = bytearray(payload)
    what = int(rng.integers(4))
    if what == 0:
        out[2] = int(rng.choice([0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E, int(rng.integers(256))]))
        return bytes(out), f"dtype code {out[2]:#x}"
    if what == 1:
        out[3] = int(rng.choice([0, 1, 2, 3, 4, 255, int(rng.integers(256))]))
        return bytes(out), f"ndim {out[3]}"
    if what == 2:
        dim = int(rng.integers(max(out[3], 1)))
        value = mutate.interesting_int(rng) % 2**32
        out[4 + 4 * dim : 8 + 4 * dim] = value.to_bytes(4, "big")
        return bytes(out), f"dim {dim} = {value}"
    return mutate.mutate_bytes(rng, payload)


def _mutated_idx_file(rng: np.random.Generator, payload: bytes) -> tuple[bytes, str, bool]:
    """A mutated IDX file (gzip or raw) of ``payload``, and whether it still holds ``payload`` exactly."""
    layer = int(rng.integers(6))
    if layer == 0:  # a valid re-compression: several members, another level and header
        data, how = mutate.regzip(rng, payload)
        return data, how, True
    if layer == 1:
        data, how = mutate.damage_gzip(rng, payload)
        return data, how, False
    if layer == 2:  # blind edits of the compressed stream
        data, how = mutate.mutate_bytes(rng, gzip.compress(payload, mtime=0))
        return data, f"gz {how}", False
    edited, how = _mutated_idx_payload(rng, payload)
    if layer == 3:  # an uncompressed file, as some mirrors serve them
        return edited, f"raw {how}", edited == payload
    return gzip.compress(edited, compresslevel=1, mtime=0), f"payload {how}", edited == payload


def _check_idx(array: np.ndarray, original: np.ndarray, data: bytes, intact: bool) -> None:
    assert isinstance(array, np.ndarray) and array.dtype.isnative and array.ndim >= 1, array.dtype
    assert encode_idx(array) == _gunzip_reference(data), "the array is not what the file's bytes say"
    if intact:
        assert array.dtype == original.dtype and np.array_equal(array, original)


def _idx_case(rng: np.random.Generator) -> Case:
    original = IDX_SEEDS[int(rng.integers(len(IDX_SEEDS)))]
    data, how, intact = _mutated_idx_file(rng, encode_idx(original))
    return Case(
        how,
        lambda: read_idx(data, "fuzz-idx.gz"),
        "fuzz-idx.gz",
        lambda array: _check_idx(array, original, data, intact),
        must_load=intact,
    )


def test_read_idx_streaming_gunzip_and_parse_idx_survive_mutation():
    """read_idx on bytes: read_payload streams the gzip through _gunzip, then parse_idx reads the header."""
    outcomes = fuzz("read_idx", _idx_case)
    assert outcomes["loaded"] and outcomes["refused"], outcomes


def test_load_mnist_from_a_data_dir_survives_mutated_idx_files(tmp_path):
    """load("mnist", data_dir=...): fetch_slot reads a mutated file from disk through read_payload and parse_idx."""
    arrays = {"images": tiny_idx_arrays()["test-images"], "labels": tiny_idx_arrays()["test-labels"]}
    names = {"images": "t10k-images-idx3-ubyte.gz", "labels": "t10k-labels-idx1-ubyte.gz"}

    def check(result, files: dict[str, bytes], intact: bool) -> None:
        images, labels = result
        assert images.dtype == np.uint8 and images.ndim == 4 and images.shape[1:] == (28, 28, 1), images.shape
        assert labels.dtype == np.int64 and labels.shape == (len(images),) and 0 <= labels.min() <= labels.max() < 10
        assert np.array_equal(images[..., 0], _idx_reference(_gunzip_reference(files["images"])))
        assert np.array_equal(labels, _idx_reference(_gunzip_reference(files["labels"])))
        if intact:
            assert np.array_equal(images[..., 0], arrays["images"]) and np.array_equal(labels, arrays["labels"])

    def loaded() -> tuple[np.ndarray, np.ndarray]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ChecksumWarning)  # the tiny files are not the registry's
            return load("mnist", "test", data_dir=tmp_path, verify=False)

    def make_case(rng: np.random.Generator) -> Case:
        target = str(rng.choice(list(names)))
        files = {slot: gzip.compress(encode_idx(array), mtime=0) for slot, array in arrays.items()}
        files[target], how, intact = _mutated_idx_file(rng, encode_idx(arrays[target]))
        for slot, data in files.items():
            _put(tmp_path / names[slot], data)
        return Case(f"{target}: {how}", loaded, names[target], lambda result: check(result, files, intact), intact)

    outcomes = fuzz("load(mnist)", make_case)
    assert outcomes["loaded"] and outcomes["refused"], outcomes


# --- CIFAR-10 archives: gunzip, read_members, read_cifar_archive ---------------------------------

CIFAR = tiny_cifar(seed=1, train_per_batch=1, test=2)


def _members(layout: str, protocol: int) -> dict[str, bytes]:
    """The six batches of CIFAR in the binary or python layout (pickled with ``protocol``)."""
    names = BINARY_MEMBERS if layout == "binary" else PYTHON_MEMBERS
    encode = cifar_binary_batch if layout == "binary" else lambda x, y: cifar_pickle_batch(x, y, protocol)
    (x_train, y_train), test = CIFAR["train"], CIFAR["test"]
    per = len(x_train) // 5
    parts = [(x_train[i * per : (i + 1) * per], y_train[i * per : (i + 1) * per]) for i in range(5)]
    return {name: encode(*part) for name, part in zip([*names["train"], *names["test"]], [*parts, test], strict=True)}


def _decode_binary(members: dict[str, bytes], split: str) -> tuple[np.ndarray, np.ndarray] | None:
    """The split as the binary format defines it, or None where the batches do not form one."""
    if not all(name in members for name in BINARY_MEMBERS[split]):
        return None
    blobs = [bytes(members[name]) for name in BINARY_MEMBERS[split]]
    if any(len(blob) == 0 or len(blob) % RECORD for blob in blobs):
        return None
    records = np.frombuffer(b"".join(blobs), dtype=np.uint8).reshape(-1, RECORD)
    if records[:, 0].max() >= 10:
        return None
    return records[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), records[:, 0].astype(np.int64)


def _mutated_members(rng: np.random.Generator, layout: str, members: dict[str, bytes]) -> tuple[dict, str]:
    """Members with one batch edited, emptied, dropped or renamed into the other layout."""
    members = dict(members)
    name = str(rng.choice(list(members)))
    what = int(rng.integers(5))
    if what == 0:
        if layout == "python" and rng.integers(2):
            members[name], how = mutate.edit_pickle_opcodes(rng, members[name])
        else:
            members[name], how = mutate.mutate_bytes(rng, members[name])
        return members, f"{name}: {how}"
    if what == 1 and layout == "binary":  # a label byte out of 0..9
        record = int(rng.integers(len(members[name]) // RECORD))
        blob = bytearray(members[name])
        blob[record * RECORD] = int(rng.integers(10, 256))
        members[name] = bytes(blob)
        return members, f"{name}: label {blob[record * RECORD]} in record {record}"
    if what == 2:
        members[name] = b""
        return members, f"{name} empty"
    if what == 3:
        del members[name]
        return members, f"{name} missing"
    other = str(rng.choice([*BINARY_MEMBERS["test"], *PYTHON_MEMBERS["test"], *BINARY_MEMBERS["train"]]))
    members[other] = members.pop(name)
    return members, f"{name} renamed {other}"


def _mutated_archive(
    rng: np.random.Generator, layout: str, members: dict, tar: bytes
) -> tuple[bytes, str, dict | None]:
    """A mutated .tar.gz of ``members`` (``tar``), with the members it holds where known without parsing it.

    Edits of the members or the tar are stored in gzip level 0: the gzip layer has cases of its own.
    """
    layer = int(rng.integers(6))
    if layer == 0:
        edited, how = _mutated_members(rng, layout, members)
        return gzip.compress(tar_bytes(edited), compresslevel=0, mtime=0), how, edited
    if layer == 1:
        tar, how = mutate.edit_tar_header(rng, tar, list(members))
    elif layer == 2:
        tar, how = mutate.with_pax_headers(rng, members)
    elif layer == 3:
        tar, how = mutate.mutate_bytes(rng, tar)
        how = f"tar {how}"
    elif layer == 4:
        data, how = mutate.regzip(rng, tar)
        return data, how, members
    else:
        data, how = mutate.damage_gzip(rng, tar)
        return data, how, None
    return gzip.compress(tar, compresslevel=0, mtime=0), how, None


def _members_by_tarfile(data: bytes) -> dict[str, bytes]:
    """The regular files of a .tar.gz as the standard library's tarfile extracts them (the reference)."""
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(data)), mode="r:") as archive:
        return {m.name: archive.extractfile(m).read() for m in archive.getmembers() if m.isreg()}


def _still_valid(members: dict[str, bytes], layout: str, split: str, originals: dict[str, bytes]) -> bool:
    """Whether an archive holding ``members`` must load ``split`` (its own batches decode; no other layout's set)."""
    if layout == "binary":
        return _decode_binary(members, split) is not None
    intact = all(members.get(name) == originals[name] for name in PYTHON_MEMBERS[split])
    return intact and not all(name in members for name in BINARY_MEMBERS[split])


def _check_cifar(result, layout: str, split: str, data: bytes, known: dict | None, originals: dict) -> None:
    images, labels = result
    assert images.dtype == np.uint8 and images.ndim == 4 and images.shape[1:] == (32, 32, 3), images.shape
    assert labels.dtype == np.int64 and labels.shape == (len(images),), labels.shape
    assert labels.size == 0 or 0 <= labels.min() <= labels.max() < 10, labels
    members = known if known is not None else _members_by_tarfile(data)
    if layout == "binary":
        expected = _decode_binary(members, split)
        assert expected is not None, "loaded batches that do not form a binary split"
    elif all(members.get(name) == originals[name] for name in PYTHON_MEMBERS[split]):
        expected = CIFAR[split]
    else:
        return  # an edited pickle that still parses: dtype and shape are all there is to check
    assert np.array_equal(images, expected[0]) and np.array_equal(labels, expected[1]), "not what the batches hold"


def _cifar_fuzz(layout: str, folder: Path) -> Counter:
    file = folder / ("cifar-10-binary.tar.gz" if layout == "binary" else "cifar-10-python.tar.gz")
    originals = [_members(layout, protocol) for protocol in ((2,) if layout == "binary" else (2, 3, 4, 5))]
    tars = [tar_bytes(members) for members in originals]

    def make_case(rng: np.random.Generator) -> Case:
        which = int(rng.integers(len(originals)))
        members = originals[which]
        split = str(rng.choice(["train", "test"]))
        data, how, known = _mutated_archive(rng, layout, members, tars[which])
        _put(file, data)
        valid = known is not None and _still_valid(known, layout, split, members)

        def loaded() -> tuple[np.ndarray, np.ndarray]:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ChecksumWarning)  # the tiny archive is not the registry's
                return load("cifar-10", split, data_dir=folder, verify=False)

        def check(result) -> None:
            _check_cifar(result, layout, split, data, known, members)

        return Case(f"{split}: {how}", loaded, file.name, check, must_load=valid)

    return fuzz(f"load(cifar-10 {layout})", make_case)


def test_read_cifar_archive_binary_layout_survives_mutation(tmp_path):
    """load("cifar-10", data_dir=...) on cifar-10-binary.tar.gz: _gunzip, read_members, read_cifar_archive."""
    outcomes = _cifar_fuzz("binary", tmp_path)
    assert outcomes["loaded"] and outcomes["refused"], outcomes


def test_read_cifar_archive_python_layout_survives_mutation(tmp_path):
    """load("cifar-10", data_dir=...) on cifar-10-python.tar.gz: the same, then the restricted unpickler per batch."""
    outcomes = _cifar_fuzz("python", tmp_path)
    assert outcomes["loaded"] and outcomes["refused"], outcomes


# --- the restricted unpickler: parse_cifar_pickle ----------------------------------------------

VALID_DTYPE_NAMES = ("u1", "|u1", "<u1", "=u1", "uint8", b"u1")


def _crafted_batch(rng: np.random.Generator) -> tuple[bytes, str, tuple[np.ndarray, np.ndarray] | None]:
    """A batch pickled from edited fields (shape, dtype, bytes, labels, keys), with what it must load to if valid."""
    n = int(rng.integers(1, 4))
    shape, dtype = (n, 3072), "u1"
    raw = rng.integers(0, 256, n * 3072, dtype=np.uint8).tobytes()
    labels: list = [int(v) for v in rng.integers(0, 10, n)]
    keys, notes = [b"data", b"labels"], []
    for _ in range(int(rng.integers(0, 3))):
        what = int(rng.integers(8))
        if what == 0:  # a shape promising other bytes than the array holds
            if rng.integers(2):
                shape = (mutate.interesting_int(rng) if rng.integers(8) else [True, -1][int(rng.integers(2))], 3072)
            else:
                shape = tuple(mutate.interesting_int(rng) for _ in range(int(rng.integers(0, 4))))
            raw = b"" if rng.integers(2) else raw
            notes.append(f"shape {shape} with {len(raw)} bytes")
        elif what == 1:
            dtype = VALID_DTYPE_NAMES[int(rng.integers(len(VALID_DTYPE_NAMES)))]
            notes.append(f"dtype {dtype!r}")
        elif what == 2:
            dtype = ["f4", "O", "V3072", "<i8", "i1", "", "u1\x00", 5, None][int(rng.integers(9))]
            notes.append(f"dtype {dtype!r}")
        elif what == 3:
            raw = raw[: int(rng.integers(len(raw) + 1))] + rng.bytes(int(rng.integers(0, 4)))
            notes.append(f"{len(raw)} bytes")
        elif what == 4:
            odd = [-1, 10, 255, 2**31, 2**63, 2**70, True, 1.0, "1", None, b"1"][int(rng.integers(11))]
            labels = [*labels[1:], odd]
            notes.append(f"labels {labels!r}")
        elif what == 5:
            labels = labels[:-1] if rng.integers(2) else [*labels, 0]
            notes.append(f"{len(labels)} labels")
        elif what == 6:
            keys = ["data", "labels"]  # text keys, as Python 3 would write them
            notes.append("text keys")
        else:
            keys[int(rng.integers(2))] = b"other"
            notes.append(f"keys {keys}")
    array = PickledArray(shape, dtype, raw, frombuffer=bool(rng.integers(2)))
    batch = {b"batch_label": b"crafted", b"filenames": [b"x.png"] * n, keys[0]: array, keys[1]: labels}
    protocol = int(rng.integers(2, 6))
    valid = (
        shape == (n, 3072)
        and len(raw) == n * 3072
        and dtype in VALID_DTYPE_NAMES
        and keys[0] in (b"data", "data")
        and keys[1] in (b"labels", "labels")
        and len(labels) == n
        and all(type(v) is int and 0 <= v < 10 for v in labels)
    )
    expected = None
    if valid:
        images = np.frombuffer(raw, dtype=np.uint8).reshape(n, 3, 32, 32).transpose(0, 2, 3, 1)
        expected = images, np.array(labels, dtype=np.int64)
    return pickle.dumps(batch, protocol=protocol), f"crafted p{protocol} {'; '.join(notes) or 'as is'}", expected


PICKLE_IMAGES = np.random.default_rng(2).integers(0, 256, size=(2, 32, 32, 3), dtype=np.uint8)
PICKLE_LABELS = np.array([1, 9])
PICKLES = [cifar_pickle_batch(PICKLE_IMAGES, PICKLE_LABELS, protocol=p) for p in (2, 3, 4, 5)]


def _check_batch(result, expected: tuple[np.ndarray, np.ndarray] | None) -> None:
    images, labels = result
    assert images.dtype == np.uint8 and images.ndim == 4 and images.shape[1:] == (32, 32, 3), images.shape
    assert labels.dtype == np.int64 and labels.shape == (len(images),) and np.all((labels >= 0) & (labels < 10))
    if expected is not None:
        assert np.array_equal(images, expected[0]) and np.array_equal(labels, expected[1])


def _pickle_case(rng: np.random.Generator) -> Case:
    seed = PICKLES[int(rng.integers(len(PICKLES)))]
    layer = int(rng.integers(3))
    if layer == 0:
        data, how = mutate.mutate_bytes(rng, seed)
    elif layer == 1:
        data, how = mutate.edit_pickle_opcodes(rng, seed)
    else:
        data, how, expected = _crafted_batch(rng)
    if layer < 2:
        expected = (PICKLE_IMAGES, PICKLE_LABELS) if data == seed else None
    return Case(
        how,
        lambda: parse_cifar_pickle(data, "fuzz-batch"),
        "fuzz-batch",
        lambda result: _check_batch(result, expected),
        must_load=expected is not None,
    )


def test_restricted_unpickler_survives_mutated_pickles():
    """parse_cifar_pickle: RestrictedUnpickler on edited bytes, edited opcodes and batches pickled from odd fields."""
    outcomes = fuzz("parse_cifar_pickle", _pickle_case)
    assert outcomes["loaded"] and outcomes["refused"], outcomes
