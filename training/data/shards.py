"""A prepared training dataset: windows and labels in memory-mapped shards, with a manifest.

A dataset directory holds ``dataset.json`` (``DATASET_FILE``) and ``shards/``. Every split
(``train``, ``validation``, ``test``) is a list of shards of at most ``shard_windows`` windows;
shard ``shards/{split}-{i:05d}`` is three ``.npy`` files, read with ``mmap_mode="r"`` so that a
data-loader worker touches only the rows of its batch:

- ``.windows.npy`` ``uint8 (n, fetched_length)``: the forward-strand bases of each window as
  ``core.kmers.base_codes`` (``A=0, C=1, G=2, T=3, N=4``, 5 for anything else);
  ``core.windows.WindowSpec.fetched_length`` bases (the N tail of an ``n-padded`` window is
  added by the tokenizer, not stored);
- ``.labels.npy`` ``uint8 (n, ceil(N / 8))``: the ``N`` feature labels, ``np.packbits`` along
  the features (big bit order): 115 bytes per window for DeepSEA's 919 features;
- ``.sites.npy`` ``int64 (n, 2)``: where the window comes from, the index of its contig in
  ``dataset.json``'s ``contigs`` and the 0-based start of its bin; ``-1, -1`` for windows that
  come without coordinates (the DeepSEA bundle).

``dataset.json``: ``format`` (``DATASET_FORMAT``), ``window`` (``WindowSpec.to_json``),
``bin_size``, ``features`` (name, group, description), ``contigs``, ``splits`` (per split its
shard names and window count), ``positives`` (per split, windows positive for each feature),
``inputs`` (each input file with its sha256), ``reference`` (the genome FASTA, when there is
one) and ``settings`` (what ``prepare`` was asked for).
"""

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.manifest import Feature
from core.windows import WindowSpec

DATASET_FILE = "dataset.json"
DATASET_FORMAT = "logoscore-windows-v1"
SPLITS = ("train", "validation", "test")
SHARD_WINDOWS = 65_536
"""Windows per shard: 66 MB of bases for 1000 bp windows."""


def site_keys(sites: NDArray[np.int64]) -> NDArray[np.int64]:
    """One sortable key per site ``(contig index, position)``: ``contig << 40 | position``, so
    that positions on one contig keep their differences and never meet another contig's."""
    keys: NDArray[np.int64] = (sites[:, 0] << 40) | sites[:, 1]
    return keys


@dataclass
class ShardWriter:
    """Appends windows of one split and writes them out a shard at a time."""

    directory: Path
    split: str
    fetched_length: int
    features: int
    shard_windows: int = SHARD_WINDOWS
    shards: list[str] = field(default_factory=list)
    windows: int = 0
    positives: NDArray[np.int64] = field(init=False)
    _pending: list[tuple[NDArray[np.uint8], NDArray[np.uint8], NDArray[np.int64]]] = field(
        default_factory=list
    )
    _pending_windows: int = 0

    def __post_init__(self) -> None:
        self.positives = np.zeros(self.features, dtype=np.int64)
        (self.directory / "shards").mkdir(parents=True, exist_ok=True)

    def add(
        self, codes: NDArray[np.uint8], labels: NDArray[np.uint8], sites: NDArray[np.int64]
    ) -> None:
        """Windows ``(n, fetched_length)``, their labels ``(n, N)`` (0/1) and sites ``(n, 2)``."""
        if codes.shape[1:] != (self.fetched_length,) or labels.shape[1:] != (self.features,):
            raise ValueError(
                f"windows {codes.shape} / labels {labels.shape} do not match this dataset's "
                f"{self.fetched_length} bases and {self.features} features"
            )
        self.positives += labels.sum(axis=0, dtype=np.int64)
        packed = np.packbits(labels.astype(bool), axis=1)
        for start in range(0, len(codes), self.shard_windows):
            end = start + self.shard_windows
            self._pending.append((codes[start:end], packed[start:end], sites[start:end]))
            self._pending_windows += len(codes[start:end])
            if self._pending_windows >= self.shard_windows:
                self._flush(self.shard_windows)

    def close(self) -> dict[str, Any]:
        while self._pending_windows:
            self._flush(self._pending_windows)
        return {"windows": self.windows, "shards": self.shards}

    def _flush(self, count: int) -> None:
        codes, packed, sites = (np.concatenate(parts) for parts in zip(*self._pending, strict=True))
        name = f"{self.split}-{len(self.shards):05d}"
        base = self.directory / "shards" / name
        np.save(f"{base}.windows.npy", np.ascontiguousarray(codes[:count], dtype=np.uint8))
        np.save(f"{base}.labels.npy", np.ascontiguousarray(packed[:count]))
        np.save(f"{base}.sites.npy", np.ascontiguousarray(sites[:count], dtype=np.int64))
        self.shards.append(name)
        self.windows += count
        rest = (codes[count:], packed[count:], sites[count:])
        self._pending = [rest] if len(rest[0]) else []
        self._pending_windows = len(rest[0])


