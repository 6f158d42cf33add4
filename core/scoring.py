"""Score math, DeepSEA convention.

Model outputs come as probabilities of shape ``(V, A, S, F, N)``: variants x alleles (0 ref,
1 alt) x strands (0 forward, 1 reverse complement) x reading frames x features. Then:

- ``p`` per allele and strand = mean over the frames;
- per strand ``diff = p_alt - p_ref`` and
  ``logfold = log2(p_alt / (1 - p_alt)) - log2(p_ref / (1 - p_ref))``, with ``p`` clipped to
  ``[1e-7, 1 - 1e-7]``;
- reported ``ref``, ``alt``, ``diff`` and ``logfold`` = mean of the two strands' values.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

PROBABILITY_FLOOR = 1e-7
SCORING_VERSION = "deepsea-mean-frames-strands-v2-ranked"

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class VariantEffects:
    """Per-variant, per-feature values, each of shape ``(V, N)``."""

    ref: FloatArray
    alt: FloatArray
    diff: FloatArray
    logfold: FloatArray


def log2_odds(probability: FloatArray) -> FloatArray:
    """``log2(p / (1 - p))`` with ``p`` clipped to ``[1e-7, 1 - 1e-7]``."""
    p = np.clip(probability, PROBABILITY_FLOOR, 1.0 - PROBABILITY_FLOOR)
    return np.asarray(np.log2(p) - np.log2(1.0 - p), dtype=np.float64)


def variant_effects(probabilities: NDArray[np.floating]) -> VariantEffects:
    """Effects from probabilities of shape ``(V, 2, 2, F, N)`` (see module docstring)."""
    if probabilities.ndim != 5 or probabilities.shape[1:3] != (2, 2):
        raise ValueError(f"expected probabilities (V, 2, 2, F, N), got {probabilities.shape}")
    return strand_effects(frame_means(probabilities, axis=3))


def frame_means(probabilities: NDArray[np.floating], axis: int) -> FloatArray:
    """The mean over the reading frames (``axis``), summed in float64 without a float64 copy
    of the probabilities."""
    return np.asarray(probabilities.mean(axis=axis, dtype=np.float64))


def strand_effects(p: FloatArray) -> VariantEffects:
    """Effects from frame-averaged probabilities of shape ``(V, 2, 2, N)``: variants x alleles
    x strands x features."""
    if p.ndim != 4 or p.shape[1:3] != (2, 2):
        raise ValueError(f"expected frame-averaged probabilities (V, 2, 2, N), got {p.shape}")
    p_ref, p_alt = p[:, 0], p[:, 1]  # V S N
    diff = p_alt - p_ref  # V S N
    logfold = log2_odds(p_alt) - log2_odds(p_ref)  # V S N
    return VariantEffects(
        ref=p_ref.mean(axis=1),
        alt=p_alt.mean(axis=1),
        diff=diff.mean(axis=1),
        logfold=logfold.mean(axis=1),
    )
