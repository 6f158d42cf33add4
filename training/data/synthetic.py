"""A generated genome with planted motifs: a check of the whole training path that a lab (and
the tests and ``bench/``) can run without any real data.

``write_synthetic_genome`` writes, to a directory:

- ``genome.fa`` (+ ``.fai``): contigs of uniform random bases (seeded);
- ``peaks/{name}.bed`` per feature: 200 bp peaks on bin boundaries, ``peak_share`` of the bins
  of every contig. For a *planted* feature every peak holds its motif (a random 12-mer of its
  own, written at a random offset inside the peak, forward or reverse complement), so the
  feature can be learnt from sequence; a *random* feature's peaks hold nothing and cannot be;
- ``features.tsv``: every feature (``training.data.feature_table``);
- ``synthetic.json``: the motifs and, per feature, where each motif was written.
"""

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from pyfaidx import Faidx

from core.kmers import ALPHABET
from core.windows import reverse_complement
from training.data.feature_table import FeatureSource, write_feature_table

PEAK = 200
MOTIF_LENGTH = 12
LINE_WIDTH = 60


@dataclass(frozen=True)
class Planted:
    feature: str
    motif: str
    contig: str
    start: int
    """0-based start of the written motif (the sequence as written, either strand)."""
    reverse: bool


def write_synthetic_genome(
    out: Path,
    contig_lengths: dict[str, int],
    planted: int,
    random: int,
    peak_share: float = 0.1,
    seed: int = 0,
) -> list[Planted]:
    """Write the genome, peaks and table (module docstring); returns the planted motifs."""
    rng = np.random.default_rng(seed)
    bases = np.frombuffer(ALPHABET[:4].encode(), dtype=np.uint8)
    motifs = ["".join(rng.choice(list("ACGT"), MOTIF_LENGTH)) for _ in range(planted)]
    names = [f"motif_{i + 1}" for i in range(planted)] + [f"random_{i + 1}" for i in range(random)]
    peaks: dict[str, list[str]] = {name: [] for name in names}
    written: list[Planted] = []
    out.mkdir(parents=True, exist_ok=True)
    with (out / "genome.fa").open("w") as fasta:
        for contig, length in contig_lengths.items():
            sequence = bases[rng.integers(0, 4, size=length)].copy()
            bins = length // PEAK
            for feature, name in enumerate(names):
                chosen = np.sort(rng.choice(bins, size=int(bins * peak_share), replace=False))
                for b in chosen:
                    start = int(b) * PEAK
                    peaks[name].append(f"{contig}\t{start}\t{start + PEAK}\n")
                    if feature >= planted:
                        continue
                    reverse = bool(rng.integers(0, 2))
                    motif = reverse_complement(motifs[feature]) if reverse else motifs[feature]
                    at = start + int(rng.integers(0, PEAK - MOTIF_LENGTH + 1))
                    sequence[at : at + MOTIF_LENGTH] = np.frombuffer(motif.encode(), np.uint8)
                    written.append(Planted(name, motifs[feature], contig, at, reverse))
            text = sequence.tobytes().decode()
            fasta.write(f">{contig}\n")
            fasta.writelines(
                text[i : i + LINE_WIDTH] + "\n" for i in range(0, len(text), LINE_WIDTH)
            )
    Faidx(str(out / "genome.fa"), rebuild=True).close()
    sources = []
    for feature, name in enumerate(names):
        path = out / "peaks" / f"{name}.bed"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(peaks[name]))
        kind = f"peaks holding {motifs[feature]}" if feature < planted else "random peaks"
        group = "planted" if feature < planted else "random"
        sources.append(FeatureSource(name, group, path, kind))
    write_feature_table(out / "features.tsv", sources)
    summary = {"motifs": motifs, "planted": [asdict(p) for p in written]}
    (out / "synthetic.json").write_text(json.dumps(summary) + "\n")
    return written