class WindowSet:
    """The windows of one split, read from its memory-mapped shards."""

    def __init__(self, directory: Path, shard_names: list[str], features: int) -> None:
        base = directory / "shards"
        self._windows = [np.load(base / f"{n}.windows.npy", mmap_mode="r") for n in shard_names]
        self._labels = [np.load(base / f"{n}.labels.npy", mmap_mode="r") for n in shard_names]
        self._sites = [np.load(base / f"{n}.sites.npy", mmap_mode="r") for n in shard_names]
        sizes = [len(w) for w in self._windows]
        self._offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.features = features

    def __len__(self) -> int:
        return int(self._offsets[-1])

    def _gather(self, arrays: list[NDArray[Any]], indices: NDArray[np.int64]) -> NDArray[Any]:
        indices = np.asarray(indices, dtype=np.int64)
        if len(indices) and (indices.min() < 0 or indices.max() >= len(self)):
            raise IndexError(f"window index out of range 0..{len(self) - 1}")
        shard = np.searchsorted(self._offsets, indices, side="right") - 1
        first = arrays[0] if arrays else np.zeros((0, 0), dtype=np.uint8)
        out = np.empty((len(indices), *first.shape[1:]), dtype=first.dtype)
        for s in np.unique(shard):
            chosen = shard == s
            local = indices[chosen] - self._offsets[s]
            order = np.argsort(local, kind="stable")  # ascending reads from the memory map
            rows = np.empty((len(local), *first.shape[1:]), dtype=first.dtype)
            rows[order] = arrays[s][local[order]]
            out[chosen] = rows
        return out

    def codes(self, indices: NDArray[np.int64]) -> NDArray[np.uint8]:
        """Forward-strand base codes of the windows ``indices``: ``(B, fetched_length)``."""
        return self._gather(self._windows, indices)

    def labels(self, indices: NDArray[np.int64]) -> NDArray[np.uint8]:
        """Labels ``(B, N)`` of the windows ``indices``."""
        packed = self._gather(self._labels, indices)
        unpacked: NDArray[np.uint8] = np.unpackbits(packed, axis=1, count=self.features)
        return unpacked

    def sites(self, indices: NDArray[np.int64]) -> NDArray[np.int64]:
        """``(contig index, bin start)`` of the windows ``indices``: ``(B, 2)``."""
        return self._gather(self._sites, indices)

    def all_labels(self) -> NDArray[np.uint8]:
        """Every window's labels ``(n, N)``: for the demo-sized splits that evaluation and the
        balanced sampler read whole (``n * N`` bytes)."""
        return self.labels(np.arange(len(self), dtype=np.int64))

    def positives(self) -> list[NDArray[np.int64]]:
        """Per feature, the indices of its positive windows, read one shard at a time."""
        found: list[list[NDArray[np.int64]]] = [[] for _ in range(self.features)]
        for offset, packed in zip(self._offsets, self._labels, strict=False):
            labels = np.unpackbits(np.asarray(packed), axis=1, count=self.features)
            for feature, rows in enumerate(labels.T):
                found[feature].append(np.flatnonzero(rows).astype(np.int64) + offset)
        return [np.concatenate(f) if f else np.zeros(0, dtype=np.int64) for f in found]


@dataclass(frozen=True)
class PreparedDataset:
    """A dataset directory, opened (see the module docstring)."""

    directory: Path
    spec: WindowSpec
    bin_size: int
    features: list[Feature]
    contigs: list[str]
    manifest: dict[str, Any]

    @classmethod
    def open(cls, directory: Path) -> "PreparedDataset":
        path = directory / DATASET_FILE
        if not path.is_file():
            raise FileNotFoundError(
                f"{directory} holds no {DATASET_FILE}: give a directory written by "
                "logoscore-train prepare"
            )
        raw = json.loads(path.read_text())
        if raw.get("format") != DATASET_FORMAT:
            raise ValueError(
                f"{path} is format {raw.get('format')!r}, this version reads {DATASET_FORMAT}: "
                "prepare the data again with this version's logoscore-train prepare"
            )
        return cls(
            directory=directory,
            spec=WindowSpec.from_json(raw["window"]),
            bin_size=int(raw["bin_size"]),
            features=[Feature(**f) for f in raw["features"]],
            contigs=list(raw["contigs"]),
            manifest=raw,
        )

    def split(self, name: str) -> WindowSet:
        shards = self.manifest["splits"].get(name, {}).get("shards", [])
        return WindowSet(self.directory, shards, len(self.features))

    @property
    def reference(self) -> Path:
        """The genome FASTA the windows were read from."""
        reference = self.manifest.get("reference")
        if not reference:
            raise ValueError(
                f"{self.directory} was imported without a genome (a DeepSEA bundle): this step "
                "scores variants on a genome; prepare the data from a FASTA with --fasta"
            )
        return Path(reference["path"])

    def check_window(self, spec: WindowSpec) -> None:
        """Refuse a model that reads windows otherwise than this dataset holds them."""
        if spec != self.spec:
            raise ValueError(
                f"the model reads windows as {spec.to_json()}, and {self.directory} holds them "
                f"as {self.spec.to_json()}: evaluate a model on data prepared for it"
            )

    @property
    def contig(self) -> str:
        """The one contig of a single-contig dataset (the demo's chr20), for the steps that
        score that contig's real variants."""
        if len(self.contigs) != 1:
            raise ValueError(
                f"this step reads one contig's variants, and {self.directory} holds "
                f"{len(self.contigs)} contigs ({', '.join(self.contigs[:5])}...)"
            )
        return self.contigs[0]


def write_manifest(directory: Path, manifest: dict[str, Any]) -> Path:
    path = directory / DATASET_FILE
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps({"format": DATASET_FORMAT, **manifest}, indent=1) + "\n")
    partial.replace(path)
    return path


def feature_json(features: list[Feature]) -> list[dict[str, str]]:
    return [asdict(f) for f in features]
