"""``logoscore-train prepare``: a genome FASTA and a lab's peak files -> a sharded dataset.

Inputs: the genome (``--fasta``, plain or bgzipped, any assembly), the features table
(``training.data.feature_table``), the held-out sets (whole contigs, as DeepSEA and LOGO hold
out chr8 and chr9 for test, or regions), an optional exclusion BED (e.g. the ENCODE blacklist).

The genome is tiled into bins of ``bin_size`` (200) bases, aligned to multiples of it on each
contig; bin ``[b, b + 200)`` is read through the core window extractor with anchor
``b + bin_size/2 - 1``, which centres the bin in its window, exactly as serving reads a
variant's window. A bin is skipped when its window does not fit the contig, overlaps an excluded
interval, or is more than ``max_n_fraction`` N. Labels by DeepSEA's rule
(``training.data.intervals.bin_labels``). A bin belongs to a held-out split when its whole window
lies on a held-out contig or inside a held-out region; a training bin's window never overlaps a
held-out region, and bins whose window straddles a region's boundary are dropped.
``keep="peaks"`` keeps, as DeepSEA did, only bins positive for at least one feature, plus
``negative_share`` of the all-negative bins (drawn with ``seed``).

Contigs are read one at a time (memory: one contig's sequence, its features' intervals and one
shard), and written as ``training.data.shards`` describes. Features of the ``token_groups``
(short intervals such as motif hits) also give ``motif_hits.npz`` for fine-tuning's token-level
loss (``training.motif_tokens``), with sites keyed by ``training.data.shards.site_keys``.
"""

import logging
import re
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

from core.kmers import ALPHABET, base_codes
from core.manifest import file_sha256
from core.reference import ReferenceGenome
from core.windows import WindowSpec
from training.data.feature_table import FeatureSource, read_feature_table
from training.data.intervals import BIN_SIZE, Intervals, bin_labels, overlapping
from training.data.shards import (
    SHARD_WINDOWS,
    SPLITS,
    ShardWriter,
    feature_json,
    site_keys,
    write_manifest,
)
from training.motif_tokens import MOTIF_HITS_FILE, MotifHits

logger = logging.getLogger(__name__)

PRIMARY_CONTIG = re.compile(r"^(chr)?([1-9][0-9]?|X|Y)$")
"""The primary chromosomes: 1-99, X and Y, with or without ``chr`` (no ``_alt``, ``_random``,
``chrUn``, ``M``; give ``contigs`` to choose others)."""
N_CODE = ALPHABET.index("N")


@dataclass(frozen=True)
class Region:
    """A contiguous 0-based half-open region of one contig."""

    contig: str
    start: int
    end: int


@dataclass(frozen=True)
class HeldOut:
    """A held-out split: whole contigs and regions."""

    contigs: tuple[str, ...] = ()
    regions: tuple[Region, ...] = ()


@dataclass(frozen=True)
class PrepareSettings:
    spec: WindowSpec = field(default_factory=WindowSpec)
    bin_size: int = BIN_SIZE
    contigs: tuple[str, ...] = ()
    """Contigs to read; empty: the primary chromosomes present (``PRIMARY_CONTIG``)."""
    validation: HeldOut = HeldOut()
    test: HeldOut = HeldOut()
    keep: Literal["all", "peaks"] = "all"
    negative_share: float = 0.1
    max_n_fraction: float = 0.5
    token_groups: tuple[str, ...] = ()
    seed: int = 0
    shard_windows: int = SHARD_WINDOWS


@dataclass
class _Tokens:
    """Token-level hits collected across contigs."""

    columns: list[int]
    keys: list[NDArray[np.int64]] = field(default_factory=list)
    ends: list[NDArray[np.int64]] = field(default_factory=list)
    motif: list[NDArray[np.int64]] = field(default_factory=list)

    def add(self, contig_index: int, per_feature: list[NDArray[np.int64]]) -> None:
        for motif, intervals in enumerate(per_feature):
            sites = np.stack([np.full(len(intervals), contig_index), intervals[:, 0]], axis=1)
            keys = site_keys(sites.astype(np.int64))
            self.keys.append(keys)
            self.ends.append(keys + intervals[:, 1] - intervals[:, 0])
            self.motif.append(np.full(len(intervals), motif, dtype=np.int64))

    def hits(self) -> MotifHits:
        empty = np.zeros(0, dtype=np.int64)
        keys = np.concatenate(self.keys) if self.keys else empty
        order = np.argsort(keys, kind="stable")
        ends = np.concatenate(self.ends) if self.ends else empty
        motif = np.concatenate(self.motif) if self.motif else empty
        return MotifHits(keys[order], ends[order], motif[order], np.array(self.columns))


