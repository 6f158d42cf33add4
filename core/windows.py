"""The one window extractor, LOGO/DeepSEA convention; used by training and serving alike.

A model with window length ``L`` (1000 for LOGO, from the model manifest) and k-mer size ``k``
reads, around an anchor base at 0-based true position ``p``:

- the window ``[p - (L/2 - 1), p - (L/2 - 1) + L + k - 1)``: the anchor sits at 0-based index
  ``L/2 - 1`` (499), as in DeepSEA, whose 1000 bp input holds the variant at its 500th base;
- ``L + k - 1`` bases rather than ``L``, so that each of the ``k`` reading frames
  (``core.kmers``) holds ``L/k`` whole k-mers: frame ``f`` starts at ``f`` and its last k-mer
  ends at ``f + L - 1``;
- for a variant, the anchor is its first REF base (``pos - 1``). The ref window is the reference;
  the alt window keeps the variant start at the same index, writes ALT there and fills to length
  from the reference after REF (so a deletion pulls in downstream bases, an insertion pushes
  them out of the window);
- the reverse complement of each window is scored too, and the two strands are averaged
  (``core.scoring``).

Why the start stays fixed for indels (variants are normalised first, ``core.normalize``, so the
anchor is the left-aligned first base): every reading frame then sees the same k-mers up to the
variant in both windows, and the ref and alt predictions differ only by what the variant
changes downstream, as for an SNV. Others re-centre instead: ExPecto's ``chromatin.py`` fetches
100 bp more than its input, writes ALT at the centre and keeps the central bases of the result
(so an indel shifts the flanks on both sides by half its length); selene's variant effect
prediction likewise trims an insertion's window equally from both ends and fetches extra
flanking bases on both sides for a deletion. Re-centring moves the k-mer frames of the whole
window by half the length difference; here they move only downstream of the variant.

For a training bin ``[b, b + 200)`` the anchor is ``b + 99``, which centres the bin in the window.
"""

from dataclasses import dataclass

from core.reference import ReferenceGenome

_COMPLEMENT = str.maketrans("ACGTN", "TGCAN")


@dataclass(frozen=True)
class WindowSpec:
    """Window length ``length`` and k-mer size ``k`` of a model (from its manifest)."""

    length: int = 1000
    k: int = 5

    def __post_init__(self) -> None:
        if self.length % self.k or self.length % 2:
            raise ValueError(
                f"window length {self.length} must be even and a multiple of k={self.k}"
            )

    @property
    def anchor_index(self) -> int:
        """0-based index of the anchor base (the variant's first REF base) in the window."""
        return self.length // 2 - 1

    @property
    def read_length(self) -> int:
        """Bases read per window: ``length + k - 1``, so every frame holds whole k-mers."""
        return self.length + self.k - 1

    def start_for(self, anchor: int) -> int:
        """0-based true start of the window whose anchor is at 0-based position ``anchor``."""
        return anchor - self.anchor_index


@dataclass(frozen=True)
class AlleleWindows:
    """Reference and alternate windows of one variant (forward strand)."""

    contig: str
    start: int
    ref: str
    alt: str


def reference_window(reference: ReferenceGenome, contig: str, anchor: int, spec: WindowSpec) -> str:
    """The ``read_length`` bases around 0-based ``anchor`` on resolved ``contig``."""
    start = spec.start_for(anchor)
    return reference.fetch(contig, start, start + spec.read_length)


def allele_windows(
    reference: ReferenceGenome, contig: str, pos: int, ref: str, alt: str, spec: WindowSpec
) -> AlleleWindows:
    """Ref and alt windows of a variant at 1-based ``pos`` whose REF matches the reference."""
    start = spec.start_for(pos - 1)
    extra = max(0, len(ref) - len(alt))
    sequence = reference.fetch(contig, start, start + spec.read_length + extra)
    anchor = spec.anchor_index
    alt_window = sequence[:anchor] + alt + sequence[anchor + len(ref) :]
    return AlleleWindows(
        contig=contig,
        start=start,
        ref=sequence[: spec.read_length],
        alt=alt_window[: spec.read_length],
    )


def window_bounds(pos: int, ref: str, alt: str, spec: WindowSpec) -> tuple[int, int]:
    """True ``[start, end)`` the reference must hold to score a variant at 1-based ``pos``."""
    start = spec.start_for(pos - 1)
    return start, start + spec.read_length + max(0, len(ref) - len(alt))


def reverse_complement(sequence: str) -> str:
    """Reverse complement over ``ACGTN``."""
    return sequence.translate(_COMPLEMENT)[::-1]
