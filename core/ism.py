"""In-silico saturation mutagenesis (ISM): every base of a region changed to each of the three
others, each change an SNV scored exactly as ``/score`` scores it.

A region is 1-based and inclusive, as VCF positions are. Each position is a ``MutagenesisSite``
with its reference base and its three SNVs in ``BASES`` order; the three share one reference
window, which the engine reads once (``core.effects``): 4 windows (40 model rows) per position
instead of the 60 rows of three SNVs scored apart. A position gets no SNVs, and a status that
says why, when its base is outside the sequence the reference holds (``out_of_bounds``) or is N
(``unsupported_allele``: an assembly gap has no base to change). SNVs whose window reaches past
the sequence held are turned down by ``core.classify`` as any SNV is.
"""

from dataclasses import dataclass

from core.classify import Rejection
from core.reference import ReferenceGenome
from core.status import Status
from core.variants import Origin, Variant

BASES = ("A", "C", "G", "T")
"""The bases of a mutagenesis matrix's second axis, in this order."""


class RegionError(ValueError):
    """A region that cannot be mutated: unknown contig, reversed bounds or too long."""


@dataclass(frozen=True)
class MutagenesisRegion:
    """A region as asked for (``chrom``) and resolved in the reference (``contig``), 1-based
    inclusive ``start``-``end``."""

    chrom: str
    contig: str
    start: int
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    @property
    def positions(self) -> range:
        return range(self.start, self.end + 1)

    def __str__(self) -> str:
        return f"{self.contig}:{self.start}-{self.end}"


@dataclass(frozen=True)
class MutagenesisSite:
    """One position of a region: its reference base (``None`` outside the sequence held), and
    either its three SNVs or the rejection that says why it has none."""

    pos: int
    ref: str | None
    variants: tuple[Variant, ...] = ()
    rejection: Rejection | None = None


def mutagenesis_region(
    reference: ReferenceGenome, chrom: str, start: int, end: int, max_length: int | None = None
) -> MutagenesisRegion:
    """The region ``chrom:start-end`` resolved in ``reference``; ``RegionError`` if the contig is
    unknown, the bounds are reversed or it is longer than ``max_length``."""
    if not 1 <= start <= end:
        raise RegionError(
            f"region {chrom}:{start}-{end} must have 1 <= start <= end (1-based, inclusive)"
        )
    contig = reference.resolve(chrom)
    if contig is None:
        raise RegionError(reference.unknown_contig_message(chrom))
    region = MutagenesisRegion(chrom, contig, start, end)
    if max_length is not None and region.length > max_length:
        raise RegionError(
            f"region {region} is {region.length} bp; at most {max_length} bp are mutated here"
        )
    return region


def mutagenesis_sites(
    reference: ReferenceGenome, region: MutagenesisRegion
) -> list[MutagenesisSite]:
    """Every position of ``region``, in order, with its SNVs or its rejection."""
    span = reference.spans[region.contig]
    held_start, held_end = max(region.start - 1, span.start), min(region.end, span.end)
    held = reference.fetch(region.contig, held_start, held_end) if held_start < held_end else ""
    sites = []
    for index, pos in enumerate(region.positions):
        offset = pos - 1 - held_start
        base = held[offset] if 0 <= offset < len(held) else None
        sites.append(_site(region, index, pos, base, span.start, span.end))
    return sites


def _site(
    region: MutagenesisRegion, index: int, pos: int, base: str | None, start: int, end: int
) -> MutagenesisSite:
    if base is None:
        return MutagenesisSite(
            pos,
            None,
            rejection=Rejection(
                Status.OUT_OF_BOUNDS,
                f"{region.contig}:{pos} is outside the reference sequence held for "
                f"{region.contig} ({region.contig}:{start + 1}-{end}); mutate a region inside it",
            ),
        )
    if base not in BASES:
        return MutagenesisSite(
            pos,
            base,
            rejection=Rejection(
                Status.UNSUPPORTED_ALLELE,
                f"the reference base at {region.contig}:{pos} is {base} (unknown, an assembly "
                "gap): only A, C, G and T are changed",
            ),
        )
    variants = tuple(
        Variant(
            region.chrom,
            pos,
            base,
            alt,
            Origin(record=index, alt_index=alt_index, text=f"{region.chrom}:{pos}:{base}:{alt}"),
        )
        for alt_index, alt in enumerate(b for b in BASES if b != base)
    )
    return MutagenesisSite(pos, base, variants)


def site_line(region: MutagenesisRegion, site: MutagenesisSite) -> str:
    """The site as a VCF data line, its SNVs as ALTs; a site without SNVs has REF N (VCF's
    unknown base) and every base as an ALT, each to carry the site's status."""
    ref = site.ref if site.ref is not None and site.ref in (*BASES, "N") else "N"
    alts = [variant.alt for variant in site.variants] or list(BASES)
    return "\t".join([region.chrom, str(site.pos), ".", ref, ",".join(alts), ".", ".", "."])
