"""Streaming a VCF through the engine: records in, ``(record, scores)`` out, in file order, a
chunk of variants at a time (memory stays flat however long the file)."""

from collections.abc import Iterable, Iterator

from core.vcf import VcfRecord
from service.engine import ScoringEngine, VariantScore

CHUNK_VARIANTS = 256


def scored_records(
    engine: ScoringEngine, records: Iterable[VcfRecord], chunk_variants: int = CHUNK_VARIANTS
) -> Iterator[tuple[VcfRecord, list[VariantScore]]]:
    """Each record with one score per input (per ALT), in order."""
    pending: list[VcfRecord] = []
    variants = 0
    for record in records:
        pending.append(record)
        variants += len(record.inputs)
        if variants >= chunk_variants:
            yield from _score(engine, pending)
            pending, variants = [], 0
    if pending:
        yield from _score(engine, pending)


def _score(
    engine: ScoringEngine, records: list[VcfRecord]
) -> Iterator[tuple[VcfRecord, list[VariantScore]]]:
    scores = engine.score([parsed for record in records for parsed in record.inputs])
    offset = 0
    for record in records:
        yield record, scores[offset : offset + len(record.inputs)]
        offset += len(record.inputs)
