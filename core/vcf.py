"""Variants from VCF and bgzipped VCF files, read with cyvcf2.

Each ALT of a record becomes its own ``Variant`` whose ``origin`` names the record (its ordinal,
its 1-based line number in the file and its ID). Sample columns are never read.
"""

import gzip
from collections.abc import Iterator
from pathlib import Path

from cyvcf2 import VCF

from core.variants import Origin, ParsedInput, variant_from_fields


class VcfReadError(ValueError):
    """The file cannot be read as VCF at all."""


def read_vcf(path: Path) -> Iterator[ParsedInput]:
    """Every ALT of every record of the VCF at ``path``, in file order."""
    try:
        vcf = VCF(str(path), lazy=True, threads=1)
    except (OSError, ValueError) as error:
        raise VcfReadError(
            f"cannot read {path.name} as VCF ({str(error).replace(str(path), path.name)}); "
            "give a VCF or bgzipped VCF with a '#CHROM POS ID REF ALT ...' header"
        ) from error
    header_lines = _count_header_lines(path)
    try:
        for record_index, record in enumerate(vcf):
            alts = record.ALT or ["."]
            origin = Origin(
                record=record_index,
                line=header_lines + record_index + 1,
                text=f"{record.CHROM}:{record.POS}:{record.REF}:{','.join(alts)}",
                record_id=record.ID,
            )
            yield from variant_from_fields(
                record.CHROM, record.POS, record.REF, ",".join(alts), origin
            )
    finally:
        vcf.close()


def _count_header_lines(path: Path) -> int:
    """Lines before the first record, as in the file (htslib's header may add lines)."""
    with path.open("rb") as raw:
        compressed = raw.read(2) == b"\x1f\x8b"
    with gzip.open(path, "rb") if compressed else path.open("rb") as handle:
        count = 0
        for line in handle:
            if not line.startswith(b"#"):
                break
            count += 1
    return count
