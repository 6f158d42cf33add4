"""Output formats, in one table: name, media type, file suffixes, and the writer that renders
records in it (none for JSON: the JSON response is built whole, ``service.results``).

A format is one row of ``FORMATS``: the CLI picks it by the output's file name, HTTP by
``format=`` or ``Accept``, and jobs render their stored scores with its writer when the result
is fetched. ``streams`` marks the format a synchronous response sends while scoring (NDJSON:
its counts and warnings come last); the others put warnings before the records and are sent
once scoring is done.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from core.vcf import VcfRecord
from service.outputs.ndjson import NdjsonWriter
from service.outputs.provenance import Provenance
from service.outputs.tsv import TsvWriter
from service.outputs.vcf import VcfWriter
from service.scoring.scores import VariantScore
from service.selection import ResultView


class OutputFormat(StrEnum):
    JSON = "json"
    NDJSON = "ndjson"
    TSV = "tsv"
    VCF = "vcf"


class ResultWriter(Protocol):
    def header(self, warnings: list[str]) -> str: ...

    def record(self, record: VcfRecord, scores: list[VariantScore]) -> str: ...

    def footer(self, summary: dict[str, int], warnings: list[str]) -> str: ...


WriterFactory = Callable[[ResultView, Provenance, list[str]], ResultWriter]
"""``(view, provenance, the input's VCF header lines) -> writer``."""


@dataclass(frozen=True)
class FormatSpec:
    media_type: str
    suffixes: tuple[str, ...]
    """File names the CLI writes this format to (each may end in ``.gz``: bgzipped)."""
    writer: WriterFactory | None
    streams: bool = False


FORMATS: dict[OutputFormat, FormatSpec] = {
    OutputFormat.VCF: FormatSpec("text/vcf", (".vcf",), VcfWriter),
    OutputFormat.TSV: FormatSpec(
        "text/tab-separated-values",
        (".tsv",),
        lambda view, provenance, _: TsvWriter(view, provenance),
    ),
    OutputFormat.NDJSON: FormatSpec(
        "application/x-ndjson",
        (".jsonl", ".ndjson"),
        lambda view, provenance, _: NdjsonWriter(view, provenance),
        streams=True,
    ),
    OutputFormat.JSON: FormatSpec("application/json", (), None),
}
RECORD_FORMATS = tuple(f for f, spec in FORMATS.items() if spec.writer is not None)


class ResultFormat(StrEnum):
    """A job result's format: a record format, plain or bgzipped (``.gz``)."""

    VCF = "vcf"
    VCF_GZ = "vcf.gz"
    TSV = "tsv"
    TSV_GZ = "tsv.gz"
    NDJSON = "ndjson"
    NDJSON_GZ = "ndjson.gz"

    @property
    def records(self) -> OutputFormat:
        return OutputFormat(self.value.removesuffix(".gz"))

    @property
    def bgzipped(self) -> bool:
        return self.value.endswith(".gz")

    @property
    def media_type(self) -> str:
        return "application/gzip" if self.bgzipped else FORMATS[self.records].media_type


"""The formats rendered record by record: every format but the JSON document."""
MEDIA_TYPES = {f: spec.media_type for f, spec in FORMATS.items()}
_SUFFIXES = {suffix: f for f, spec in FORMATS.items() for suffix in spec.suffixes}
FILE_SUFFIXES = ", ".join(f"{suffix}[.gz]" for suffix in _SUFFIXES)


class FormatError(ValueError):
    """An output that no writer produces."""


def result_writer(
    output_format: OutputFormat, view: ResultView, provenance: Provenance, vcf_header: list[str]
) -> ResultWriter:
    """The writer of ``output_format`` (the input's header lines: the annotated VCF keeps
    them)."""
    make = FORMATS[output_format].writer
    if make is None:
        raise FormatError(f"{output_format} is a whole document, not rendered record by record")
    return make(view, provenance, vcf_header)


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
