"""Request bodies and uploads -> parsed inputs (``core.variants``), one record per item."""

import os
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

from core.input_limits import ReadLimits
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


def read_vcf_upload(
    upload: BinaryIO, work_dir: Path, limits: ReadLimits, name: str | None
) -> tuple[list[str], list[VcfRecord]]:
    """Header lines and records of an uploaded VCF or VCF.gz (compression detected by content),
    read within ``limits`` (``InputLimitError`` past one); ``VcfReadError`` if it is not VCF.
    Messages name the file as the client named it (``upload_name``)."""
    path = save_upload(upload, work_dir)
    with open_vcf(path, limits, upload_name(name, path)) as reader:
        return reader.header, list(reader.records())


_NAME_LENGTH = 100


def upload_name(client_name: str | None, saved: Path) -> str:
    """The name messages give an upload: the client's file name (its last path part, printable
    characters, at most ``_NAME_LENGTH``), else the saved file's."""
    base = (client_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    printable = "".join(c for c in base if c.isprintable())[:_NAME_LENGTH].strip()
    return printable or saved.name


def save_upload(upload: BinaryIO, work_dir: Path) -> Path:
    """The upload as a file in ``work_dir``, named by its compression (detected by content)."""
    head = upload.read(2)
    upload.seek(0)
    path = work_dir / ("upload.vcf.gz" if head == _GZIP_MAGIC else "upload.vcf")
    with path.open("wb") as handle:
        shutil.copyfileobj(upload, handle)
    return path


_UPLOAD_PREFIX = "logoscore-upload-"


def temporary_directory() -> tempfile.TemporaryDirectory[str]:
    """A directory for one upload, named after this process so that a later start can tell
    a crashed process's leftovers from a live one's."""
    return tempfile.TemporaryDirectory(prefix=f"{_UPLOAD_PREFIX}{os.getpid()}-")


def remove_upload_leftovers() -> int:
    """Delete upload directories of processes that no longer run (a crash, a SIGKILL);
    returns how many were removed."""
    removed = 0
    for path in Path(tempfile.gettempdir()).glob(f"{_UPLOAD_PREFIX}*"):
        pid = path.name[len(_UPLOAD_PREFIX) :].split("-", 1)[0]
        if path.is_dir() and not (pid.isdigit() and _running(int(pid))):
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
