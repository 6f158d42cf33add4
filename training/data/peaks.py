"""ChIP-seq peaks given as FASTA records named by hg19 coordinates (janggu's samples).

Headers read ``chrN:START-END``, 0-based half-open: every chr20 record of janggu 0.10.2's
``sample.fa`` (Oct4) and ``sample2.fa`` (Mafk) matches GRCh37 exactly at those coordinates.
"""

from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from core.reference import contig_aliases


def read_peak_intervals(path: Path, contig: str) -> NDArray[np.int64]:
    """Intervals ``(n, 2)`` of the records on ``contig`` (any alias), sorted."""
    names = set(contig_aliases(contig))
    rows: list[tuple[int, int]] = []
    with path.open() as handle:
        for line in handle:
            if not line.startswith(">"):
                continue
            chrom, _, interval = line[1:].strip().rpartition(":")
            if chrom in names:
                start, _, end = interval.partition("-")
                rows.append((int(start), int(end)))
    return np.array(sorted(rows), dtype=np.int64).reshape(-1, 2)