def select_contigs(reference: ReferenceGenome, wanted: tuple[str, ...]) -> list[str]:
    """The reference's names of ``wanted`` (each must be present), or its primary chromosomes."""
    if not wanted:
        primary = [name for name in reference.spans if PRIMARY_CONTIG.match(name)]
        if not primary:
            raise ValueError(
                f"{reference.path} has no primary chromosome (1-22, X, Y, with or without chr); "
                "name the contigs to read with --contigs"
            )
        return primary
    resolved = []
    for name in wanted:
        found = reference.resolve(name)
        if found is None:
            raise ValueError(f"--contigs: {reference.unknown_contig_message(name)}")
        resolved.append(found)
    return resolved


def _check_held_out(
    reference: ReferenceGenome, contigs: list[str], settings: PrepareSettings
) -> tuple[HeldOut, HeldOut]:
    """Held-out sets with the reference's contig names; refuses any that names a contig not
    prepared (it would hold no bin)."""
    resolved = []
    for name, held in (("validation", settings.validation), ("test", settings.test)):
        names = [c for c in held.contigs] + [r.contig for r in held.regions]
        for contig in names:
            found = reference.resolve(contig)
            if found is None or found not in contigs:
                where = (
                    reference.unknown_contig_message(contig)
                    if found is None
                    else f"contig {contig} is not among the contigs prepared ({', '.join(contigs)})"
                )
                raise ValueError(
                    f"the {name} set names contig {contig}, which would hold no bin: {where}"
                )
        resolved.append(
            HeldOut(
                tuple(str(reference.resolve(c)) for c in held.contigs),
                tuple(
                    Region(str(reference.resolve(r.contig)), r.start, r.end) for r in held.regions
                ),
            )
        )
    return resolved[0], resolved[1]


def bin_splits(
    contig: str,
    window_starts: NDArray[np.int64],
    window_end: NDArray[np.int64],
    held: dict[int, HeldOut],
) -> NDArray[np.int8]:
    """Split index per bin (0 train, 1 validation, 2 test; -1 dropped) from its window."""
    split = np.full(len(window_starts), -1, dtype=np.int8)
    overlaps = np.zeros(len(window_starts), dtype=bool)
    for value, held_out in held.items():
        if contig in held_out.contigs:
            return np.full(len(window_starts), value, dtype=np.int8)
        for region in held_out.regions:
            if region.contig != contig:
                continue
            split[(window_starts >= region.start) & (window_end <= region.end)] = value
            overlaps |= (window_end > region.start) & (window_starts < region.end)
    split[~overlaps] = 0
    return split


def prepare(
    fasta: Path,
    features_table: Path,
    out: Path,
    settings: PrepareSettings,
    exclude: Path | None = None,
) -> dict[str, Any]:
    """Write the dataset of ``fasta`` and ``features_table`` to ``out`` (module docstring);
    returns its manifest. ``ValueError`` names any input that cannot be used."""
    spec, bin_size = settings.spec, settings.bin_size
    reference = ReferenceGenome(fasta)
    contigs = select_contigs(reference, settings.contigs)
    validation, test = _check_held_out(reference, contigs, settings)
    sources = read_feature_table(features_table)
    token_columns = [i for i, s in enumerate(sources) if s.group in settings.token_groups]
    out.mkdir(parents=True, exist_ok=True)
    writers = {
        split: ShardWriter(out, split, spec.fetched_length, len(sources), settings.shard_windows)
        for split in SPLITS
    }
    excluded = Intervals.read(exclude) if exclude else Intervals({})
    tokens = _Tokens(token_columns)
    counts: dict[str, dict[str, int]] = {}
    with tempfile.TemporaryDirectory(dir=out, prefix=".intervals-") as scratch:
        stores = _index_features(sources, Path(scratch))
        for index, contig in enumerate(contigs):
            per_feature = [_contig_intervals(store, contig) for store in stores]
            counts[contig] = _prepare_contig(
                reference,
                contig,
                index,
                per_feature,
                excluded,
                writers,
                settings,
                {1: validation, 2: test},
            )
            tokens.add(index, [per_feature[c] for c in token_columns])
            logger.info("%s: %s", contig, counts[contig])
    if token_columns:
        tokens.hits().save(out / MOTIF_HITS_FILE)
    splits = {split: writer.close() for split, writer in writers.items()}
    inputs = {str(s.path): file_sha256(s.path) for s in sources}
    inputs[str(features_table)] = file_sha256(features_table)
    if exclude:
        inputs[str(exclude)] = file_sha256(exclude)
    manifest = {
        "window": spec.to_json(),
        "bin_size": bin_size,
        "features": feature_json([s.feature for s in sources]),
        "contigs": contigs,
        "splits": splits,
        "positives": {
            split: dict(zip((s.name for s in sources), w.positives.tolist(), strict=True))
            for split, w in writers.items()
        },
        "bins_per_contig": counts,
        "reference": {"path": str(fasta.resolve()), "sha256": file_sha256(fasta)},
        "inputs": inputs,
        "token_groups": list(settings.token_groups),
        "settings": {
            "contigs": list(settings.contigs),
            "validation": asdict(settings.validation),
            "test": asdict(settings.test),
            "keep": settings.keep,
            "negative_share": settings.negative_share,
            "max_n_fraction": settings.max_n_fraction,
            "exclude": str(exclude) if exclude else None,
            "seed": settings.seed,
        },
    }
    write_manifest(out, manifest)
    return manifest


