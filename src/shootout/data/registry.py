"""What shootout knows about each dataset: files, checksums, shapes, class names, official mirrors.

Checksums are SHA-256 of each file's *decompressed* payload (computed from exact copies of the
official files), so a mirror that re-compresses still passes. For CIFAR-10 only the digest of the
published ``.tar.gz`` itself is known (``archive_sha256``); the decompressed tar could not be had
here to hash, so CIFAR-10 is checked on the archive bytes as published.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from shootout.data.errors import DatasetError

SPLITS = ("train", "test")


@dataclass(frozen=True)
class FileSpec:
    """One acceptable file for a slot: its official name and what its bytes must hash to."""

    name: str
    sha256: str | None  # of the decompressed payload
    archive_sha256: str | None = None  # of the file as published, where the payload digest is unknown


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset: ``slots`` maps a role to the files that may fill it (first one is downloaded)."""

    name: str
    title: str
    image_shape: tuple[int, int, int]  # (H, W, C)
    classes: tuple[str, ...]
    sizes: dict[str, int]  # split -> number of images
    slots: dict[str, tuple[FileSpec, ...]] = field(default_factory=dict)
    splits: dict[str, tuple[str, ...]] = field(default_factory=dict)  # split -> slot names it reads
    mirrors: tuple[str, ...] = ()  # official base URLs: <base>/<file name>
    reader: str = "idx"  # idx | cifar | sklearn-digits

    @property
    def num_classes(self) -> int:
        return len(self.classes)


def _idx_slot(gz_name: str, sha256: str) -> tuple[FileSpec, ...]:
    """An IDX file may sit on disk as published (.gz) or already gunzipped; the payload is the same."""
    return (FileSpec(gz_name, sha256), FileSpec(gz_name.removesuffix(".gz"), sha256))


def _mnist_like(
    name: str, title: str, classes: tuple[str, ...], digests: dict[str, str], mirrors: tuple[str, ...]
) -> DatasetSpec:
    files = {
        "train-images": "train-images-idx3-ubyte.gz",
        "train-labels": "train-labels-idx1-ubyte.gz",
        "test-images": "t10k-images-idx3-ubyte.gz",
        "test-labels": "t10k-labels-idx1-ubyte.gz",
    }
    return DatasetSpec(
        name=name,
        title=title,
        image_shape=(28, 28, 1),
        classes=classes,
        sizes={"train": 60_000, "test": 10_000},
        slots={slot: _idx_slot(file, digests[slot]) for slot, file in files.items()},
        splits={"train": ("train-images", "train-labels"), "test": ("test-images", "test-labels")},
        mirrors=mirrors,
        reader="idx",
    )


MNIST = _mnist_like(
    "mnist",
    "MNIST handwritten digits",
    tuple(str(d) for d in range(10)),
    {
        "train-images": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        "train-labels": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        "test-images": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        "test-labels": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    },
    (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ),
)

FASHION_MNIST = _mnist_like(
    "fashion-mnist",
    "Fashion-MNIST (Zalando article images)",
    ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
    {
        "train-images": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        "train-labels": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        "test-images": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        "test-labels": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    },
    (
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
    ),
)

CIFAR10 = DatasetSpec(
    name="cifar-10",
    title="CIFAR-10 tiny images",
    image_shape=(32, 32, 3),
    classes=("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"),
    sizes={"train": 50_000, "test": 10_000},
    slots={
        "archive": (
            FileSpec(
                "cifar-10-binary.tar.gz",
                None,
                archive_sha256="c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd",
            ),
            FileSpec(
                "cifar-10-python.tar.gz",
                None,
                archive_sha256="6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
            ),
        ),
    },
    splits={"train": ("archive",), "test": ("archive",)},
    mirrors=("https://www.cs.toronto.edu/~kriz/",),
    reader="cifar",
)

DIGITS = DatasetSpec(
    name="digits",
    title="scikit-learn digits (8x8, values 0..16; ships with scikit-learn)",
    image_shape=(8, 8, 1),
    classes=tuple(str(d) for d in range(10)),
    sizes={"train": 1437, "test": 360},
    reader="sklearn-digits",
)

DATASETS: dict[str, DatasetSpec] = {spec.name: spec for spec in (DIGITS, MNIST, FASHION_MNIST, CIFAR10)}


def get_spec(name: str) -> DatasetSpec:
    """Look up a dataset by name; an unknown name raises :class:`DatasetError` with the closest match."""
    try:
        return DATASETS[name]
    except KeyError:
        close = difflib.get_close_matches(name, DATASETS, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise DatasetError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}.{hint}") from None


def check_split(split: str) -> str:
    if split not in SPLITS:
        raise DatasetError(f"unknown split {split!r}; use 'train' or 'test'")
    return split
