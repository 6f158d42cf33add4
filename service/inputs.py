"""Request bodies and uploads -> parsed inputs (``core.variants``), one record per item."""

import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

from core.variants import Origin, ParsedInput, parse_variant_string, variant_from_fields
from core.vcf import VcfRecord, open_vcf
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


class TooManyVariantsError(ValueError):
    """An upload with more variants than a synchronous request may hold."""


def read_vcf_upload(
    upload: BinaryIO, work_dir: Path, max_variants: int
) -> tuple[list[str], list[VcfRecord]]:
    """Header lines and records of an uploaded VCF or VCF.gz (compression detected by content);
    ``TooManyVariantsError`` past ``max_variants`` ALTs, ``VcfReadError`` if it is not VCF."""
    path = save_upload(upload, work_dir)
    records: list[VcfRecord] = []
    variants = 0
    with open_vcf(path) as reader:
        for record in reader.records():
            variants += len(record.inputs)
            if variants > max_variants:
                raise TooManyVariantsError(
                    f"the upload holds more than the {max_variants} variants a synchronous "
                    "request may hold; submit it as a batch job (POST /jobs), split it, or "
                    "score it offline (logoscore score)"
                )
            records.append(record)
        return reader.header, records


def save_upload(upload: BinaryIO, work_dir: Path) -> Path:
    """The upload as a file in ``work_dir``, named by its compression (detected by content)."""
    head = upload.read(2)
    upload.seek(0)
    path = work_dir / ("upload.vcf.gz" if head == _GZIP_MAGIC else "upload.vcf")
    with path.open("wb") as handle:
        shutil.copyfileobj(upload, handle)
    return path


def temporary_directory() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="logoscore-upload-")
