"""Tiny generated datasets for the unit tests: IDX files and CIFAR archives with known digests."""

from __future__ import annotations

import gzip
import io
import pickle
import tarfile
from pathlib import Path

import numpy as np

from shootout.data.files import sha256_hex
from shootout.data.idx import encode_idx
from shootout.data.registry import DatasetSpec, FileSpec

IDX_FILES = {
    "train-images": "train-images-idx3-ubyte.gz",
    "train-labels": "train-labels-idx1-ubyte.gz",
    "test-images": "t10k-images-idx3-ubyte.gz",
    "test-labels": "t10k-labels-idx1-ubyte.gz",
}


def tiny_idx_arrays(seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "train-images": rng.integers(0, 256, size=(12, 28, 28), dtype=np.uint8),
        "train-labels": rng.integers(0, 10, size=12, dtype=np.uint8),
        "test-images": rng.integers(0, 256, size=(5, 28, 28), dtype=np.uint8),
        "test-labels": rng.integers(0, 10, size=5, dtype=np.uint8),
    }


def write_tiny_idx(folder: Path, arrays: dict[str, np.ndarray], mtime: int = 0) -> dict[str, bytes]:
    """Write the four gzip IDX files into ``folder``; return their decompressed payloads by slot."""
    folder.mkdir(parents=True, exist_ok=True)
    payloads = {}
    for slot, name in IDX_FILES.items():
        payloads[slot] = encode_idx(arrays[slot])
        (folder / name).write_bytes(gzip.compress(payloads[slot], mtime=mtime))
    return payloads


def tiny_idx_spec(payloads: dict[str, bytes], name: str = "tiny", mirrors: tuple[str, ...] = ()) -> DatasetSpec:
    """A registry entry shaped like MNIST whose digests are those of ``payloads``."""
    slots = {}
    for slot, file in IDX_FILES.items():
        digest = sha256_hex(payloads[slot])
        slots[slot] = (FileSpec(file, digest), FileSpec(file.removesuffix(".gz"), digest))
    return DatasetSpec(
        name=name,
        title="tiny test set",
        image_shape=(28, 28, 1),
        classes=tuple("0123456789"),
        sizes={"train": 12, "test": 5},
        slots=slots,
        splits={"train": ("train-images", "train-labels"), "test": ("test-images", "test-labels")},
        mirrors=mirrors,
        reader="idx",
    )


def cifar_binary_batch(images: np.ndarray, labels: np.ndarray) -> bytes:
    """Encode N×32×32×3 images and labels as official CIFAR-10 binary records."""
    planar = images.transpose(0, 3, 1, 2).reshape(len(images), -1)
    return np.concatenate([labels.astype(np.uint8)[:, None], planar], axis=1).tobytes()


def cifar_pickle_batch(images: np.ndarray, labels: np.ndarray, protocol: int = 2) -> bytes:
    planar = np.ascontiguousarray(images.transpose(0, 3, 1, 2).reshape(len(images), -1))
    batch = {
        b"batch_label": b"test",
        b"labels": [int(v) for v in labels],
        b"data": planar,
        b"filenames": [b"x.png"] * len(labels),
    }
    return pickle.dumps(batch, protocol=protocol)


_NUMPY_CORE = getattr(np, "_core", None) or np.core  # where NumPy's pickles say its functions live


class PickledDtype:
    """Pickles as ``numpy.dtype(name)`` does, for any name (the unpickler must judge the name)."""

    def __init__(self, name: object) -> None:
        self.name = name

    def __reduce__(self):
        return np.dtype, (self.name, False, True), (3, "|", None, None, None, -1, -1, 0)


class PickledArray:
    """Pickles as NumPy pickles an array (``_reconstruct`` and a state, or ``_frombuffer``), with any fields.

    A crafted batch can so claim any shape, dtype or size for its bytes without NumPy checking them.
    """

    def __init__(self, shape: tuple, dtype: object, raw: bytes, frombuffer: bool = False) -> None:
        self.shape, self.dtype, self.raw, self.frombuffer = shape, dtype, raw, frombuffer

    def __reduce__(self):
        if self.frombuffer:
            return _NUMPY_CORE.numeric._frombuffer, (self.raw, PickledDtype(self.dtype), self.shape, "C")
        state = (1, self.shape, PickledDtype(self.dtype), False, self.raw)
        return _NUMPY_CORE.multiarray._reconstruct, (np.ndarray, (0,), b"b"), state


def tar_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def tiny_cifar(seed: int = 0, train_per_batch: int = 4, test: int = 3):
    """Random CIFAR-like splits: {"train": (images, labels), "test": (images, labels)}."""
    rng = np.random.default_rng(seed)

    def split(n: int):
        return rng.integers(0, 256, size=(n, 32, 32, 3), dtype=np.uint8), rng.integers(0, 10, size=n)

    return {"train": split(5 * train_per_batch), "test": split(test)}


def cifar_archive(splits, layout: str = "binary", protocol: int = 2) -> bytes:
    """A gzip-compressed tar in the official binary or python layout."""
    (x_tr, y_tr), (x_te, y_te) = splits["train"], splits["test"]
    per = len(x_tr) // 5
    members = {}
    for i in range(5):
        part = slice(i * per, (i + 1) * per)
        if layout == "binary":
            members[f"cifar-10-batches-bin/data_batch_{i + 1}.bin"] = cifar_binary_batch(x_tr[part], y_tr[part])
        else:
            members[f"cifar-10-batches-py/data_batch_{i + 1}"] = cifar_pickle_batch(x_tr[part], y_tr[part], protocol)
    if layout == "binary":
        members["cifar-10-batches-bin/test_batch.bin"] = cifar_binary_batch(x_te, y_te)
    else:
        members["cifar-10-batches-py/test_batch"] = cifar_pickle_batch(x_te, y_te, protocol)
    return gzip.compress(tar_bytes(members), mtime=0)
