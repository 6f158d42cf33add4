"""ChIP-seq peaks given as FASTA records named by hg19 coordinates (janggu's samples).

Headers read ``chrN:START-END``, 0-based half-open: every chr20 record of janggu 0.10.2's
``sample.fa`` (Oct4) and ``sample2.fa`` (Mafk) matches GRCh37 exactly at those coordinates.
"""

from pathlib import Path


def peak_records(path: Path) -> list[tuple[str, int, int]]:
    """``(contig, start, end)`` of every record, in file order."""
    rows: list[tuple[str, int, int]] = []
    with path.open() as handle:
        for line in handle:
            if not line.startswith(">"):
                continue
            chrom, _, interval = line[1:].strip().rpartition(":")
            start, _, end = interval.partition("-")
            rows.append((chrom, int(start), int(end)))
    return rows
