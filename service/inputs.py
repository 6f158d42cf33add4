"""Request bodies and uploads -> parsed inputs (``core.variants``), one record per item."""

import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

from core.variants import Origin, ParsedInput, parse_variant_string, variant_from_fields
from core.vcf import read_vcf
from service.schemas import VariantObject

_GZIP_MAGIC = b"\x1f\x8b"


def parse_request_variants(items: list[str | VariantObject]) -> list[ParsedInput]:
    """Every ALT of every item, in order; items that cannot be read come back as invalid."""
    parsed: list[ParsedInput] = []
    for record, item in enumerate(items):
        if isinstance(item, str):
            parsed += parse_variant_string(item, record)
        else:
            text = f"{item.chrom}:{item.pos}:{item.ref}:{item.alt}"
            parsed += variant_from_fields(
                item.chrom, item.pos, item.ref, item.alt, Origin(record=record, text=text)
            )
    return parsed


def parse_vcf_upload(upload: BinaryIO, work_dir: Path) -> list[ParsedInput]:
    """Every ALT of every record of an uploaded VCF or VCF.gz (compression detected by content)."""
    head = upload.read(2)
    upload.seek(0)
    path = work_dir / ("upload.vcf.gz" if head == _GZIP_MAGIC else "upload.vcf")
    with path.open("wb") as handle:
        shutil.copyfileobj(upload, handle)
    return list(read_vcf(path))


def temporary_directory() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="logoscore-upload-")
