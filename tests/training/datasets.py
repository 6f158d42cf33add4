"""Small prepared datasets for training tests: chosen bins of the committed chr20 slice."""

from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from core.kmers import base_codes
from core.manifest import Feature
from core.reference import ReferenceGenome
from core.windows import WindowSpec
from training.cli import main as train_main
from training.data.samples import Samples
from training.data.shards import PreparedDataset, ShardWriter, feature_json, write_manifest
from training.data.synthetic import Planted, write_synthetic_genome

SPEC = WindowSpec()


def slice_bins(start: int, end: int, spec: WindowSpec = SPEC) -> NDArray[np.int64]:
    """Starts of the 200 bp bins in ``[start, end)`` whose window fits the test slice."""
    starts = np.arange(start, end - 200 + 1, 200, dtype=np.int64)
    window_starts = starts + 99 - spec.anchor_index
    inside = (window_starts >= 1_280_000) & (window_starts + spec.fetched_length <= 1_300_000)
    return starts[inside]


def write_dataset(
    directory: Path,
    reference: ReferenceGenome,
    splits: dict[str, tuple[NDArray[np.int64], NDArray[np.uint8]]],
    features: list[Feature],
    spec: WindowSpec = SPEC,
) -> PreparedDataset:
    """A dataset of chr20 bins: per split, bin starts and labels ``(n, N)``."""
    written = {}
    for split, (starts, labels) in splits.items():
        writer = ShardWriter(directory, split, spec.fetched_length, len(features), 64)
        window_starts = starts + 99 - spec.anchor_index
        codes = np.stack(
            [
                base_codes(reference.fetch("20", int(s), int(s) + spec.fetched_length))
                for s in window_starts
            ]
        )
        writer.add(
            codes, labels.astype(np.uint8), np.stack([np.zeros_like(starts), starts], axis=1)
        )
        written[split] = writer.close()
    write_manifest(
        directory,
        {
            "window": spec.to_json(),
            "bin_size": 200,
            "features": feature_json(features),
            "contigs": ["20"],
            "splits": written,
            "reference": {"path": str(reference.path), "sha256": ""},
        },
    )
    return PreparedDataset.open(directory)


def slice_samples(
    directory: Path,
    reference: ReferenceGenome,
    starts: NDArray[np.int64],
    labels: NDArray[np.uint8],
    features: list[Feature] | None = None,
    spec: WindowSpec = SPEC,
) -> Samples:
    """The training split of a one-split dataset of ``starts``."""
    names = features or [Feature(f"f{i}", "annotation") for i in range(labels.shape[1])]
    dataset = write_dataset(directory, reference, {"train": (starts, labels)}, names, spec)
    return Samples.of(dataset, "train")


def prepare_synthetic(
    directory: Path, contigs: dict[str, int], planted: int, random: int, held_out: str
) -> tuple[Path, Path, list[Planted]]:
    """A generated genome (``training.data.synthetic``) prepared with a 200 bp window (the bin
    itself, which keeps training to seconds on two cores): its FASTA, the dataset and where
    the motifs were planted."""
    sites = write_synthetic_genome(directory / "in", contigs, planted=planted, random=random)
    fasta, data = directory / "in" / "genome.fa", directory / "data"
    table = directory / "in" / "features.tsv"
    train_main(
        f"prepare --fasta {fasta} --features {table} --window 200 {held_out} --out {data}".split()
    )
    return fasta, data, sites
