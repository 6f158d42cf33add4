"""Variants from VCF and bgzipped VCF files, streamed record by record.

The header is read and checked by cyvcf2 (htslib): a file it cannot open as VCF is refused as a
whole. Records are then read as text lines, one at a time: htslib stops at the first record it
cannot parse (``[E::vcf_parse] Could not parse the position``) and every later variant would be
lost, while here a malformed line becomes one ``invalid`` input that names its line number and
the lines after it are read as usual. Only CHROM, POS, ID, REF and ALT are read; sample columns
are kept as text for the annotated VCF and never parsed or logged.

Each ALT of a record becomes its own ``Variant`` whose ``origin`` names the record (its ordinal,
its 1-based line number in the file and its ID). Lines need the five columns CHROM POS ID REF
ALT; QUAL, FILTER and INFO may be missing (DeepSEA-style five-column files), sample columns
need all eight.
"""

import gzip
import io
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from cyvcf2 import VCF

from core.variants import InvalidInput, Origin, ParsedInput, variant_from_fields

REQUIRED_COLUMNS = ("#CHROM", "POS", "ID", "REF", "ALT")
_TEXT_PREVIEW = 40
"""Characters of an unreadable line kept in its origin: enough to find it, never a genotype."""


class VcfReadError(ValueError):
    """The file cannot be read as VCF at all."""


class VcfTruncatedError(VcfReadError):
    """A VCF.gz whose compressed stream breaks off or is damaged after some records: the
    variants after that point cannot be known, so the file is refused, never read in part."""


@dataclass(frozen=True)
class VcfRecord:
    """One data line of a VCF: where it is, its text, and its inputs (one per ALT, or one
    ``InvalidInput`` when the line cannot be read)."""

    index: int
    """0-based ordinal among the data lines."""
    line: int
    """1-based line number in the file."""
    text: str
    """The line as read, without its line ending."""
    inputs: list[ParsedInput]
    malformed: bool = False
    """True when the line is not a VCF record at all (too few columns, POS not a number): it
    cannot be written back as one."""


class VcfReader:
    """A VCF opened for streaming: ``header`` lines first, then ``records()`` once."""

    def __init__(
        self, handle: IO[str], header: list[str], raw: IO[bytes], size: int, name: str
    ) -> None:
        self.header = header
        self.name = name
        self._handle = handle
        self._raw = raw
        self._size = size

    def fraction_read(self) -> float:
        """How far into the file (compressed bytes for a VCF.gz) reading has got, 0 to 1."""
        return min(1.0, self._raw.tell() / self._size) if self._size else 1.0

    def records(self) -> Iterator[VcfRecord]:
        """The data lines in file order; ``VcfTruncatedError`` where the gzip stream breaks."""
        line_number = len(self.header)
        index = 0
        lines = iter(self._handle)
        while True:
            try:
                raw = next(lines)
            except StopIteration:
                return
            except (EOFError, zlib.error, gzip.BadGzipFile) as error:
                raise VcfTruncatedError(
                    f"{self.name} is cut off or damaged after line {line_number} (gzip: "
                    f"{error}); the rest of its variants cannot be read: send the whole file "
                    "again (check its size or md5sum against the original)"
                ) from error
            line_number += 1
            text = raw.rstrip("\r\n")
            if not text.strip():
                continue
            yield parse_record(text, index, line_number)
            index += 1


@contextmanager
def open_vcf(path: Path) -> Iterator[VcfReader]:
    """Open a VCF or bgzipped VCF (detected by content); refuses a file that is not VCF."""
    _check_header(path)
    with path.open("rb") as raw:
        compressed = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        binary = gzip.GzipFile(fileobj=raw, mode="rb") if compressed else raw
        with io.TextIOWrapper(binary, encoding="utf-8", errors="replace", newline="") as handle:
            header = _read_header(handle, path.name)
            yield VcfReader(handle, header, raw, path.stat().st_size, path.name)


def read_vcf(path: Path) -> Iterator[ParsedInput]:
    """Every ALT of every record of the VCF at ``path``, in file order."""
    with open_vcf(path) as reader:
        for record in reader.records():
            yield from record.inputs


def _check_header(path: Path) -> None:
    try:
        vcf = VCF(str(path), lazy=True, threads=1)
    except Exception as error:  # cyvcf2 raises a bare Exception for a header it cannot parse
        raise VcfReadError(
            f"cannot read {path.name} as VCF ({str(error).replace(str(path), path.name)}); "
            "give a VCF or bgzipped VCF with a '#CHROM POS ID REF ALT ...' header"
        ) from error
    vcf.close()


def _read_header(handle: IO[str], name: str) -> list[str]:
    """Header lines up to and including ``#CHROM``; the handle is left at the first record."""
    header: list[str] = []
    for raw in handle:
        text = raw.rstrip("\r\n")
        header.append(text)
        if text.startswith("#CHROM"):
            columns = tuple(text.split("\t")[: len(REQUIRED_COLUMNS)])
            if columns != REQUIRED_COLUMNS:
                raise VcfReadError(
                    f"{name}: the column header starts {'/'.join(columns)}; a VCF's starts "
                    f"{' '.join(REQUIRED_COLUMNS)}, separated by tabs"
                )
            return header
        if not text.startswith("##"):
            break
    raise VcfReadError(
        f"{name} has no '#CHROM POS ID REF ALT ...' column header before its records; "
        "add one (tab-separated) after the ## lines"
    )


def parse_record(text: str, index: int, line: int) -> VcfRecord:
    """The record on one data line (``index``: its 0-based ordinal; ``line``: its line number)."""
    inputs, malformed = _record_inputs(text, index, line)
    return VcfRecord(index, line, text, inputs, malformed)


def _record_inputs(text: str, index: int, line: int) -> tuple[list[ParsedInput], bool]:
    """The line's inputs, and whether it is malformed."""
    columns = text.split("\t")
    if len(columns) < len(REQUIRED_COLUMNS):
        return [
            InvalidInput(
                Origin(record=index, line=line, text=text[:_TEXT_PREVIEW]),
                f"line {line} has {len(columns)} tab-separated column(s); a VCF record needs "
                "at least CHROM, POS, ID, REF and ALT, separated by tabs",
            )
        ], True
    chrom, pos_text, record_id, ref, alt = columns[: len(REQUIRED_COLUMNS)]
    origin = Origin(
        record=index,
        line=line,
        text=f"{chrom}:{pos_text}:{ref}:{alt}",
        record_id=None if record_id == "." else record_id,
    )
    if not (pos_text.isascii() and pos_text.isdigit()):  # '²' and '٢' are digits to Python
        return [
            InvalidInput(
                origin,
                f"line {line}: POS {pos_text!r} is not a whole number; VCF positions are "
                "1-based integers",
                chrom=chrom,
                ref=ref,
                alt=alt,
            )
        ], True
    if not ref or not alt:
        return [
            InvalidInput(
                origin,
                f"line {line}: REF or ALT is empty; write '.' for no ALT and bases for REF",
                chrom=chrom,
                pos=int(pos_text),
            )
        ], True
    return variant_from_fields(chrom, int(pos_text), ref, alt, origin), False
