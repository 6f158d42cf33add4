"""The one window extractor, LOGO/DeepSEA convention; used by training and serving alike.

A model with window length ``L`` (1000 for LOGO, from the model manifest) and k-mer size ``k``
reads, around an anchor base at 0-based true position ``p``:

- the window ``[p - (L/2 - 1), p - (L/2 - 1) + L + k - 1)``: the anchor sits at 0-based index
  ``L/2 - 1`` (499), as in DeepSEA, whose 1000 bp input holds the variant at its 500th base;
- ``L + k - 1`` bases rather than ``L``, so that each of the ``k`` reading frames
  (``core.kmers``) holds ``L/k`` whole k-mers: frame ``f`` starts at ``f`` and its last k-mer
  ends at ``f + L - 1``. How those last ``k - 1`` bases are filled is the model's
  ``frame_tail`` (``WindowSpec``): ``reference`` reads them from the genome (the demo model);
  ``n-padded`` reads exactly ``L`` bases and appends ``k - 1`` N, as LOGO tokenises DeepSEA's
  1000 bp windows (frames 1-4 end in a k-mer padded with N); training windows that come as
  exactly ``L`` bases (the DeepSEA bundle) can only be read this way;
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
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from core.kmers import TOKENIZER_VERSION, TOKENIZERS, Vocabulary, reverse_complement_codes
from core.reference import ReferenceGenome

FrameTail = Literal["reference", "n-padded"]
FRAME_TAILS: tuple[FrameTail, ...] = ("reference", "n-padded")

_COMPLEMENT = str.maketrans("ACGTN", "TGCAN")


@dataclass(frozen=True)
class WindowSpec:
    """Window length ``length``, k-mer size ``k`` and ``frame_tail`` of a model (from its
    manifest; see the module docstring)."""

    length: int = 1000
    k: int = 5
    frame_tail: FrameTail = "reference"
    tokenizer: str = TOKENIZER_VERSION
    """``core.kmers``' scheme: ``kmer-frames-v1`` (a ``cls`` token, the demo's ids) or
    ``logo-ngram-v1`` (LOGO's ids, no ``cls``)."""

    def __post_init__(self) -> None:
        if self.length % self.k or self.length % 2:
            raise ValueError(
                f"window length {self.length} must be even and a multiple of k={self.k}"
            )
        if self.frame_tail not in FRAME_TAILS:
            raise ValueError(
                f"frame_tail {self.frame_tail!r} is not one of {', '.join(FRAME_TAILS)}"
            )
        if self.tokenizer not in TOKENIZERS:
            raise ValueError(f"tokenizer {self.tokenizer!r} is not one of {', '.join(TOKENIZERS)}")

    def to_json(self) -> dict[str, int | str]:
        return {
            "length": self.length,
            "k": self.k,
            "frame_tail": self.frame_tail,
            "tokenizer": self.tokenizer,
        }

    @classmethod
    def from_json(
        cls, raw: dict[str, int | str], tokenizer: str = TOKENIZER_VERSION
    ) -> "WindowSpec":
        """From ``to_json``'s form; a form written before ``frame_tail`` and ``tokenizer``
        existed reads the tail from the reference and tokenizes with ``tokenizer`` (a manifest
        names it in its own ``tokenizer`` section)."""
        tail = str(raw.get("frame_tail", "reference"))
        if tail not in FRAME_TAILS:
            raise ValueError(f"frame_tail {tail!r} is not one of {', '.join(FRAME_TAILS)}")
        scheme = str(raw.get("tokenizer", tokenizer))
        return cls(int(raw["length"]), int(raw["k"]), tail, scheme)

    @property
    def vocabulary(self) -> Vocabulary:
        return Vocabulary(self.k, self.tokenizer)

    @property
    def tokens_per_frame(self) -> int:
        """Tokens of one reading frame: ``length / k`` k-mers, after a ``cls`` if the scheme has
        one."""
        return self.vocabulary.tokens_per_frame(self.length)

    @property
    def anchor_index(self) -> int:
        """0-based index of the anchor base (the variant's first REF base) in the window."""
        return self.length // 2 - 1

    @property
    def read_length(self) -> int:
        """Bases tokenised per window: ``length + k - 1``, so every frame holds whole k-mers."""
        return self.length + self.k - 1

    @property
    def fetched_length(self) -> int:
        """Bases read from the genome per window: ``read_length``, or ``length`` when the frame
        tail is N-padded."""
        return self.read_length if self.frame_tail == "reference" else self.length

    def padded(self, bases: str) -> str:
        """``fetched_length`` bases as tokenised: with the N tail appended when N-padded."""
        return bases + "N" * (self.read_length - self.fetched_length)

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
    """The ``read_length`` bases tokenised around 0-based ``anchor`` on resolved ``contig``."""
    start = spec.start_for(anchor)
    return spec.padded(reference.fetch(contig, start, start + spec.fetched_length))


def allele_windows(
    reference: ReferenceGenome, contig: str, pos: int, ref: str, alt: str, spec: WindowSpec
) -> AlleleWindows:
    """Ref and alt windows of a variant at 1-based ``pos`` whose REF matches the reference."""
    start = spec.start_for(pos - 1)
    extra = max(0, len(ref) - len(alt))
    fetched = spec.fetched_length
    sequence = reference.fetch(contig, start, start + fetched + extra)
    anchor = spec.anchor_index
    alt_window = sequence[:anchor] + alt + sequence[anchor + len(ref) :]
    return AlleleWindows(
        contig=contig,
        start=start,
        ref=spec.padded(sequence[:fetched]),
        alt=spec.padded(alt_window[:fetched]),
    )


def window_bounds(pos: int, ref: str, alt: str, spec: WindowSpec) -> tuple[int, int]:
    """True ``[start, end)`` the reference must hold to score a variant at 1-based ``pos``."""
    start = spec.start_for(pos - 1)
    return start, start + spec.fetched_length + max(0, len(ref) - len(alt))


def reverse_reads(codes: NDArray[np.uint8], spec: WindowSpec) -> NDArray[np.uint8]:
    """The reverse strand's reads of forward reads given as base codes ``(B, read_length)``: the
    reverse complement of the bases read from the genome, then the frame tail as the forward
    read has it — an N-padded read keeps its N at the end, as LOGO forms the reverse strand."""
    fetched = spec.fetched_length
    reverse = reverse_complement_codes(codes[:, :fetched])
    return np.concatenate([reverse, codes[:, fetched:]], axis=1)


def reverse_complement(sequence: str) -> str:
    """Reverse complement over ``ACGTN``."""
    return sequence.translate(_COMPLEMENT)[::-1]
