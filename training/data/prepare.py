"""One command from registry packages to training arrays: ``logoscore-train prepare``.

Writes to ``OUT/``:
- ``reference.fa`` (+ ``.fai``): the whole contig, record ``CONTIG:1-LENGTH`` (true coordinates);
- ``bins.npz``: ``window`` (length, k), and for every 200 bp bin whose window fits the contig
  and is at most half N: ``bin_starts`` (n,), ``labels`` (n, N) uint8, ``split`` (n,) int8
  (0 train, 1 validation, 2 test); a bin is in a held-out split only when its whole window
  lies inside the held-out region, and a training bin's window never overlaps one;
- ``features.json``: name, group and description of each label column;
- ``motif_hits.npz``: every strong motif hit (``training.motif_tokens``), for the token-level
  auxiliary loss of fine-tuning;
- ``prepare.json``: sources (packages, versions, sha256), regions, motif thresholds, counts.
"""

import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.manifest import Feature
from core.reference import ReferenceGenome
from core.windows import WindowSpec
from training.data.features import (
    INTERVAL_FEATURES,
    MOTIF_GROUP,
    IntervalFeature,
    motif_feature_name,
)
from training.data.labels import BIN_SIZE, bin_labels, read_bed_intervals
from training.data.motifs import (
    background_of,
    base_codes,
    hit_starts,
    load_motifs,
    log_odds,
    motif_bin_labels,
    threshold_for,
)
from training.data.peaks import read_peak_intervals
from training.data.reference_slice import read_fasta_record, write_slice
from training.data.samples import Region, mostly_n, tile_bins
from training.data.sources import SOURCES, fetch
from training.motif_tokens import MOTIF_HITS_FILE, MotifHits

logger = logging.getLogger(__name__)

TRAIN, VALIDATION, TEST = 0, 1, 2


@dataclass(frozen=True)
class PreparedData:
    """Training arrays of one contig (see the module docstring)."""

    reference: Path
    contig: str
    bin_starts: NDArray[np.int64]
    labels: NDArray[np.uint8]
    split: NDArray[np.int8]
    features: list[Feature]
    spec: WindowSpec

    def indices(self, split: int) -> NDArray[np.int64]:
        return np.flatnonzero(self.split == split).astype(np.int64)


def interval_labels(
    bins: NDArray[np.int64],
    contig: str,
    span_end: int,
    paths: dict[str, Path],
    features: tuple[IntervalFeature, ...] = INTERVAL_FEATURES,
) -> tuple[list[Feature], list[NDArray[np.uint8]]]:
    """Label columns of ``features``, each read from ``paths[feature.source]``."""
    columns = []
    for feature in features:
        path = paths[feature.source]
        read = read_bed_intervals if feature.kind == "bed" else read_peak_intervals
        columns.append(bin_labels(bins, read(path, contig), span_end))
    return [Feature(f.name, f.group, f.description) for f in features], columns


@dataclass(frozen=True)
class MotifLabels:
    features: list[Feature]
    columns: list[NDArray[np.uint8]]
    thresholds: dict[str, dict[str, float]]
    hits: list[tuple[NDArray[np.int64], int]]
    """Hit starts and motif width, per feature."""


def motif_labels(bins: NDArray[np.int64], sequence: str, jaspar: Path) -> MotifLabels:
    """Label columns of the JASPAR motifs of ``training.data.motifs``; ``sequence`` is the
    whole contig (0-based true coordinates), which also gives the background composition."""
    codes = base_codes(sequence)
    background = background_of(codes)
    labels = MotifLabels([], [], {}, [])
    for motif in load_motifs(jaspar):
        weights = log_odds(motif, background)
        threshold = threshold_for(weights, background)
        if threshold is None:
            logger.info("%s %s: too short to be specific; left out", motif.matrix_id, motif.name)
            continue
        starts = hit_starts(codes, weights, threshold.score)
        name = motif_feature_name(motif.name)
        description = (
            f"JASPAR {motif.matrix_id} {motif.name} hit, score >= {threshold.score:.2f} bits "
            f"(p = {threshold.p_value:.1e} per position and strand)"
        )
        labels.features.append(Feature(name, MOTIF_GROUP, description))
        labels.columns.append(motif_bin_labels(bins, starts, motif.width))
        labels.thresholds[motif.matrix_id] = {
            "score": threshold.score,
            "p_value": threshold.p_value,
        }
        labels.hits.append((starts, motif.width))
        logger.info("%s %s: %d hits", motif.matrix_id, motif.name, len(starts))
    return labels


