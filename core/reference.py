"""Reference genome access through pyfaidx, with contig aliases and slice records.

Contig names are resolved through the FASTA index: a name is tried as given, then with the
``chr`` prefix added or removed, and ``M``/``MT``/``chrM``/``chrMT`` are one contig.

A record named like samtools' region output, ``CONTIG:START-END`` (1-based, inclusive), is a
slice of ``CONTIG`` kept at its true coordinates: the demo reference holds ``>20:1-6000000``, so
``20:1292033`` reads the base at true position 1,292,033 and positions outside the slice are out
of bounds. All coordinates here are 0-based half-open on the true contig.

A reference is identified by its sequences (``core.reference_identity``: refget digests per
record and a seqcol digest of the whole), never by its file name.
"""

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from pyfaidx import Fasta

from core.reference_identity import SequenceCollection, cached_collection

_SLICE_RECORD = re.compile(r"^(?P<contig>.+):(?P<start>\d+)-(?P<end>\d+)$")
_MITOCHONDRIAL = ("MT", "M", "chrM", "chrMT")


@dataclass(frozen=True)
class ContigSpan:
    """The part of a contig that the FASTA holds, in true 0-based half-open coordinates."""

    name: str
    record: str
    start: int
    end: int

    def contains(self, start: int, end: int) -> bool:
        return self.start <= start and end <= self.end

    @property
    def is_slice(self) -> bool:
        """Whether the FASTA holds only part of the contig (a record named ``20:1-6000000``)."""
        return self.record != self.name


class ReferenceError(LookupError):
    """A reference read that cannot be served (unknown contig, or outside the sequence held)."""


class ReferenceGenome:
    """A FASTA reference opened once and read by true contig coordinates."""

    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise FileNotFoundError(
                f"reference FASTA {path} does not exist; pass --fasta or set LOGOSCORE_FASTA"
            )
        self.path = path
        self._fasta = Fasta(str(path), as_raw=True, sequence_always_upper=True, rebuild=False)
        self.spans: dict[str, ContigSpan] = {}
        for record, entry in self._fasta.faidx.index.items():
            self.spans.setdefault(*_span_item(record, int(entry.rlen)))

    def resolve(self, chrom: str) -> str | None:
        """The reference's name for ``chrom`` (aliases tried), or ``None`` if it has none."""
        for candidate in contig_aliases(chrom):
            if candidate in self.spans:
                return candidate
        return None

    def unknown_contig_message(self, chrom: str) -> str:
        names = ", ".join(sorted(self.spans)[:10])
        return (
            f"contig {chrom!r} is not in reference {self.path.name}; it has {names} "
            "(aliases tried: chr prefix added or removed, M/MT)"
        )

    def fetch(self, contig: str, start: int, end: int) -> str:
        """Upper-case sequence of resolved ``contig`` over true ``[start, end)``."""
        span = self.spans[contig]
        if not span.contains(start, end):
            raise ReferenceError(
                f"{contig}:{start + 1}-{end} is outside the reference sequence held for {contig} "
                f"({contig}:{span.start + 1}-{span.end})"
            )
        return str(self._fasta[span.record][start - span.start : end - span.start])

    @cached_property
    def identity(self) -> SequenceCollection:
        """The sequence collection of the FASTA's records (read once per file and cached):
        cached scores and jobs never outlive a change of a single base."""
        lengths = {record: int(entry.rlen) for record, entry in self._fasta.faidx.index.items()}
        return cached_collection(self.path, lengths, self._read_record)

    def _read_record(self, record: str, start: int, end: int) -> str:
        return str(self._fasta[record][start:end])

    def close(self) -> None:
        self._fasta.close()


def contig_aliases(chrom: str) -> list[str]:
    """Names under which ``chrom`` may appear in a reference, the name itself first."""
    if chrom in _MITOCHONDRIAL:
        return [chrom, *(name for name in _MITOCHONDRIAL if name != chrom)]
    if chrom.startswith("chr"):
        return [chrom, chrom[3:]]
    return [chrom, f"chr{chrom}"]


def _span_item(record: str, length: int) -> tuple[str, ContigSpan]:
    match = _SLICE_RECORD.match(record)
    if match is None:
        return record, ContigSpan(name=record, record=record, start=0, end=length)
    start = int(match["start"]) - 1
    if int(match["end"]) - start != length:
        raise ValueError(
            f"FASTA record {record!r} names a region of {int(match['end']) - start} bp but holds "
            f"{length} bp; slice records must hold exactly the region their name gives"
        )
    contig = match["contig"]
    return contig, ContigSpan(name=contig, record=record, start=start, end=start + length)
