"""Write a slice of a reference contig as a FASTA record that keeps its true coordinates.

The record is named like samtools' region output, ``CONTIG:START-END`` (1-based, inclusive),
which ``core.reference`` reads as that part of ``CONTIG`` at its true positions.
"""

import gzip
from pathlib import Path

from pyfaidx import Faidx

LINE_WIDTH = 60


def read_fasta_record(path: Path, record: str) -> str:
    """The whole sequence of ``record`` from a plain or gzip FASTA (upper case)."""
    opener = gzip.open if path.suffix == ".gz" else open
    chunks: list[str] = []
    found = False
    with opener(path, "rt") as handle:
        for line in handle:
            if line.startswith(">"):
                if found:
                    break
                found = line[1:].split()[0] == record
            elif found:
                chunks.append(line.strip())
    if not found:
        raise KeyError(f"record {record!r} not in {path}")
    return "".join(chunks).upper()


def write_slice(sequence: str, contig: str, start: int, end: int, out: Path) -> Path:
    """Write true 1-based inclusive ``[start, end]`` of ``sequence`` as ``>contig:start-end``."""
    piece = sequence[start - 1 : end]
    if len(piece) != end - start + 1:
        raise ValueError(f"{contig} has {len(sequence)} bp; cannot slice {start}-{end}")
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w") as handle:
        handle.write(f">{contig}:{start}-{end}\n")
        for offset in range(0, len(piece), LINE_WIDTH):
            handle.write(piece[offset : offset + LINE_WIDTH] + "\n")
    Faidx(str(out), rebuild=True).close()
    return out
