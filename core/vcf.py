"""Variants from VCF and bgzipped VCF files, streamed record by record, within limits.

Lines are read through ``core.input_limits.bounded_lines``: every limit (decompressed bytes, line
length, header lines, variants, deadline) is enforced while reading, and a file past one is
refused at that point. The header lines are then checked by cyvcf2 (htslib): a header it cannot
parse is refused as a whole. htslib's own messages are switched off, since they quote the
offending header line or sample name; the refusal says what to check without quoting the input.
Records are read as text lines, one at a time: htslib stops at the first record it cannot parse
and every later variant would be lost, while here a malformed line becomes one ``invalid`` input
that names its line number and the lines after it are read as usual. Only CHROM, POS, ID, REF
and ALT are read; sample columns are kept as text for the annotated VCF and never parsed or
logged.

Each ALT of a record becomes its own ``Variant`` whose ``origin`` names the record (its ordinal,
its 1-based line number in the file and its ID). Lines need the five columns CHROM POS ID REF
ALT; QUAL, FILTER and INFO may be missing (DeepSEA-style five-column files), sample columns
need all eight. Line numbers are the file's own: blank lines count.
"""

import ctypes
import gzip
import tempfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import cyvcf2.cyvcf2
from cyvcf2 import VCF

from core.input_limits import UNBOUNDED, InputLimitError, ReadLimits, bounded_lines
from core.variants import InvalidInput, Origin, ParsedInput, variant_from_fields

REQUIRED_COLUMNS = ("#CHROM", "POS", "ID", "REF", "ALT")
_TEXT_PREVIEW = 40
"""Characters of an unreadable line kept in its origin: enough to find it, never a genotype."""
_HTS_LOG_OFF = 0

# htslib prints header lines and sample names it objects to on stderr; none may reach a log
ctypes.CDLL(cyvcf2.cyvcf2.__file__).hts_set_log_level(_HTS_LOG_OFF)


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


_GZIP_ERRORS = (EOFError, zlib.error, gzip.BadGzipFile)


class VcfReader:
    """A VCF opened for streaming: ``header`` lines first, then ``records()`` once."""

    def __init__(
        self,
        lines: Iterator[tuple[int, str]],
        header: list[str],
        position: "_Position",
        limits: ReadLimits,
        name: str,
    ) -> None:
        self.header = header
        self.name = name
        self._lines = lines
        self._position = position
        self._limits = limits

    def fraction_read(self) -> float:
        """How far into the file (compressed bytes for a VCF.gz) reading has got, 0 to 1."""
        return self._position.fraction()

    def records(self) -> Iterator[VcfRecord]:
        """The data lines in file order; ``VcfTruncatedError`` where the gzip stream breaks,
        ``InputLimitError`` where the input passes a limit."""
        index = 0
        variants = 0
        limit = self._limits.max_variants
        line_number = len(self.header)
        with _gzip_errors_named(self.name, lambda: line_number):
            for line_number, text in self._lines:
                record = parse_record(text, index, line_number) if text.strip() else None
                variants += len(record.inputs) if record is not None else 1
                if limit is not None and variants > limit:
                    raise InputLimitError(
                        "max_variants",
                        limit,
                        f"the input holds more than {limit:,} variants (each blank line counts "
                        f"one); reading stopped at line {line_number}",
                    )
                if record is not None:
                    yield record
                    index += 1


@dataclass
class _Position:
    raw: IO[bytes]
    size: int

    def fraction(self) -> float:
        return min(1.0, self.raw.tell() / self.size) if self.size else 1.0


@contextmanager
def _gzip_errors_named(name: str, last_line: Callable[[], int]) -> Iterator[None]:
    try:
        yield
    except _GZIP_ERRORS as error:
        raise VcfTruncatedError(
            f"{name} is cut off or damaged after line {last_line()} (gzip: {error}); the rest "
            "of its variants cannot be read: send the whole file again (check its size or "
            "md5sum against the original)"
        ) from error


@contextmanager
def open_vcf(
    path: Path, limits: ReadLimits = UNBOUNDED, name: str | None = None
) -> Iterator[VcfReader]:
    """Open a VCF or bgzipped VCF (detected by content) within ``limits``; refuses a file that
    is not VCF (``VcfReadError``) or that passes a limit (``InputLimitError``). Messages call
    it ``name`` (an upload's own file name), else by its file name."""
    name = name or path.name
    with path.open("rb") as raw:
        compressed = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        binary = gzip.GzipFile(fileobj=raw, mode="rb") if compressed else raw
        lines = bounded_lines(binary, limits)
        with _gzip_errors_named(name, lambda: 0):
            header = _read_header(lines, name, limits)
        _check_header(header, name)
        yield VcfReader(lines, header, _Position(raw, path.stat().st_size), limits, name)


def read_vcf(path: Path, limits: ReadLimits = UNBOUNDED) -> Iterator[ParsedInput]:
    """Every ALT of every record of the VCF at ``path``, in file order."""
    with open_vcf(path, limits) as reader:
        for record in reader.records():
            yield from record.inputs


def _check_header(header: list[str], name: str) -> None:
    """htslib's verdict on the header lines (only they are handed to it, so its reading is
    bounded by the limits already applied); its messages are never passed on."""
    with tempfile.NamedTemporaryFile("w", suffix=".vcf", encoding="utf-8") as copy:
        copy.write("\n".join(header) + "\n")
        copy.flush()
        try:
            vcf = VCF(copy.name, lazy=True, threads=1)
        except Exception:  # cyvcf2 raises a bare Exception for a header it refuses
            raise VcfReadError(
                f"cannot read {name} as VCF: its header lines do not parse as VCF; check that "
                "every ## line is complete (e.g. ##INFO=<ID=..,Number=..,Type=..,"
                'Description="..">), that the #CHROM line is tab-separated and that sample '
                "names are unique"
            ) from None
        vcf.close()


def _read_header(lines: Iterator[tuple[int, str]], name: str, limits: ReadLimits) -> list[str]:
    """Header lines up to and including ``#CHROM``; ``lines`` is left at the first record."""
    header: list[str] = []
    limit = limits.max_header_lines
    for number, text in lines:
        header.append(text)
        if limit is not None and number > limit:
            raise InputLimitError(
                "max_header_lines",
                limit,
                f"the header has more than {limit:,} lines; reading stopped there",
            )
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
        f"{name} has no '#CHROM POS ID REF ALT ...' column header before its records: give a "
        "VCF or bgzipped VCF, its ## lines then the tab-separated #CHROM line"
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
