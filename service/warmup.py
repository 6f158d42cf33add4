"""Pre-scoring into the cache: every ALT of a VCF, or every possible SNV of a region."""

from collections.abc import Iterator
from itertools import islice

from core.reference import ReferenceGenome
from core.variants import Origin, ParsedInput, Variant
from service.scoring.engine import ScoringEngine
from service.scoring.pipeline import CHUNK_VARIANTS

_BASES = "ACGT"


def region_snvs(
    reference: ReferenceGenome, chrom: str, start: int, end: int
) -> Iterator[ParsedInput]:
    """The three SNVs at each base of 1-based inclusive ``[start, end]`` (N bases skipped)."""
    contig = reference.resolve(chrom)
    if contig is None:
        raise ValueError(reference.unknown_contig_message(chrom))
    for record, pos in enumerate(range(start, end + 1)):
        ref = reference.fetch(contig, pos - 1, pos)
        for alt in (base for base in _BASES if base != ref and ref in _BASES):
            origin = Origin(record=record, text=f"{contig}:{pos}:{ref}:{alt}")
            yield Variant(contig, pos, ref, alt, origin)


def warm(engine: ScoringEngine, inputs: Iterator[ParsedInput]) -> dict[str, int]:
    """Score ``inputs`` a chunk at a time (the engine stores what it computes); status counts."""
    counts: dict[str, int] = {}
    while chunk := list(islice(inputs, CHUNK_VARIANTS)):
        for score in engine.score(chunk):
            counts[score.status.value] = counts.get(score.status.value, 0) + 1
    return counts
