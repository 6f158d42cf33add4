"""Output formats: chosen by file name (CLI) or by ``format=`` / ``Accept`` (HTTP)."""

from enum import StrEnum
from pathlib import Path


class OutputFormat(StrEnum):
    JSON = "json"
    NDJSON = "ndjson"
    TSV = "tsv"
    VCF = "vcf"


MEDIA_TYPES = {
    OutputFormat.JSON: "application/json",
    OutputFormat.NDJSON: "application/x-ndjson",
    OutputFormat.TSV: "text/tab-separated-values",
    OutputFormat.VCF: "text/vcf",
}
_SUFFIXES = {
    ".vcf": OutputFormat.VCF,
    ".tsv": OutputFormat.TSV,
    ".jsonl": OutputFormat.NDJSON,
    ".ndjson": OutputFormat.NDJSON,
}
FILE_SUFFIXES = ", ".join(f"{suffix}[.gz]" for suffix in _SUFFIXES)


class FormatError(ValueError):
    """An output that no writer produces."""


def format_for_path(path: Path) -> tuple[OutputFormat, bool]:
    """The format of an output file from its name, and whether it is bgzipped (``.gz``)."""
    suffixes = path.suffixes
    compressed = bool(suffixes) and suffixes[-1] == ".gz"
    suffix = suffixes[-2 if compressed else -1] if len(suffixes) > int(compressed) else ""
    if suffix not in _SUFFIXES:
        raise FormatError(
            f"cannot tell the output format of {path.name}; name it with one of {FILE_SUFFIXES}"
        )
    return _SUFFIXES[suffix], compressed


def format_for_request(requested: OutputFormat | None, accept: str | None) -> OutputFormat:
    """``format=`` wins; else the first media type of ``Accept`` that a writer produces; else
    JSON."""
    if requested is not None:
        return requested
    for part in (accept or "").split(","):
        media_type = part.split(";")[0].strip().lower()
        for output_format, known in MEDIA_TYPES.items():
            if media_type == known:
                return output_format
    return OutputFormat.JSON
