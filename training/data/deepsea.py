"""``prepare --deepsea-bundle DIR``: DeepSEA's training data (the data LOGO-919 was trained on)
as a sharded dataset (``training.data.shards``).

The bundle (Zhou & Troyanskaya 2015, ``deepsea_train_bundle.v0.9.tar.gz``) holds:

- ``train.mat``: MATLAB v7.3, i.e. HDF5, read with h5py and streamed ``CHUNK`` windows at a
  time (the one-hot array alone is ~17.6 GB): ``trainxdata`` as h5py shows it is
  ``(1000, 4, n)`` (positions, bases, windows: MATLAB's ``n x 4 x 1000`` in column-major
  order) and ``traindata`` ``(919, n)``;
- ``valid.mat`` and ``test.mat``: MATLAB v5, read with scipy (whole: 1.8 GB for ``test.mat``):
  ``validxdata``/``testxdata`` ``(n, 4, 1000)`` and ``validdata``/``testdata`` ``(n, 919)``.

The one-hot rows are in the order A, G, C, T (``ONE_HOT_ORDER``); a position whose four values
are not exactly one 1 is an N. These windows are exactly 1000 bp, with no flanking bases, so
they are read with an N-padded frame tail (``core.windows``), as LOGO reads them. The axis
orders are checked against the expected sizes (4 bases; the window length) and a file laid out
otherwise is refused. Feature names come from a names file (one per line, optionally
``NAME<TAB>GROUP``), else ``feature_001`` ... in column order.
"""

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.kmers import ALPHABET, TOKENIZER_VERSION
from core.manifest import Feature, file_sha256
from core.windows import WindowSpec
from training.data.feature_table import read_feature_names
from training.data.shards import SHARD_WINDOWS, ShardWriter, feature_json, write_manifest

logger = logging.getLogger(__name__)

ONE_HOT_ORDER = "AGCT"
DEEPSEA_LENGTH = 1000
CHUNK = 8192
FILES = {
    "train": ("train.mat", "trainxdata", "traindata"),
    "validation": ("valid.mat", "validxdata", "validdata"),
    "test": ("test.mat", "testxdata", "testdata"),
}
_CODE_OF_COLUMN = np.array([ALPHABET.index(base) for base in ONE_HOT_ORDER], dtype=np.uint8)
_N = ALPHABET.index("N")


class BundleError(ValueError):
    """A DeepSEA bundle that cannot be read as documented."""


def one_hot_codes(one_hot: NDArray[Any]) -> NDArray[np.uint8]:
    """Base codes ``(n, L)`` of one-hot windows ``(n, 4, L)`` in DeepSEA's A, G, C, T order."""
    ones = one_hot == 1
    single = ones.sum(axis=1) == 1  # n L
    codes = _CODE_OF_COLUMN[ones.argmax(axis=1)]
    codes[~single] = _N
    result: NDArray[np.uint8] = codes.astype(np.uint8)
    return result


def _require(
    path: Path, key: str, shape: tuple[int, ...], expected: tuple[int | None, ...]
) -> None:
    """Refuse an array laid out otherwise than DeepSEA's (``None``: any size on that axis)."""
    if len(shape) != len(expected) or any(
        e not in (None, s) for s, e in zip(shape, expected, strict=False)
    ):
        layout = ", ".join("n" if e is None else str(e) for e in expected)
        raise BundleError(
            f"{path} {key} has shape {shape}; DeepSEA's {path.name} holds ({layout}) as it is "
            "read here (h5py for train.mat, scipy for valid.mat and test.mat)"
        )


def _hdf5_chunks(path: Path, x_key: str, y_key: str) -> Iterator[tuple[NDArray[Any], NDArray[Any]]]:
    import h5py  # the train extra

    with h5py.File(path, "r") as handle:
        x, y = handle[x_key], handle[y_key]
        _require(path, x_key, x.shape, (DEEPSEA_LENGTH, 4, None))
        _require(path, y_key, y.shape, (None, x.shape[2]))
        for start in range(0, x.shape[2], CHUNK):
            end = min(start + CHUNK, x.shape[2])
            yield np.transpose(x[:, :, start:end], (2, 1, 0)), np.asarray(y[:, start:end]).T


def _matlab_chunks(
    path: Path, x_key: str, y_key: str
) -> Iterator[tuple[NDArray[Any], NDArray[Any]]]:
    from scipy.io import loadmat  # the train extra

    arrays = loadmat(str(path), variable_names=[x_key, y_key])
    x, y = arrays[x_key], arrays[y_key]
    _require(path, x_key, x.shape, (None, 4, DEEPSEA_LENGTH))
    _require(path, y_key, y.shape, (x.shape[0], None))
    for start in range(0, len(x), CHUNK):
        yield x[start : start + CHUNK], y[start : start + CHUNK]


def import_bundle(
    bundle: Path,
    out: Path,
    k: int,
    names: Path | None,
    tokenizer: str = TOKENIZER_VERSION,
    shard_windows: int = SHARD_WINDOWS,
) -> dict[str, Any]:
    """Write the bundle's three splits to ``out`` as a dataset, read with an N-padded frame tail
    and ``tokenizer`` (LOGO's own for LOGO-919's recipe); returns its manifest."""
    spec = WindowSpec(DEEPSEA_LENGTH, k, "n-padded", tokenizer)
    missing = [f[0] for f in FILES.values() if not (bundle / f[0]).is_file()]
    if missing:
        raise BundleError(
            f"{bundle} lacks {', '.join(missing)}: give the unpacked deepsea_train directory"
        )
    writers: dict[str, ShardWriter] = {}
    features: list[Feature] = []
    for split, (file_name, x_key, y_key) in FILES.items():
        path = bundle / file_name
        chunks = _hdf5_chunks if split == "train" else _matlab_chunks
        for one_hot, labels in chunks(path, x_key, y_key):
            if not features:
                features = read_feature_names(names, labels.shape[1], "DeepSEA")
            if split not in writers:
                writers[split] = ShardWriter(
                    out, split, spec.fetched_length, len(features), shard_windows
                )
            sites = np.full((len(labels), 2), -1, dtype=np.int64)
            writers[split].add(one_hot_codes(one_hot), labels.astype(np.uint8), sites)
        logger.info("%s: %d windows", split, writers[split].windows)
    manifest = {
        "window": spec.to_json(),
        "bin_size": 200,
        "features": feature_json(features),
        "contigs": [],
        "splits": {split: writer.close() for split, writer in writers.items()},
        "positives": {
            split: dict(zip((f.name for f in features), w.positives.tolist(), strict=True))
            for split, w in writers.items()
        },
        "reference": None,
        "inputs": {str(bundle / f[0]): file_sha256(bundle / f[0]) for f in FILES.values()},
        "settings": {"deepsea_bundle": str(bundle), "one_hot_order": ONE_HOT_ORDER},
    }
    write_manifest(out, manifest)
    return manifest
