"""The parsers under fuzzing: mutated and truncated inputs raise DatasetError or parse — nothing else escapes.

Marked ``fuzz``; CI runs it (2,000 cases per parser). The number of cases run is reported in the
summary at the end of the test session.
"""

import contextlib
import gzip
import pickle

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shootout.data import DatasetError
from shootout.data.cifar import parse_cifar_binary, parse_cifar_pickle
from shootout.data.files import read_payload
from shootout.data.idx import encode_idx, parse_idx
from tests.fakes import cifar_binary_batch, cifar_pickle_batch

pytestmark = pytest.mark.fuzz
CASES = 2000
FUZZ = settings(
    max_examples=CASES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
COUNTS: dict[str, int] = {}

_rng = np.random.default_rng(0)
_IMAGES = _rng.integers(0, 256, size=(2, 32, 32, 3), dtype=np.uint8)
SEEDS = {
    "idx": [
        encode_idx(np.arange(24, dtype=np.uint8).reshape(2, 3, 4)),
        encode_idx(np.arange(6, dtype=np.int32)),
        gzip.compress(encode_idx(np.ones((3, 5), dtype=np.float32))),
    ],
    "cifar-binary": [cifar_binary_batch(_IMAGES, np.array([1, 9]))],
    "cifar-pickle": [cifar_pickle_batch(_IMAGES, np.array([1, 9]), protocol=p) for p in (2, 4, 5)]
    + [pickle.dumps({b"data": 1, b"labels": [0]})],
}


def mutated(seeds: list[bytes]) -> st.SearchStrategy[bytes]:
    """A seed with random byte edits, cut at a random length, or with junk appended; or pure junk."""

    @st.composite
    def build(draw):
        if draw(st.integers(0, 9)) == 0:
            return draw(st.binary(max_size=300))
        data = bytearray(draw(st.sampled_from(seeds)))
        for _ in range(draw(st.integers(0, 6))):
            position = draw(st.integers(0, max(len(data) - 1, 0)))
            if data:
                data[position] = draw(st.integers(0, 255))
        cut = draw(st.integers(0, len(data)))
        tail = draw(st.binary(max_size=16))
        return bytes(data[:cut] if draw(st.booleans()) else data + tail)

    return build()


def _only_dataset_errors(kind: str, parse, data: bytes) -> None:
    COUNTS[kind] = COUNTS.get(kind, 0) + 1
    with contextlib.suppress(DatasetError):  # anything else escapes and fails the test
        parse(data)


@FUZZ
@given(mutated(SEEDS["idx"]))
def test_idx_reader_raises_only_dataset_errors(data):
    _only_dataset_errors("idx", lambda d: parse_idx(read_payload(d, "fuzz.gz"), "fuzz.gz"), data)


@FUZZ
@given(mutated(SEEDS["cifar-binary"]))
def test_cifar_binary_reader_raises_only_dataset_errors(data):
    _only_dataset_errors("cifar-binary", lambda d: parse_cifar_binary(d, "fuzz.bin"), data)


@FUZZ
@given(mutated(SEEDS["cifar-pickle"]))
def test_cifar_pickle_reader_raises_only_dataset_errors(data):
    _only_dataset_errors("cifar-pickle", lambda d: parse_cifar_pickle(d, "fuzz"), data)


def test_every_parser_saw_the_full_fuzzing_budget():
    assert all(COUNTS.get(kind, 0) >= CASES for kind in SEEDS), COUNTS
