"""Datasets: MNIST, Fashion-MNIST, CIFAR-10, scikit-learn's digits and the lab's synthetic 2-D data.

``load(name, split)`` returns NumPy arrays (images uint8 N×H×W×C, labels int64); files are
downloaded on first use into a cache from several mirrors and verified by SHA-256; ``info(name)``
gives shapes, per-channel statistics and class counts; :class:`Batches` turns arrays or tensors into
minibatches without per-sample Python.
"""

from shootout.data.batches import Batches
from shootout.data.errors import (
    ChecksumError,
    ChecksumWarning,
    DatasetError,
    DownloadError,
    FormatError,
    UnsafeArchiveError,
    UnsafePickleError,
)
from shootout.data.idx import read_idx, write_idx
from shootout.data.loaders import fetch, load
from shootout.data.registry import DATASETS, get_spec
from shootout.data.splits import SYNTHETIC, Splits, describe_test_split, load_splits, stratified_subsample
from shootout.data.stats import DatasetInfo, channel_mean_std, info
from shootout.data.store import cache_root
from shootout.data.synthetic import sample_gauss_2d, sample_gmm_2d

__all__ = [
    "DATASETS",
    "SYNTHETIC",
    "Batches",
    "ChecksumError",
    "ChecksumWarning",
    "DatasetError",
    "DatasetInfo",
    "DownloadError",
    "FormatError",
    "Splits",
    "UnsafeArchiveError",
    "UnsafePickleError",
    "cache_root",
    "channel_mean_std",
    "describe_test_split",
    "fetch",
    "get_spec",
    "info",
    "load",
    "load_splits",
    "read_idx",
    "sample_gauss_2d",
    "sample_gmm_2d",
    "stratified_subsample",
    "write_idx",
]