def _splits(
    bins: NDArray[np.int64], spec: WindowSpec, validation: Region, test: Region
) -> NDArray[np.int8]:
    window_start = bins + BIN_SIZE // 2 - 1 - spec.anchor_index
    window_end = window_start + spec.read_length
    split = np.full(len(bins), -1, dtype=np.int8)  # -1: window straddles a boundary, dropped
    for value, region in ((VALIDATION, validation), (TEST, test)):
        split[(window_start >= region.start) & (window_end <= region.end)] = value
    overlaps_held_out = np.zeros(len(bins), dtype=bool)
    for region in (validation, test):
        overlaps_held_out |= (window_end > region.start) & (window_start < region.end)
    split[~overlaps_held_out] = TRAIN
    return split


def prepare(
    out: Path, contig: str, validation: Region, test: Region, spec: WindowSpec
) -> dict[str, Any]:
    """Build and write the training arrays of ``contig`` of GRCh37 (see the module docstring);
    ``ValueError`` if a held-out region lies on another contig (it would hold no bin)."""
    for name, region in (("validation", validation), ("test", test)):
        if region.contig != contig:
            raise ValueError(
                f"the {name} region is on contig {region.contig}, but prepare reads contig "
                f"{contig} only (GRCh37 chr20 from the registry): give a {name} region on "
                f"{contig}, e.g. {contig}:50000001-54000000"
            )
    sequence = read_fasta_record(fetch(SOURCES["grch37_chr20"]), contig)
    reference_path = write_slice(sequence, contig, 1, len(sequence), out / "reference.fa")
    reference = ReferenceGenome(reference_path)
    bins = tile_bins(Region(contig, 0, len(sequence)), spec)
    bins = bins[~mostly_n(reference, contig, bins, spec)]
    paths = {feature.source: fetch(SOURCES[feature.source]) for feature in INTERVAL_FEATURES}
    interval_features, interval_columns = interval_labels(bins, contig, len(sequence), paths)
    jaspar = fetch(SOURCES["jaspar_2024"])
    motifs = motif_labels(bins, sequence, jaspar)
    labels = np.stack(interval_columns + motifs.columns, axis=1)  # n N
    split = _splits(bins, spec, validation, test)
    keep = split >= 0
    features = interval_features + motifs.features
    first_motif_column = len(interval_features)
    MotifHits.collect(
        [(first_motif_column + i, starts, width) for i, (starts, width) in enumerate(motifs.hits)]
    ).save(out / MOTIF_HITS_FILE)
    np.savez_compressed(
        out / "bins.npz",
        bin_starts=bins[keep],
        labels=labels[keep],
        split=split[keep],
        window=np.array([spec.length, spec.k]),
    )
    (out / "features.json").write_text(json.dumps([asdict(f) for f in features], indent=1) + "\n")
    summary = {
        "contig": contig,
        "sources": {name: asdict(source) for name, source in SOURCES.items()},
        "regions": {"validation": asdict(validation), "test": asdict(test)},
        "motif_thresholds_bits": motifs.thresholds,
        "bins": {
            name: int((split[keep] == value).sum())
            for name, value in (("train", TRAIN), ("validation", VALIDATION), ("test", TEST))
        },
        "positives": {f.name: int(labels[keep, i].sum()) for i, f in enumerate(features)},
    }
    (out / "prepare.json").write_text(json.dumps(summary, indent=1) + "\n")
    return summary


def load_prepared(directory: Path) -> PreparedData:
    arrays = np.load(directory / "bins.npz")
    features = [Feature(**raw) for raw in json.loads((directory / "features.json").read_text())]
    reference = ReferenceGenome(directory / "reference.fa")
    return PreparedData(
        reference=directory / "reference.fa",
        contig=next(iter(reference.spans)),
        bin_starts=arrays["bin_starts"],
        labels=arrays["labels"],
        split=arrays["split"],
        features=features,
        spec=WindowSpec(length=int(arrays["window"][0]), k=int(arrays["window"][1])),
    )