def _index_features(sources: list[FeatureSource], scratch: Path) -> list[Path]:
    """Each feature's intervals read once and stored per contig (``.npz``), so that a contig's
    intervals load without reading every file again or holding them all."""
    stores = []
    for i, source in enumerate(sources):
        store = scratch / f"{i}.npz"
        arrays: dict[str, Any] = dict(Intervals.read(source.path).by_contig)
        np.savez(store, **arrays)
        stores.append(store)
    return stores


def _contig_intervals(store: Path, contig: str) -> NDArray[np.int64]:
    with np.load(store) as arrays:
        return Intervals({name: arrays[name] for name in arrays.files}).for_contig(contig)


def _prepare_contig(
    reference: ReferenceGenome,
    contig: str,
    contig_index: int,
    per_feature: list[NDArray[np.int64]],
    excluded: Intervals,
    writers: dict[str, ShardWriter],
    settings: PrepareSettings,
    held: dict[int, HeldOut],
) -> dict[str, int]:
    spec, bin_size = settings.spec, settings.bin_size
    span = reference.spans[contig]
    codes = base_codes(reference.fetch(contig, span.start, span.end))
    offset = bin_size // 2 - 1 - spec.anchor_index  # window start - bin start
    first = -(-span.start // bin_size) * bin_size  # bins aligned to multiples of bin_size
    bins = np.arange(first, span.end - bin_size + 1, bin_size, dtype=np.int64)
    window_starts = bins + offset
    fits = (window_starts >= span.start) & (window_starts + spec.fetched_length <= span.end)
    bins, window_starts = bins[fits], window_starts[fits]
    window_ends = window_starts + spec.fetched_length
    clear = ~overlapping(window_starts, window_ends, excluded.for_contig(contig))
    bins, window_starts, window_ends = bins[clear], window_starts[clear], window_ends[clear]
    split = bin_splits(contig, window_starts, window_ends, held)
    rng = np.random.default_rng([settings.seed, contig_index])
    views = sliding_window_view(codes, spec.fetched_length)
    counts = {"bins": len(bins), "mostly_n": 0, "straddling": int((split < 0).sum()), "kept": 0}
    for start in range(0, len(bins), settings.shard_windows):
        chunk = slice(start, start + settings.shard_windows)
        windows = views[window_starts[chunk] - span.start]  # copies: the chunk's bases
        keep = (windows == N_CODE).sum(axis=1) <= settings.max_n_fraction * spec.fetched_length
        counts["mostly_n"] += int((~keep).sum())
        keep &= split[chunk] >= 0
        labels = np.stack(
            [bin_labels(bins[chunk], intervals, bin_size) for intervals in per_feature], axis=1
        )
        if settings.keep == "peaks":
            keep &= labels.any(axis=1) | (rng.random(len(labels)) < settings.negative_share)
        sites = np.stack([np.full(len(labels), contig_index), bins[chunk]], axis=1)
        for value, name in enumerate(SPLITS):
            chosen = keep & (split[chunk] == value)
            writers[name].add(windows[chosen], labels[chosen], sites[chosen].astype(np.int64))
        counts["kept"] += int(keep.sum())
    return counts
