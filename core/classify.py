"""Decide, per parsed input, whether it can be scored: its normalised alleles and windows, or a
status saying why not.

Checks, in order: the input parsed (``invalid``); both alleles are plain sequence over ``ACGTN``
(``unsupported_allele`` for symbolic, breakend, ``*``, ``.`` and IUPAC ambiguity alleles;
``invalid`` for anything else); the contig is in the reference (``unknown_contig``); the
position is inside the sequence held (``out_of_bounds``); REF equals the reference there
(``ref_mismatch``). Then the alleles are normalised (``core.normalize``); neither normalised
allele may be longer than ``max_allele_length`` (``too_long``: shared padding bases do not
count), and the whole window of the normalised variant must be inside the sequence held
(``out_of_bounds``).
"""

import re
from dataclasses import dataclass

from core.normalize import NormalizedAlleles, normalize
from core.reference import ReferenceGenome
from core.status import Status
from core.variants import InvalidInput, ParsedInput, Variant
from core.windows import AlleleWindows, WindowSpec, allele_windows, window_bounds

DEFAULT_MAX_ALLELE_LENGTH = 100
"""Longest REF or ALT scored by default: a 100 bp change is a tenth of LOGO's 1000 bp window;
longer ones leave little of the reference context the model was trained on."""

_SEQUENCE = re.compile(r"^[ACGTN]+$")
_IUPAC_AMBIGUITY = re.compile(r"^[ACGTNRYSWKMBDHV]+$")


@dataclass(frozen=True)
class ScorableVariant:
    """A variant that can be scored: its canonical alleles and the windows they give."""

    normalized: NormalizedAlleles
    windows: AlleleWindows


@dataclass(frozen=True)
class Rejection:
    """Why an input is not scored: a status other than ``scored`` and what to do about it."""

    status: Status
    message: str


def prepare(
    parsed: ParsedInput,
    reference: ReferenceGenome,
    spec: WindowSpec,
    max_allele_length: int = DEFAULT_MAX_ALLELE_LENGTH,
) -> ScorableVariant | Rejection:
    """Normalised alleles and windows of a scorable variant, or the rejection that says why it
    cannot be scored."""
    if isinstance(parsed, InvalidInput):
        return Rejection(Status.INVALID, parsed.message)
    problem = allele_problem(parsed.ref, "REF") or allele_problem(parsed.alt, "ALT")
    if problem is not None:
        return problem
    if parsed.ref == parsed.alt:
        return Rejection(Status.INVALID, f"REF and ALT are both {parsed.ref!r}: nothing changes")
    contig = reference.resolve(parsed.chrom)
    if contig is None:
        return Rejection(Status.UNKNOWN_CONTIG, reference.unknown_contig_message(parsed.chrom))
    return _check_against_reference(parsed, contig, reference, spec, max_allele_length)


def allele_problem(allele: str, column: str) -> Rejection | None:
    """A rejection if ``allele`` is not plain sequence over ``ACGTN``."""
    if _SEQUENCE.match(allele):
        return None
    if allele.startswith("<") or "[" in allele or "]" in allele or allele in ("*", "."):
        return Rejection(
            Status.UNSUPPORTED_ALLELE,
            f"{column} {allele!r} is symbolic, a breakend, '*' or '.': only sequence alleles over "
            "ACGTN can be scored; give the alleles as explicit bases",
        )
    if _IUPAC_AMBIGUITY.match(allele):
        return Rejection(
            Status.UNSUPPORTED_ALLELE,
            f"{column} {allele!r} holds IUPAC ambiguity codes; write one allele per base "
            "(A, C, G, T or N)",
        )
    return Rejection(
        Status.INVALID,
        f"{column} {allele!r} is not a sequence; alleles are written with A, C, G, T, N",
    )


def _check_against_reference(
    variant: Variant,
    contig: str,
    reference: ReferenceGenome,
    spec: WindowSpec,
    max_allele_length: int,
) -> ScorableVariant | Rejection:
    span = reference.spans[contig]
    ref_start, ref_end = variant.pos - 1, variant.pos - 1 + len(variant.ref)
    if not span.contains(ref_start, ref_end):
        return Rejection(
            Status.OUT_OF_BOUNDS,
            f"{variant.chrom}:{variant.pos} is outside the reference sequence held for {contig} "
            f"({contig}:{span.start + 1}-{span.end}); "
            + (
                f"the reference FASTA holds only that slice of {contig}: score with a "
                "whole-chromosome or whole-genome FASTA (logoscore --fasta, LOGOSCORE_FASTA)"
                if span.is_slice
                else "check the position and the assembly"
            ),
        )
    found = reference.fetch(contig, ref_start, ref_end)
    if found != variant.ref:
        return Rejection(
            Status.REF_MISMATCH,
            f"REF {variant.ref!r} does not match the reference {found!r} at "
            f"{contig}:{variant.pos}; "
            "check that the variant is on the model's assembly and that REF is the forward strand",
        )
    canonical = normalize(reference, contig, variant.pos, variant.ref, variant.alt)
    longest = max(len(canonical.ref), len(canonical.alt))
    if longest > max_allele_length:
        return Rejection(
            Status.TOO_LONG,
            f"an allele of {longest} bp (normalised) is longer than the {max_allele_length} bp "
            f"scored (the model reads {spec.length} bp); score structural variants with a tool "
            "made for them, or raise the limit (LOGOSCORE_MAX_ALLELE_LENGTH, "
            "--max-allele-length)",
        )
    window_start, window_end = window_bounds(canonical.pos, canonical.ref, canonical.alt, spec)
    if not span.contains(window_start, window_end):
        return Rejection(
            Status.OUT_OF_BOUNDS,
            f"the {spec.length} bp window around {contig}:{canonical.pos} reaches past the "
            f"reference sequence held ({contig}:{span.start + 1}-{span.end}); variants closer "
            f"than {spec.length // 2} bp to its ends cannot be scored",
        )
    windows = allele_windows(reference, contig, canonical.pos, canonical.ref, canonical.alt, spec)
    return ScorableVariant(canonical, windows)
