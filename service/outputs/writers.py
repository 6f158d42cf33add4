"""One writer per streamed format, behind one interface: ``header``, ``record``, ``footer``."""

from typing import Protocol

from core.vcf import VcfRecord
from service.outputs.formats import OutputFormat
from service.outputs.ndjson import NdjsonWriter
from service.outputs.provenance import Provenance
from service.outputs.tsv import TsvWriter
from service.outputs.vcf import VcfWriter
from service.scores import VariantScore
from service.selection import ResultView


class ResultWriter(Protocol):
    def header(self, warnings: list[str]) -> str: ...

    def record(self, record: VcfRecord | None, scores: list[VariantScore]) -> str: ...

    def footer(self, summary: dict[str, int], warnings: list[str]) -> str: ...


def result_writer(
    output_format: OutputFormat,
    view: ResultView,
    provenance: Provenance,
    vcf_header: list[str] | None,
) -> ResultWriter:
    """The writer of ``output_format``; VCF output needs the input's header lines."""
    if output_format is OutputFormat.VCF:
        if vcf_header is None:
            raise ValueError("VCF output annotates a VCF input: give its header lines")
        return VcfWriter(view, provenance, vcf_header)
    if output_format is OutputFormat.TSV:
        return TsvWriter(view, provenance)
    if output_format is OutputFormat.NDJSON:
        return NdjsonWriter(view, provenance)
    raise ValueError(f"{output_format} is written whole, not streamed: use the JSON response")
