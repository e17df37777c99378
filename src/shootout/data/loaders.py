"""``load(name, split)``: a dataset split as NumPy arrays, images uint8 N×H×W×C and labels int64."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np

from shootout.data.archive import read_members
from shootout.data.cifar import read_cifar_archive
from shootout.data.errors import FormatError
from shootout.data.idx import parse_idx
from shootout.data.registry import DIGITS, DatasetSpec, check_split, get_spec
from shootout.data.store import fetch_slot

CHANNEL_ORDERS = ("rgb", "bgr")  # colour images as published (R, G, B), or reversed as OpenCV and MegEngine keep them
DIGITS_TEST_FRACTION = 0.2
DIGITS_SPLIT_SEED = 0


@cache
def _digits_split() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """scikit-learn's digits have no official split: a fixed stratified 80/20 split, seed 0."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    bunch = load_digits()
    images = bunch.images.astype(np.uint8)[..., None]  # (1797, 8, 8, 1), raw values 0..16
    labels = bunch.target.astype(np.int64)
    x_tr, x_te, y_tr, y_te = train_test_split(
        images, labels, test_size=DIGITS_TEST_FRACTION, random_state=DIGITS_SPLIT_SEED, stratify=labels
    )
    return {"train": (x_tr, y_tr), "test": (x_te, y_te)}


def _load_idx(spec: DatasetSpec, split: str, data_dir: Path | None, verify: bool):
    image_slot, label_slot = spec.splits[split]
    image_path, image_payload = fetch_slot(spec, image_slot, data_dir, verify)
    label_path, label_payload = fetch_slot(spec, label_slot, data_dir, verify)
    images = parse_idx(image_payload, str(image_path))
    labels = parse_idx(label_payload, str(label_path))
    h, w, _ = spec.image_shape
    if images.ndim != 3 or images.shape[1:] != (h, w) or images.dtype != np.uint8:
        raise FormatError(f"{image_path}: expected uint8 images N×{h}×{w}, found {images.dtype} {images.shape}")
    if labels.ndim != 1 or labels.shape[0] != images.shape[0]:
        raise FormatError(  # either file may be the wrong one, so the message names both
            f"{label_path}: expected {images.shape[0]} labels, one per image in {image_path}, "
            f"found shape {labels.shape}"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= spec.num_classes):
        raise FormatError(f"{label_path}: labels must lie in 0..{spec.num_classes - 1}")
    return images[..., None], labels.astype(np.int64)


def _load_cifar(spec: DatasetSpec, split: str, data_dir: Path | None, verify: bool):
    (slot,) = spec.splits[split]
    path, payload = fetch_slot(spec, slot, data_dir, verify)
    return read_cifar_archive(read_members(payload, str(path)), str(path), split)


def load(
    name: str,
    split: str = "train",
    data_dir: str | Path | None = None,
    verify: bool = True,
    channel_order: str = "rgb",
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(images, labels)`` for one split of a dataset.

    Parameters
    ----------
    name : ``"digits"``, ``"mnist"``, ``"fashion-mnist"`` or ``"cifar-10"``.
    split : ``"train"`` or ``"test"`` (the official test split; digits: a fixed stratified 20 %).
    data_dir : a folder holding the dataset's files directly; nothing is downloaded then.
        Default: the cache, downloading on first use.
    verify : with False, a local copy whose checksum differs is accepted with a warning naming it.
    channel_order : ``"rgb"`` (as published) or ``"bgr"`` (channels reversed, as OpenCV and MegEngine's
        CIFAR10 give them); colour datasets only.

    Returns
    -------
    images : uint8 array N×H×W×C (C = 1 for the MNIST-like sets).
    labels : int64 array N.
    """
    spec = get_spec(name)
    check_split(split)
    check_channel_order(spec, channel_order)
    folder = Path(data_dir).expanduser() if data_dir is not None else None
    if spec is DIGITS:
        images, labels = _digits_split()[split]
        return images.copy(), labels.copy()
    reader = {"idx": _load_idx, "cifar": _load_cifar}[spec.reader]
    images, labels = reader(spec, split, folder, verify)
    if channel_order == "bgr":
        images = np.ascontiguousarray(images[..., ::-1])  # (N, H, W, 3): R,G,B -> B,G,R
    return images, labels


def check_channel_order(spec: DatasetSpec, channel_order: str) -> None:
    """Refuse an unknown order, and "bgr" for a dataset whose images have one channel (no order to reverse)."""
    if channel_order not in CHANNEL_ORDERS:
        raise ValueError(f"channel_order must be one of {', '.join(CHANNEL_ORDERS)}, got {channel_order!r}")
    if channel_order == "bgr" and spec.image_shape[-1] != 3:
        raise ValueError(f"channel order 'bgr' needs colour images; {spec.name} has {spec.image_shape[-1]} channel")


def fetch(name: str, data_dir: str | Path | None = None, verify: bool = True) -> list[Path]:
    """Make sure every file of ``name`` is present and verified; replace bad cached copies."""
    spec = get_spec(name)
    folder = Path(data_dir).expanduser() if data_dir is not None else None
    paths = []
    for slots in spec.splits.values():
        for slot in slots:
            path, _ = fetch_slot(spec, slot, folder, verify, refresh=folder is None)
            if path not in paths:
                paths.append(path)
    return paths
