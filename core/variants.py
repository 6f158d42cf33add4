"""Variants and where they came from; parsing of the text and object forms users send.

Accepted forms (each ALT of a record becomes its own ``Variant``):

- strings ``CHROM:POS:REF:ALT``, ``CHROM-POS-REF-ALT``, ``CHROM_POS_REF_ALT`` (gnomAD style) and
  ``CHROM:POS REF>ALT``; several ALTs separated by commas (``20:1292033:C:T,G``);
- objects ``{"chrom": ..., "pos": ..., "ref": ..., "alt": ...}`` (``variant_from_fields``);
- VCF and bgzipped VCF files (``core.vcf``).

Parsing checks form only. Whether the alleles are scorable and whether REF matches the reference
is decided later (``core.classify``), so that a bad variant still comes back with a status.
"""

import re
from dataclasses import dataclass

STRING_FORMS = "CHROM:POS:REF:ALT, CHROM-POS-REF-ALT, CHROM_POS_REF_ALT or 'CHROM:POS REF>ALT'"

# one separator between fields (blanks around it allowed): "20:-1:A:G" is position -1, not 1
_VARIANT_STRING = re.compile(
    r"^\s*(?P<chrom>[^\s:]+?)(?:\s*[:\-_]\s*|\s+)(?P<pos>[+-]?[0-9]+)(?:\s*[:\-_]\s*|\s+)"
    r"(?P<ref>[^\s:\-_>/]+)(?:\s*[:\-_>/]\s*|\s+)(?P<alt>[^\s:\-_]+)\s*$"
)


@dataclass(frozen=True)
class Origin:
    """Where a variant came from: its input record, which ALT of it, and how it was written."""

    record: int
    """0-based ordinal of the input record (request item, or VCF data line)."""
    alt_index: int = 0
    """0-based index of this ALT among the record's ALTs."""
    line: int | None = None
    """1-based line number in the input file, when the input was a file."""
    text: str = ""
    """The record as given (CHROM, POS, REF and ALT only: never genotypes or sample columns)."""
    record_id: str | None = None
    """The VCF ID column, when there was one."""


@dataclass(frozen=True)
class Variant:
    """One REF/ALT pair at a 1-based position, with VCF semantics."""

    chrom: str
    pos: int
    ref: str
    alt: str
    origin: Origin


@dataclass(frozen=True)
class InvalidInput:
    """An input record that could not be read as a variant, and why."""

    origin: Origin
    message: str
    chrom: str | None = None
    pos: int | None = None
    ref: str | None = None
    alt: str | None = None


ParsedInput = Variant | InvalidInput


def variant_from_fields(
    chrom: str, pos: int, ref: str, alt: str, origin: Origin
) -> list[ParsedInput]:
    """Variants from separate fields; a comma-separated ``alt`` gives one variant per ALT."""
    chrom = chrom.strip()
    if not chrom:
        return [InvalidInput(origin, "chrom is empty; give a contig name such as '20' or 'chr20'")]
    if pos < 1:
        return [
            InvalidInput(
                origin,
                f"pos {pos} is not a 1-based position; VCF positions start at 1",
                chrom=chrom,
                pos=pos,
                ref=ref,
                alt=alt,
            )
        ]
    alts = alt.split(",")
    return [
        Variant(
            chrom=chrom,
            pos=pos,
            ref=ref.strip().upper(),
            alt=one_alt.strip().upper(),
            origin=Origin(
                record=origin.record,
                alt_index=index,
                line=origin.line,
                text=origin.text,
                record_id=origin.record_id,
            ),
        )
        for index, one_alt in enumerate(alts)
    ]


def parse_variant_string(text: str, record: int) -> list[ParsedInput]:
    """Variants from one string such as ``20:1292033:C:T`` or ``chr20-1292033-C-T``."""
    origin = Origin(record=record, text=text)
    match = _VARIANT_STRING.match(text)
    if match is None:
        message = f"cannot read {text!r} as a variant; write it as {STRING_FORMS}"
        return [InvalidInput(origin, message)]
    return variant_from_fields(
        match["chrom"], int(match["pos"]), match["ref"], match["alt"], origin
    )
