"""Allele normalisation: trim shared bases and left-align indels against the reference.

The canonical form is the one of ``vt normalize`` (Tan, Abecasis and Kang, Bioinformatics 2015)
and ``bcftools norm -f REF``, for one REF/ALT pair (multi-allelic records are split first, one
``Variant`` per ALT, as ``bcftools norm -m -`` does):

1. while both alleles end in the same base, drop it; whenever an allele becomes empty, prepend
   the reference base before ``pos`` to both and move ``pos`` one base left; repeat until
   neither applies. This moves an indel to the leftmost position of its repeat.
2. then, while both alleles are at least two bases long and start with the same base, drop it
   and move ``pos`` one base right.

So ``C/CA`` in a run of ``A`` becomes the anchor base before the run plus ``A``; ``CAG/CTG``
becomes the SNV ``A/T`` one base on; an SNV is left as it is. At the first base of the sequence
held, where there is no base to prepend, the base after the alleles is appended instead (the
VCF rule for events at position 1). REF must already match the reference (``core.classify``
checks it first).
"""

from dataclasses import dataclass

from core.reference import ReferenceGenome

_FETCH_BLOCK = 64
"""Bases fetched at a time while walking left through a repeat."""


@dataclass(frozen=True)
class NormalizedAlleles:
    """A REF/ALT pair in canonical form at 1-based ``pos``."""

    pos: int
    ref: str
    alt: str


def normalize(
    reference: ReferenceGenome, contig: str, pos: int, ref: str, alt: str
) -> NormalizedAlleles:
    """Trim and left-align ``ref``/``alt`` at 1-based ``pos`` on resolved ``contig``."""
    span_start = reference.spans[contig].start
    upstream = _Upstream(reference, contig, pos - 1)
    while True:
        if ref and alt and ref[-1] == alt[-1]:
            ref, alt = ref[:-1], alt[:-1]
        elif not ref or not alt:
            if pos - 1 <= span_start:
                following = reference.fetch(contig, pos - 1 + len(ref), pos + len(ref))
                ref, alt = ref + following, alt + following
                break
            pos -= 1
            base = upstream.base_at(pos - 1)
            ref, alt = base + ref, base + alt
        else:
            break
    while len(ref) >= 2 and len(alt) >= 2 and ref[0] == alt[0]:
        ref, alt, pos = ref[1:], alt[1:], pos + 1
    return NormalizedAlleles(pos=pos, ref=ref, alt=alt)


class _Upstream:
    """Reference bases left of a position, fetched in blocks as the walk goes left."""

    def __init__(self, reference: ReferenceGenome, contig: str, end: int) -> None:
        self._reference = reference
        self._contig = contig
        self._start = end
        self._bases = ""
        self._floor = reference.spans[contig].start

    def base_at(self, position: int) -> str:
        """The base at 0-based ``position`` (left of the starting ``end``)."""
        while position < self._start:
            block_start = max(self._floor, self._start - _FETCH_BLOCK)
            block = self._reference.fetch(self._contig, block_start, self._start)
            self._bases = block + self._bases
            self._start = block_start
        return self._bases[position - self._start]
