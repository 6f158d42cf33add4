"""The one row layout of every model call, and the effects read back from it.

A model row is one reading frame of one strand of one sequence: tokens ``(T,)``. Rows are
always ordered sequence, then strand (0 forward, 1 reverse complement), then frame, so that
``R = B * 2 * F`` rows of ``B`` sequences fold back as ``(B, 2, F, N)``.

For variants, the sequences are the distinct allele windows (ALTs at one site share their
reference window, which is read once) and ``VariantRows.pairs`` says which two of them are each
variant's reference and alternate, so the model's ``(R, N)`` probabilities fold into
``(U, S, F, N)``, are averaged over the frames once per distinct window and paired into
``(V, A, S, N)`` — variants x alleles (0 ref, 1 alt) x strands x features — the shape
``core.scoring.strand_effects`` reads. The service's engine, export's parity checks and
training's variant scoring all build their rows here, so a model is scored in training exactly
as it is served.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from core.kmers import base_codes, code_tokens
from core.scoring import FloatArray, VariantEffects, frame_means, strand_effects
from core.windows import AlleleWindows, WindowSpec, reverse_reads

STRANDS = 2
ALLELES = 2


def strand_rows(sequences: Sequence[str], spec: WindowSpec) -> NDArray[np.int64]:
    """Tokens of each sequence on both strands in every frame: ``(B * 2 * F, T)``."""
    for sequence in sequences:
        if len(sequence) != spec.read_length:
            raise ValueError(
                f"a {spec.length} bp window is read as {spec.read_length} bases, "
                f"got {len(sequence)}"
            )
    codes = base_codes("".join(sequences)).reshape(len(sequences), spec.read_length)
    return strand_code_rows(codes, spec)


def strand_code_rows(codes: NDArray[np.uint8], spec: WindowSpec) -> NDArray[np.int64]:
    """``strand_rows`` of sequences given as base codes ``(B, read_length)``."""
    both = np.stack([codes, reverse_reads(codes, spec)], axis=1)  # B S n
    tokens = code_tokens(
        both.reshape(-1, spec.read_length), spec.length, spec.vocabulary
    )  # B*S F T
    return tokens.reshape(-1, tokens.shape[-1])  # B*S*F T


@dataclass(frozen=True)
class VariantRows:
    """The model rows of a list of variants: ``tokens`` ``(U * 2 * F, T)`` of the ``U``
    distinct allele windows, and ``pairs`` ``(V, 2)``: the indices of each variant's reference
    and alternate window among them."""

    tokens: NDArray[np.int64]
    pairs: NDArray[np.int64]
    frames: int

    def effects(self, probabilities: NDArray[np.floating]) -> VariantEffects:
        """The variants' effects from the model's probabilities ``(R, N)`` of ``tokens``."""
        if len(probabilities) != len(self.tokens):
            raise ValueError(f"{len(probabilities)} probability rows for {len(self.tokens)} rows")
        per_allele = probabilities.reshape(-1, STRANDS, self.frames, probabilities.shape[-1])
        # frames averaged per distinct window first (U S N), then paired: V A S N
        return strand_effects(frame_means(per_allele, axis=2)[self.pairs])


def variant_rows(windows: Sequence[AlleleWindows], spec: WindowSpec) -> VariantRows:
    """The rows of variants given by their allele windows, each distinct window once."""
    distinct: dict[str, int] = {}
    pairs = [
        (distinct.setdefault(w.ref, len(distinct)), distinct.setdefault(w.alt, len(distinct)))
        for w in windows
    ]  # V A
    return VariantRows(
        tokens=strand_rows(list(distinct), spec),
        pairs=np.array(pairs, dtype=np.int64).reshape(-1, ALLELES),
        frames=spec.k,
    )


def sequence_probabilities(probabilities: NDArray[np.floating], frames: int) -> FloatArray:
    """Per sequence, the mean over both strands and every frame of ``strand_rows``'
    probabilities ``(B * 2 * F, N)``: ``(B, N)``."""
    per_sequence = probabilities.reshape(-1, STRANDS * frames, probabilities.shape[-1])  # B S*F N
    return np.asarray(per_sequence.mean(axis=1), dtype=np.float64)
