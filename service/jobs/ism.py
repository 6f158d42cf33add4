"""In-silico mutagenesis as a batch job (``POST /jobs/ism``), for regions longer than a request
may mutate: the region's positions written as VCF records, one per position with its SNVs as
ALTs (``core.ism.site_line``), chunked as an uploaded VCF is, so that the job's progress, result
formats and report are those of any job. A chunk is scored by mutating its positions
(``service.mutagenesis``), so every SNV gets exactly what ``POST /ism`` gives it, and a position
without SNVs (an N base, outside the sequence held) its status on every ALT."""

from collections.abc import Iterator
from typing import Any

from core.ism import BASES, MutagenesisRegion, mutagenesis_region, mutagenesis_sites, site_line
from core.reference import ReferenceGenome
from core.variants import Variant
from core.vcf import VcfRecord
from service.jobs.records import ChunkInput
from service.mutagenesis import mutagenesis
from service.scoring.engine import ScoringEngine
from service.scoring.scores import VariantScore

ISM_HEADER_COLUMNS = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"


def ism_header(region: MutagenesisRegion) -> list[str]:
    """The VCF header of a mutagenesis job's records."""
    return [
        "##fileformat=VCFv4.2",
        f"##contig=<ID={region.contig}>",
        f"##in_silico_mutagenesis={region}: every base changed to each of the three others",
        ISM_HEADER_COLUMNS,
    ]


def ism_chunks(
    reference: ReferenceGenome, region: MutagenesisRegion, chunk_variants: int
) -> Iterator[ChunkInput]:
    """The region's records, about ``chunk_variants`` ALTs a chunk (whole positions), numbered
    as lines of a VCF with ``ism_header``."""
    first_line = len(ism_header(region)) + 1
    lines: list[str] = []
    first = variants = 0
    for index, site in enumerate(mutagenesis_sites(reference, region)):
        lines.append(site_line(region, site))
        variants += len(site.variants) or len(BASES)  # a site without SNVs: every base
        if variants >= chunk_variants:
            numbers = [first_line + first + i for i in range(len(lines))]
            yield ChunkInput(first, lines, numbers, variants)
            first, lines, variants = index + 1, [], 0
    if lines:
        numbers = [first_line + first + i for i in range(len(lines))]
        yield ChunkInput(first, lines, numbers, variants)


def ism_chunk_scores(engine: ScoringEngine, records: list[VcfRecord]) -> list[list[dict[str, Any]]]:
    """The stored scores of a mutagenesis job's chunk of records, one list per record."""
    first, last = _position(records[0]), _position(records[-1])
    chrom = records[0].inputs[0].chrom or ""
    found = mutagenesis(engine, mutagenesis_region(engine.reference, chrom, first, last))
    scores = []
    for record, site in zip(records, found.sites, strict=True):
        if site.scores:
            scores.append([score.stored() for score in site.scores])
        else:
            scores.append(
                [VariantScore(p, site.status, site.message).stored() for p in record.inputs]
            )
    return scores


def _position(record: VcfRecord) -> int:
    parsed = record.inputs[0]
    assert isinstance(parsed, Variant)
    return parsed.pos
